// CasApi on pop-core: private-CA client certificates, CAS API version 2020-06-30 (not 2020-04-07, which
// lacks these operations). CAS allows 10 calls/s per account, so every call first waits for the injected
// limiter, which main.ts shares between all processes through Redis.
import type { CredentialSource } from './credentials.js';
import { collectPages, RpcCaller, casEndpoint, type CallObserver, type CloudCredentials } from './rpc.js';
import { CloudError } from './errors.js';
import type { CallLimiter, CasApi, CasCertificate } from './types.js';

const CAS_VERSION = '2020-06-30';
const PAGE_SIZE = 50;

interface RawCasCert {
  Identifier: string; CommonName?: string; SerialNumber?: string; Status?: string; CertificateType?: string;
  BeforeDate?: number; AfterDate?: number; SubjectDN?: string;
}

function toCertificate(raw: RawCasCert): CasCertificate {
  return {
    identifier: raw.Identifier,
    commonName: raw.CommonName ?? '',
    serialNumber: raw.SerialNumber ?? '',
    status: raw.Status ?? '',
    certificateType: raw.CertificateType ?? '',
    beforeDate: Number(raw.BeforeDate ?? 0),
    afterDate: Number(raw.AfterDate ?? 0),
    subjectDn: raw.SubjectDN ?? '',
  };
}

export interface CasClientOptions {
  credentials: CloudCredentials | CredentialSource;
  timeoutMs: number;
  regionId?: string;
  endpointOverride?: string;
  /** Every call waits for it; the account's limit is per account, not per process. */
  limiter: CallLimiter;
  observe?: CallObserver;
}

export class CasClient implements CasApi {
  private readonly caller: RpcCaller;
  private readonly limiter: CallLimiter;

  constructor(options: CasClientOptions) {
    this.caller = new RpcCaller(casEndpoint(options.regionId, options.endpointOverride), CAS_VERSION, options.credentials, options.timeoutMs, options.observe);
    this.limiter = options.limiter;
  }

  private async call<T>(action: string, params: Record<string, string | number | undefined>, mutating: boolean): Promise<T> {
    try {
      await this.limiter.acquire();
    } catch (err) {
      // The shared limiter lives in Redis: without it no call is sent (it could break the account's limit).
      throw new CloudError('transient', action, 'RateLimiterUnavailable', `the shared CAS rate limiter is unavailable (${(err as Error).message})`);
    }
    return this.caller.call<T>(action, params, { mutating });
  }

  async createRevokeClientCertificate(identifier: string) {
    const r = await this.call<{ RequestId: string }>('CreateRevokeClientCertificate', { Identifier: identifier }, true);
    return { requestId: r.RequestId };
  }

  listClientCertificates(filter: { identifier?: string } = {}): Promise<CasCertificate[]> {
    return collectPages(async (page) => {
      const r = await this.call<{ TotalCount: number; CertificateList?: RawCasCert[] }>(
        'ListClientCertificate', { CurrentPage: page, ShowSize: PAGE_SIZE, Identifier: filter.identifier }, false,
      );
      return { items: (r.CertificateList ?? []).map(toCertificate), total: Number(r.TotalCount) };
    }, PAGE_SIZE);
  }

  async describeClientCertificate(identifier: string) {
    const r = await this.call<{ RequestId: string; Certificate: RawCasCert }>('DescribeClientCertificate', { Identifier: identifier }, false);
    return { ...toCertificate(r.Certificate), requestId: r.RequestId };
  }

  async deleteClientCertificate(identifier: string) {
    const r = await this.call<{ RequestId: string }>('DeleteClientCertificate', { Identifier: identifier }, true);
    return { requestId: r.RequestId };
  }
}
