// The access service: every decision the product makes about requests, behind the Slack listeners.
// It stores state (compare-and-set), audits, and hands work to the queues through ports.
import type { AuditLog } from './audit.js';
import { formatDuration } from './duration.js';
import { approvalImpossible, approvalsRequiredFor, approversFor, decidedRefusal, isAdmin, isApprover, listedUsers, mayBreakGlass, mayDecide, type AccessPolicy, type GroupMembers, type ParsedRequest } from './policy.js';
import type { FollowUpKind, FollowUps, Messenger, Notifications, ProvisioningQueue } from './ports.js';
import { endRequests, releaseExtension, type RevokeSummary } from './ending.js';
import { newRequestId } from './ids.js';
import { OPEN_STATUSES, type AccessRequest } from './requests.js';
import { refuse, type Outcome, type Refusal } from './refusals.js';
import type { RequestStore } from './store.js';

export type { Outcome } from './refusals.js';

export interface ServiceDeps {
  store: RequestStore;
  audit: AuditLog;
  policy: AccessPolicy;
  members: GroupMembers;
  provisioning: ProvisioningQueue;
  notifications: Notifications;
  /** Pending TTL, approver reminders and break-glass reviews; without it none are scheduled. */
  followUps?: FollowUps;
  /** For the follow-ups' own messages (run from their durable jobs, retried there). */
  messenger?: Messenger;
  /** Something went wrong that the user does not see (the request went ahead anyway); for the logs. */
  onWarning?: (what: string, err: unknown) => void;
  /**
   * How long a new request waits for Slack to say who is in the approvers' user groups (default 1 s): the
   * slash command must be answered within Slack's 3 s, so a slower answer lets the request go ahead.
   */
  approverCheckPatienceMs?: number;
}

/** What an approval click did (N-of-M: most clicks only count). */
export type ApproveOutcome =
  | { kind: 'counted'; request: AccessRequest; count: number; required: number }
  | { kind: 'approved'; request: AccessRequest; position: number }
  | { kind: 'extended'; request: AccessRequest; grant: AccessRequest };

/** What `/vpn extend` did. */
export type ExtendOutcome =
  | { kind: 'extended'; grant: AccessRequest }
  | { kind: 'pending'; extension: AccessRequest; grant: AccessRequest; existing: boolean };

export class AccessService {
  constructor(private readonly deps: ServiceDeps) {}

  get policy(): AccessPolicy {
    return this.deps.policy;
  }

  async submit(requesterId: string, parsed: ParsedRequest): Promise<Outcome<AccessRequest>> {
    const { store, audit, notifications } = this.deps;
    const open = (await store.listByUser(requesterId, 20)).find((r) => r.gateway === parsed.gateway && (r.status === 'pending' || r.status === 'approved' || r.status === 'provisioning'));
    if (open) return refuse({ code: 'already-open', gateway: open.gateway, requestId: open.id, status: open.status });
    const impossible = await this.neverApprovable(requesterId, parsed.gateway, 'request');
    if (impossible) {
      await audit.append({ actor: requesterId, action: 'request.refused', subject: requesterId, gateway: parsed.gateway, detail: `${impossibleDetail(impossible)}; reason: ${parsed.reason}` });
      return refuse(impossible);
    }
    const now = Date.now();
    const request = await store.create({
      id: newRequestId(now), requesterId, gateway: parsed.gateway, durationMs: parsed.durationMs, reason: parsed.reason,
      status: 'pending', createdAt: now, updatedAt: now, approvalsRequired: approvalsRequiredFor(this.deps.policy, parsed.gateway),
    });
    await Promise.all([
      audit.append({ actor: requesterId, action: 'request.created', requestId: request.id, subject: requesterId, gateway: request.gateway, detail: parsed.reason }),
      notifications.syncCard(request),
      this.schedulePendingFollowUps(request),
    ]);
    return { ok: true, value: request };
  }

  /**
   * The refusal for a request nobody could ever approve (too few approvers besides the requester), else
   * undefined. When Slack cannot say who is in an approvers' user group (an error, or no answer within
   * `approverCheckPatienceMs`) the request goes ahead as it always did, with a warning in the logs: a Slack
   * hiccup must never block anyone, and eligibility is checked again at each click anyway.
   */
  private async neverApprovable(requesterId: string, gateway: string, kind: 'request' | 'extension'): Promise<Refusal | undefined> {
    const { policy, members, onWarning } = this.deps;
    const check = approvalImpossible(policy, gateway, requesterId, members, kind);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => { timer = setTimeout(() => resolve('late'), this.deps.approverCheckPatienceMs ?? 1000).unref(); });
    try {
      const result = await Promise.race([check, late]);
      if (result !== 'late') return result;
      check.catch(() => undefined); // still running: its late failure is of no interest
      onWarning?.(`approvers of ${gateway} not resolved in time; ${kind} accepted without checking it can be approved`, new Error('no answer from Slack'));
    } catch (err) {
      onWarning?.(`approvers of ${gateway} not resolved; ${kind} accepted without checking it can be approved`, err);
    } finally {
      clearTimeout(timer);
    }
    return undefined;
  }

  /** The pending TTL and the approver reminder of a pending request (idempotent: one job per kind). */
  async schedulePendingFollowUps(request: AccessRequest): Promise<void> {
    const { followUps, policy } = this.deps;
    if (!followUps) return;
    const ttl = policy.pendingTtlMs ?? 24 * 3_600_000;
    await followUps.schedule('pending-ttl', request.id, request.createdAt + ttl);
    const remind = policy.approverReminderMs ?? 0;
    if (remind > 0 && remind < ttl) await followUps.schedule('approver-reminder', request.id, request.createdAt + remind);
  }

  /**
   * One approval click. N-of-M: the request is approved at the Nth distinct eligible approver (eligibility
   * checked at this click; the requester never counts, nobody counts twice); before that the click is counted.
   */
  async approve(requestId: string, approverId: string): Promise<Outcome<ApproveOutcome>> {
    const { store, audit, notifications, provisioning, policy } = this.deps;
    const current = await store.get(requestId);
    if (!current) return refuse({ code: 'request-gone' });
    const allowed = await mayDecide(policy, current, approverId, this.deps.members);
    if (!allowed.ok) return allowed;
    const required = approvalsRequiredFor(policy, current.gateway);
    const now = Date.now();
    const moved = await store.mutate(requestId, (r) => {
      if (r.status !== 'pending' || (r.approvals ?? []).includes(approverId)) return null;
      const approvals = [...(r.approvals ?? []), approverId];
      if (approvals.length < required) return { patch: { approvals, approvalsRequired: required } };
      // An extension stays pending until it is applied to its grant (finishExtension).
      if (r.kind === 'extension') return { patch: { approvals, approvalsRequired: required, approverId, decidedAt: now } };
      return { status: 'approved', patch: { approvals, approvalsRequired: required, approverId, decidedAt: now } };
    });
    // Lost the race: another approver decided first, or the requester cancelled meanwhile.
    if (!moved.ok) {
      if (moved.reason === 'not-found') return refuse({ code: 'request-gone' });
      const r = moved.request;
      if (r.status === 'pending' && (r.approvals ?? []).includes(approverId)) {
        return refuse({ code: 'already-approved', required, count: (r.approvals ?? []).length });
      }
      return refuse(decidedRefusal(r));
    }
    const request = moved.request;
    const count = (request.approvals ?? []).length;
    if (count < required) {
      await audit.append({ actor: approverId, action: 'request.approval-counted', requestId, subject: request.requesterId, gateway: request.gateway, detail: `${count} of ${required}` });
      await notifications.syncCard(request);
      return { ok: true, value: { kind: 'counted', request, count, required } };
    }
    await audit.append({ actor: approverId, action: request.kind === 'extension' ? 'extension.approved' : 'request.approved', requestId, subject: request.requesterId, gateway: request.gateway, ...(required > 1 ? { detail: `approved by ${(request.approvals ?? []).join(', ')}` } : {}) });
    if (request.kind === 'extension') {
      const finished = await this.finishExtension(request);
      if (!finished.ok) return finished;
      return { ok: true, value: { kind: 'extended', request: finished.value.extension, grant: finished.value.grant } };
    }
    const { position } = await provisioning.enqueueProvision(request);
    await notifications.syncCard(request);
    await notifications.tellRequester(request, 'approved');
    return { ok: true, value: { kind: 'approved', request, position } };
  }

  /**
   * Applies an approved extension to its grant, once (the grant records the extension's id), within
   * `access.maxDuration` from delivery; then closes the extension. Safe to run again after a crash.
   */
  async finishExtension(extension: AccessRequest): Promise<Outcome<{ extension: AccessRequest; grant: AccessRequest }>> {
    const { store, notifications, provisioning, policy } = this.deps;
    const grantId = extension.grantId ?? '';
    const before = await store.get(grantId);
    let added = 0;
    const moved = await store.mutate(grantId, (g) => {
      if (g.status !== 'active' || !g.expiresAt || (g.appliedExtensions ?? []).includes(extension.id)) return null;
      const limit = (g.deliveredAt ?? g.createdAt) + policy.maxDurationMs;
      const expiresAt = Math.max(g.expiresAt, Math.min(Math.max(Date.now(), g.expiresAt) + extension.durationMs, limit));
      added = expiresAt - g.expiresAt;
      return { patch: {
        expiresAt, extendedMs: (g.extendedMs ?? 0) + added, appliedExtensions: [...(g.appliedExtensions ?? []), extension.id],
        ...(g.pendingExtensionId === extension.id ? { pendingExtensionId: undefined } : {}),
      } };
    });
    let grant = moved.ok ? moved.request : moved.reason === 'not-found' ? undefined : moved.request;
    const applied = Boolean(grant?.appliedExtensions?.includes(extension.id));
    if (!applied || !grant) {
      // The grant ended meanwhile: nothing to extend.
      const closed = await store.transition(extension.id, 'cancelled', { cancelledBy: 'system', failure: 'the access ended before the extension was approved' }, ['pending']);
      if (closed.ok) {
        await notifications.syncCard(closed.request);
        await notifications.tellRequester(closed.request, 'cancelled');
      }
      return refuse({ code: 'extension-grant-ended' });
    }
    if (moved.ok && added > 0 && !(await provisioning.rescheduleExpiry(grant))) {
      // The removal already started: put the old expiry back so the record tells the truth.
      const previous = before?.expiresAt;
      const undone = await store.mutate(grantId, (g) => (g.status === 'active' && g.expiresAt === grant!.expiresAt ? { patch: { expiresAt: previous, extendedMs: (g.extendedMs ?? 0) - added } } : null));
      if (undone.ok) grant = undone.request;
    }
    const closed = await store.transition(extension.id, 'applied', { ...(grant.expiresAt ? { grantEndsAt: grant.expiresAt } : {}), grantTotalMs: grant.durationMs + (grant.extendedMs ?? 0) }, ['pending']);
    const ext = closed.ok ? closed.request : ((await store.get(extension.id)) ?? extension);
    await Promise.all([notifications.syncCard(ext), notifications.syncCard(grant), notifications.scheduleReminder(grant)]);
    if (closed.ok) await notifications.tellRequester(ext, 'approved');
    return { ok: true, value: { extension: ext, grant } };
  }

  /** Checks a deny click before the reason modal opens. */
  async checkDecider(requestId: string, userId: string): Promise<Outcome<AccessRequest>> {
    const current = await this.deps.store.get(requestId);
    if (!current) return refuse({ code: 'request-gone' });
    const allowed = await mayDecide(this.deps.policy, current, userId, this.deps.members);
    return allowed.ok ? { ok: true, value: current } : allowed;
  }

  async deny(requestId: string, approverId: string, reason: string): Promise<Outcome<AccessRequest>> {
    const { store, audit, notifications } = this.deps;
    const check = await this.checkDecider(requestId, approverId);
    if (!check.ok) return check;
    const moved = await store.transition(requestId, 'denied', { approverId, decidedAt: Date.now(), denyReason: reason }, ['pending']);
    if (!moved.ok) return refuse({ code: 'decided-meanwhile' });
    await audit.append({ actor: approverId, action: moved.request.kind === 'extension' ? 'extension.denied' : 'request.denied', requestId, subject: moved.request.requesterId, gateway: moved.request.gateway, detail: reason });
    await this.releaseExtension(moved.request);
    await notifications.syncCard(moved.request);
    await notifications.tellRequester(moved.request, 'denied');
    return { ok: true, value: moved.request };
  }

  /** A closed extension request no longer blocks a new one on its grant. */
  private releaseExtension(extension: AccessRequest): Promise<void> {
    return releaseExtension(this.deps, extension);
  }

  /**
   * `/vpn cancel [request id]`: the caller's own pending request (or extension request) is cancelled; the
   * card says who cancelled it. Without an id, the one pending request (several: name one).
   */
  async cancelOwn(userId: string, requestId?: string): Promise<Outcome<AccessRequest>> {
    const { store, audit, notifications } = this.deps;
    const pending = (await this.openRequests(userId)).filter((r) => r.status === 'pending' && (!requestId || r.id === requestId));
    if (pending.length === 0) return refuse({ code: 'no-pending', ...(requestId ? { requestId } : {}) });
    if (pending.length > 1) return refuse({ code: 'several-pending', requestIds: pending.map((r) => r.id) });
    const moved = await store.transition(pending[0]!.id, 'cancelled', { cancelledBy: userId }, ['pending']);
    if (!moved.ok) return refuse(moved.reason === 'not-found' ? { code: 'request-gone' } : decidedRefusal(moved.request));
    await audit.append({ actor: userId, action: moved.request.kind === 'extension' ? 'extension.cancelled' : 'request.cancelled', requestId: moved.request.id, subject: userId, gateway: moved.request.gateway });
    await this.releaseExtension(moved.request);
    await notifications.syncCard(moved.request);
    return { ok: true, value: moved.request };
  }

  /**
   * "I'm done" / "I lost my laptop": the requester's active grants (or the one named) are revoked at once,
   * and pending requests are cancelled.
   */
  async revokeOwn(userId: string, requestId?: string): Promise<Outcome<RevokeSummary>> {
    const open = (await this.openRequests(userId)).filter((r) => !requestId || r.id === requestId);
    if (open.length === 0) return refuse({ code: 'nothing-to-revoke', ...(requestId ? { requestId } : {}) });
    return { ok: true, value: await endRequests(this.deps, { by: 'holder', actorId: userId }, open) };
  }

  /**
   * Makes the caller's active grant last longer: by `durationMs` (default: the grant's own duration) from
   * its current expiry, never beyond `access.maxDuration` after delivery. Within `access.selfExtension`
   * (summed over the grant's extensions; never for break-glass) it applies at once; beyond, an extension
   * request goes to the approvers (one at a time per grant) and the expiry moves only when approved.
   */
  async extend(userId: string, filter: { requestId?: string; gateway?: string }, durationMs?: number): Promise<Outcome<ExtendOutcome>> {
    const { store, audit, notifications, provisioning, policy } = this.deps;
    const active = (await this.openRequests(userId)).filter((r) => r.status === 'active' && (!filter.requestId || r.id === filter.requestId) && (!filter.gateway || r.gateway === filter.gateway));
    if (active.length === 0) return refuse({ code: 'nothing-to-extend' });
    if (active.length > 1) return refuse({ code: 'several-grants', command: 'extend', gateways: active.map((r) => r.gateway) });
    const grant = active[0]!;
    const pendingExtension = grant.pendingExtensionId ? await store.get(grant.pendingExtensionId) : undefined;
    if (pendingExtension?.status === 'pending') return { ok: true, value: { kind: 'pending', extension: pendingExtension, grant, existing: true } };
    const limit = (grant.deliveredAt ?? grant.createdAt) + policy.maxDurationMs;
    const add = durationMs ?? grant.durationMs;
    const wanted = Math.min(Math.max(Date.now(), grant.expiresAt ?? 0) + add, limit);
    if (!grant.expiresAt || wanted <= grant.expiresAt) return refuse({ code: 'at-max-duration', maxMs: policy.maxDurationMs });
    const selfAllowance = grant.kind === 'breakglass' ? 0 : (policy.selfExtensionMs ?? 0);
    if ((grant.selfExtendedMs ?? 0) + (wanted - grant.expiresAt) > selfAllowance) return this.requestExtension(userId, grant, add);

    let added = 0;
    const moved = await store.mutate(grant.id, (current) => {
      if (current.status !== 'active' || !current.expiresAt) return null;
      const expiresAt = Math.min(Math.max(Date.now(), current.expiresAt) + add, limit);
      added = expiresAt - current.expiresAt;
      // Checked again on the current record: a concurrent extend must not exceed the allowance either.
      if (added <= 0 || (current.selfExtendedMs ?? 0) + added > selfAllowance) return null;
      return { patch: { expiresAt, selfExtendedMs: (current.selfExtendedMs ?? 0) + added, extendedMs: (current.extendedMs ?? 0) + added } };
    });
    if (!moved.ok) {
      if (moved.reason === 'not-allowed' && moved.request.status === 'active') return this.extend(userId, { requestId: grant.id }, durationMs);
      return refuse({ code: 'access-ended-meanwhile' });
    }
    if (!(await provisioning.rescheduleExpiry(moved.request))) {
      // The removal already started: put the old expiry back so the record tells the truth.
      const previous = grant.expiresAt;
      await store.mutate(grant.id, (current) => (current.status === 'active' && current.expiresAt === moved.request.expiresAt
        ? { patch: { expiresAt: previous, selfExtendedMs: (current.selfExtendedMs ?? 0) - added, extendedMs: (current.extendedMs ?? 0) - added } } : null));
      return refuse({ code: 'access-being-removed' });
    }
    await audit.append({ actor: userId, action: 'grant.extended', requestId: grant.id, subject: userId, gateway: grant.gateway, detail: `self-service +${formatDuration(added)} to ${new Date(moved.request.expiresAt!).toISOString()}` });
    await Promise.all([notifications.syncCard(moved.request), notifications.scheduleReminder(moved.request)]);
    return { ok: true, value: { kind: 'extended', grant: moved.request } };
  }

  /** Beyond the self-service allowance: an extension request, approved like a request (one per grant at a time). */
  private async requestExtension(userId: string, grant: AccessRequest, add: number): Promise<Outcome<ExtendOutcome>> {
    const { store, audit, notifications } = this.deps;
    const impossible = await this.neverApprovable(userId, grant.gateway, 'extension');
    if (impossible) {
      await audit.append({ actor: userId, action: 'extension.refused', requestId: grant.id, subject: userId, gateway: grant.gateway, detail: `${impossibleDetail(impossible)}; +${formatDuration(add)}` });
      return refuse(impossible);
    }
    const now = Date.now();
    const id = newRequestId(now);
    // Claim the grant's extension slot first (compare-and-set): two concurrent extends make one request.
    const claimed = await store.mutate(grant.id, (g) => (g.status === 'active' && (!g.pendingExtensionId || g.pendingExtensionId === grant.pendingExtensionId) ? { patch: { pendingExtensionId: id } } : null));
    if (!claimed.ok) {
      const otherId = claimed.reason === 'not-allowed' ? claimed.request.pendingExtensionId : undefined;
      const other = otherId ? await store.get(otherId) : undefined;
      if (other?.status === 'pending') return { ok: true, value: { kind: 'pending', extension: other, grant, existing: true } };
      return refuse({ code: 'access-ended-meanwhile' });
    }
    const extension = await store.create({
      id, kind: 'extension', grantId: grant.id, requesterId: userId, gateway: grant.gateway, durationMs: add, reason: grant.reason,
      status: 'pending', createdAt: now, updatedAt: now, approvalsRequired: approvalsRequiredFor(this.deps.policy, grant.gateway),
      ...(grant.expiresAt ? { grantEndsAt: grant.expiresAt } : {}), grantTotalMs: grant.durationMs + (grant.extendedMs ?? 0),
    });
    await Promise.all([
      audit.append({ actor: userId, action: 'extension.requested', requestId: id, subject: userId, gateway: grant.gateway, detail: `${grant.id} +${formatDuration(add)}` }),
      notifications.syncCard(extension),
      notifications.syncCard(claimed.request),
      this.schedulePendingFollowUps(extension),
    ]);
    return { ok: true, value: { kind: 'pending', extension, grant: claimed.request, existing: false } };
  }

  /**
   * `/vpn breakglass [gateway] <reason>`: access without approval for `access.breakGlassDuration`, to the
   * front of the gateway's lane; the approvals channel and every admin are alerted, and it is audited.
   * Anyone not in `roles.breakGlass` is refused, and that is audited too.
   */
  async breakGlass(userId: string, gateway: string, reason: string): Promise<Outcome<{ request: AccessRequest; position: number }>> {
    const { store, audit, notifications, provisioning, policy, followUps } = this.deps;
    if (!(await mayBreakGlass(policy, userId, this.deps.members))) {
      await audit.append({ actor: userId, action: 'breakglass.refused', subject: userId, gateway, detail: reason });
      return refuse({ code: 'not-break-glass' });
    }
    const open = (await store.listByUser(userId, 20)).find((r) => r.gateway === gateway && (r.status === 'approved' || r.status === 'provisioning' || r.status === 'active'));
    if (open) return refuse({ code: 'already-open', gateway, requestId: open.id, status: open.status });
    // A pending request for the same gateway would become a second grant if approved later: break-glass replaces it.
    for (const pending of (await store.listByUser(userId, 20)).filter((r) => r.gateway === gateway && r.status === 'pending' && r.kind !== 'extension')) {
      const cancelled = await store.transition(pending.id, 'cancelled', { cancelledBy: userId }, ['pending']);
      if (!cancelled.ok) continue;
      await audit.append({ actor: userId, action: 'request.cancelled', requestId: pending.id, subject: userId, gateway, detail: 'replaced by break-glass' });
      await notifications.syncCard(cancelled.request);
    }
    const now = Date.now();
    const request = await store.create({
      id: newRequestId(now), kind: 'breakglass', requesterId: userId, gateway, durationMs: policy.breakGlassDurationMs ?? 3_600_000, reason,
      status: 'approved', createdAt: now, updatedAt: now, decidedAt: now,
    });
    await audit.append({ actor: userId, action: 'breakglass.used', requestId: request.id, subject: userId, gateway, detail: reason });
    const { position } = await provisioning.enqueueProvision(request);
    await Promise.all([
      notifications.syncCard(request),
      followUps?.schedule('breakglass-alert', request.id, now),
      followUps?.schedule('breakglass-review', request.id, now + (policy.breakGlassReviewWithinMs ?? 24 * 3_600_000)),
    ]);
    return { ok: true, value: { request, position } };
  }

  /** Acknowledge on a break-glass alert: admins only; records who reviewed it. */
  async acknowledgeBreakGlass(requestId: string, adminId: string): Promise<Outcome<AccessRequest>> {
    const { store, audit, notifications, policy } = this.deps;
    if (!(await isAdmin(policy, adminId, this.deps.members))) return refuse({ code: 'not-admin', action: 'acknowledge-breakglass' });
    const moved = await store.mutate(requestId, (r) => (r.kind === 'breakglass' && !r.acknowledgedBy ? { patch: { acknowledgedBy: adminId, acknowledgedAt: Date.now() } } : null));
    if (!moved.ok) {
      if (moved.reason === 'not-found' || moved.request.kind !== 'breakglass') return refuse({ code: 'breakglass-gone' });
      const { acknowledgedBy, acknowledgedAt } = moved.request;
      return refuse({ code: 'breakglass-acknowledged', byYou: acknowledgedBy === adminId, by: acknowledgedBy ?? '', ...(acknowledgedAt ? { at: acknowledgedAt } : {}) });
    }
    await audit.append({ actor: adminId, action: 'breakglass.acknowledged', requestId, subject: moved.request.requesterId, gateway: moved.request.gateway });
    // The card job updates the channel's card and every admin's DM copy (request.alertCopies).
    await notifications.syncCard(moved.request);
    return { ok: true, value: moved.request };
  }

  /**
   * Revoke now on a break-glass alert: admins only; the certificate goes at once. Still queued: the request
   * is cancelled. Being set up: it is revoked as soon as it is active (a durable follow-up, retried until then).
   */
  async revokeBreakGlass(requestId: string, adminId: string): Promise<Outcome<AccessRequest>> {
    const { store, audit, provisioning, policy, notifications, followUps } = this.deps;
    if (!(await isAdmin(policy, adminId, this.deps.members))) return refuse({ code: 'not-admin', action: 'revoke-breakglass' });
    const request = await store.get(requestId);
    if (!request || request.kind !== 'breakglass') return refuse({ code: 'breakglass-gone' });
    if (request.status === 'approved') {
      const cancelled = await store.transition(requestId, 'cancelled', { cancelledBy: adminId }, ['approved']);
      if (cancelled.ok) {
        await audit.append({ actor: adminId, action: 'request.cancelled', requestId, subject: request.requesterId, gateway: request.gateway, detail: 'break-glass revoked before provisioning' });
        await notifications.syncCard(cancelled.request);
        await notifications.tellRequester(cancelled.request, 'cancelled');
        return { ok: true, value: cancelled.request };
      }
    }
    const current = (await store.get(requestId)) ?? request;
    if (current.status === 'approved' || current.status === 'provisioning') {
      await store.mutate(requestId, (r) => (r.revokeRequestedBy ? null : { patch: { revokeRequestedBy: adminId } }));
      await followUps?.schedule('breakglass-revoke', requestId, Date.now());
      await audit.append({ actor: adminId, action: 'grant.revoke-requested', requestId, subject: current.requesterId, gateway: current.gateway, detail: 'break-glass, once delivered' });
      return { ok: true, value: current };
    }
    if (current.status !== 'active') return refuse({ code: 'access-ended', status: current.status });
    await provisioning.enqueueRevoke(current, adminId);
    await audit.append({ actor: adminId, action: 'grant.revoke-requested', requestId, subject: current.requesterId, gateway: current.gateway, detail: 'break-glass' });
    return { ok: true, value: current };
  }

  /** A follow-up job came due (see FollowUps). Idempotent: each checks the request's current state. */
  async runFollowUp(kind: FollowUpKind, requestId: string): Promise<void> {
    const { store, audit, notifications, messenger, policy } = this.deps;
    const request = await store.get(requestId);
    if (!request) return;
    if (kind === 'pending-ttl') {
      const moved = await store.transition(requestId, 'lapsed', { lapsedAfterMs: policy.pendingTtlMs ?? 24 * 3_600_000 }, ['pending']);
      if (!moved.ok) return;
      await audit.append({ actor: 'system', action: moved.request.kind === 'extension' ? 'extension.lapsed' : 'request.lapsed', requestId, subject: moved.request.requesterId, gateway: moved.request.gateway, detail: formatDuration(policy.pendingTtlMs ?? 24 * 3_600_000) });
      await this.releaseExtension(moved.request);
      await notifications.syncCard(moved.request);
      await notifications.tellRequester(moved.request, 'lapsed');
      return;
    }
    if (kind === 'approver-reminder') {
      if (request.status !== 'pending' || !messenger) return;
      // The reminder is a reply in the card's thread: wait (retried with backoff) until the card exists.
      if (!request.card) throw new Error('approval card not posted yet; reminding once it is');
      // Everyone who could still decide it: the gateway's approvers, less the requester and who approved.
      const skip = new Set([request.requesterId, ...(request.approvals ?? [])]);
      await messenger.remindApprovers(request, approversFor(policy, request.gateway).filter((id) => !skip.has(id)));
      return;
    }
    if (kind === 'breakglass-revoke') {
      if (request.status === 'approved' || request.status === 'provisioning') throw new Error('break-glass grant not delivered yet; revoking it once active');
      if (request.status === 'active') await this.deps.provisioning.enqueueRevoke(request, request.revokeRequestedBy ?? 'system');
      return;
    }
    if (request.kind !== 'breakglass' || !messenger) return;
    if (kind === 'breakglass-alert') {
      // Each DM copy is recorded as soon as it is posted (a retry skips the admins who have one), so that
      // acknowledging or revoking from any copy updates them all.
      const sent = new Set((request.alertCopies ?? []).map((c) => c.userId));
      await messenger.alertBreakGlass(request, (await this.adminUsers()).filter((id) => !sent.has(id)), async (copy) => {
        await store.mutate(requestId, (r) => ((r.alertCopies ?? []).some((c) => c.userId === copy.userId) ? null : { patch: { alertCopies: [...(r.alertCopies ?? []), copy] } }));
      });
      // Acknowledged or moved on while the DMs went out: a card update for the state as now (each recorded
      // copy bumped the version, so this is a new card job) brings the copies posted from the older state in line.
      const after = await store.get(requestId);
      if (after && (after.acknowledgedBy !== request.acknowledgedBy || after.status !== request.status)) await notifications.syncCard(after);
      return;
    }
    // Read afresh above: an acknowledgement from any copy (channel or DM) stops the reminder.
    if (!request.acknowledgedBy) await messenger.remindBreakGlassReview(request, policy.admins);
  }

  /** Admins as user ids (groups expanded), for DMs. */
  private adminUsers(): Promise<string[]> {
    return listedUsers(this.deps.policy.admins, this.deps.members);
  }

  /**
   * At start: pending requests get their follow-ups back (a lost job must not leave one pending forever),
   * unacknowledged break-glass grants their review, and an extension approved by all but not yet applied
   * (a crash between the two writes) is applied.
   */
  async recoverFollowUps(): Promise<void> {
    const { store, followUps, policy } = this.deps;
    for (const request of await store.listByStatus('pending')) {
      if (request.kind === 'extension' && (request.approvals ?? []).length >= approvalsRequiredFor(policy, request.gateway)) await this.finishExtension(request);
      else await this.schedulePendingFollowUps(request);
    }
    if (!followUps) return;
    for (const status of ['approved', 'provisioning', 'active'] as const) {
      for (const request of await store.listByStatus(status)) {
        if (request.kind === 'breakglass' && !request.acknowledgedBy) await followUps.schedule('breakglass-review', request.id, request.createdAt + (policy.breakGlassReviewWithinMs ?? 24 * 3_600_000));
        if (request.kind === 'breakglass' && request.revokeRequestedBy) await followUps.schedule('breakglass-revoke', request.id, Date.now());
      }
    }
  }

  /**
   * Pending requests `approverId` may decide right now (never their own), oldest first; undefined when
   * they are not an approver (then nothing is read). Reads the pending index only.
   */
  async pendingFor(approverId: string): Promise<AccessRequest[] | undefined> {
    if (!(await isApprover(this.deps.policy, approverId, this.deps.members))) return undefined;
    const pending = (await this.deps.store.listByStatus('pending')).filter((r) => r.status === 'pending' && r.requesterId !== approverId && !(r.approvals ?? []).includes(approverId));
    const eligible = await Promise.all(pending.map(async (r) => (await mayDecide(this.deps.policy, r, approverId, this.deps.members)).ok));
    return pending.filter((_, i) => eligible[i])
      .sort((a, b) => a.createdAt - b.createdAt);
  }

  /** The user's requests that are still open, newest first. */
  async openRequests(userId: string): Promise<AccessRequest[]> {
    return (await this.deps.store.listByUser(userId, 50)).filter((r) => OPEN_STATUSES.includes(r.status));
  }
}

/** The audit detail of a request refused because it could never be approved. */
function impossibleDetail(r: Refusal): string {
  if (r.code !== 'cannot-be-approved') return r.code;
  return `can never be approved: needs ${r.required}, eligible approvers other than the requester: ${r.approvers.length ? r.approvers.join(', ') : 'none'}`;
}
