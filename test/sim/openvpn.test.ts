// The simulator's real OpenVPN gateway, proven with a real OpenVPN client (--dev null, no root, loopback
// only, every wait bounded): a profile built from DescribeSslVpnClientCert's ClientConfig, CaCert,
// ClientCert and ClientKey connects; deleting one certificate restarts the gateway when it is active
// again, which drops every client; the other person's client reconnects with its still-valid profile,
// the deleted one is refused.
/* eslint-disable @typescript-eslint/no-explicit-any -- pop-core returns untyped JSON */
import RPCClient from '@alicloud/pop-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlibabaSim, type AlibabaSim } from '../../src/sim/alicloud/index.js';
import { ONE_TRY, OPENVPN, skipNotice, VpnClients } from '../helpers/openvpn.js';
import { freePort } from '../helpers/process.js';

skipNotice('openvpn.test.ts');

const KEY = { id: 'LTAI5tOpenVpnKey00000001', secret: 'openvpn-secret' };
const REGION = 'cn-hangzhou';
const GW = 'vpn-bp1ovpn000000000000001';
const SRV = 'vss-bp1ovpn000000000000001';
const eventually = <T>(read: () => Promise<T> | T, timeout = 30_000) => expect.poll(read, { timeout, interval: 200 });

describe.skipIf(!OPENVPN)('a real OpenVPN gateway behind the simulator', () => {
  let sim: AlibabaSim;
  let vpc: RPCClient;
  const clients = new VpnClients();
  const call = (action: string, params: Record<string, unknown>): Promise<any> => vpc.request<any>(action, { RegionId: REGION, ...params }, { method: 'POST' });
  const server = async () => (await sim.openVpn()).servers[0]!;

  /** Creates a certificate and writes the profile files exactly as ClientConfig names them. */
  async function profileFor(name: string): Promise<{ id: string; dir: string }> {
    await sim.settle();
    const { SslVpnClientCertId: id } = await call('CreateSslVpnClientCert', { SslVpnServerId: SRV, Name: name });
    await sim.settle();
    const cert = await call('DescribeSslVpnClientCert', { SslVpnClientCertId: id });
    const dir = clients.dir({ 'profile.ovpn': cert.ClientConfig, 'ca.crt': cert.CaCert, [`${id}.crt`]: cert.ClientCert, [`${id}.key`]: cert.ClientKey });
    expect(cert.ClientConfig).toContain(`\nremote 127.0.0.1 ${(await server()).port}\n`);
    return { id, dir };
  }

  const connect = (dir: string, extra: string[] = []) => clients.connect(dir, extra);

  beforeAll(async () => {
    sim = await startAlibabaSim({
      openvpn: true,
      updateMs: 300,
      seed: {
        accessKeys: [KEY],
        gateways: [{
          vpnGatewayId: GW, regionId: REGION, internetIp: '127.0.0.1', sslMaxConnections: 5,
          sslVpnServer: { sslVpnServerId: SRV, clientIpPool: '10.77.0.0/24', localSubnet: '172.16.0.0/16', proto: 'UDP', cipher: 'AES-128-CBC', port: await freePort() },
        }],
      },
    });
    vpc = new RPCClient({ endpoint: sim.url, apiVersion: '2016-04-28', accessKeyId: KEY.id, accessKeySecret: KEY.secret });
  }, 60_000);

  afterAll(async () => {
    await clients.close();
    await sim?.close();
  });

  it('connects with an issued profile; after a delete every client is dropped, the other reconnects, the deleted one is refused', async () => {
    await eventually(async () => (await server()).state).toBe('running');
    const first = await server();
    if (first.mode === 'p2p') console.warn('openvpn.test.ts: no usable /dev/net/tun, the gateway runs point-to-point (one client at a time)');
    const alice = await profileFor('alice');
    const bob = await profileFor('bob');

    const aliceClient = connect(alice.dir);
    await eventually(() => aliceClient.connected).toBe(1);
    expect((await server()).clients).toBe(1);
    const bobClient = first.mode === 'server' ? connect(bob.dir) : undefined;
    if (bobClient) {
      await eventually(() => bobClient.connected).toBe(1);
      expect((await server()).clients).toBe(2);
    }
    // DescribeSslVpnServers' Connections is what the gateway has (so /vpn admin status shows it).
    const described = await call('DescribeSslVpnServers', { SslVpnServerId: SRV });
    expect(described.SslVpnServers.SslVpnServer[0].Connections).toBe(bobClient ? 2 : 1);

    // Delete alice's certificate: when the gateway is active again it reloads its CRL by restarting.
    await call('DeleteSslVpnClientCert', { SslVpnClientCertId: alice.id });
    await sim.settle();
    await eventually(async () => (await server()).starts).toBe(first.starts + 1);
    await eventually(async () => (await server()).state).toBe('running');
    if (bobClient) {
      // Bob was dropped too, and is back with his own, still valid profile.
      await eventually(() => bobClient.connected).toBe(2);
    }
    // Alice's client retries and is refused: the server says why, the client never completes again.
    await eventually(async () => (await server()).refused).toBeGreaterThan(first.refused);
    expect(aliceClient.connected).toBe(1);
    await aliceClient.stop();

    // A fresh start with the deleted certificate's profile gets no further (bounded: it exits on the TLS failure).
    if (bobClient) await bobClient.stop();
    const refusedBefore = (await server()).refused;
    const again = connect(alice.dir, ONE_TRY);
    await eventually(async () => (await server()).refused).toBeGreaterThan(refusedBefore);
    await again.stop();
    expect(again.connected).toBe(0);
    // Bob said goodbye on stopping (explicit-exit-notify): nobody is connected.
    await eventually(async () => (await server()).clients).toBe(0);
  }, 120_000);
});
