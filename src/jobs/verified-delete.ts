// A certificate delete is only done when the certificate is gone: after DeleteSslVpnClientCert and the
// gateway's return to `active`, the certificate must be absent from the server's list. If it is still
// there (the delete was lost or silently not applied), the delete is sent again, with a new ClientToken
// (the same one would only replay the first answer), until `deadline`; then DeleteNotVerified.
import { CloudError } from '../api/errors.js';
import type { VpcApi } from '../api/types.js';
import { sleep } from './gateway-wait.js';
import { cloudCall, StepFailure, type GatewayGate } from './steps.js';

/** Still on the gateway at the deadline: a person must look (the admins are alerted). */
export class DeleteNotVerified extends StepFailure {}

export interface VerifiedDelete {
  cloudRequestId?: string;
  /** Deletes sent (1 when the first one took). */
  attempts: number;
}

/** Absent from the server's list. The list, not DescribeSslVpnClientCert, which would fetch key material. */
async function isAbsent(vpc: VpcApi, gate: GatewayGate, certId: string): Promise<boolean> {
  const certs = await cloudCall(() => vpc.describeSslVpnClientCerts(gate.gateway.regionId, { sslVpnServerId: gate.gateway.sslVpnServerId }), { attempts: 5, signal: gate.signal });
  return !certs.some((c) => c.sslVpnClientCertId === certId);
}

export async function deleteVerified(input: {
  vpc: VpcApi;
  gate: GatewayGate;
  certId: string;
  clientToken: string;
  deadline: number;
  /** Before each repeated delete: the first one did not take. */
  onRetry?: (attempt: number) => Promise<void>;
}): Promise<VerifiedDelete> {
  const { vpc, gate, certId } = input;
  let cloudRequestId: string | undefined;
  for (let attempt = 1; ; attempt++) {
    const token = attempt === 1 ? input.clientToken : `${input.clientToken}-r${attempt}`;
    let changedAt: number | undefined;
    try {
      cloudRequestId = (await cloudCall(() => vpc.deleteSslVpnClientCert({ regionId: gate.gateway.regionId, sslVpnClientCertId: certId, clientToken: token }), { attempts: 8, gate, signal: gate.signal })).requestId;
      changedAt = Date.now();
    } catch (err) {
      if (!(err instanceof CloudError && err.kind === 'not-found')) throw err; // already gone: verified below
    }
    await gate.untilActive(changedAt);
    if (await isAbsent(vpc, gate, certId)) return { ...(cloudRequestId ? { cloudRequestId } : {}), attempts: attempt };
    if (Date.now() >= input.deadline) {
      throw new DeleteNotVerified(`certificate ${certId} is still on ${gate.gateway.name} after ${attempt} delete${attempt === 1 ? '' : 's'} (the gateway answered success but did not remove it)`);
    }
    await input.onRetry?.(attempt);
    await sleep(Math.min(8000, 250 * 2 ** attempt), gate.signal);
  }
}
