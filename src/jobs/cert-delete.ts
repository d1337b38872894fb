// Deletes a certificate found by reconcile (foreign or orphan) once two admins agreed, or a leftover of an
// ended grant: on the gateway's lane, at once (never coalesced), with a ClientToken derived from the
// certificate id, and verified gone (verified-delete.ts) before it is reported deleted.
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { CloudError } from '../api/errors.js';
import type { VpcApi } from '../api/types.js';
import type { GatewayConfig } from '../config/schema.js';
import type { FindingStore } from '../core/findings.js';
import { clientToken } from '../core/ids.js';
import type { ReconcileService } from '../core/reconcile.js';
import type { GatewayWaiter } from './gateway-wait.js';
import type { CertDeleteJobData } from './lanes.js';
import { gatewayGate, runSteps } from './steps.js';
import { deleteVerified, DeleteNotVerified } from './verified-delete.js';

export interface CertDeleteDeps {
  vpc: VpcApi;
  waiter: GatewayWaiter;
  gateways: ReadonlyMap<string, GatewayConfig>;
  gatewayTimeoutMs: number;
  findings: FindingStore;
  reconcile: Pick<ReconcileService, 'deleted' | 'deleteFailed'>;
  logger: Logger;
}

export function createCertDeleteProcessor(deps: CertDeleteDeps) {
  return async (job: Job<CertDeleteJobData>, _token?: string, signal?: AbortSignal): Promise<string> => {
    const finding = await deps.findings.get(job.data.certId);
    if (!finding) return 'missing';
    if (finding.status !== 'deleting') return `skipped-${finding.status}`;
    const gw = deps.gateways.get(finding.gateway);
    if (!gw) throw new UnrecoverableError(`gateway "${finding.gateway}" is no longer configured`);
    const gate = gatewayGate(deps.waiter, gw, deps.gatewayTimeoutMs, signal);
    const result = await runSteps(job, {
      logger: deps.logger,
      subject: { certId: finding.id },
      permanent: (err) => (err instanceof CloudError && err.kind === 'permanent') || err instanceof DeleteNotVerified,
      onFailure: (failure) => deps.reconcile.deleteFailed(finding.id, failure),
    }, async () => {
      await gate.beforeChange();
      return deleteVerified({ vpc: deps.vpc, gate, certId: finding.id, clientToken: clientToken.deleteFoundCertificate(finding.id), deadline: Date.now() + deps.gatewayTimeoutMs });
    });
    await deps.reconcile.deleted(finding.id, result.cloudRequestId);
    return 'deleted';
  };
}
