// Removes a grant's certificate: at its (coalesced) expiry, or at once on revocation. Like provisioning it
// runs as resumable steps on the gateway's lane: wait for the gateway → DeleteSslVpnClientCert with a
// ClientToken derived from the request (NotFound means already gone) → wait for `active` → record, tell.
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { adviceFor, CloudError } from '../api/errors.js';
import { sleep } from './gateway-wait.js';
import { removalTime, type RemovalJobData } from './lanes.js';
import type { ProvisionDeps } from './provision.js';
import type { AccessRequest } from '../core/requests.js';

export const deleteClientToken = (requestId: string) => `vpnbot-delete-${requestId}`;

export interface RemovalOptions {
  /** True for the first caller per key (across processes): used to announce each coalesced batch once. */
  claimOnce: (key: string) => Promise<boolean>;
  coalesceWindowMs: number;
}

export function createRemovalProcessor(deps: ProvisionDeps, options: RemovalOptions) {
  return async (job: Job<RemovalJobData>, token?: string, signal?: AbortSignal): Promise<string> => {
    const { store, vpc, waiter, audit } = deps;
    const request = await store.get(job.data.requestId);
    if (!request) return 'missing';
    if (request.status !== 'active') return `skipped-${request.status}`;
    if (job.data.reason === 'expired' && job.data.step === 'start') {
      // The grant was extended after this job was scheduled: wait for the new expiry instead.
      const due = removalTime(request.expiresAt ?? 0, options.coalesceWindowMs);
      if (due > Date.now() + 1000 && token) {
        await job.moveToDelayed(due, token);
        throw new DelayedError();
      }
    }
    const gw = deps.gateways.get(request.gateway);
    if (!gw) throw new UnrecoverableError(`gateway "${request.gateway}" is no longer configured`);
    const deadline = () => Date.now() + deps.gatewayTimeoutMs;
    let { changedAt } = job.data;

    if (job.data.reason === 'expired' && job.data.step === 'start') await announceBatch(deps, options, request);

    try {
      if (job.data.step === 'start' && request.certId) {
        await waiter.untilActive({ regionId: gw.regionId, vpnGatewayId: gw.vpnGatewayId, gateway: gw.name, deadline: deadline(), signal });
        let requestId: string | undefined;
        for (let attempt = 1; ; attempt++) {
          try {
            requestId = (await vpc.deleteSslVpnClientCert({ regionId: gw.regionId, sslVpnClientCertId: request.certId, clientToken: deleteClientToken(request.id) })).requestId;
            changedAt = Date.now();
            break;
          } catch (err) {
            if (!(err instanceof CloudError) || attempt >= 8) throw err;
            if (err.kind === 'not-found') break; // already gone: nothing to wait for
            if (err.kind === 'busy') await waiter.untilActive({ regionId: gw.regionId, vpnGatewayId: gw.vpnGatewayId, gateway: gw.name, deadline: deadline(), signal });
            else if (err.kind === 'transient' || err.kind === 'ambiguous') await sleep(Math.min(8000, 250 * 2 ** attempt), signal);
            else throw err;
          }
        }
        await audit.append({ actor: job.data.actor, action: 'cert.deleted', requestId: request.id, subject: request.requesterId, gateway: gw.name, detail: `${request.certId} (${job.data.reason})`, ...(requestId ? { cloudRequestId: requestId } : {}) });
        await job.updateData({ ...job.data, step: 'await-active', ...(changedAt ? { changedAt } : {}) });
      }
      if (changedAt) await waiter.untilActive({ regionId: gw.regionId, vpnGatewayId: gw.vpnGatewayId, gateway: gw.name, changedAt, deadline: deadline(), signal });
    } catch (err) {
      const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
      const permanent = err instanceof CloudError && err.kind === 'permanent';
      if (permanent || lastAttempt) {
        const reason = err instanceof CloudError ? [err.describe(), adviceFor(err.code)].filter(Boolean).join(' ') : String((err as Error).message ?? err);
        deps.logger.error({ requestId: request.id, reason }, 'certificate removal failed');
        await deps.messenger.notifyAdmins(`:rotating_light: Could not remove certificate \`${request.certId}\` of <@${request.requesterId}> on *${gw.name}* (${job.data.reason}): ${reason}. It still grants access: remove it in the Alibaba Cloud console.`).catch(() => undefined);
        throw new UnrecoverableError(reason);
      }
      throw err;
    }

    const moved = await store.transition(request.id, job.data.reason, { ...(job.data.reason === 'revoked' ? { revokedBy: job.data.actor } : {}) }, ['active']);
    if (!moved.ok) return 'already-ended';
    await audit.append({ actor: job.data.actor, action: `grant.${job.data.reason}`, requestId: request.id, subject: request.requesterId, gateway: gw.name });
    await tell(deps, moved.request);
    return job.data.reason;
  };
}

/** Routine expiries are announced once per gateway and coalescing slot, before the first deletion. */
async function announceBatch(deps: ProvisionDeps, options: RemovalOptions, request: AccessRequest): Promise<void> {
  const slot = removalTime(request.expiresAt ?? Date.now(), options.coalesceWindowMs);
  if (!(await options.claimOnce(`announce:${request.gateway}:${slot}`))) return;
  const due = (await deps.store.grantsExpiringBy(slot)).filter((g) => g.gateway === request.gateway && removalTime(g.expiresAt ?? 0, options.coalesceWindowMs) === slot);
  const count = Math.max(1, due.length);
  await deps.messenger.notifyAdmins(`:broom: Removing ${count} expired VPN certificate${count === 1 ? '' : 's'} on *${request.gateway}* now. Every client connected to this gateway is disconnected briefly and reconnects by itself.`)
    .catch((err: Error) => deps.logger.warn({ err: err.message }, 'expiry announcement failed'));
}

async function tell(deps: ProvisionDeps, request: AccessRequest): Promise<void> {
  const results = await Promise.allSettled([
    deps.messenger.notifyRequester(request, request.status === 'expired' ? 'expired' : 'revoked'),
    deps.messenger.updateApprovalCard(request),
    deps.messenger.postProgress(request, request.status === 'expired' ? ':checkered_flag: Access expired; certificate removed.' : `:lock: Access revoked by <@${request.revokedBy ?? 'system'}>; certificate removed.`),
  ]);
  for (const r of results) if (r.status === 'rejected') deps.logger.warn({ requestId: request.id, err: String(r.reason) }, 'removal notice not sent');
}
