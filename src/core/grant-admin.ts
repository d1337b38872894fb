// `/vpn admin list` and `/vpn admin revoke`: the active grants, and ending a person's or a certificate's
// access at once (the same way a holder ends their own, src/core/ending.ts).
import type { AdminContext } from './admin-context.js';
import type { AuditLog } from './audit.js';
import { endRequests, type EndingDeps, type RevokeSummary } from './ending.js';
import { refuse, type Outcome } from './refusals.js';
import { OPEN_STATUSES, type AccessRequest } from './requests.js';
import type { RequestStore } from './store.js';

export type GrantAdminDeps = EndingDeps & { store: RequestStore; audit: AuditLog };

/** The user's open requests and grants, every one of them (an admin ends them all). */
export async function openRequestsOf(store: RequestStore, userId: string): Promise<AccessRequest[]> {
  return (await store.listByUser(userId, 500)).filter((r) => OPEN_STATUSES.includes(r.status));
}

export class GrantAdmin {
  constructor(private readonly deps: GrantAdminDeps) {}

  /**
   * Active grants, soonest expiry first (at most `limit`), and how many there are in all; optionally of one
   * user or on one gateway. Unfiltered, only the first `limit` are read, from the expiry index; a user's come
   * from their own index, a gateway's from the per-gateway expiry index.
   */
  async list(ctx: AdminContext, filter: { userId?: string; gateway?: string } = {}, limit = 50): Promise<{ grants: AccessRequest[]; total: number }> {
    const { store } = this.deps;
    let grants: AccessRequest[];
    let total: number;
    if (!filter.userId && !filter.gateway) {
      [grants, total] = await Promise.all([store.grantsExpiringBy(Number.MAX_SAFE_INTEGER, limit), store.countByStatus('active')]);
      grants = grants.filter((g) => g.status === 'active');
    } else if (!filter.userId && filter.gateway) {
      ({ grants, total } = await store.activeOnGateway(filter.gateway, limit));
    } else {
      const candidates = await store.listByUser(filter.userId!, 500);
      const all = candidates
        .filter((g) => g.status === 'active' && (!filter.userId || g.requesterId === filter.userId) && (!filter.gateway || g.gateway === filter.gateway))
        .sort((a, b) => (a.expiresAt ?? 0) - (b.expiresAt ?? 0));
      grants = all.slice(0, limit);
      total = all.length;
    }
    await this.deps.audit.append({
      actor: ctx.actorId, action: 'admin.list', ...(filter.userId ? { subject: filter.userId } : {}), ...(filter.gateway ? { gateway: filter.gateway } : {}),
      detail: `${total} active grant(s)`,
    });
    return { grants, total };
  }

  /** Revokes the user's active grants at once and cancels their pending/approved requests. */
  async revokeUser(ctx: AdminContext, userId: string): Promise<RevokeSummary> {
    return endRequests(this.deps, { by: 'admin', actorId: ctx.actorId, why: 'admin revoke' }, await openRequestsOf(this.deps.store, userId));
  }

  /** Revokes the grant holding SSL-VPN client certificate `certId`. */
  async revokeCertificate(ctx: AdminContext, certId: string): Promise<Outcome<RevokeSummary>> {
    const holders = (await this.deps.store.listByStatus('active')).filter((g) => g.certId === certId);
    if (holders.length === 0) {
      return refuse({ code: 'no-grant-holds-certificate', certId });
    }
    return { ok: true, value: await endRequests(this.deps, { by: 'admin', actorId: ctx.actorId, why: 'admin revoke by certificate id' }, holders) };
  }
}
