// The one place that talks to @alicloud/pop-core: always POST (credentials stay out of URLs), an explicit
// timeout, and every failure turned into a classified, scrubbed CloudError.
import RPCClient from '@alicloud/pop-core';
import { credentialSource, type CredentialSource } from './credentials.js';
import { toCloudError } from './errors.js';

export interface CloudCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

export type RpcParams = Record<string, string | number | boolean | undefined>;

/** Observes every call (metrics, tests); never sees credentials. */
export type CallObserver = (event: { action: string; ok: boolean; code?: string; ms: number }) => void;

/** The service refused the STS token itself: nothing ran, so renewing the credentials and calling again is safe. */
const STALE_TOKEN = /^InvalidSecurityToken\.(Expired|MismatchWithAccessKey)$/;

export class RpcCaller {
  private readonly client: RPCClient;
  private readonly credentials: CredentialSource;

  constructor(
    endpoint: string,
    apiVersion: string,
    credentials: CloudCredentials | CredentialSource,
    private readonly timeoutMs: number,
    private readonly observe?: CallObserver,
  ) {
    this.credentials = 'getCredentials' in credentials ? credentials : credentialSource(credentials);
    // pop-core 1.8 asks the provider before every request, so renewed credentials take effect at once
    // (its type declarations predate the option).
    const credentialsProvider = { getCredentials: () => this.credentials.getCredentials() };
    this.client = new RPCClient({ endpoint, apiVersion, credentialsProvider } as unknown as RPCClient.Config);
  }

  async call<T>(action: string, params: RpcParams, options: { mutating: boolean }): Promise<T> {
    const clean: Record<string, string | number | boolean> = {};
    // pop-core would send an undefined value as the literal text "undefined".
    for (const [key, value] of Object.entries(params)) if (value !== undefined) clean[key] = value;
    for (let attempt = 1; ; attempt++) {
      const started = Date.now();
      try {
        const result = await this.client.request<T>(action, clean, { method: 'POST', timeout: this.timeoutMs, formatParams: false });
        this.observe?.({ action, ok: true, ms: Date.now() - started });
        return result;
      } catch (err) {
        const cloudError = toCloudError(action, err, options.mutating);
        this.observe?.({ action, ok: false, code: cloudError.code, ms: Date.now() - started });
        if (attempt === 1 && STALE_TOKEN.test(cloudError.code)) {
          this.credentials.renew();
          continue;
        }
        throw cloudError;
      }
    }
  }
}

// Regions served by the central VPC endpoint; the rest use vpc.<region>.aliyuncs.com.
const CENTRAL_VPC_REGIONS = new Set(['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'cn-qingdao', 'cn-shenzhen', 'cn-hongkong', 'ap-southeast-1', 'us-east-1', 'us-west-1']);
const REGIONAL_CAS_REGIONS = new Set(['ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1', 'eu-central-1', 'me-central-1', 'ap-south-1', 'me-east-1']);

export function vpcEndpoint(regionId: string, override?: string): string {
  if (override) return override;
  return CENTRAL_VPC_REGIONS.has(regionId) ? 'https://vpc.aliyuncs.com' : `https://vpc.${regionId}.aliyuncs.com`;
}

export function casEndpoint(regionId: string | undefined, override?: string): string {
  if (override) return override;
  return regionId && REGIONAL_CAS_REGIONS.has(regionId) ? `https://cas.${regionId}.aliyuncs.com` : 'https://cas.aliyuncs.com';
}

/** Reads every page of a paged Describe/List call (page numbers from 1) until a short page or the total. */
export async function collectPages<T>(fetchPage: (page: number) => Promise<{ items: T[]; total: number }>, pageSize: number): Promise<T[]> {
  const all: T[] = [];
  for (let page = 1; ; page++) {
    const { items, total } = await fetchPage(page);
    all.push(...items);
    if (items.length < pageSize || all.length >= total) return all;
  }
}
