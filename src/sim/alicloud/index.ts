// Alibaba Cloud API simulator (VPC 2016-04-28 SSL-VPN + CAS 2020-06-30 client certificates) that the
// real @alicloud/pop-core RPCClient cannot tell from the service. Spec: shared/reference/alicloud-api.md.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONTROL_PREFIX, SimControl } from './control.js';
import { FaultQueue } from './faults.js';
import { findOpenVpn, OpenVpnFleet } from './openvpn.js';
import { UPDATE_JITTER, UPDATE_MS, validateSimSeed } from './seed.js';
import { SimHttp } from './server.js';
import { certStatus, SimState } from './state.js';
import type { AlibabaSim, AlibabaSimOptions, SimCall, SimOpenVpn, SimSeed } from './types.js';

export type { AlibabaSim, AlibabaSimOptions, SimCall, SimClientCert, SimFault, SimOpenVpn, SimOpenVpnServer, SimSeed } from './types.js';
export { parseSimSeed, UPDATE_JITTER, UPDATE_MS } from './seed.js';
export type { StsCredentials } from './sts.js';

/** A timing setting, or an Error naming it and saying what is allowed (NaN from a bad CLI/env value included). */
function checked(name: string, value: number, schema: typeof UPDATE_MS): number {
  const r = schema.safeParse(value);
  if (!r.success) throw new Error(`Alibaba sim: ${name} ${value} is not allowed: ${r.error.issues[0]?.message ?? 'invalid'}`);
  return r.data;
}

export async function startAlibabaSim(options: AlibabaSimOptions): Promise<AlibabaSim> {
  let seed: SimSeed = validateSimSeed(options.seed);
  const state = new SimState(
    seed,
    checked('updateMs', options.updateMs ?? seed.updateMs ?? 2000, UPDATE_MS),
    checked('updateJitter', options.updateJitter ?? seed.updateJitter ?? 0, UPDATE_JITTER),
    options.clockSkewToleranceMs ?? 15 * 60 * 1000,
    options.casRatePerSecond ?? 10,
  );
  const faults = new FaultQueue();
  const calls: SimCall[] = [];
  const http = new SimHttp(state, faults, calls);
  const openvpnBinary = options.openvpn ? findOpenVpn() : undefined;
  const fleet = openvpnBinary ? new OpenVpnFleet(openvpnBinary, state) : undefined;
  const openVpn = async (): Promise<SimOpenVpn> =>
    fleet
      ? { enabled: true, servers: await fleet.status() }
      : { enabled: false, ...(options.openvpn ? { reason: 'openvpn is not installed (apt-get install openvpn): no VPN servers run, the API works as without them' } : {}), servers: [] };
  if (fleet) {
    state.onReload = (gw) => fleet.reload(gw.id);
    state.liveConnections = (id) => fleet.clients(id);
    await fleet.sync();
  }
  const control = new SimControl(state, faults, openVpn);
  const server = createServer({ keepAlive: true }, (req, res) => {
    if (!req.url?.startsWith(CONTROL_PREFIX)) return http.listener(req, res);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => control.handle(req, res, Buffer.concat(chunks).toString('utf8')));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    callsOf: (action) => calls.filter((c) => c.action === action),
    inject: (fault) => faults.inject(fault),
    clearFaults: () => faults.clear(),
    setUpdateMs: (ms) => {
      state.updateMs = checked('updateMs', ms, UPDATE_MS);
    },
    setUpdateJitter: (fraction) => {
      state.updateJitter = checked('updateJitter', fraction, UPDATE_JITTER);
    },
    gatewayStatus: (id) => state.gateway(id).status,
    setGatewayStatus: (id, status, businessStatus) => state.setGatewayStatus(id, status, businessStatus),
    clientCerts: (sslVpnServerId) =>
      [...state.certs.values()]
        .filter((c) => !sslVpnServerId || c.serverId === sslVpnServerId)
        .map((c) => ({ sslVpnClientCertId: c.id, sslVpnServerId: c.serverId, name: c.name, status: certStatus(c), createTime: c.createTime })),
    casCertificate: (identifier) => {
      const c = state.cas.get(identifier);
      return c && { identifier: c.identifier, status: c.status };
    },
    configuringRejections: () => state.configuringRejections,
    openVpn,
    issueStsCredentials: (ttlMs) => state.sts.issue(ttlMs, (id, secret) => state.accessKeys.set(id, { secret, disabled: false })),
    expireSecurityToken: (token) => state.sts.expire(token),
    settle: () => state.settle(),
    reset: (newSeed) => {
      if (newSeed) seed = validateSimSeed(newSeed);
      http.cancelInflight();
      faults.clear();
      calls.length = 0;
      state.load(seed);
      void fleet?.sync();
    },
    close: async () => {
      await fleet?.close();
      http.cancelInflight();
      state.dispose();
      state.releaseWaiters();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
