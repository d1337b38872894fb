// Applies an approved SSL-VPN server change on the gateway's lane, as resumable steps like provisioning:
// wait for the gateway to be `active` → ModifySslVpnServer with a ClientToken derived from the proposal (a
// retry after a timeout or crash replays, never applies twice) → unless only the name changed, wait for
// `active` again → record the outcome, audit it with the cloud's RequestId, post it in the card's thread.
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { adviceFor, CloudError } from '../api/errors.js';
import type { VpcApi } from '../api/types.js';
import type { GatewayConfig } from '../config/schema.js';
import type { AuditLog } from '../core/audit.js';
import { describeChanges, type ServerChangeCards } from '../core/server-admin.js';
import type { ServerChangeProposal, ServerChangeStore } from '../core/server-change-store.js';
import { checkAgainstCurrent } from '../core/server-changes.js';
import { GatewayTimeoutError, sleep, type GatewayWaiter } from './gateway-wait.js';
import type { ServerChangeJobData } from './lanes.js';

export interface ServerChangeDeps {
  proposals: ServerChangeStore;
  cards: ServerChangeCards;
  audit: AuditLog;
  vpc: VpcApi;
  waiter: GatewayWaiter;
  gateways: ReadonlyMap<string, GatewayConfig>;
  gatewayTimeoutMs: number;
  logger: Logger;
}

export const modifyClientToken = (proposalId: string) => `vpnbot-modify-${proposalId}`;

/** Refused for a reason retrying will not fix; the message says what to do. */
class ChangeFailure extends Error {}

export function createServerChangeProcessor(deps: ServerChangeDeps) {
  return async (job: Job<ServerChangeJobData>, _token?: string, signal?: AbortSignal): Promise<string> => {
    const proposal = await deps.proposals.get(job.data.proposalId);
    if (!proposal) return 'missing';
    if (proposal.status !== 'approved') return `skipped-${proposal.status}`;
    try {
      return await apply(deps, job, proposal, signal);
    } catch (err) {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const permanent = err instanceof ChangeFailure || err instanceof GatewayTimeoutError || (err instanceof CloudError && (err.kind === 'permanent' || err.kind === 'not-found'));
      if (permanent || lastAttempt) {
        await fail(deps, proposal, err);
        throw new UnrecoverableError(describe(err));
      }
      deps.logger.warn({ proposalId: proposal.id, err: describe(err), attempt: job.attemptsMade + 1 }, 'server change will retry');
      throw err;
    }
  };
}

function describe(err: unknown): string {
  if (err instanceof CloudError) return [err.describe(), adviceFor(err.code)].filter(Boolean).join(' ');
  return err instanceof Error ? err.message : String(err);
}

/** Thread notes are best effort: a Slack failure never fails (or repeats) the change. */
async function note(deps: ServerChangeDeps, proposal: ServerChangeProposal, text: string): Promise<void> {
  await deps.cards.reply(proposal, text).catch((err: Error) => deps.logger.warn({ proposalId: proposal.id, err: err.message }, 'server change note not posted'));
}

async function apply(deps: ServerChangeDeps, job: Job<ServerChangeJobData>, proposal: ServerChangeProposal, signal?: AbortSignal): Promise<string> {
  const { vpc, waiter, audit } = deps;
  const gw = deps.gateways.get(proposal.gateway);
  if (!gw) throw new ChangeFailure(`gateway "${proposal.gateway}" is no longer configured`);
  if (gw.sslVpnServerId !== proposal.sslVpnServerId) throw new ChangeFailure(`gateway "${gw.name}" now points at SSL server ${gw.sslVpnServerId}, not ${proposal.sslVpnServerId}; propose the change again`);
  const deadline = () => Date.now() + deps.gatewayTimeoutMs;
  const wait = (changedAt?: number) => waiter.untilActive({ regionId: gw.regionId, vpnGatewayId: gw.vpnGatewayId, gateway: gw.name, deadline: deadline(), ...(changedAt !== undefined ? { changedAt } : {}), ...(signal ? { signal } : {}) });
  let { changedAt, cloudRequestId } = job.data;

  if (job.data.step === 'start') {
    await note(deps, proposal, `:hammer_and_wrench: Applying on *${gw.name}*: waiting for the gateway to be free…`);
    await wait();
    // The server may have changed since the proposal (console, Terraform): check again against it now.
    const current = (await vpc.describeSslVpnServers(gw.regionId, { sslVpnServerId: gw.sslVpnServerId })).find((s) => s.sslVpnServerId === gw.sslVpnServerId);
    if (!current) throw new ChangeFailure(`SSL server ${gw.sslVpnServerId} no longer exists on ${gw.name}: fix gateways[].sslVpnServerId`);
    const check = checkAgainstCurrent(proposal.changes, current);
    if (!check.ok) throw new ChangeFailure(`the server changed since the proposal and the change no longer fits: ${check.errors.join(' ').replace(/`/g, '')} Propose it again`);
    for (let attempt = 1; ; attempt++) {
      try {
        cloudRequestId = (await vpc.modifySslVpnServer({ regionId: gw.regionId, sslVpnServerId: gw.sslVpnServerId, changes: proposal.changes, clientToken: modifyClientToken(proposal.id) })).requestId;
        break;
      } catch (err) {
        if (!(err instanceof CloudError) || attempt >= 8) throw err;
        // Busy: someone else is changing the gateway; wait for it. Transient or ambiguous: same ClientToken again.
        if (err.kind === 'busy') await wait();
        else if (err.kind === 'transient' || err.kind === 'ambiguous') await sleep(Math.min(8000, 250 * 2 ** attempt), signal);
        else throw err;
      }
    }
    changedAt = proposal.nameOnly ? undefined : Date.now();
    await audit.append({ actor: proposal.decidedBy ?? 'system', action: 'admin.server.modify-sent', requestId: proposal.id, subject: proposal.proposedBy, gateway: gw.name, detail: describeChanges(proposal.changes, proposal.before), cloudRequestId });
    await job.updateData({ ...job.data, step: 'await-active', ...(changedAt !== undefined ? { changedAt } : {}), cloudRequestId });
    if (!proposal.nameOnly) await note(deps, proposal, `:hourglass_flowing_sand: ModifySslVpnServer accepted (RequestId ${cloudRequestId}); the gateway is updating…`);
  }
  if (changedAt !== undefined) await wait(changedAt);

  const moved = await deps.proposals.transition(proposal.id, 'applied', { appliedAt: Date.now(), ...(cloudRequestId ? { cloudRequestId } : {}) }, ['approved']);
  if (!moved.ok) return 'already-recorded';
  await audit.append({ actor: 'system', action: 'admin.server.applied', requestId: proposal.id, subject: proposal.proposedBy, gateway: gw.name, detail: describeChanges(proposal.changes, proposal.before), ...(cloudRequestId ? { cloudRequestId } : {}) });
  await deps.cards.update(moved.proposal).catch((err: Error) => deps.logger.warn({ proposalId: proposal.id, err: err.message }, 'server change card not updated'));
  await note(deps, moved.proposal, `:white_check_mark: Applied on *${gw.name}*${proposal.nameOnly ? '' : '; the gateway is active again'}: ${describeChanges(proposal.changes, proposal.before)}${cloudRequestId ? ` (RequestId ${cloudRequestId})` : ''}.${proposal.nameOnly ? '' : ' Clients reconnect by themselves; after a port, protocol, cipher or compression change they need a new profile (`/vpn request`).'}`);
  return 'server-changed';
}

async function fail(deps: ServerChangeDeps, proposal: ServerChangeProposal, err: unknown): Promise<void> {
  const reason = describe(err);
  const moved = await deps.proposals.transition(proposal.id, 'failed', { failure: reason }, ['approved']);
  if (!moved.ok) return;
  deps.logger.error({ proposalId: proposal.id, reason }, 'server change failed');
  await deps.audit.append({
    actor: 'system', action: 'admin.server.failed', requestId: proposal.id, subject: proposal.proposedBy, gateway: proposal.gateway, detail: reason,
    ...(err instanceof CloudError && err.requestId ? { cloudRequestId: err.requestId } : {}),
  });
  await deps.cards.update(moved.proposal).catch((e: Error) => deps.logger.warn({ proposalId: proposal.id, err: e.message }, 'server change card not updated'));
  await note(deps, moved.proposal, `:x: The server change failed: ${reason}. Check the server with \`/vpn admin server show ${proposal.gateway}\`, fix the cause, and propose it again.`);
}
