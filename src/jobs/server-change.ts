// Applies an approved SSL-VPN server change on the gateway's lane, as resumable steps like provisioning:
// wait for the gateway to be `active` → ModifySslVpnServer with a ClientToken derived from the proposal (a
// retry after a timeout or crash replays, never applies twice) → unless only the name changed, wait for
// `active` again → queue a notice to each holder of a profile it made stale (before recording, so a crash
// loses none) → record the outcome, audit it with the cloud's RequestId, post it in the card's thread.
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import { CloudError } from '../api/errors.js';
import type { VpcApi } from '../api/types.js';
import type { GatewayConfig } from '../config/schema.js';
import type { AuditLog } from '../core/audit.js';
import type { Failure, ServerChangeEvent } from '../core/events.js';
import type { Notifications } from '../core/ports.js';
import type { RequestStore } from '../core/store.js';
import { clientToken } from '../core/ids.js';
import { describeChanges, type ServerChangeCards } from '../core/server-admin.js';
import type { ServerChangeProposal, ServerChangeStore } from '../core/server-change-store.js';
import { checkAgainstCurrent, profileKeysChanged } from '../core/server-changes.js';
import type { GatewayWaiter } from './gateway-wait.js';
import type { ServerChangeJobData } from './lanes.js';
import { cloudCall, gatewayGate, runSteps, StepFailure } from './steps.js';

export interface ServerChangeDeps {
  proposals: ServerChangeStore;
  cards: ServerChangeCards;
  audit: AuditLog;
  vpc: VpcApi;
  waiter: GatewayWaiter;
  gateways: ReadonlyMap<string, GatewayConfig>;
  gatewayTimeoutMs: number;
  logger: Logger;
  /** The grants whose delivered profiles a change makes stale, and the queue that tells their holders. */
  store: Pick<RequestStore, 'activeOnGateway'>;
  notifications: Pick<Notifications, 'tellProfileOutdated'>;
}

export function createServerChangeProcessor(deps: ServerChangeDeps) {
  return async (job: Job<ServerChangeJobData>, _token?: string, signal?: AbortSignal): Promise<string> => {
    const proposal = await deps.proposals.get(job.data.proposalId);
    if (!proposal) return 'missing';
    if (proposal.status !== 'approved') return `skipped-${proposal.status}`;
    return runSteps(job, {
      logger: deps.logger,
      subject: { proposalId: proposal.id },
      onFailure: (failure, reason, err) => fail(deps, proposal, failure, reason, err),
    }, () => apply(deps, job, proposal, signal), signal);
  };
}

/** Thread notes are best effort: a Slack failure never fails (or repeats) the change. */
async function note(deps: ServerChangeDeps, event: ServerChangeEvent): Promise<void> {
  await deps.cards.note(event).catch((err: Error) => deps.logger.warn({ proposalId: event.proposal.id, err: err.message }, 'server change note not posted'));
}

async function apply(deps: ServerChangeDeps, job: Job<ServerChangeJobData>, proposal: ServerChangeProposal, signal?: AbortSignal): Promise<string> {
  const { vpc, audit } = deps;
  const gw = deps.gateways.get(proposal.gateway);
  if (!gw) throw new StepFailure(`gateway "${proposal.gateway}" is no longer configured`);
  if (gw.sslVpnServerId !== proposal.sslVpnServerId) throw new StepFailure(`gateway "${gw.name}" now points at SSL server ${gw.sslVpnServerId}, not ${proposal.sslVpnServerId}; propose the change again`);
  const gate = gatewayGate(deps.waiter, gw, deps.gatewayTimeoutMs, signal);
  let { changedAt, cloudRequestId } = job.data;

  if (job.data.step === 'start') {
    await note(deps, { type: 'ChangeApplying', proposal, gateway: gw.name });
    await gate.beforeChange();
    // The server may have changed since the proposal (console, Terraform): check again against it now.
    const current = (await vpc.describeSslVpnServers(gw.regionId, { sslVpnServerId: gw.sslVpnServerId })).find((s) => s.sslVpnServerId === gw.sslVpnServerId);
    if (!current) throw new StepFailure(`SSL server ${gw.sslVpnServerId} no longer exists on ${gw.name}: fix gateways[].sslVpnServerId`);
    const check = checkAgainstCurrent(proposal.changes, current);
    if (!check.ok) throw new StepFailure(`the server changed since the proposal and the change no longer fits (${check.problems.map((p) => p.code).join(', ')}); propose it again`);
    cloudRequestId = (await cloudCall(() => vpc.modifySslVpnServer({ regionId: gw.regionId, sslVpnServerId: gw.sslVpnServerId, changes: proposal.changes, clientToken: clientToken.modifyServer(proposal.id) }), { attempts: 8, gate, signal })).requestId;
    changedAt = proposal.nameOnly ? undefined : Date.now();
    await audit.append({ actor: proposal.decidedBy ?? 'system', action: 'admin.server.modify-sent', requestId: proposal.id, subject: proposal.proposedBy, gateway: gw.name, detail: describeChanges(proposal.changes, proposal.before), cloudRequestId });
    await job.updateData({ ...job.data, step: 'await-active', ...(changedAt !== undefined ? { changedAt } : {}), cloudRequestId });
    if (!proposal.nameOnly) await note(deps, { type: 'ChangeSent', proposal, cloudRequestId });
  }
  if (changedAt !== undefined) await gate.untilActive(changedAt);

  // Queued before the change is recorded: a crash in between re-runs this step, and the job ids dedupe.
  const holdersTold = await queueStaleProfileNotices(deps, proposal, gw.name, changedAt ?? Date.now());
  const moved = await deps.proposals.transition(proposal.id, 'applied', { appliedAt: Date.now(), ...(cloudRequestId ? { cloudRequestId } : {}) }, ['approved']);
  if (!moved.ok) return 'already-recorded';
  await audit.append({ actor: 'system', action: 'admin.server.applied', requestId: proposal.id, subject: proposal.proposedBy, gateway: gw.name, detail: describeChanges(proposal.changes, proposal.before), ...(cloudRequestId ? { cloudRequestId } : {}) });
  await deps.cards.update(moved.proposal).catch((err: Error) => deps.logger.warn({ proposalId: proposal.id, err: err.message }, 'server change card not updated'));
  await note(deps, { type: 'ChangeApplied', proposal: moved.proposal, gateway: gw.name, ...(cloudRequestId ? { cloudRequestId } : {}), ...(holdersTold ? { holdersTold } : {}) });
  return 'server-changed';
}

/**
 * A port, protocol, cipher or compression change is written into every client's profile: the profiles
 * delivered before it no longer connect. Each holder gets a notify job (durable, retried, off this lane)
 * telling them to get a new one; returns how many were queued.
 */
async function queueStaleProfileNotices(deps: ServerChangeDeps, proposal: ServerChangeProposal, gateway: string, changedAt: number): Promise<number> {
  const changed = profileKeysChanged(proposal.changes, proposal.before);
  if (changed.length === 0) return 0;
  const { grants } = await deps.store.activeOnGateway(gateway, Number.MAX_SAFE_INTEGER);
  const holders = grants.filter((g) => g.status === 'active' && (g.deliveredAt ?? 0) < changedAt);
  await deps.notifications.tellProfileOutdated(proposal.id, holders, changed, changedAt);
  return holders.length;
}

async function fail(deps: ServerChangeDeps, proposal: ServerChangeProposal, failure: Failure, reason: string, err: unknown): Promise<void> {
  const moved = await deps.proposals.transition(proposal.id, 'failed', { failure: failure.detail, ...(failure.adviceKey ? { failureAdvice: failure.adviceKey } : {}) }, ['approved']);
  if (!moved.ok) return;
  deps.logger.error({ proposalId: proposal.id, reason }, 'server change failed');
  await deps.audit.append({
    actor: 'system', action: 'admin.server.failed', requestId: proposal.id, subject: proposal.proposedBy, gateway: proposal.gateway, detail: reason,
    ...(err instanceof CloudError && err.requestId ? { cloudRequestId: err.requestId } : {}),
  });
  await deps.cards.update(moved.proposal).catch((e: Error) => deps.logger.warn({ proposalId: proposal.id, err: e.message }, 'server change card not updated'));
  await note(deps, { type: 'ChangeFailed', proposal: moved.proposal, failure });
}
