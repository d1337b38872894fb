// The small interfaces the rest of the product sees for Alibaba Cloud. One real adapter implements each
// (src/api/vpc.ts, src/api/cas.ts, on @alicloud/pop-core); tests point that adapter at src/sim/alicloud.

export type GatewayStatus = 'init' | 'provisioning' | 'active' | 'updating' | 'deleting' | (string & {});

export interface Called {
  /** The cloud's RequestId, kept for the audit log. */
  requestId: string;
}

export interface VpnGateway extends Called {
  vpnGatewayId: string;
  name: string;
  status: GatewayStatus;
  businessStatus: string;
  internetIp: string;
  sslVpn: string;
  sslMaxConnections: number;
}

export interface SslVpnServer {
  sslVpnServerId: string;
  vpnGatewayId: string;
  regionId: string;
  name: string;
  clientIpPool: string;
  localSubnet: string;
  internetIp: string;
  proto: string;
  cipher: string;
  port: number;
  compress: boolean;
  connections: number;
  maxConnections: number;
  enableMultiFactorAuth: boolean;
  idaasInstanceId?: string;
  idaasRegionId?: string;
}

export interface ClientCertSummary {
  sslVpnClientCertId: string;
  sslVpnServerId: string;
  name: string;
  status: string;
  createTime: number;
  endTime: number;
}

/** Secret material: fetched at delivery, handed straight to Slack, never stored or logged. */
export interface ClientCertDetail extends ClientCertSummary, Called {
  caCert: string;
  clientCert: string;
  clientKey: string;
  clientConfig: string;
}

export interface SslVpnServerChanges {
  name?: string;
  clientIpPool?: string;
  localSubnet?: string;
  proto?: 'TCP' | 'UDP';
  cipher?: 'AES-128-CBC' | 'AES-192-CBC' | 'AES-256-CBC' | 'none';
  port?: number;
  compress?: boolean;
  enableMultiFactorAuth?: boolean;
  idaasInstanceId?: string;
  idaasRegionId?: string;
}

export interface VpcApi {
  describeVpnGateway(regionId: string, vpnGatewayId: string): Promise<VpnGateway>;
  describeSslVpnServers(regionId: string, filter: { vpnGatewayId?: string; sslVpnServerId?: string }): Promise<SslVpnServer[]>;
  createSslVpnClientCert(input: { regionId: string; sslVpnServerId: string; name: string; clientToken: string }): Promise<Called & { sslVpnClientCertId: string; name: string }>;
  describeSslVpnClientCert(regionId: string, sslVpnClientCertId: string): Promise<ClientCertDetail>;
  /** Every page, filtered by server and/or name. */
  describeSslVpnClientCerts(regionId: string, filter: { sslVpnServerId?: string; name?: string }): Promise<ClientCertSummary[]>;
  deleteSslVpnClientCert(input: { regionId: string; sslVpnClientCertId: string; clientToken: string }): Promise<Called>;
  modifySslVpnServer(input: { regionId: string; sslVpnServerId: string; changes: SslVpnServerChanges; clientToken: string }): Promise<Called & { server: SslVpnServer }>;
}

export interface CasCertificate {
  identifier: string;
  commonName: string;
  serialNumber: string;
  status: 'ISSUE' | 'REVOKE' | (string & {});
  certificateType: string;
  beforeDate: number;
  afterDate: number;
  subjectDn: string;
}

/**
 * Admits calls to an API with an account-wide rate limit: `acquire()` resolves when one call may be sent.
 * Injected, so the limit can be shared by every process (src/infra/call-limiter.ts keeps it in Redis).
 */
export interface CallLimiter {
  acquire(): Promise<void>;
}

export interface CasApi {
  createRevokeClientCertificate(identifier: string): Promise<Called>;
  /** Every page; optionally filtered by identifier. */
  listClientCertificates(filter?: { identifier?: string }): Promise<CasCertificate[]>;
  describeClientCertificate(identifier: string): Promise<CasCertificate & Called>;
  deleteClientCertificate(identifier: string): Promise<Called>;
}
