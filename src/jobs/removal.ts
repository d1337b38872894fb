// Removes a grant's certificate: at its (coalesced) expiry, or at once on revocation. Like provisioning it
// runs as resumable steps on the gateway's lane: wait for the gateway → DeleteSslVpnClientCert with a
// ClientToken derived from the request (NotFound means already gone) → wait for `active` → record, tell.
import { DelayedError, UnrecoverableError, type Job } from 'bullmq';
import { CloudError } from '../api/errors.js';
import { clientToken } from '../core/ids.js';
import { removalTime, type RemovalJobData } from './lanes.js';
import { syncAlertCopies, type GrantJobDeps } from './provision.js';
import type { AccessRequest } from '../core/requests.js';
import { bestEffort, gatewayGate, runSteps } from './steps.js';
import { deleteVerified, DeleteNotVerified } from './verified-delete.js';

export interface RemovalOptions {
  /** True for the first caller per key (across processes): used to announce each coalesced batch once. */
  claimOnce: (key: string) => Promise<boolean>;
  coalesceWindowMs: number;
}

export function createRemovalProcessor(deps: GrantJobDeps, options: RemovalOptions) {
  return async (job: Job<RemovalJobData>, token?: string, signal?: AbortSignal): Promise<string> => {
    const { store, vpc, audit } = deps;
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
    const gate = gatewayGate(deps.waiter, gw, deps.gatewayTimeoutMs, signal);
    const { changedAt } = job.data;

    if (job.data.reason === 'expired' && job.data.step === 'start') await announceBatch(deps, options, request);

    // Only a cloud refusal ends it early: a grant that still works must keep being retried, and the
    // admins are told when it gives up, since the certificate still grants access.
    await runSteps(job, {
      logger: deps.logger,
      subject: { requestId: request.id },
      // A delete the gateway does not apply is retried until provisioning.gatewayTimeout, then alerted.
      permanent: (err) => (err instanceof CloudError && err.kind === 'permanent') || err instanceof DeleteNotVerified,
      onFailure: async (failure, reason) => {
        deps.logger.error({ requestId: request.id, reason }, 'certificate removal failed');
        await deps.messenger.publish({ type: 'RemovalFailed', request, reason: job.data.reason, gateway: gw.name, failure }).catch(() => undefined);
      },
    }, async () => {
      if (!request.certId) return;
      // Also after a crash mid-way: the same ClientToken replays a delete already sent, and absence is checked anyway.
      if (job.data.step === 'start') await gate.beforeChange();
      else if (changedAt) await gate.untilActive(changedAt);
      const certId = request.certId;
      const result = await deleteVerified({
        vpc, gate, certId, clientToken: clientToken.deleteCertificate(request.id), deadline: Date.now() + deps.gatewayTimeoutMs,
        onRetry: (attempt) => audit.append({ actor: 'system', action: 'cert.delete-not-applied', requestId: request.id, subject: request.requesterId, gateway: gw.name, detail: `${certId} still listed after delete #${attempt}; deleting again` }).then(() => undefined),
      });
      await audit.append({ actor: job.data.actor, action: 'cert.deleted', requestId: request.id, subject: request.requesterId, gateway: gw.name, detail: `${certId} (${job.data.reason}): removed and verified${result.attempts > 1 ? ` after ${result.attempts} deletes` : ''}`, ...(result.cloudRequestId ? { cloudRequestId: result.cloudRequestId } : {}) });
      // Gone from the gateway: a pooled certificate is nobody's any more (before the grant ends, so a crash cannot skip it).
      await deps.pool?.grantEnded(request);
      await job.updateData({ ...job.data, step: 'await-active' });
    }, signal);

    const moved = await store.transition(request.id, job.data.reason, { ...(job.data.reason === 'revoked' ? { revokedBy: job.data.actor } : {}) }, ['active']);
    if (!moved.ok) return 'already-ended';
    await audit.append({ actor: job.data.actor, action: `grant.${job.data.reason}`, requestId: request.id, subject: request.requesterId, gateway: gw.name });
    await deps.profiles?.grantEnded(moved.request);
    await tell(deps, moved.request);
    return job.data.reason;
  };
}

/** Routine expiries are announced once per gateway and coalescing slot, before the first deletion. */
async function announceBatch(deps: GrantJobDeps, options: RemovalOptions, request: AccessRequest): Promise<void> {
  const slot = removalTime(request.expiresAt ?? Date.now(), options.coalesceWindowMs);
  if (!(await options.claimOnce(`announce:${request.gateway}:${slot}`))) return;
  const due = (await deps.store.grantsExpiringBy(slot)).filter((g) => g.gateway === request.gateway && removalTime(g.expiresAt ?? 0, options.coalesceWindowMs) === slot);
  const count = Math.max(1, due.length);
  await deps.messenger.publish({ type: 'ExpiriesStarting', gateway: request.gateway, count }).catch((err: Error) => deps.logger.warn({ err: err.message }, 'expiry announcement failed'));
}

async function tell(deps: GrantJobDeps, request: AccessRequest): Promise<void> {
  await bestEffort(deps.logger, { requestId: request.id }, 'removal notice not sent', [
    deps.messenger.notifyRequester(request, request.status === 'expired' ? 'expired' : 'revoked'),
    deps.messenger.updateApprovalCard(request),
    syncAlertCopies(deps, request),
    deps.messenger.publish({ type: 'AccessEnded', request, reason: request.status === 'expired' ? 'expired' : 'revoked' }),
  ]);
}
