// The access service: every decision the product makes about requests, behind the Slack listeners.
// It stores state (compare-and-set), audits, and hands work to the queues through ports.
import type { AuditLog } from './audit.js';
import { formatDuration } from './duration.js';
import { alreadyDecided, isApprover, mayDecide, type AccessPolicy, type GroupMembers, type ParsedRequest } from './policy.js';
import type { Notifications, ProvisioningQueue } from './ports.js';
import { newRequestId } from './ids.js';
import { OPEN_STATUSES, type AccessRequest } from './requests.js';
import type { RequestStore } from './store.js';

export type Outcome<T> = { ok: true; value: T } | { ok: false; message: string };

export interface ServiceDeps {
  store: RequestStore;
  audit: AuditLog;
  policy: AccessPolicy;
  members: GroupMembers;
  provisioning: ProvisioningQueue;
  notifications: Notifications;
}

export class AccessService {
  constructor(private readonly deps: ServiceDeps) {}

  get policy(): AccessPolicy {
    return this.deps.policy;
  }

  async submit(requesterId: string, parsed: ParsedRequest): Promise<Outcome<AccessRequest>> {
    const { store, audit, notifications } = this.deps;
    const open = (await store.listByUser(requesterId, 20)).find((r) => r.gateway === parsed.gateway && (r.status === 'pending' || r.status === 'approved' || r.status === 'provisioning'));
    if (open) return { ok: false, message: `You already have a ${open.status} request for *${open.gateway}* (\`${open.id}\`); see \`/vpn status\`.` };
    const now = Date.now();
    const request = await store.create({
      id: newRequestId(now), requesterId, gateway: parsed.gateway, durationMs: parsed.durationMs, reason: parsed.reason,
      status: 'pending', createdAt: now, updatedAt: now,
    });
    await Promise.all([
      audit.append({ actor: requesterId, action: 'request.created', requestId: request.id, subject: requesterId, gateway: request.gateway, detail: parsed.reason }),
      notifications.syncCard(request),
    ]);
    return { ok: true, value: request };
  }

  async approve(requestId: string, approverId: string): Promise<Outcome<{ request: AccessRequest; position: number }>> {
    const { store, audit, notifications, provisioning } = this.deps;
    const current = await store.get(requestId);
    if (!current) return { ok: false, message: 'That request no longer exists.' };
    const allowed = await mayDecide(this.deps.policy, current, approverId, this.deps.members);
    if (!allowed.ok) return { ok: false, message: allowed.reason };
    const moved = await store.transition(requestId, 'approved', { approverId, decidedAt: Date.now() }, ['pending']);
    // Lost the race: another approver decided first, or the requester cancelled meanwhile.
    if (!moved.ok) return { ok: false, message: moved.reason === 'not-found' ? 'That request no longer exists.' : alreadyDecided(moved.request) };
    const request = moved.request;
    await audit.append({ actor: approverId, action: 'request.approved', requestId, subject: request.requesterId, gateway: request.gateway });
    const { position } = await provisioning.enqueueProvision(request);
    await notifications.syncCard(request);
    await notifications.tellRequester(request, 'approved');
    return { ok: true, value: { request, position } };
  }

  /** Checks a deny click before the reason modal opens. */
  async checkDecider(requestId: string, userId: string): Promise<Outcome<AccessRequest>> {
    const current = await this.deps.store.get(requestId);
    if (!current) return { ok: false, message: 'That request no longer exists.' };
    const allowed = await mayDecide(this.deps.policy, current, userId, this.deps.members);
    return allowed.ok ? { ok: true, value: current } : { ok: false, message: allowed.reason };
  }

  async deny(requestId: string, approverId: string, reason: string): Promise<Outcome<AccessRequest>> {
    const { store, audit, notifications } = this.deps;
    const check = await this.checkDecider(requestId, approverId);
    if (!check.ok) return check;
    const moved = await store.transition(requestId, 'denied', { approverId, decidedAt: Date.now(), denyReason: reason }, ['pending']);
    if (!moved.ok) return { ok: false, message: 'This request was decided meanwhile.' };
    await audit.append({ actor: approverId, action: 'request.denied', requestId, subject: moved.request.requesterId, gateway: moved.request.gateway, detail: reason });
    await notifications.syncCard(moved.request);
    await notifications.tellRequester(moved.request, 'denied');
    return { ok: true, value: moved.request };
  }

  /**
   * "I'm done" / "I lost my laptop": the requester's active grants (or the one named) are revoked at once,
   * and pending requests are cancelled.
   */
  async revokeOwn(userId: string, requestId?: string): Promise<Outcome<{ revoked: AccessRequest[]; cancelled: AccessRequest[]; inFlight: AccessRequest[] }>> {
    const { store, audit, notifications, provisioning } = this.deps;
    const open = (await this.openRequests(userId)).filter((r) => !requestId || r.id === requestId);
    if (open.length === 0) return { ok: false, message: requestId ? `You have no open request \`${requestId}\`; see \`/vpn status\`.` : 'You have no VPN access or open requests to revoke.' };
    const revoked: AccessRequest[] = [];
    const cancelled: AccessRequest[] = [];
    const inFlight: AccessRequest[] = [];
    for (const request of open) {
      if (request.status === 'active') {
        await provisioning.enqueueRevoke(request, userId);
        await audit.append({ actor: userId, action: 'grant.revoke-requested', requestId: request.id, subject: userId, gateway: request.gateway });
        revoked.push(request);
      } else if (request.status === 'pending') {
        const moved = await store.transition(request.id, 'cancelled', { cancelledBy: userId }, ['pending']);
        if (!moved.ok) continue;
        await audit.append({ actor: userId, action: 'request.cancelled', requestId: request.id, subject: userId, gateway: request.gateway });
        await notifications.syncCard(moved.request);
        cancelled.push(moved.request);
      } else {
        inFlight.push(request);
      }
    }
    return { ok: true, value: { revoked, cancelled, inFlight } };
  }

  /**
   * Makes the caller's active grant last longer: by `durationMs` (default: the grant's own duration) from
   * its current expiry, never beyond `access.maxDuration` after delivery. No new approval is needed
   * within that limit; the extension is audited and shown on the approval card.
   */
  async extend(userId: string, filter: { requestId?: string; gateway?: string }, durationMs?: number): Promise<Outcome<AccessRequest>> {
    const { store, audit, notifications, provisioning, policy } = this.deps;
    const active = (await this.openRequests(userId)).filter((r) => r.status === 'active' && (!filter.requestId || r.id === filter.requestId) && (!filter.gateway || r.gateway === filter.gateway));
    if (active.length === 0) return { ok: false, message: 'You have no active VPN access to extend. Ask with `/vpn request`.' };
    if (active.length > 1) return { ok: false, message: `You have access to several gateways; name one: ${active.map((r) => `\`/vpn extend ${r.gateway}\``).join(', ')}.` };
    const grant = active[0]!;
    const limit = (grant.deliveredAt ?? grant.createdAt) + policy.maxDurationMs;
    const moved = await store.mutate(grant.id, (current) => {
      if (current.status !== 'active' || !current.expiresAt) return null;
      const wanted = Math.max(Date.now(), current.expiresAt) + (durationMs ?? current.durationMs);
      const expiresAt = Math.min(wanted, limit);
      return expiresAt > current.expiresAt ? { patch: { expiresAt } } : null;
    });
    if (!moved.ok) {
      if (moved.reason === 'not-allowed' && moved.request.status === 'active') return { ok: false, message: `Your access already runs to the maximum of ${formatDuration(policy.maxDurationMs)}; ask again with \`/vpn request\` when it ends.` };
      return { ok: false, message: 'Your access ended meanwhile; ask again with `/vpn request`.' };
    }
    if (!(await provisioning.rescheduleExpiry(moved.request))) {
      // The removal already started: put the old expiry back so the record tells the truth.
      const previous = grant.expiresAt;
      await store.mutate(grant.id, (current) => (current.status === 'active' && current.expiresAt === moved.request.expiresAt ? { patch: { expiresAt: previous } } : null));
      return { ok: false, message: 'Your access is being removed right now; ask again with `/vpn request`.' };
    }
    await audit.append({ actor: userId, action: 'grant.extended', requestId: grant.id, subject: userId, gateway: grant.gateway, detail: new Date(moved.request.expiresAt!).toISOString() });
    await Promise.all([notifications.syncCard(moved.request), notifications.scheduleReminder(moved.request)]);
    return { ok: true, value: moved.request };
  }

  /**
   * Pending requests `approverId` may decide right now (never their own), oldest first; undefined when
   * they are not an approver (then nothing is read). Reads the pending index only.
   */
  async pendingFor(approverId: string): Promise<AccessRequest[] | undefined> {
    if (!(await isApprover(this.deps.policy, approverId, this.deps.members))) return undefined;
    return (await this.deps.store.listByStatus('pending'))
      .filter((r) => r.status === 'pending' && r.requesterId !== approverId)
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  /** The user's requests that are still open, newest first. */
  async openRequests(userId: string): Promise<AccessRequest[]> {
    return (await this.deps.store.listByUser(userId, 50)).filter((r) => OPEN_STATUSES.includes(r.status));
  }
}
