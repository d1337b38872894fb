// Public types of the Alibaba Cloud simulator. Kept apart from index.ts so the internal modules can
// import them without a cycle; index.ts re-exports them unchanged.

import type { StsCredentials } from './sts.js';

export interface SimSeed {
  /** Credentials the sim accepts. `disabled: true` answers InvalidAccessKeyId.Inactive (sim extension). */
  accessKeys: { id: string; secret: string; disabled?: boolean }[];
  gateways: {
    vpnGatewayId: string;
    regionId: string;
    name?: string;
    internetIp?: string;
    sslMaxConnections?: number;
    status?: string;
    businessStatus?: 'Normal' | 'FinancialLocked';
    sslVpnServer?: {
      sslVpnServerId: string;
      name?: string;
      clientIpPool?: string;
      localSubnet?: string;
      proto?: 'TCP' | 'UDP';
      cipher?: string;
      port?: number;
      compress?: boolean;
      connections?: number;
    };
  }[];
  casCertificates?: {
    identifier: string;
    commonName: string;
    status?: 'ISSUE' | 'REVOKE';
    serialNumber?: string;
    certificateType?: 'CLIENT' | 'SERVER';
  }[];
  /** Max client certificates per account (default 50): beyond it CreateSslVpnClientCert gives Resource.QuotaFull. */
  clientCertQuota?: number;
  /** How long a gateway stays 'updating' after an asynchronous change (ms); the start option wins. */
  updateMs?: number;
  /** 0–1: each update takes updateMs × (1 ± up to this), uniformly (e.g. 0.3 for 30 s ± 30 %); the start option wins. */
  updateJitter?: number;
}

export interface SimFault {
  /** e.g. 'CreateSslVpnClientCert', or '*' for any action. */
  action: string;
  /** How many of the next matching calls it affects (default 1). */
  times?: number;
  /**
   * - error: answer with `code`/`status`/`message` without touching state (default when `code` is given).
   * - html: a 502 HTML page from a "proxy" (status overridable), state untouched.
   * - empty: an empty body (status 200 unless given), state untouched.
   * - delay: wait `delayMs`, then handle the call normally (it is applied even if the client gave up).
   * - apply-then-delay: handle the call now, answer after `delayMs`.
   * - drop: handle the call, then destroy the connection without answering.
   * - pretend: answer success (a RequestId) but change nothing, e.g. a delete that does not apply.
   */
  mode?: 'error' | 'html' | 'empty' | 'delay' | 'apply-then-delay' | 'drop' | 'pretend';
  code?: string;
  status?: number;
  message?: string;
  delayMs?: number;
}

export interface SimCall {
  action: string;
  version: string;
  method: string;
  /** Request parameters without Signature, AccessKeySecret and SecurityToken. */
  params: Record<string, string>;
  /** HTTP status sent (0 when the connection was dropped). */
  status: number;
  /** Error code of the answer, when it was an error. */
  code?: string;
  /** Arrival time, epoch ms. */
  at: number;
}

export interface AlibabaSimOptions {
  seed: SimSeed;
  /** Default 0 (ephemeral); the sim always binds 127.0.0.1. */
  port?: number;
  /** How long a gateway stays 'updating' after an asynchronous change (default: the seed's, else 2000). */
  updateMs?: number;
  /** 0–1: each update takes updateMs × (1 ± up to this), uniformly (default: the seed's, else 0). */
  updateJitter?: number;
  /** Allowed distance between the request Timestamp and the sim's clock (default 15 min). */
  clockSkewToleranceMs?: number;
  /** CAS calls per second per AccessKeyId+Action before Throttling.User (default 10). */
  casRatePerSecond?: number;
  /**
   * Run a real OpenVPN server per SSL server on 127.0.0.1 (default false). Needs the `openvpn` binary;
   * without it the sim says so in openVpn() and behaves as without this option.
   */
  openvpn?: boolean;
}

export interface SimOpenVpnServer {
  sslVpnServerId: string;
  /** The gateway the SSL server belongs to. */
  vpnGatewayId: string;
  state: 'starting' | 'running' | 'failed' | 'stopped';
  /** 'server': --mode server on a tun device (many clients); 'p2p': tls-server --dev null (one client), without a usable tun. */
  mode: 'server' | 'p2p';
  host: '127.0.0.1';
  port: number;
  proto: string;
  /** Clients connected now. */
  clients: number;
  /** TLS handshakes refused (revoked or foreign certificates). */
  refused: number;
  /** The latest refusals (at most 50): the client certificate's CN (the SslVpnClientCertId) and when, epoch ms. */
  refusals: { certificate: string; at: number }[];
  /** Times started: a certificate delete or a server change restarts it when the gateway is active again. */
  starts: number;
  reason?: string;
}

export interface SimOpenVpn {
  enabled: boolean;
  /** Why not, when asked for but not possible (openvpn not installed). */
  reason?: string;
  servers: SimOpenVpnServer[];
}

export interface SimClientCert {
  sslVpnClientCertId: string;
  sslVpnServerId: string;
  name: string;
  status: string;
  createTime: number;
}

export interface AlibabaSim {
  /** 'http://127.0.0.1:<port>': pass it as the pop-core endpoint. */
  readonly url: string;
  /** Every request, in arrival order. */
  readonly calls: SimCall[];
  callsOf(action: string): SimCall[];
  inject(fault: SimFault): void;
  clearFaults(): void;
  setUpdateMs(ms: number): void;
  /** 0–1; see AlibabaSimOptions.updateJitter. Applies to updates that start afterwards. */
  setUpdateJitter(fraction: number): void;
  gatewayStatus(vpnGatewayId: string): string;
  /** Sets a gateway's status as if changed outside the bot; 'updating' ends by itself after an update time. */
  setGatewayStatus(vpnGatewayId: string, status: string, businessStatus?: string): void;
  clientCerts(sslVpnServerId?: string): SimClientCert[];
  casCertificate(identifier: string): { identifier: string; status: string } | undefined;
  /** How many VpnGateway.Configuring errors have been returned so far (injected ones included). */
  configuringRejections(): number;
  /** The OpenVPN servers (option `openvpn`), with how many clients each has connected now. */
  openVpn(): Promise<SimOpenVpn>;
  /**
   * Temporary credentials valid for `ttlMs`, as a metadata service or STS would hand out: requests must carry
   * the SecurityToken; a wrong one answers InvalidSecurityToken.MismatchWithAccessKey, an expired one
   * InvalidSecurityToken.Expired.
   */
  issueStsCredentials(ttlMs: number): StsCredentials;
  /** Expires a token now, before its announced expiration. */
  expireSecurityToken(securityToken: string): void;
  /** Resolves when no gateway is 'updating' and no async task is pending. */
  settle(): Promise<void>;
  /** Back to the seed (or a new one), clearing calls and faults. */
  reset(seed?: SimSeed): void;
  close(): Promise<void>;
}
