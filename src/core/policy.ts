// Who may do what, and what a request may ask for. Pure functions over config and domain objects.
import { formatDuration, isDurationAttempt, parseDuration } from './duration.js';
import type { AccessRequest } from './requests.js';

export interface AccessPolicy {
  gateways: readonly string[];
  defaultDurationMs: number;
  maxDurationMs: number;
  approvers: readonly string[];
  admins: readonly string[];
  /** Per gateway: its own approvers (replacing `approvers`) and approvals required (replacing `approvalsRequired`). */
  gatewayApprovers?: Readonly<Record<string, readonly string[]>>;
  gatewayApprovalsRequired?: Readonly<Record<string, number>>;
  /** Distinct approvals a request needs (default 1). */
  approvalsRequired?: number;
  /** Time a holder may add to one grant without approval, over all its extensions (default 0). */
  selfExtensionMs?: number;
  /** Who may use break-glass, and for how long it grants access. */
  breakGlass?: readonly string[];
  breakGlassDurationMs?: number;
  /** An undecided request lapses after this; its approvers are reminded once after approverReminderMs (0 = never). */
  pendingTtlMs?: number;
  approverReminderMs?: number;
  /** Admins are reminded once when a break-glass use is not acknowledged within this. */
  breakGlassReviewWithinMs?: number;
}

/** Resolves a Slack user-group id (S…) to its member user ids. */
export type GroupMembers = (groupId: string) => Promise<readonly string[]>;

async function isListed(userId: string, listed: readonly string[], members: GroupMembers): Promise<boolean> {
  if (listed.includes(userId)) return true;
  for (const id of listed) {
    if (id.startsWith('S') && (await members(id)).includes(userId)) return true;
  }
  return false;
}

/** Whether the user may approve on some gateway (App Home's "waiting on you"). */
export async function isApprover(policy: AccessPolicy, userId: string, members: GroupMembers): Promise<boolean> {
  for (const gateway of policy.gateways) if (await isListed(userId, approversFor(policy, gateway), members)) return true;
  return false;
}

/** The approvers of a gateway: its own list, else `roles.approvers`. */
export function approversFor(policy: AccessPolicy, gateway: string): readonly string[] {
  return policy.gatewayApprovers?.[gateway] ?? policy.approvers;
}

export function approvalsRequiredFor(policy: AccessPolicy, gateway: string): number {
  return policy.gatewayApprovalsRequired?.[gateway] ?? policy.approvalsRequired ?? 1;
}

export function mayBreakGlass(policy: AccessPolicy, userId: string, members: GroupMembers): Promise<boolean> {
  return isListed(userId, policy.breakGlass ?? [], members);
}

export function isAdmin(policy: AccessPolicy, userId: string, members: GroupMembers): Promise<boolean> {
  return isListed(userId, policy.admins, members);
}

export type Decision = { ok: true } | { ok: false; reason: string };

/** Whether `userId` may approve or deny `request` right now (checked at click time). */
export async function mayDecide(policy: AccessPolicy, request: AccessRequest, userId: string, members: GroupMembers): Promise<Decision> {
  if (request.requesterId === userId) return { ok: false, reason: 'You cannot approve or deny your own request; another approver has to decide it.' };
  if (!(await isListed(userId, approversFor(policy, request.gateway), members))) {
    return { ok: false, reason: policy.gatewayApprovers?.[request.gateway]
      ? `Only the approvers of *${request.gateway}* (its \`approvers\` in the config) can decide requests for it.`
      : 'Only approvers listed in `roles.approvers` can decide VPN requests.' };
  }
  if (request.status !== 'pending') return { ok: false, reason: alreadyDecided(request) };
  return { ok: true };
}

export function alreadyDecided(request: AccessRequest): string {
  const who = request.approverId ? ` by <@${request.approverId}>` : '';
  switch (request.status) {
    case 'approved':
    case 'provisioning':
    case 'active':
      return `This request was already approved${who}.`;
    case 'denied':
      return `This request was already denied${who}.`;
    case 'cancelled':
      return request.cancelledBy && request.cancelledBy !== request.requesterId ? `This request was cancelled by <@${request.cancelledBy}>.` : 'This request was cancelled by the requester.';
    case 'applied':
      return `This extension was already approved${who}.`;
    case 'lapsed':
      return 'This request expired without a decision.';
    default:
      return `This request is ${request.status} and can no longer be decided.`;
  }
}

export interface ParsedRequest {
  gateway: string;
  durationMs: number;
  reason: string;
}

/** The answer to a word in the duration position that is not a valid duration. */
export function durationError(word: string, usage: string): string {
  return `\`${word.slice(0, 20).replace(/[`<>&]/g, '')}\` is not a duration I understand: use a whole positive number and m, h, d or w (e.g. 30m, 8h, 1d, 2w). Usage: ${usage}`;
}

export const EXTEND_USAGE = '`/vpn extend [gateway] [duration]`, e.g. `/vpn extend 4h`';

export const REQUEST_USAGE = '`/vpn request [gateway] [duration] <reason…>`, e.g. `/vpn request 1d deploy the payments hotfix`';

/** Parses `[gateway] [duration] <reason…>`; on error, says what was wrong and how to write it. */
export function parseRequestText(policy: AccessPolicy, text: string): { ok: true; value: ParsedRequest } | { ok: false; error: string } {
  const words = text.trim().split(/\s+/).filter(Boolean);
  let gateway: string | undefined;
  if (words[0] && policy.gateways.includes(words[0].toLowerCase())) gateway = words.shift()!.toLowerCase();
  let durationMs = policy.defaultDurationMs;
  if (words[0] && isDurationAttempt(words[0])) {
    // A typo here is never defaulted (nor pasted into the reason): the user is told how to write it.
    const parsed = parseDuration(words[0]);
    if (parsed === undefined) return { ok: false, error: durationError(words[0], REQUEST_USAGE) };
    words.shift();
    durationMs = parsed;
  }
  if (durationMs > policy.maxDurationMs) {
    return { ok: false, error: `Access can be granted for at most ${formatDuration(policy.maxDurationMs)}; you asked for ${formatDuration(durationMs)}.` };
  }
  if (!gateway) {
    if (policy.gateways.length === 1) gateway = policy.gateways[0]!;
    else return { ok: false, error: `Which gateway? Name one of: ${policy.gateways.map((g) => `\`${g}\``).join(', ')}. Usage: ${REQUEST_USAGE}` };
  }
  const reason = words.join(' ');
  if (reason.length < 3) return { ok: false, error: `Please say why you need access. Usage: ${REQUEST_USAGE}` };
  if (reason.length > 500) return { ok: false, error: 'Please keep the reason under 500 characters.' };
  return { ok: true, value: { gateway, durationMs, reason } };
}

export const BREAKGLASS_USAGE = '`/vpn breakglass [gateway] <reason…>`, e.g. `/vpn breakglass frankfurt payments outage, INC-1234`';

/** Parses `[gateway] <reason…>` of `/vpn breakglass` (the duration is always access.breakGlassDuration). */
export function parseBreakGlassText(policy: AccessPolicy, text: string): { ok: true; value: { gateway: string; reason: string } } | { ok: false; error: string } {
  const words = text.trim().split(/\s+/).filter(Boolean);
  let gateway: string | undefined;
  if (words[0] && policy.gateways.includes(words[0].toLowerCase())) gateway = words.shift()!.toLowerCase();
  if (!gateway) {
    if (policy.gateways.length === 1) gateway = policy.gateways[0]!;
    else return { ok: false, error: `Which gateway? Name one of: ${policy.gateways.map((g) => `\`${g}\``).join(', ')}. Usage: ${BREAKGLASS_USAGE}` };
  }
  const reason = words.join(' ');
  if (reason.length < 3) return { ok: false, error: `Break-glass needs a reason; it is recorded and shown to the admins. Usage: ${BREAKGLASS_USAGE}` };
  if (reason.length > 500) return { ok: false, error: 'Please keep the reason under 500 characters.' };
  return { ok: true, value: { gateway, reason } };
}
