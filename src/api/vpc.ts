// VpcApi on pop-core: the SSL-VPN calls the product makes, with typed requests and responses.
import type { CredentialSource } from './credentials.js';
import { collectPages, RpcCaller, vpcEndpoint, type CallObserver, type CloudCredentials } from './rpc.js';
import type { ClientCertDetail, ClientCertSummary, SslVpnServer, SslVpnServerChanges, VpcApi, VpnGateway } from './types.js';

const VPC_VERSION = '2016-04-28';
const PAGE_SIZE = 50;

interface RawServer {
  SslVpnServerId: string; VpnGatewayId: string; RegionId?: string; Name?: string; ClientIpPool?: string; LocalSubnet?: string;
  InternetIp?: string; Proto?: string; Cipher?: string; Port?: number; Compress?: boolean; Connections?: number; MaxConnections?: number;
  EnableMultiFactorAuth?: boolean; IDaaSInstanceId?: string; IDaaSRegionId?: string;
}
interface RawCertKey { SslVpnClientCertId: string; SslVpnServerId: string; Name?: string; Status?: string; CreateTime?: number; EndTime?: number }

function toServer(raw: RawServer, regionId: string): SslVpnServer {
  return {
    sslVpnServerId: raw.SslVpnServerId,
    vpnGatewayId: raw.VpnGatewayId,
    regionId: raw.RegionId ?? regionId,
    name: raw.Name ?? '',
    clientIpPool: raw.ClientIpPool ?? '',
    localSubnet: raw.LocalSubnet ?? '',
    internetIp: raw.InternetIp ?? '',
    proto: raw.Proto ?? '',
    cipher: raw.Cipher ?? '',
    port: Number(raw.Port ?? 0),
    compress: Boolean(raw.Compress),
    connections: Number(raw.Connections ?? 0),
    maxConnections: Number(raw.MaxConnections ?? 0),
    enableMultiFactorAuth: Boolean(raw.EnableMultiFactorAuth),
    ...(raw.IDaaSInstanceId ? { idaasInstanceId: raw.IDaaSInstanceId } : {}),
    ...(raw.IDaaSRegionId ? { idaasRegionId: raw.IDaaSRegionId } : {}),
  };
}

function toCertSummary(raw: RawCertKey): ClientCertSummary {
  return {
    sslVpnClientCertId: raw.SslVpnClientCertId,
    sslVpnServerId: raw.SslVpnServerId,
    name: raw.Name ?? '',
    status: raw.Status ?? '',
    createTime: Number(raw.CreateTime ?? 0),
    endTime: Number(raw.EndTime ?? 0),
  };
}

export interface VpcClientOptions {
  credentials: CloudCredentials | CredentialSource;
  timeoutMs: number;
  /** ALIBABA_CLOUD_VPC_ENDPOINT: one endpoint for every region (tests, private endpoints). */
  endpointOverride?: string;
  observe?: CallObserver;
}

export class VpcClient implements VpcApi {
  private readonly callers = new Map<string, RpcCaller>();

  constructor(private readonly options: VpcClientOptions) {}

  private caller(regionId: string): RpcCaller {
    const endpoint = vpcEndpoint(regionId, this.options.endpointOverride);
    let caller = this.callers.get(endpoint);
    if (!caller) {
      caller = new RpcCaller(endpoint, VPC_VERSION, this.options.credentials, this.options.timeoutMs, this.options.observe);
      this.callers.set(endpoint, caller);
    }
    return caller;
  }

  async describeVpnGateway(regionId: string, vpnGatewayId: string): Promise<VpnGateway> {
    const r = await this.caller(regionId).call<{
      RequestId: string; VpnGatewayId: string; Name?: string; Status: string; BusinessStatus?: string; InternetIp?: string;
      SslVpnInternetIp?: string; SslVpn?: string; SslMaxConnections?: number;
    }>('DescribeVpnGateway', { RegionId: regionId, VpnGatewayId: vpnGatewayId }, { mutating: false });
    return {
      requestId: r.RequestId,
      vpnGatewayId: r.VpnGatewayId,
      name: r.Name ?? '',
      status: r.Status,
      businessStatus: r.BusinessStatus ?? 'Normal',
      internetIp: r.SslVpnInternetIp || r.InternetIp || '',
      sslVpn: r.SslVpn ?? '',
      sslMaxConnections: Number(r.SslMaxConnections ?? 0),
    };
  }

  describeSslVpnServers(regionId: string, filter: { vpnGatewayId?: string; sslVpnServerId?: string }): Promise<SslVpnServer[]> {
    return collectPages(async (page) => {
      const r = await this.caller(regionId).call<{ TotalCount: number; SslVpnServers?: { SslVpnServer?: RawServer[] } }>(
        'DescribeSslVpnServers',
        { RegionId: regionId, VpnGatewayId: filter.vpnGatewayId, SslVpnServerId: filter.sslVpnServerId, PageNumber: page, PageSize: PAGE_SIZE },
        { mutating: false },
      );
      return { items: (r.SslVpnServers?.SslVpnServer ?? []).map((s) => toServer(s, regionId)), total: Number(r.TotalCount) };
    }, PAGE_SIZE);
  }

  async createSslVpnClientCert(input: { regionId: string; sslVpnServerId: string; name: string; clientToken: string }) {
    const r = await this.caller(input.regionId).call<{ RequestId: string; SslVpnClientCertId: string; Name?: string }>(
      'CreateSslVpnClientCert',
      { RegionId: input.regionId, SslVpnServerId: input.sslVpnServerId, Name: input.name, ClientToken: input.clientToken },
      { mutating: true },
    );
    return { requestId: r.RequestId, sslVpnClientCertId: r.SslVpnClientCertId, name: r.Name ?? input.name };
  }

  async describeSslVpnClientCert(regionId: string, sslVpnClientCertId: string): Promise<ClientCertDetail> {
    const r = await this.caller(regionId).call<RawCertKey & { RequestId: string; CaCert?: string; ClientCert?: string; ClientKey?: string; ClientConfig?: string }>(
      'DescribeSslVpnClientCert', { RegionId: regionId, SslVpnClientCertId: sslVpnClientCertId }, { mutating: false },
    );
    return {
      ...toCertSummary(r),
      requestId: r.RequestId,
      caCert: r.CaCert ?? '',
      clientCert: r.ClientCert ?? '',
      clientKey: r.ClientKey ?? '',
      clientConfig: r.ClientConfig ?? '',
    };
  }

  describeSslVpnClientCerts(regionId: string, filter: { sslVpnServerId?: string; name?: string }): Promise<ClientCertSummary[]> {
    return collectPages(async (page) => {
      const r = await this.caller(regionId).call<{ TotalCount: number; SslVpnClientCertKeys?: { SslVpnClientCertKey?: RawCertKey[] } }>(
        'DescribeSslVpnClientCerts',
        { RegionId: regionId, SslVpnServerId: filter.sslVpnServerId, Name: filter.name, PageNumber: page, PageSize: PAGE_SIZE },
        { mutating: false },
      );
      return { items: (r.SslVpnClientCertKeys?.SslVpnClientCertKey ?? []).map(toCertSummary), total: Number(r.TotalCount) };
    }, PAGE_SIZE);
  }

  async deleteSslVpnClientCert(input: { regionId: string; sslVpnClientCertId: string; clientToken: string }) {
    const r = await this.caller(input.regionId).call<{ RequestId: string }>(
      'DeleteSslVpnClientCert',
      { RegionId: input.regionId, SslVpnClientCertId: input.sslVpnClientCertId, ClientToken: input.clientToken },
      { mutating: true },
    );
    return { requestId: r.RequestId };
  }

  async modifySslVpnServer(input: { regionId: string; sslVpnServerId: string; changes: SslVpnServerChanges; clientToken: string }) {
    const c = input.changes;
    const r = await this.caller(input.regionId).call<RawServer & { RequestId: string }>(
      'ModifySslVpnServer',
      {
        RegionId: input.regionId, SslVpnServerId: input.sslVpnServerId, ClientToken: input.clientToken,
        Name: c.name, ClientIpPool: c.clientIpPool, LocalSubnet: c.localSubnet, Proto: c.proto, Cipher: c.cipher, Port: c.port,
        Compress: c.compress, EnableMultiFactorAuth: c.enableMultiFactorAuth, IDaaSInstanceId: c.idaasInstanceId, IDaaSRegionId: c.idaasRegionId,
      },
      { mutating: true },
    );
    return { requestId: r.RequestId, server: toServer(r, input.regionId) };
  }
}
