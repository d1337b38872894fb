// The simulated account: gateways, SSL servers, client certificates, CAS certificates, plus the
// bookkeeping the gateway layer needs (nonces, ClientTokens, rate windows). All mutation of resources
// goes through here; the gateway state machine (§6, §9) is beginUpdate/finishUpdate.
import { randomBytes } from 'node:crypto';
import { createCa, issueClientCert, warmKeys, type Ca, type Issued } from './pki.js';
import type { SimSeed } from './types.js';
import { StsTokens } from './sts.js';

export interface GatewayRec {
  id: string;
  regionId: string;
  name: string;
  internetIp: string;
  sslMaxConnections: number;
  status: string;
  businessStatus: string;
  createTime: number;
  vpcId: string;
  vSwitchId: string;
  resourceGroupId: string;
  /** The running async task, if any: what to finalise when the gateway returns to active. */
  task?: { finalizers: (() => void)[]; timer: NodeJS.Timeout; endsAt?: number; reload: boolean };
}

export interface ServerRec {
  id: string;
  gatewayId: string;
  name: string;
  clientIpPool: string;
  localSubnet: string;
  proto: string;
  cipher: string;
  port: number;
  compress: boolean;
  connections: number;
  createTime: number;
  enableMultiFactorAuth: boolean;
  idaasInstanceId?: string;
  idaasRegionId?: string;
  idaasApplicationId?: string;
  dnsServers?: string;
  /** One CA per server, made on first use: every certificate it issues carries the same CaCert. */
  ca?: Promise<Ca>;
  /** Certificates deleted from this server: its CRL. */
  revoked: { serial: string; at: number }[];
}

export interface CertRec {
  id: string;
  serverId: string;
  name: string;
  createTime: number;
  endTime: number;
  /** Serial number (hex) of the X.509 certificate, fixed at creation. */
  serial: string;
  /** The certificate and key, issued on first use by the server's CA. */
  issued?: Promise<Issued>;
  /** Deleted, waiting for the gateway task to finish (still visible until then). */
  deleting: boolean;
}

export interface CasCertRec {
  id: number;
  identifier: string;
  parentIdentifier: string;
  commonName: string;
  status: 'ISSUE' | 'REVOKE';
  certificateType: 'CLIENT' | 'SERVER';
  serialNumber: string;
  beforeDate: number;
  afterDate: number;
  revokeTime?: number;
  x509: string;
  md5: string;
  sha2: string;
}

export const RESOURCE_GROUP_ID = 'rg-acfmsim00000000';
const DAY_MS = 24 * 3600 * 1000;

export function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

const ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';
function alnum(n: number): string {
  const bytes = randomBytes(n);
  let out = '';
  for (const b of bytes) out += ALNUM[b % ALNUM.length];
  return out;
}

// Real ids start with a region-specific prefix (§6.1); clients only need `<prefix>-` + 21 [a-z0-9].
const REGION_ID_PREFIX: Record<string, string> = { 'cn-hangzhou': 'bp1', 'cn-qingdao': 'm5e', 'eu-central-1': 'gw8' };
export function newId(prefix: 'vpn' | 'vss' | 'vsc', regionId: string): string {
  const head = REGION_ID_PREFIX[regionId] ?? alnum(3);
  return `${prefix}-${head}${alnum(18)}`;
}

/** A PEM-looking block: random base64 body, 64-char lines. No real crypto: nothing parses it. */
export function fakePem(label: string, bytes: number): string {
  const body = randomBytes(bytes).toString('base64').replace(/.{1,64}/g, '$&\n');
  return `-----BEGIN ${label}-----\n${body}-----END ${label}-----`;
}

/** Status derived from EndTime (§6.1): normal, expiring-soon within a week of the end, expired after. */
export function certStatus(cert: CertRec, now = Date.now()): string {
  if (now >= cert.endTime) return 'expired';
  if (cert.endTime - now <= 7 * DAY_MS) return 'expiring-soon';
  return 'normal';
}

export class SimState {
  accessKeys = new Map<string, { secret: string; disabled: boolean }>();
  /** Temporary credentials issued during the run (not seeded): checked after the signature. */
  readonly sts = new StsTokens();
  gateways = new Map<string, GatewayRec>();
  servers = new Map<string, ServerRec>();
  certs = new Map<string, CertRec>();
  cas = new Map<string, CasCertRec>();
  clientCertQuota = 50;
  configuringRejections = 0;

  /** (AccessKeyId, nonce) -> first seen, for SignatureNonceUsed within the skew window. */
  private nonces = new Map<string, number>();
  /** (AccessKeyId, Action, ClientToken) -> fingerprint of business params and the original answer. */
  private tokens = new Map<string, { fingerprint: string; body: Record<string, unknown> }>();
  /** (AccessKeyId, Action) -> arrival times within the last second, for CAS throttling. */
  private rateWindows = new Map<string, number[]>();
  /** Requests whose handling is deferred by a 'delay' fault: they will still change state. */
  private pendingWork = 0;
  private settleWaiters: (() => void)[] = [];
  private casSeq = 100000;

  constructor(
    seed: SimSeed,
    public updateMs: number,
    /** Fraction 0–1: each update takes updateMs × (1 ± up to this), uniformly. */
    public updateJitter: number,
    public clockSkewToleranceMs: number,
    public casRatePerSecond: number,
  ) {
    this.load(seed);
  }

  load(seed: SimSeed): void {
    this.dispose();
    this.accessKeys.clear();
    this.sts.clear();
    this.gateways.clear();
    this.servers.clear();
    this.certs.clear();
    this.cas.clear();
    this.nonces.clear();
    this.tokens.clear();
    this.rateWindows.clear();
    this.configuringRejections = 0;
    this.pendingWork = 0;
    this.clientCertQuota = seed.clientCertQuota ?? 50;
    const now = Date.now();
    for (const k of seed.accessKeys) this.accessKeys.set(k.id, { secret: k.secret, disabled: k.disabled ?? false });
    seed.gateways.forEach((g, i) => {
      const gw: GatewayRec = {
        id: g.vpnGatewayId,
        regionId: g.regionId,
        name: g.name ?? g.vpnGatewayId,
        internetIp: g.internetIp ?? `47.98.${Math.floor(i / 200)}.${(i % 200) + 10}`,
        sslMaxConnections: g.sslMaxConnections ?? 5,
        status: 'active',
        businessStatus: g.businessStatus ?? 'Normal',
        createTime: now - 30 * DAY_MS,
        vpcId: `vpc-${alnum(21)}`,
        vSwitchId: `vsw-${alnum(21)}`,
        resourceGroupId: RESOURCE_GROUP_ID,
      };
      this.gateways.set(gw.id, gw);
      // A seeded 'updating' gateway is mid-task: it returns to active after an update time like any other.
      if (g.status === 'updating') this.beginUpdate(gw);
      else if (g.status) gw.status = g.status;
      const s = g.sslVpnServer;
      if (s) {
        this.servers.set(s.sslVpnServerId, {
          id: s.sslVpnServerId,
          gatewayId: gw.id,
          name: s.name ?? s.sslVpnServerId,
          clientIpPool: s.clientIpPool ?? '10.30.30.0/24',
          localSubnet: s.localSubnet ?? '10.20.20.0/24',
          proto: s.proto ?? 'UDP',
          cipher: s.cipher ?? 'AES-128-CBC',
          port: s.port ?? 1194,
          compress: s.compress ?? false,
          connections: s.connections ?? 0,
          createTime: now - 30 * DAY_MS,
          enableMultiFactorAuth: false,
          revoked: [],
        });
      }
    });
    for (const c of seed.casCertificates ?? []) {
      const before = now - DAY_MS;
      this.cas.set(c.identifier, {
        id: this.casSeq++,
        identifier: c.identifier,
        parentIdentifier: hex(16),
        commonName: c.commonName,
        status: c.status ?? 'ISSUE',
        certificateType: c.certificateType ?? 'CLIENT',
        serialNumber: c.serialNumber ?? hex(18),
        beforeDate: before,
        afterDate: before + 365 * DAY_MS,
        revokeTime: c.status === 'REVOKE' ? now : undefined,
        x509: fakePem('CERTIFICATE', 900),
        md5: hex(16).toUpperCase(),
        sha2: hex(32).toUpperCase(),
      });
    }
    this.checkSettled();
  }

  /** Stops every timer; used by reset and close. */
  dispose(): void {
    for (const gw of this.gateways.values()) {
      if (gw.task) clearTimeout(gw.task.timer);
      gw.task = undefined;
    }
  }

  // --- gateway state machine -------------------------------------------------------------------

  /**
   * How long the next update takes: updateMs ± updateJitter × updateMs, uniformly, so tests and
   * benchmarks can model a real gateway whose update time varies (a real one is undocumented, §12 item 8).
   */
  nextUpdateDuration(): number {
    const spread = this.updateJitter * (2 * Math.random() - 1);
    return Math.max(0, Math.round(this.updateMs * (1 + spread)));
  }

  /**
   * Puts the gateway into 'updating'; after the update time the finaliser runs and it is 'active' again.
   * `reload`: the change makes the gateway reload its configuration/CRL when it ends (a delete or a
   * server change), which restarts its VPN service and so disconnects every client (seed 000).
   */
  beginUpdate(gw: GatewayRec, finalize?: () => void, reload = false): void {
    gw.status = 'updating';
    if (gw.task) clearTimeout(gw.task.timer);
    const task = gw.task ?? { finalizers: [], timer: undefined as unknown as NodeJS.Timeout, reload: false };
    if (finalize) task.finalizers.push(finalize);
    task.reload ||= reload;
    const duration = this.nextUpdateDuration();
    task.timer = setTimeout(() => this.finishUpdate(gw), duration);
    task.endsAt = Date.now() + duration; // shown by the control API (sandbox page)
    gw.task = task;
  }

  finishUpdate(gw: GatewayRec, nextStatus = 'active'): void {
    const task = gw.task;
    gw.task = undefined;
    if (task) {
      clearTimeout(task.timer);
      for (const f of task.finalizers) f();
    }
    gw.status = nextStatus;
    if (task?.reload) this.onReload?.(gw);
    this.checkSettled();
  }

  /** Called when a gateway leaves 'updating' after a change that reloads it (the OpenVPN servers listen). */
  onReload?: (gw: GatewayRec) => void;

  /** Clients connected to the server's real OpenVPN server, when one runs (else the seeded Connections). */
  liveConnections?: (sslVpnServerId: string) => Promise<number | undefined>;

  // --- certificates ----------------------------------------------------------------------------

  caOf(server: ServerRec): Promise<Ca> {
    if (!server.ca) {
      warmKeys(); // the client key pair is made while the CA's is
      server.ca = createCa(server.id);
      server.ca.catch(() => undefined); // a failure is reported to whoever awaits it, never as unhandled
    }
    return server.ca;
  }

  /** The certificate and key, issued by the server's CA on first use and kept. */
  issuedOf(cert: CertRec, server: ServerRec): Promise<Issued> {
    cert.issued ??= this.caOf(server).then((ca) => issueClientCert(ca, { commonName: cert.id, serial: cert.serial, createTime: cert.createTime, endTime: cert.endTime }));
    return cert.issued;
  }

  setGatewayStatus(id: string, status: string, businessStatus?: string): void {
    const gw = this.gateway(id);
    if (businessStatus !== undefined) gw.businessStatus = businessStatus;
    if (status === 'updating') this.beginUpdate(gw);
    // Any other status ends a running task now (its changes land) and sticks until changed again.
    else this.finishUpdate(gw, status);
  }

  gateway(id: string): GatewayRec {
    const gw = this.gateways.get(id);
    if (!gw) throw new Error(`Alibaba sim: no gateway ${id}`);
    return gw;
  }

  beginPendingWork(): void {
    this.pendingWork++;
  }

  endPendingWork(): void {
    this.pendingWork = Math.max(0, this.pendingWork - 1);
    this.checkSettled();
  }

  isSettled(): boolean {
    if (this.pendingWork > 0) return false;
    for (const gw of this.gateways.values()) if (gw.task || gw.status === 'updating') return false;
    return true;
  }

  settle(): Promise<void> {
    if (this.isSettled()) return Promise.resolve();
    return new Promise((resolve) => this.settleWaiters.push(resolve));
  }

  /** On close: nothing will ever change again, so nobody should wait for it. */
  releaseWaiters(): void {
    const waiters = this.settleWaiters;
    this.settleWaiters = [];
    for (const w of waiters) w();
  }

  checkSettled(): void {
    if (!this.isSettled()) return;
    const waiters = this.settleWaiters;
    this.settleWaiters = [];
    for (const w of waiters) w();
  }

  // --- gateway-level bookkeeping ---------------------------------------------------------------

  /** True when the nonce was already used by this key within the window. */
  nonceUsed(accessKeyId: string, nonce: string, now: number): boolean {
    // Map keeps insertion order, so expired entries are at the front.
    for (const [key, at] of this.nonces) {
      if (now - at <= this.clockSkewToleranceMs) break;
      this.nonces.delete(key);
    }
    return this.nonces.has(`${accessKeyId}\n${nonce}`);
  }

  rememberNonce(accessKeyId: string, nonce: string, now: number): void {
    this.nonces.set(`${accessKeyId}\n${nonce}`, now);
  }

  /** Sliding one-second window per (AccessKeyId, Action); returns false when over the limit. */
  admitRate(accessKeyId: string, action: string, now: number): boolean {
    const key = `${accessKeyId}\n${action}`;
    const window = (this.rateWindows.get(key) ?? []).filter((t) => now - t < 1000);
    if (window.length >= this.casRatePerSecond) {
      this.rateWindows.set(key, window);
      return false;
    }
    window.push(now);
    this.rateWindows.set(key, window);
    return true;
  }

  tokenLookup(key: string): { fingerprint: string; body: Record<string, unknown> } | undefined {
    return this.tokens.get(key);
  }

  tokenStore(key: string, fingerprint: string, body: Record<string, unknown>): void {
    this.tokens.set(key, { fingerprint, body });
  }
}
