// VPC 2016-04-28 SSL-VPN operations (§7). Handler order for mutations: parameter format, resource
// lookup (operation-specific not-found code), semantic checks, FinancialLocked, Configuring, quota,
// then apply. Asynchronous changes go through SimState.beginUpdate (§6.3, §9).
import { overlaps, parseCidr, POOL_FORBIDDEN, size, SUBNET_FORBIDDEN } from './cidr.js';
import type { Cidr } from './cidr.js';
import { Err } from './errors.js';
import { opt, optBool, optInt, page, VPC_VERSION } from './ops.js';
import type { OpContext, Operation } from './ops.js';
import { newSerial } from './pki.js';
import { certStatus, newId } from './state.js';
import type { CertRec, GatewayRec, ServerRec, SimState } from './state.js';

const FORBIDDEN_PORTS = new Set([22, 2222, 22222, 9000, 9001, 9002, 7505, 80, 443, 53, 68, 123, 4510, 4560, 500, 4500]);
const CIPHERS = new Set(['AES-128-CBC', 'AES-192-CBC', 'AES-256-CBC', 'none']);
const THREE_YEARS_MS = 3 * 365 * 24 * 3600 * 1000;

const startsWithUrl = (name: string) => /^https?:\/\//i.test(name);

/** SSL server names, ModifySslVpnServer page (seed 002): 1–100 characters, not starting with http:// or https://. */
export function validServerName(name: string): boolean {
  const length = [...name].length;
  return length >= 1 && length <= 100 && !startsWithUrl(name);
}

/**
 * Certificate names: refused when EITHER version of the CreateSslVpnClientCert page refuses them, so a
 * name the product sends works against both. Current page (seed 001): 1–100 characters, not starting
 * with http:// or https://. Older page (seed 004): 2–128 characters, starts with a letter, digits,
 * periods, underscores and hyphens. Together: a letter, then 1–99 of [A-Za-z0-9._-].
 */
export function validCertName(name: string): boolean {
  const current = [...name].length <= 100 && !startsWithUrl(name);
  const older = /^[A-Za-z][A-Za-z0-9._-]{1,127}$/.test(name);
  return current && older;
}

function checkName(name: string | undefined, valid: (name: string) => boolean): void {
  if (name !== undefined && !valid(name)) throw Err.invalidName();
}

/** Lookups are regional: a resource in another region is "not found", like the real API. */
function serverIn(state: SimState, regionId: string, id: string): { server: ServerRec; gw: GatewayRec } | undefined {
  const server = state.servers.get(id);
  const gw = server && state.gateways.get(server.gatewayId);
  return server && gw && gw.regionId === regionId ? { server, gw } : undefined;
}

function certIn(state: SimState, regionId: string, id: string): { cert: CertRec; server: ServerRec; gw: GatewayRec } | undefined {
  const cert = state.certs.get(id);
  const found = cert && serverIn(state, regionId, cert.serverId);
  return cert && found ? { cert, ...found } : undefined;
}

/** The checks every SSL-VPN mutation makes against the gateway before changing anything. */
function assertGatewayAcceptsChanges(gw: GatewayRec): void {
  if (gw.businessStatus === 'FinancialLocked') throw Err.financialLocked();
  if (gw.status !== 'active') throw Err.configuring();
}

function serverJson(server: ServerRec, gw: GatewayRec): Record<string, unknown> {
  return {
    SslVpnServerId: server.id,
    VpnGatewayId: gw.id,
    RegionId: gw.regionId,
    ResourceGroupId: gw.resourceGroupId,
    Name: server.name,
    ClientIpPool: server.clientIpPool,
    LocalSubnet: server.localSubnet,
    InternetIp: gw.internetIp,
    ...(server.dnsServers ? { DnsServers: server.dnsServers } : {}),
    Proto: server.proto,
    Cipher: server.cipher,
    Port: server.port,
    Compress: server.compress,
    Connections: server.connections,
    MaxConnections: gw.sslMaxConnections,
    CreateTime: server.createTime,
    EnableMultiFactorAuth: server.enableMultiFactorAuth,
    ...(server.idaasInstanceId ? { IDaaSInstanceId: server.idaasInstanceId } : {}),
    ...(server.idaasRegionId ? { IDaaSRegionId: server.idaasRegionId } : {}),
    ...(server.idaasApplicationId ? { IDaaSApplicationId: server.idaasApplicationId, IDaaSInstanceVersion: 'EIAM 2.0' } : {}),
  };
}

function certSummary(cert: CertRec, gw: GatewayRec, now: number): Record<string, unknown> {
  return {
    SslVpnClientCertId: cert.id,
    SslVpnServerId: cert.serverId,
    Name: cert.name,
    RegionId: gw.regionId,
    ResourceGroupId: gw.resourceGroupId,
    Status: certStatus(cert, now),
    CreateTime: cert.createTime,
    EndTime: cert.endTime,
  };
}

/** OpenVPN profile in the documented sample's order (§7.6); proto lower-case, comp-lzo from Compress. */
export function clientConfig(cert: CertRec, server: ServerRec, gw: GatewayRec): string {
  return [
    'client',
    'dev tun',
    `proto ${server.proto.toLowerCase()}`,
    `remote ${gw.internetIp} ${server.port}`,
    'resolv-retry infinite',
    'nobind',
    'persist-key',
    'persist-tun',
    'ca ca.crt',
    `cert ${cert.id}.crt`,
    `key ${cert.id}.key`,
    `cipher ${server.cipher}`,
    server.compress ? 'comp-lzo' : ';comp-lzo',
    'verb 4',
  ].join('\n');
}

function pageParams(params: Record<string, string>): { pageNumber: number; pageSize: number } {
  return {
    pageNumber: optInt(params, 'PageNumber', 1, 1_000_000) ?? 1,
    pageSize: optInt(params, 'PageSize', 1, 50) ?? 10,
  };
}

const vpcOp = (action: string, required: string[], idempotent: boolean, handle: Operation['handle']): Operation => ({
  action,
  version: VPC_VERSION,
  product: 'Vpc',
  required: ['RegionId', ...required],
  idempotent,
  regional: true,
  rateLimited: false,
  handle,
});

function describeVpnGateway({ params, state }: OpContext): Record<string, unknown> {
  const gw = state.gateways.get(params.VpnGatewayId ?? '');
  if (!gw || gw.regionId !== params.RegionId) throw Err.gatewayNotFound();
  optBool(params, 'IncludeReservationData'); // accepted, validated, no reservation data simulated
  return {
    VpnGatewayId: gw.id,
    VpcId: gw.vpcId,
    VSwitchId: gw.vSwitchId,
    InternetIp: gw.internetIp,
    CreateTime: gw.createTime,
    EndTime: gw.createTime + 10 * THREE_YEARS_MS,
    Spec: '10M',
    Name: gw.name,
    Description: '',
    Status: gw.status,
    BusinessStatus: gw.businessStatus,
    ChargeType: 'POSTPAY',
    IpsecVpn: 'enable',
    SslVpn: 'enable',
    SslMaxConnections: gw.sslMaxConnections,
    Tag: JSON.stringify({ VpnEnableBgp: 'true', VisuallySsl: 'true', VpnNewImage: 'true', VpnVersion: 'v1.2.4', IDaaSNewVersion: 'true' }),
    Tags: { Tag: [] },
    EniInstanceIds: { EniInstanceId: [] },
    AutoPropagate: false,
    EnableBgp: false,
    NetworkType: 'public',
    GatewayType: 'Traditional',
    VpnType: 'Normal',
    ResourceGroupId: gw.resourceGroupId,
  };
}

function describeSslVpnServers({ params, state }: OpContext): Record<string, unknown> | Promise<Record<string, unknown>> {
  const { pageNumber, pageSize } = pageParams(params);
  const byId = opt(params, 'SslVpnServerId');
  const byGateway = opt(params, 'VpnGatewayId');
  const byName = opt(params, 'Name');
  const byGroup = opt(params, 'ResourceGroupId');
  const matches: Record<string, unknown>[] = [];
  for (const server of state.servers.values()) {
    const gw = state.gateways.get(server.gatewayId);
    if (!gw || gw.regionId !== params.RegionId) continue;
    if (byId && server.id !== byId) continue;
    if (byGateway && gw.id !== byGateway) continue;
    if (byName && server.name !== byName) continue;
    if (byGroup && gw.resourceGroupId !== byGroup) continue;
    matches.push(serverJson(server, gw));
  }
  const body = {
    TotalCount: matches.length,
    PageNumber: pageNumber,
    PageSize: pageSize,
    SslVpnServers: { SslVpnServer: page(matches, pageNumber, pageSize) },
  };
  const live = state.liveConnections;
  if (!live) return body;
  // With real OpenVPN servers, Connections is what they report now.
  return Promise.all(body.SslVpnServers.SslVpnServer.map(async (s) => {
    const n = await live(String(s.SslVpnServerId));
    if (n !== undefined) s.Connections = n;
  })).then(() => body);
}

function createSslVpnClientCert({ params, state, now }: OpContext): Record<string, unknown> {
  const name = params.Name;
  checkName(name === '' ? undefined : name, validCertName);
  const found = serverIn(state, params.RegionId ?? '', params.SslVpnServerId ?? '');
  if (!found) throw Err.serverNotFound();
  assertGatewayAcceptsChanges(found.gw);
  if (state.certs.size >= state.clientCertQuota) throw Err.quotaFull();
  const id = newId('vsc', found.gw.regionId);
  const cert: CertRec = {
    id,
    serverId: found.server.id,
    // An unnamed certificate is named after its id (real behaviour undocumented).
    name: name || id,
    createTime: now,
    endTime: now + THREE_YEARS_MS,
    serial: newSerial(),
    deleting: false,
  };
  // Visible (Status normal) at once; the gateway is busy until the task ends. The X.509 material is
  // signed on the first DescribeSslVpnClientCert.
  state.certs.set(id, cert);
  state.beginUpdate(found.gw);
  return { SslVpnClientCertId: id, Name: cert.name };
}

async function describeSslVpnClientCert({ params, state, now }: OpContext): Promise<Record<string, unknown>> {
  const found = certIn(state, params.RegionId ?? '', params.SslVpnClientCertId ?? '');
  if (!found) throw Err.instanceNotFound();
  const { cert, server, gw } = found;
  // Everything from state is read now; only the (first-time) signing is awaited.
  const summary = { ...certSummary(cert, gw, now), ClientConfig: clientConfig(cert, server, gw) };
  const [ca, issued] = await Promise.all([state.caOf(server), state.issuedOf(cert, server)]);
  return { ...summary, CaCert: ca.pem, ClientCert: issued.certPem, ClientKey: issued.keyPem };
}

function describeSslVpnClientCerts({ params, state, now }: OpContext): Record<string, unknown> {
  const { pageNumber, pageSize } = pageParams(params);
  const byServer = opt(params, 'SslVpnServerId');
  const byId = opt(params, 'SslVpnClientCertId');
  const byName = opt(params, 'Name');
  const byGroup = opt(params, 'ResourceGroupId');
  const matches: Record<string, unknown>[] = [];
  for (const cert of state.certs.values()) {
    const found = serverIn(state, params.RegionId ?? '', cert.serverId);
    if (!found) continue;
    if (byServer && cert.serverId !== byServer) continue;
    if (byId && cert.id !== byId) continue;
    if (byName && cert.name !== byName) continue;
    if (byGroup && found.gw.resourceGroupId !== byGroup) continue;
    matches.push(certSummary(cert, found.gw, now));
  }
  return {
    TotalCount: matches.length,
    PageNumber: pageNumber,
    PageSize: pageSize,
    SslVpnClientCertKeys: { SslVpnClientCertKey: page(matches, pageNumber, pageSize) },
  };
}

function deleteSslVpnClientCert({ params, state }: OpContext): Record<string, unknown> {
  const found = certIn(state, params.RegionId ?? '', params.SslVpnClientCertId ?? '');
  if (!found) throw Err.certNotFound();
  assertGatewayAcceptsChanges(found.gw);
  const { cert } = found;
  // Still described while the gateway is updating; gone when it is active again (§7.9).
  cert.deleting = true;
  // On the CRL once the gateway has applied the delete (and restarted its VPN service).
  state.beginUpdate(found.gw, () => {
    state.certs.delete(cert.id);
    found.server.revoked.push({ serial: cert.serial, at: Date.now() });
  }, true);
  return {};
}

function modifySslVpnClientCert({ params, state }: OpContext): Record<string, unknown> {
  const name = params.Name;
  // Documented optional but "cannot be empty": the sim reports it like a missing mandatory parameter.
  if (name === undefined || name === '') throw Err.missing('Name');
  checkName(name, validCertName);
  const found = certIn(state, params.RegionId ?? '', params.SslVpnClientCertId ?? '');
  if (!found) throw Err.certNotFound();
  assertGatewayAcceptsChanges(found.gw);
  found.cert.name = name; // a rename is synchronous
  return { Name: name, SslVpnClientCertId: found.cert.id };
}

function cidrParam(params: Record<string, string>, name: string): Cidr | undefined {
  const v = opt(params, name);
  if (v === undefined) return undefined;
  const c = parseCidr(v);
  if (!c) throw Err.invalidParameter(name, `${v} is not an IPv4 CIDR block`);
  return c;
}

function modifySslVpnServer({ params, state }: OpContext): Record<string, unknown> {
  // 1. Format of each given parameter.
  const name = params.Name === '' ? undefined : params.Name;
  checkName(name, validServerName);
  const pool = cidrParam(params, 'ClientIpPool');
  if (pool && (pool.prefix < 16 || pool.prefix > 29)) throw Err.poolNetmask();
  if (pool && POOL_FORBIDDEN.some((f) => overlaps(pool, f))) throw Err.poolSubnet();
  const subnetText = opt(params, 'LocalSubnet');
  let subnets: Cidr[] | undefined;
  if (subnetText !== undefined) {
    const parts = subnetText.split(',').map((s) => s.trim());
    if (parts.length > 5) throw Err.invalidParameter('LocalSubnet', 'at most 5 CIDR blocks');
    subnets = parts.map((p) => {
      const c = parseCidr(p);
      if (!c) throw Err.invalidParameter('LocalSubnet', `${p} is not an IPv4 CIDR block`);
      if (c.prefix < 8) throw Err.invalidParameter('LocalSubnet', `${p}: mask length must be 8 to 32`);
      if (SUBNET_FORBIDDEN.some((f) => overlaps(c, f))) throw Err.invalidParameter('LocalSubnet', `${p} is in a reserved range`);
      return c;
    });
  }
  const proto = opt(params, 'Proto');
  if (proto !== undefined && proto !== 'TCP' && proto !== 'UDP') throw Err.invalidParameter('Proto', 'expected TCP or UDP');
  const cipher = opt(params, 'Cipher');
  if (cipher !== undefined && !CIPHERS.has(cipher)) throw Err.invalidParameter('Cipher', 'expected AES-128-CBC, AES-192-CBC, AES-256-CBC or none');
  const portText = opt(params, 'Port');
  let port: number | undefined;
  if (portText !== undefined) {
    if (!/^-?\d+$/.test(portText)) throw Err.invalidParameter('Port', 'expected an integer');
    port = Number(portText);
    if (port < 1 || port > 65535) throw Err.portIllegal();
    if (FORBIDDEN_PORTS.has(port)) throw Err.invalidParameter('Port', `port ${port} is reserved`);
  }
  const compress = optBool(params, 'Compress');
  const mfa = optBool(params, 'EnableMultiFactorAuth');
  const dryRun = optBool(params, 'DryRun');

  // 2. The server, in this region.
  const found = serverIn(state, params.RegionId ?? '', params.SslVpnServerId ?? '');
  if (!found) throw Err.serverNotFound();
  const { server, gw } = found;

  // 3. The resulting configuration must hang together.
  const next: ServerRec = {
    ...server,
    name: name ?? server.name,
    clientIpPool: opt(params, 'ClientIpPool') ?? server.clientIpPool,
    localSubnet: subnetText ?? server.localSubnet,
    proto: proto ?? server.proto,
    cipher: cipher ?? server.cipher,
    port: port ?? server.port,
    compress: compress ?? server.compress, // omitted keeps the current value (§12 item 4)
    enableMultiFactorAuth: mfa ?? server.enableMultiFactorAuth,
    idaasInstanceId: opt(params, 'IDaaSInstanceId') ?? server.idaasInstanceId,
    idaasRegionId: opt(params, 'IDaaSRegionId') ?? server.idaasRegionId,
    idaasApplicationId: opt(params, 'IDaaSApplicationId') ?? server.idaasApplicationId,
    dnsServers: opt(params, 'DnsServers') ?? server.dnsServers,
  };
  if (next.enableMultiFactorAuth && !next.idaasInstanceId) throw Err.mfaNeedsIdaas();
  const nextPool = parseCidr(next.clientIpPool);
  const nextSubnets = subnets ?? next.localSubnet.split(',').map((s) => parseCidr(s.trim()));
  if (nextPool && nextSubnets.some((s) => s && overlaps(nextPool, s))) throw Err.ipConflict();
  // The pool needs 4 addresses per allowed connection (§7.2).
  if (pool && size(pool) < 4 * gw.sslMaxConnections) {
    throw Err.invalidParameter('ClientIpPool', `too small for ${gw.sslMaxConnections} connections (needs ${4 * gw.sslMaxConnections} addresses)`);
  }

  // 4. Gateway state, then apply.
  assertGatewayAcceptsChanges(gw);
  if (dryRun) throw Err.dryRun();
  const changed = (Object.keys(next) as (keyof ServerRec)[]).filter((k) => k !== 'name' && next[k] !== server[k]);
  if (changed.length === 0) {
    server.name = next.name; // name-only (or nothing): synchronous
  } else {
    // Settings only: the CA and CRL may have been made meanwhile and stay.
    const { ca: _ca, revoked: _revoked, ...settings } = next;
    state.beginUpdate(gw, () => Object.assign(server, settings), true);
  }
  return serverJson(next, gw);
}

export const vpcOperations: Operation[] = [
  vpcOp('DescribeVpnGateway', ['VpnGatewayId'], false, describeVpnGateway),
  vpcOp('DescribeSslVpnServers', [], false, describeSslVpnServers),
  vpcOp('CreateSslVpnClientCert', ['SslVpnServerId'], true, createSslVpnClientCert),
  vpcOp('DescribeSslVpnClientCert', ['SslVpnClientCertId'], false, describeSslVpnClientCert),
  vpcOp('DescribeSslVpnClientCerts', [], false, describeSslVpnClientCerts),
  vpcOp('DeleteSslVpnClientCert', ['SslVpnClientCertId'], true, deleteSslVpnClientCert),
  vpcOp('ModifySslVpnServer', ['SslVpnServerId'], true, modifySslVpnServer),
  vpcOp('ModifySslVpnClientCert', ['SslVpnClientCertId'], true, modifySslVpnClientCert),
];

