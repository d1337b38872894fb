// Admin commands are authorised once, where they come in (the `/vpn admin` listener, a button click): the
// check yields an AdminContext, and the admin services take one instead of a bare user id, so none of them
// can be reached without the check and none repeats it.
import { isAdmin, type AccessPolicy, type GroupMembers } from './policy.js';
import { refuse, type AdminAction, type Outcome } from './refusals.js';

declare const checked: unique symbol;

/** An admin (user id or user-group member in `roles.admins`) checked at the start of this command or click. */
export interface AdminContext {
  readonly actorId: string;
  readonly [checked]: true;
}

/** Whether `actorId` is an admin right now; the refusal names what they tried when not. */
export async function authorizeAdmin(policy: AccessPolicy, members: GroupMembers, actorId: string, action: AdminAction = 'admin-command'): Promise<Outcome<AdminContext>> {
  if (!(await isAdmin(policy, actorId, members))) return refuse({ code: 'not-admin', action });
  return { ok: true, value: { actorId } as AdminContext };
}
