// CasApi on pop-core: private-CA client certificates, CAS API version 2020-06-30 (not 2020-04-07, which
// lacks these operations). CAS allows 10 calls/s per account, so calls are spaced client-side.
import { collectPages, RpcCaller, casEndpoint, type CallObserver, type CloudCredentials } from './rpc.js';
import type { CasApi, CasCertificate } from './types.js';

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

/** Spaces calls so one process never exceeds `perSecond`; Throttling errors still come back as transient. */
class Pacer {
  private next = 0;
  constructor(private readonly perSecond: number) {}
  async wait(): Promise<void> {
    const now = Date.now();
    const at = Math.max(now, this.next);
    this.next = at + 1000 / this.perSecond;
    if (at > now) await new Promise((resolve) => setTimeout(resolve, at - now));
  }
}

export interface CasClientOptions {
  credentials: CloudCredentials;
  timeoutMs: number;
  regionId?: string;
  endpointOverride?: string;
  ratePerSecond?: number;
  observe?: CallObserver;
}

export class CasClient implements CasApi {
  private readonly caller: RpcCaller;
  private readonly pacer: Pacer;

  constructor(options: CasClientOptions) {
    this.caller = new RpcCaller(casEndpoint(options.regionId, options.endpointOverride), CAS_VERSION, options.credentials, options.timeoutMs, options.observe);
    this.pacer = new Pacer(options.ratePerSecond ?? 10);
  }

  private async call<T>(action: string, params: Record<string, string | number | undefined>, mutating: boolean): Promise<T> {
    await this.pacer.wait();
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
