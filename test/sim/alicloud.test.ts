// The Alibaba Cloud simulator seen through the real, unmodified @alicloud/pop-core RPCClient:
// operation shapes, the gateway state machine, ClientToken idempotency, quotas, validation, fault
// injection and the CAS operations.
/* eslint-disable @typescript-eslint/no-explicit-any -- pop-core returns untyped JSON; tests poke at it freely */
import RPCClient from '@alicloud/pop-core';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startAlibabaSim } from '../../src/sim/alicloud/index.js';
import type { AlibabaSim, SimSeed } from '../../src/sim/alicloud/index.js';

const KEY = { id: 'LTAI5tTestKey000000000001', secret: 'test-secret-0001' };
const REGION = 'cn-hangzhou';
const GW1 = 'vpn-bp1gw0000000000000000a';
const GW2 = 'vpn-bp1gw0000000000000000b';
const GW_LOCKED = 'vpn-gw8gw0000000000000000c';
const SRV1 = 'vss-bp1srv000000000000000a';
const SRV2 = 'vss-bp1srv000000000000000b';
const SRV_LOCKED = 'vss-gw8srv000000000000000c';
const CAS_A = 'a'.repeat(32);
const CAS_B = 'b'.repeat(32);
const CAS_C = 'c'.repeat(32);
const UPDATE_MS = 150;
const UUID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;

const SEED: SimSeed = {
  accessKeys: [KEY, { id: 'LTAI5tOtherKey00000000002', secret: 'other-secret' }],
  gateways: [
    {
      vpnGatewayId: GW1,
      regionId: REGION,
      name: 'hangzhou-1',
      internetIp: '47.98.1.2',
      sslMaxConnections: 5,
      sslVpnServer: { sslVpnServerId: SRV1, name: 'srv-1', clientIpPool: '10.30.30.0/24', localSubnet: '10.20.20.0/24', proto: 'UDP', port: 1194 },
    },
    {
      vpnGatewayId: GW2,
      regionId: REGION,
      internetIp: '47.98.3.4',
      sslVpnServer: { sslVpnServerId: SRV2, proto: 'TCP', port: 1195, cipher: 'AES-256-CBC', compress: true },
    },
    { vpnGatewayId: GW_LOCKED, regionId: 'eu-central-1', businessStatus: 'FinancialLocked', sslVpnServer: { sslVpnServerId: SRV_LOCKED } },
  ],
  casCertificates: [
    { identifier: CAS_A, commonName: 'alice@example.com', serialNumber: '0123456789abcdef0123456789abcdef0123' },
    { identifier: CAS_B, commonName: 'bob@example.com', status: 'REVOKE' },
    { identifier: CAS_C, commonName: 'carol.example.com', certificateType: 'SERVER' },
  ],
  clientCertQuota: 3,
};

let sim: AlibabaSim;
let vpc: RPCClient;
let cas: RPCClient;
const POST = { method: 'POST' };

function client(apiVersion: string, secret = KEY.secret, extra: Partial<RPCClient.Config> = {}): RPCClient {
  return new RPCClient({ endpoint: sim.url, apiVersion, accessKeyId: KEY.id, accessKeySecret: secret, ...extra });
}

const call = (action: string, params: Record<string, unknown> = {}, opts: object = POST): Promise<any> =>
  vpc.request<any>(action, { RegionId: REGION, ...params }, opts);

/** Awaits a pop-core rejection and checks it is the given Alibaba error. */
async function expectError(promise: Promise<unknown>, code: string, status: number): Promise<any> {
  const err: any = await promise.then(
    () => {
      throw new Error(`expected ${code}, got success`);
    },
    (e: unknown) => e,
  );
  expect(err.code, String(err?.message)).toBe(code);
  expect(err.name).toBe(`${code}Error`);
  expect(err.entry.response.statusCode).toBe(status);
  expect(err.data.RequestId).toMatch(UUID);
  expect(err.data.Code).toBe(code);
  return err;
}

function expectSuccessBody(body: any): void {
  expect(body.RequestId).toMatch(UUID);
  expect(body).not.toHaveProperty('Code');
}

async function createCert(name: string, extra: Record<string, unknown> = {}, server = SRV1): Promise<string> {
  const res = await call('CreateSslVpnClientCert', { SslVpnServerId: server, Name: name, ...extra });
  return res.SslVpnClientCertId as string;
}

/** Polls DescribeVpnGateway (as the bot would) until it reports the status. */
async function waitForGateway(gw: string, status: string, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await call('DescribeVpnGateway', { VpnGatewayId: gw });
    if (res.Status === status) return;
    if (Date.now() > deadline) throw new Error(`gateway ${gw} still ${res.Status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  sim = await startAlibabaSim({ seed: SEED, updateMs: UPDATE_MS });
  vpc = client('2016-04-28');
  cas = client('2020-06-30');
});

afterAll(async () => {
  await sim.close();
});

beforeEach(() => {
  sim.setUpdateMs(UPDATE_MS);
  sim.reset();
});

describe('VPC read operations', () => {
  it('DescribeVpnGateway returns the gateway with typed fields', async () => {
    const res = await call('DescribeVpnGateway', { VpnGatewayId: GW1 });
    expectSuccessBody(res);
    expect(res).toMatchObject({
      VpnGatewayId: GW1,
      Name: 'hangzhou-1',
      InternetIp: '47.98.1.2',
      Status: 'active',
      BusinessStatus: 'Normal',
      SslVpn: 'enable',
      SslMaxConnections: 5,
      Tags: { Tag: [] },
      EniInstanceIds: { EniInstanceId: [] },
    });
    expect(typeof res.CreateTime).toBe('number');
    expect(typeof res.Tag).toBe('string');
    expect(JSON.parse(res.Tag)).toHaveProperty('VpnVersion');
    expect(res.Spec).toMatch(/^\d+M$/);
  });

  it('DescribeVpnGateway: unknown id or other region is 404 InvalidVpnGatewayInstanceId.NotFound', async () => {
    await expectError(call('DescribeVpnGateway', { VpnGatewayId: 'vpn-nope' }), 'InvalidVpnGatewayInstanceId.NotFound', 404);
    await expectError(call('DescribeVpnGateway', { VpnGatewayId: GW1, RegionId: 'cn-shanghai' }), 'InvalidVpnGatewayInstanceId.NotFound', 404);
  });

  it('DescribeSslVpnServers wraps items, filters and pages', async () => {
    const all = await call('DescribeSslVpnServers');
    expectSuccessBody(all);
    expect(all).toMatchObject({ TotalCount: 2, PageNumber: 1, PageSize: 10 });
    expect(all.SslVpnServers.SslVpnServer.map((s: any) => s.SslVpnServerId).sort()).toEqual([SRV1, SRV2].sort());

    const one = await call('DescribeSslVpnServers', { VpnGatewayId: GW1 });
    expect(one.SslVpnServers.SslVpnServer).toHaveLength(1);
    expect(one.SslVpnServers.SslVpnServer[0]).toMatchObject({
      SslVpnServerId: SRV1,
      VpnGatewayId: GW1,
      RegionId: REGION,
      Name: 'srv-1',
      ClientIpPool: '10.30.30.0/24',
      LocalSubnet: '10.20.20.0/24',
      InternetIp: '47.98.1.2',
      Proto: 'UDP',
      Cipher: 'AES-128-CBC',
      Port: 1194,
      Compress: false,
      Connections: 0,
      MaxConnections: 5,
      EnableMultiFactorAuth: false,
    });

    const page2 = await call('DescribeSslVpnServers', { PageSize: 1, PageNumber: 2 });
    expect(page2).toMatchObject({ TotalCount: 2, PageNumber: 2, PageSize: 1 });
    expect(page2.SslVpnServers.SslVpnServer).toHaveLength(1);
    expect(page2.SslVpnServers.SslVpnServer[0].SslVpnServerId).not.toBe(all.SslVpnServers.SslVpnServer[0].SslVpnServerId);

    const none = await call('DescribeSslVpnServers', { SslVpnServerId: 'vss-unknown' });
    expect(none).toMatchObject({ TotalCount: 0, SslVpnServers: { SslVpnServer: [] } });
    const eu = await call('DescribeSslVpnServers', { RegionId: 'eu-central-1' });
    expect(eu.SslVpnServers.SslVpnServer.map((s: any) => s.SslVpnServerId)).toEqual([SRV_LOCKED]);

    await expectError(call('DescribeSslVpnServers', { PageSize: 51 }), 'InvalidParameter', 400);
  });
});

describe('client certificates', () => {
  it('CreateSslVpnClientCert returns an id and name; DescribeSslVpnClientCert returns secrets and a profile', async () => {
    const created = await call('CreateSslVpnClientCert', { SslVpnServerId: SRV2, Name: 'alice' });
    expectSuccessBody(created);
    expect(created.SslVpnClientCertId).toMatch(/^vsc-[a-z0-9]{21}$/);
    expect(created.Name).toBe('alice');

    const id = created.SslVpnClientCertId;
    const res = await call('DescribeSslVpnClientCert', { SslVpnClientCertId: id });
    expectSuccessBody(res);
    expect(res).toMatchObject({ SslVpnClientCertId: id, SslVpnServerId: SRV2, Name: 'alice', RegionId: REGION, Status: 'normal' });
    expect(res.EndTime - res.CreateTime).toBeGreaterThanOrEqual(3 * 365 * 24 * 3600 * 1000);
    expect(res.CaCert).toMatch(/^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----$/);
    expect(res.ClientCert).toMatch(/^-----BEGIN CERTIFICATE-----\n[A-Za-z0-9+/=\n]+-----END CERTIFICATE-----$/);
    expect(res.ClientKey).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n[A-Za-z0-9+/=\n]+-----END RSA PRIVATE KEY-----$/);
    expect(res.ClientConfig.split('\n')).toEqual([
      'client',
      'dev tun',
      'proto tcp',
      'remote 47.98.3.4 1195',
      'resolv-retry infinite',
      'nobind',
      'persist-key',
      'persist-tun',
      'ca ca.crt',
      `cert ${id}.crt`,
      `key ${id}.key`,
      'cipher AES-256-CBC',
      'comp-lzo',
      'verb 4',
    ]);
  });

  it('certificates are real X.509: the server’s own CA signs an RSA client certificate (PKCS#1 key, clientAuth) valid until EndTime', async () => {
    const id = await createCert('alice', {}, SRV2);
    const res = await call('DescribeSslVpnClientCert', { SslVpnClientCertId: id });
    const ca = new X509Certificate(res.CaCert);
    const cert = new X509Certificate(res.ClientCert);
    const key = createPrivateKey(res.ClientKey);
    expect(ca.ca).toBe(true);
    expect(cert.ca).toBe(false);
    expect(cert.checkIssued(ca)).toBe(true);
    expect(cert.verify(ca.publicKey)).toBe(true);
    expect(cert.checkPrivateKey(key)).toBe(true);
    expect(key.asymmetricKeyType).toBe('rsa');
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(cert.keyUsage).toEqual(['1.3.6.1.5.5.7.3.2']); // extended key usage: clientAuth only
    expect(cert.subject).toBe(`CN=${id}`);
    expect(Math.abs(new Date(cert.validTo).getTime() - res.EndTime)).toBeLessThan(1000);
    expect(new Date(cert.validFrom).getTime()).toBeLessThanOrEqual(res.CreateTime);
    // The same material on every read.
    const again = await call('DescribeSslVpnClientCert', { SslVpnClientCertId: id });
    expect([again.CaCert, again.ClientCert, again.ClientKey]).toEqual([res.CaCert, res.ClientCert, res.ClientKey]);
    // Another server has another CA, which did not issue this certificate; two certificates never share a serial.
    await sim.settle();
    const other = await call('DescribeSslVpnClientCert', { SslVpnClientCertId: await createCert('bob', {}, SRV1) });
    expect(other.CaCert).not.toBe(res.CaCert);
    expect(cert.checkIssued(new X509Certificate(other.CaCert))).toBe(false);
    expect(new X509Certificate(other.ClientCert).serialNumber).not.toBe(cert.serialNumber);
  });

  it('the UDP, uncompressed server gives proto udp and a commented comp-lzo', async () => {
    const id = await createCert('bob');
    const res = await call('DescribeSslVpnClientCert', { SslVpnClientCertId: id });
    expect(res.ClientConfig).toContain('\nproto udp\nremote 47.98.1.2 1194\n');
    expect(res.ClientConfig).toContain('\ncipher AES-128-CBC\n;comp-lzo\nverb 4');
  });

  it('DescribeSslVpnClientCerts (over GET) lists without secrets, filters and pages', async () => {
    const a = await createCert('alice', {}, SRV1);
    const b = await createCert('bob', {}, SRV2);
    const res = await call('DescribeSslVpnClientCerts', {}, {}); // pop-core's default: GET
    expect(sim.calls.at(-1)).toMatchObject({ action: 'DescribeSslVpnClientCerts', method: 'GET', status: 200 });
    expectSuccessBody(res);
    expect(res).toMatchObject({ TotalCount: 2, PageNumber: 1, PageSize: 10 });
    const items = res.SslVpnClientCertKeys.SslVpnClientCertKey;
    expect(items.map((i: any) => i.SslVpnClientCertId).sort()).toEqual([a, b].sort());
    for (const item of items) {
      expect(Object.keys(item).sort()).toEqual(['CreateTime', 'EndTime', 'Name', 'RegionId', 'ResourceGroupId', 'SslVpnClientCertId', 'SslVpnServerId', 'Status']);
    }
    const onlyB = await call('DescribeSslVpnClientCerts', { SslVpnServerId: SRV2 });
    expect(onlyB.SslVpnClientCertKeys.SslVpnClientCertKey.map((i: any) => i.Name)).toEqual(['bob']);
    const byName = await call('DescribeSslVpnClientCerts', { Name: 'alice' });
    expect(byName.SslVpnClientCertKeys.SslVpnClientCertKey.map((i: any) => i.SslVpnClientCertId)).toEqual([a]);
    const p2 = await call('DescribeSslVpnClientCerts', { PageSize: 1, PageNumber: 2 });
    expect(p2).toMatchObject({ TotalCount: 2, PageSize: 1, PageNumber: 2 });
    expect(p2.SslVpnClientCertKeys.SslVpnClientCertKey).toHaveLength(1);
    const empty = await call('DescribeSslVpnClientCerts', { PageNumber: 3, PageSize: 1 });
    expect(empty.SslVpnClientCertKeys.SslVpnClientCertKey).toEqual([]);
    await expectError(call('DescribeSslVpnClientCerts', { PageSize: 0 }), 'InvalidParameter', 400);
    await expectError(call('DescribeSslVpnClientCerts', { PageSize: 51 }), 'InvalidParameter', 400);
  });

  it('uses each operation’s own not-found code', async () => {
    await expectError(call('DescribeSslVpnClientCert', { SslVpnClientCertId: 'vsc-missing' }), 'InvalidInstanceId.NotFound', 400);
    await expectError(call('DeleteSslVpnClientCert', { SslVpnClientCertId: 'vsc-missing' }), 'InvalidSslVpnClientCertId.NotFound', 404);
    await expectError(call('ModifySslVpnClientCert', { SslVpnClientCertId: 'vsc-missing', Name: 'xy' }), 'InvalidSslVpnClientCertId.NotFound', 404);
    await expectError(call('CreateSslVpnClientCert', { SslVpnServerId: 'vss-missing', Name: 'xy' }), 'InvalidSslVpnServerId.NotFound', 404);
    await expectError(call('ModifySslVpnServer', { SslVpnServerId: 'vss-missing', Name: 'x' }), 'InvalidSslVpnServerId.NotFound', 404);
    // A certificate is only found in its own region.
    const id = await createCert('alice');
    await expectError(call('DescribeSslVpnClientCert', { SslVpnClientCertId: id, RegionId: 'cn-shanghai' }), 'InvalidInstanceId.NotFound', 400);
  });

  it('certificate names: refused when either version of the CreateSslVpnClientCert page refuses them', async () => {
    sim.setUpdateMs(5);
    // Current page: 1–100 characters, not http(s)://. Older page: 2–128, a letter first, then digits, letters, . _ -.
    const ok = ['ab', 'Z9', 'alice-r1abc.def_g', `a${'x'.repeat(99)}`];
    for (const name of ok) {
      await sim.settle();
      const res = await call('CreateSslVpnClientCert', { SslVpnServerId: SRV1, Name: name }, { method: 'POST' });
      expect(res.Name).toBe(name);
      await sim.settle();
      await call('DeleteSslVpnClientCert', { SslVpnClientCertId: res.SslVpnClientCertId });
    }
    await sim.settle();
    const refused = [
      'a', // 1 character: older page wants 2
      `a${'x'.repeat(100)}`, // 101: current page allows 100
      'x'.repeat(129),
      '9starts-with-digit',
      '-starts-with-hyphen',
      '证书-张三',
      'has space',
      'semi;colon',
      'http://evil',
      'https://evil',
      'HTTP://evil',
    ];
    for (const name of refused) {
      await expectError(call('CreateSslVpnClientCert', { SslVpnServerId: SRV1, Name: name }), 'InvalidName', 400);
    }
    expect(sim.clientCerts()).toEqual([]);
    expect(sim.gatewayStatus(GW1)).toBe('active');
  });

  it('SSL server names follow the ModifySslVpnServer page: 1–100 characters, not http(s)://', async () => {
    for (const name of ['s', 'has space 服务器', 'x'.repeat(100)]) {
      expect((await call('ModifySslVpnServer', { SslVpnServerId: SRV1, Name: name })).Name).toBe(name);
    }
    for (const name of ['x'.repeat(101), 'https://x', 'http://x']) {
      await expectError(call('ModifySslVpnServer', { SslVpnServerId: SRV1, Name: name }), 'InvalidName', 400);
    }
    expect(sim.gatewayStatus(GW1)).toBe('active');
  });

  it('ModifySslVpnClientCert renames synchronously and validates the name', async () => {
    const id = await createCert('old');
    await sim.settle();
    const res = await call('ModifySslVpnClientCert', { SslVpnClientCertId: id, Name: 'new-name' });
    expectSuccessBody(res);
    expect(res).toMatchObject({ SslVpnClientCertId: id, Name: 'new-name' });
    expect(sim.gatewayStatus(GW1)).toBe('active');
    expect((await call('DescribeSslVpnClientCert', { SslVpnClientCertId: id })).Name).toBe('new-name');
    const missing = await expectError(call('ModifySslVpnClientCert', { SslVpnClientCertId: id }), 'MissingName', 400);
    expect(missing.data.Message).toBe('Name is mandatory for this action.');
    await expectError(call('ModifySslVpnClientCert', { SslVpnClientCertId: id, Name: 'https://x' }), 'InvalidName', 400);
  });

  it('Resource.QuotaFull once the account holds clientCertQuota certificates', async () => {
    sim.setUpdateMs(5);
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      await sim.settle();
      ids.push(await createCert(`c${i}`, {}, i % 2 ? SRV2 : SRV1));
    }
    await sim.settle();
    const err = await expectError(call('CreateSslVpnClientCert', { SslVpnServerId: SRV1, Name: 'four' }), 'Resource.QuotaFull', 400);
    expect(err.data.Message).toBe('The quota of resource is full');
    expect(sim.clientCerts()).toHaveLength(3);
    await call('DeleteSslVpnClientCert', { SslVpnClientCertId: ids[0] });
    await sim.settle();
    await expect(createCert('four')).resolves.toMatch(/^vsc-/);
  });

  it('VpnGateway.FinancialLocked for changes on a locked gateway; reads still work', async () => {
    const err = await expectError(call('CreateSslVpnClientCert', { RegionId: 'eu-central-1', SslVpnServerId: SRV_LOCKED, Name: 'xy' }), 'VpnGateway.FinancialLocked', 400);
    expect(err.data.Message).toBe('The specified service is financial locked.');
    const gw = await call('DescribeVpnGateway', { RegionId: 'eu-central-1', VpnGatewayId: GW_LOCKED });
    expect(gw.BusinessStatus).toBe('FinancialLocked');
    sim.setGatewayStatus(GW_LOCKED, 'active', 'Normal');
    await expect(createCert('xy', { RegionId: 'eu-central-1' }, SRV_LOCKED)).resolves.toMatch(/^vsc-gw8/);
  });
});

describe('gateway state machine', () => {
  it('create puts the gateway into updating for updateMs; other changes meanwhile get VpnGateway.Configuring', async () => {
    // Long enough that the calls below (the first describe signs the certificate) land inside the update even on a loaded machine.
    sim.setUpdateMs(3000);
    const id = await createCert('alice');
    expect((await call('DescribeVpnGateway', { VpnGatewayId: GW1 })).Status).toBe('updating');
    // The new certificate is readable at once, with Status normal.
    expect((await call('DescribeSslVpnClientCert', { SslVpnClientCertId: id })).Status).toBe('normal');

    const err = await expectError(call('CreateSslVpnClientCert', { SslVpnServerId: SRV1, Name: 'bob' }), 'VpnGateway.Configuring', 400);
    expect(err.data.Message).toBe('The specified service is configuring.');
    await expectError(call('DeleteSslVpnClientCert', { SslVpnClientCertId: id }), 'VpnGateway.Configuring', 400);
    await expectError(call('ModifySslVpnServer', { SslVpnServerId: SRV1, Port: 1200 }), 'VpnGateway.Configuring', 400);
    await expectError(call('ModifySslVpnClientCert', { SslVpnClientCertId: id, Name: 'xy' }), 'VpnGateway.Configuring', 400);
    expect(sim.configuringRejections()).toBe(4);
    // Another gateway is independent.
    await expect(createCert('carol', {}, SRV2)).resolves.toMatch(/^vsc-/);

    await waitForGateway(GW1, 'active', 10_000);
    expect(sim.clientCerts(SRV1).map((c) => c.name)).toEqual(['alice']);
    await expect(createCert('bob')).resolves.toMatch(/^vsc-/);
  });

  it('delete is asynchronous: the certificate is described while updating and gone once active', async () => {
    const id = await createCert('alice');
    await sim.settle();
    const res = await call('DeleteSslVpnClientCert', { SslVpnClientCertId: id });
    expectSuccessBody(res);
    expect(Object.keys(res)).toEqual(['RequestId']);
    expect(sim.gatewayStatus(GW1)).toBe('updating');
    expect((await call('DescribeSslVpnClientCert', { SslVpnClientCertId: id })).SslVpnClientCertId).toBe(id);
    await waitForGateway(GW1, 'active');
    await expectError(call('DescribeSslVpnClientCert', { SslVpnClientCertId: id }), 'InvalidInstanceId.NotFound', 400);
    const list = await call('DescribeSslVpnClientCerts', { SslVpnServerId: SRV1 });
    expect(list.TotalCount).toBe(0);
    expect(sim.clientCerts()).toEqual([]);
  });

  it('a name-only ModifySslVpnServer is synchronous and returns the full server', async () => {
    const res = await call('ModifySslVpnServer', { SslVpnServerId: SRV1, Name: 'renamed', ClientIpPool: '10.30.30.0/24', LocalSubnet: '10.20.20.0/24' });
    expectSuccessBody(res);
    expect(res).toMatchObject({
      SslVpnServerId: SRV1,
      VpnGatewayId: GW1,
      RegionId: REGION,
      Name: 'renamed',
      ClientIpPool: '10.30.30.0/24',
      LocalSubnet: '10.20.20.0/24',
      Proto: 'UDP',
      Cipher: 'AES-128-CBC',
      Port: 1194,
      Compress: false,
      Connections: 0,
      MaxConnections: 5,
      InternetIp: '47.98.1.2',
      EnableMultiFactorAuth: false,
    });
    expect(typeof res.CreateTime).toBe('number');
    expect(typeof res.ResourceGroupId).toBe('string');
    expect(sim.gatewayStatus(GW1)).toBe('active');
    const listed = await call('DescribeSslVpnServers', { SslVpnServerId: SRV1 });
    expect(listed.SslVpnServers.SslVpnServer[0].Name).toBe('renamed');
  });

  it('any other ModifySslVpnServer change is asynchronous and lands when the gateway is active again', async () => {
    const res = await call('ModifySslVpnServer', { SslVpnServerId: SRV1, Port: 1300, Proto: 'TCP', Compress: true, Cipher: 'AES-192-CBC' });
    expect(res).toMatchObject({ Port: 1300, Proto: 'TCP', Compress: true, Cipher: 'AES-192-CBC' });
    expect(sim.gatewayStatus(GW1)).toBe('updating');
    await waitForGateway(GW1, 'active');
    const server = (await call('DescribeSslVpnServers', { SslVpnServerId: SRV1 })).SslVpnServers.SslVpnServer[0];
    expect(server).toMatchObject({ Port: 1300, Proto: 'TCP', Compress: true, Cipher: 'AES-192-CBC' });
    const id = await createCert('after-modify');
    const cert = await call('DescribeSslVpnClientCert', { SslVpnClientCertId: id });
    expect(cert.ClientConfig).toContain('\nproto tcp\nremote 47.98.1.2 1300\n');
    expect(cert.ClientConfig).toContain('\ncipher AES-192-CBC\ncomp-lzo\n');
  });

  it('ModifySslVpnServer validates ports, protocol, cipher, pool, subnet and MFA without changing anything', async () => {
    const bad: [Record<string, unknown>, string][] = [
      [{ Port: 443 }, 'InvalidParameter'],
      [{ Port: 22 }, 'InvalidParameter'],
      [{ Port: 70000 }, 'SslVpnServerPort.Illegal'],
      [{ Port: 0 }, 'SslVpnServerPort.Illegal'],
      [{ Port: 'abc' }, 'InvalidParameter'],
      [{ Proto: 'ICMP' }, 'InvalidParameter'],
      [{ Cipher: 'AES-512-CBC' }, 'InvalidParameter'],
      [{ Compress: 'maybe' }, 'InvalidParameter'],
      [{ ClientIpPool: '10.30.30.0/30' }, 'ClientIpPool.NetmaskInvalid'],
      [{ ClientIpPool: '10.0.0.0/15' }, 'ClientIpPool.NetmaskInvalid'],
      [{ ClientIpPool: 'not-a-cidr' }, 'InvalidParameter'],
      [{ ClientIpPool: '100.64.0.0/24' }, 'ClientIpPool.SubnetInvalid'],
      [{ ClientIpPool: '10.30.30.0/28' }, 'InvalidParameter'], // 16 addresses < 4 x 5 connections
      [{ ClientIpPool: '10.20.0.0/16' }, 'IpConflict'], // contains LocalSubnet 10.20.20.0/24
      [{ LocalSubnet: '10.30.30.128/25' }, 'IpConflict'], // inside ClientIpPool
      [{ LocalSubnet: '127.0.0.0/8' }, 'InvalidParameter'],
      [{ LocalSubnet: '1.0.0.0/24,2.0.0.0/24,3.0.0.0/24,4.0.0.0/24,5.0.0.0/24,6.0.0.0/24' }, 'InvalidParameter'],
      [{ EnableMultiFactorAuth: true }, 'MissingParameter.IDaaSInstanceId'],
      [{ Name: 'https://x' }, 'InvalidName'],
    ];
    for (const [params, code] of bad) {
      await expectError(call('ModifySslVpnServer', { SslVpnServerId: SRV1, ...params }), code, 400);
    }
    expect(sim.gatewayStatus(GW1)).toBe('active');
    const server = (await call('DescribeSslVpnServers', { SslVpnServerId: SRV1 })).SslVpnServers.SslVpnServer[0];
    expect(server).toMatchObject({ Port: 1194, Proto: 'UDP', ClientIpPool: '10.30.30.0/24', LocalSubnet: '10.20.20.0/24', EnableMultiFactorAuth: false });

    const mfa = await call('ModifySslVpnServer', { SslVpnServerId: SRV1, EnableMultiFactorAuth: true, IDaaSInstanceId: 'idaas-cn-hangzhou-1', IDaaSRegionId: REGION });
    expect(mfa).toMatchObject({ EnableMultiFactorAuth: true, IDaaSInstanceId: 'idaas-cn-hangzhou-1' });
    expect(sim.gatewayStatus(GW1)).toBe('updating');
    await sim.settle();
    const multi = await call('ModifySslVpnServer', { SslVpnServerId: SRV1, LocalSubnet: '172.16.0.0/16,192.168.1.0/24' });
    expect(multi.LocalSubnet).toBe('172.16.0.0/16,192.168.1.0/24');
  });

  it('a gateway made busy from outside rejects changes until it returns to active by itself', async () => {
    sim.setGatewayStatus(GW1, 'updating');
    expect((await call('DescribeVpnGateway', { VpnGatewayId: GW1 })).Status).toBe('updating');
    await expectError(call('CreateSslVpnClientCert', { SslVpnServerId: SRV1, Name: 'xy' }), 'VpnGateway.Configuring', 400);
    await sim.settle();
    expect(sim.gatewayStatus(GW1)).toBe('active');
    await expect(createCert('xy')).resolves.toMatch(/^vsc-/);
    // Any status other than active also refuses changes.
    await sim.settle();
    sim.setGatewayStatus(GW1, 'init');
    await expectError(call('DeleteSslVpnClientCert', { SslVpnClientCertId: sim.clientCerts()[0]!.sslVpnClientCertId }), 'VpnGateway.Configuring', 400);
  });

  it('settle() waits for pending changes and resolves at once when idle', async () => {
    await sim.settle();
    await createCert('ab');
    expect(sim.gatewayStatus(GW1)).toBe('updating');
    await sim.settle();
    expect(sim.gatewayStatus(GW1)).toBe('active');
  });

  it('reset() abandons pending changes: waiters resolve and the deletion never lands in the new state', async () => {
    sim.setUpdateMs(60_000);
    await createCert('ab');
    let settled = false;
    const waiting = sim.settle().then(() => (settled = true));
    await new Promise((r) => setTimeout(r, 20));
    expect(settled).toBe(false);
    sim.reset();
    await waiting;
    expect(sim.gatewayStatus(GW1)).toBe('active');
    expect(sim.clientCerts()).toEqual([]);
  });
});

describe('ClientToken idempotency', () => {
  it('the same token and parameters return the same certificate, even while the gateway is updating', async () => {
    const first = await call('CreateSslVpnClientCert', { SslVpnServerId: SRV1, Name: 'alice', ClientToken: 'tok-create-1' });
    expect(sim.gatewayStatus(GW1)).toBe('updating');
    const replay = await call('CreateSslVpnClientCert', { SslVpnServerId: SRV1, Name: 'alice', ClientToken: 'tok-create-1' });
    expect(replay.SslVpnClientCertId).toBe(first.SslVpnClientCertId);
    expect(replay.Name).toBe('alice');
    expect(replay.RequestId).not.toBe(first.RequestId);
    expect(sim.configuringRejections()).toBe(0);
    await sim.settle();
    const later = await call('CreateSslVpnClientCert', { SslVpnServerId: SRV1, Name: 'alice', ClientToken: 'tok-create-1' });
    expect(later.SslVpnClientCertId).toBe(first.SslVpnClientCertId);
    expect(sim.gatewayStatus(GW1)).toBe('active'); // the replay changed nothing
    expect(sim.clientCerts()).toHaveLength(1);
  });

  it('the same token with different parameters is IdempotentParameterMismatch', async () => {
    await call('CreateSslVpnClientCert', { SslVpnServerId: SRV1, Name: 'alice', ClientToken: 'tok-2' });
    await sim.settle();
    const err = await expectError(call('CreateSslVpnClientCert', { SslVpnServerId: SRV1, Name: 'mallory', ClientToken: 'tok-2' }), 'IdempotentParameterMismatch', 400);
    expect(err.data.Message).toBe('Request uses a client token in a previous request but is not identical to that request.');
    expect(sim.clientCerts()).toHaveLength(1);
    // Tokens are per action: the same token on another action is a new request.
    await expect(call('ModifySslVpnServer', { SslVpnServerId: SRV1, Name: 'n', ClientToken: 'tok-2' })).resolves.toMatchObject({ Name: 'n' });
  });

  it('a token whose first call failed is processed anew on retry (Configuring, then success)', async () => {
    sim.setGatewayStatus(GW1, 'updating');
    await expectError(call('CreateSslVpnClientCert', { SslVpnServerId: SRV1, Name: 'alice', ClientToken: 'tok-3' }), 'VpnGateway.Configuring', 400);
    await sim.settle();
    const ok = await call('CreateSslVpnClientCert', { SslVpnServerId: SRV1, Name: 'alice', ClientToken: 'tok-3' });
    expect(ok.SslVpnClientCertId).toMatch(/^vsc-/);
    expect(sim.clientCerts()).toHaveLength(1);
  });

  it('a replayed delete succeeds after the certificate is gone; without a token it is NotFound', async () => {
    const id = await createCert('alice');
    await sim.settle();
    await call('DeleteSslVpnClientCert', { SslVpnClientCertId: id, ClientToken: 'tok-del' });
    await sim.settle();
    const replay = await call('DeleteSslVpnClientCert', { SslVpnClientCertId: id, ClientToken: 'tok-del' });
    expectSuccessBody(replay);
    await expectError(call('DeleteSslVpnClientCert', { SslVpnClientCertId: id }), 'InvalidSslVpnClientCertId.NotFound', 404);
  });

  it('rejects a ClientToken longer than 64 characters', async () => {
    await expectError(call('CreateSslVpnClientCert', { SslVpnServerId: SRV1, Name: 'ab', ClientToken: 'x'.repeat(65) }), 'InvalidParameter', 400);
    await expect(call('CreateSslVpnClientCert', { SslVpnServerId: SRV1, Name: 'ab', ClientToken: 'x'.repeat(64) })).resolves.toHaveProperty('SslVpnClientCertId');
  });
});

describe('fault injection', () => {
  it('error: any code/status surfaces as a pop-core error with code and RequestId; state untouched', async () => {
    sim.inject({ action: 'CreateSslVpnClientCert', code: 'Throttling.User' });
    const err = await expectError(call('CreateSslVpnClientCert', { SslVpnServerId: SRV1, Name: 'ab' }), 'Throttling.User', 400);
    expect(err.data.Message).toBe('Request was denied due to user flow control.');
    expect(err.data.Recommend).toContain('q=Throttling.User');
    expect(sim.clientCerts()).toEqual([]);
    expect(sim.callsOf('CreateSslVpnClientCert').at(-1)).toMatchObject({ status: 400, code: 'Throttling.User' });
    // times defaults to 1
    await expect(createCert('ab')).resolves.toMatch(/^vsc-/);
  });

  it('error: times, wildcard action, default statuses and custom messages', async () => {
    sim.inject({ action: '*', code: 'ServiceUnavailable', times: 2 });
    await expectError(call('DescribeVpnGateway', { VpnGatewayId: GW1 }), 'ServiceUnavailable', 503);
    await expectError(call('DescribeSslVpnServers'), 'ServiceUnavailable', 503);
    await expect(call('DescribeSslVpnServers')).resolves.toHaveProperty('TotalCount', 2);

    sim.inject({ action: 'DescribeVpnGateway', code: 'VpnGateway.Configuring' });
    sim.inject({ action: 'DescribeVpnGateway', code: 'Custom.Code', status: 418, message: 'teapot' });
    await expectError(call('DescribeVpnGateway', { VpnGatewayId: GW1 }), 'VpnGateway.Configuring', 400);
    expect(sim.configuringRejections()).toBe(1);
    const custom = await expectError(call('DescribeVpnGateway', { VpnGatewayId: GW1 }), 'Custom.Code', 418);
    expect(custom.data.Message).toBe('teapot');

    sim.inject({ action: 'DescribeVpnGateway', code: 'InternalError', times: 5 });
    sim.clearFaults();
    await expect(call('DescribeVpnGateway', { VpnGatewayId: GW1 })).resolves.toHaveProperty('Status', 'active');
  });

  it('html and empty bodies make pop-core throw SyntaxError and change nothing', async () => {
    sim.inject({ action: 'CreateSslVpnClientCert', mode: 'html' });
    // json-bigint throws a plain object named SyntaxError, not a SyntaxError instance.
    const html: any = await call('CreateSslVpnClientCert', { SslVpnServerId: SRV1, Name: 'ab' }).catch((e: unknown) => e);
    expect(html.name).toBe('SyntaxError');
    expect(html.message).toBe("Unexpected '<'");
    expect(sim.callsOf('CreateSslVpnClientCert').at(-1)?.status).toBe(502);

    sim.inject({ action: 'CreateSslVpnClientCert', mode: 'empty' });
    const empty: any = await call('CreateSslVpnClientCert', { SslVpnServerId: SRV1, Name: 'ab' }).catch((e: unknown) => e);
    expect(empty.name).toBe('SyntaxError');
    expect(empty.message).toBe("Unexpected ''");
    expect(sim.clientCerts()).toEqual([]);
    expect(sim.gatewayStatus(GW1)).toBe('active');
  });

  it('delay: answers late, then normally', async () => {
    sim.inject({ action: 'DescribeVpnGateway', mode: 'delay', delayMs: 200 });
    const started = Date.now();
    const res = await call('DescribeVpnGateway', { VpnGatewayId: GW1 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(195);
    expect(res.Status).toBe('active');
  });

  it('delay past the client timeout: the client times out, the call is still handled afterwards', async () => {
    sim.inject({ action: 'CreateSslVpnClientCert', mode: 'delay', delayMs: 300 });
    const err: any = await call('CreateSslVpnClientCert', { SslVpnServerId: SRV1, Name: 'late' }, { method: 'POST', timeout: 100 }).catch((e: unknown) => e);
    expect(err.name).toBe('RequestTimeoutError');
    await sim.settle();
    expect(sim.clientCerts().map((c) => c.name)).toEqual(['late']);
  });

  it('apply-then-delay: the client times out although the certificate was created; a retry with the same token returns it', async () => {
    sim.inject({ action: 'CreateSslVpnClientCert', mode: 'apply-then-delay', delayMs: 500 });
    const params = { SslVpnServerId: SRV1, Name: 'alice', ClientToken: 'tok-timeout' };
    const err: any = await call('CreateSslVpnClientCert', params, { method: 'POST', timeout: 100 }).catch((e: unknown) => e);
    expect(err.name).toBe('RequestTimeoutError');
    const certs = sim.clientCerts();
    expect(certs.map((c) => c.name)).toEqual(['alice']);
    const retry = await call('CreateSslVpnClientCert', params);
    expect(retry.SslVpnClientCertId).toBe(certs[0]!.sslVpnClientCertId);
    expect(sim.clientCerts()).toHaveLength(1);
  });

  it('drop: the change is applied, the connection is destroyed without an answer', async () => {
    sim.inject({ action: 'DeleteSslVpnClientCert', mode: 'drop' });
    const id = await createCert('alice');
    await sim.settle();
    const err: any = await call('DeleteSslVpnClientCert', { SslVpnClientCertId: id }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Error);
    expect(err.code === 'ECONNRESET' || /socket hang up/i.test(err.message)).toBe(true);
    expect(sim.callsOf('DeleteSslVpnClientCert').at(-1)?.status).toBe(0);
    expect(sim.gatewayStatus(GW1)).toBe('updating');
    await sim.settle();
    expect(sim.clientCerts()).toEqual([]);
  });

  it('rejects a fault it cannot perform', () => {
    expect(() => sim.inject({ action: 'X' })).toThrow(/mode/);
    expect(() => sim.inject({ action: 'X', mode: 'delay' })).toThrow(/delayMs/);
  });
});

describe('CAS 2020-06-30 client certificates', () => {
  const casCall = (action: string, params: Record<string, unknown> = {}): Promise<any> => cas.request<any>(action, params, POST);

  it('ListClientCertificate returns a bare CertificateList array, pages and filters', async () => {
    const res = await casCall('ListClientCertificate');
    expectSuccessBody(res);
    expect(res).toMatchObject({ CurrentPage: 1, ShowSize: 20, PageCount: 1, TotalCount: 3 });
    expect(Array.isArray(res.CertificateList)).toBe(true);
    expect(res.CertificateList.map((c: any) => c.Identifier)).toEqual([CAS_A, CAS_B, CAS_C]);
    expect(res.CertificateList[0]).toMatchObject({
      Identifier: CAS_A,
      CommonName: 'alice@example.com',
      Status: 'ISSUE',
      CertificateType: 'CLIENT',
      SerialNumber: '0123456789abcdef0123456789abcdef0123',
      Algorithm: 'RSA',
      KeySize: 2048,
    });
    expect(res.CertificateList[0].SubjectDN).toContain('CN=alice@example.com');
    expect(typeof res.CertificateList[0].BeforeDate).toBe('number');
    expect(res.CertificateList[2].CertificateType).toBe('SERVER');
    const page = await casCall('ListClientCertificate', { CurrentPage: 2, ShowSize: 2 });
    expect(page).toMatchObject({ CurrentPage: 2, ShowSize: 2, PageCount: 2, TotalCount: 3 });
    expect(page.CertificateList.map((c: any) => c.Identifier)).toEqual([CAS_C]);
    const one = await casCall('ListClientCertificate', { Identifier: CAS_B });
    expect(one.CertificateList.map((c: any) => c.Status)).toEqual(['REVOKE']);
  });

  it('DescribeClientCertificate returns a Certificate object; unknown is 404 NotFound', async () => {
    const res = await casCall('DescribeClientCertificate', { Identifier: CAS_A });
    expectSuccessBody(res);
    expect(res.Certificate).toMatchObject({ Identifier: CAS_A, CommonName: 'alice@example.com', Status: 'ISSUE', FullAlgorithm: 'RSA_2048' });
    expect(res.Certificate.X509Certificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
    await expectError(casCall('DescribeClientCertificate', { Identifier: 'f'.repeat(32) }), 'NotFound', 404);
    await expectError(casCall('CreateRevokeClientCertificate', { Identifier: 'f'.repeat(32) }), 'NotFound', 404);
    await expectError(casCall('DeleteClientCertificate', { Identifier: 'f'.repeat(32) }), 'NotFound', 404);
  });

  it('revoke, then delete; deleting before revoking is IncorrectStatus; revoking twice succeeds', async () => {
    await expectError(casCall('DeleteClientCertificate', { Identifier: CAS_A }), 'IncorrectStatus', 400);
    expect(sim.casCertificate(CAS_A)).toEqual({ identifier: CAS_A, status: 'ISSUE' });

    const revoked = await casCall('CreateRevokeClientCertificate', { Identifier: CAS_A });
    expectSuccessBody(revoked);
    expect(Object.keys(revoked)).toEqual(['RequestId']);
    expect(sim.casCertificate(CAS_A)?.status).toBe('REVOKE');
    expect((await casCall('DescribeClientCertificate', { Identifier: CAS_A })).Certificate.Status).toBe('REVOKE');
    await expect(casCall('CreateRevokeClientCertificate', { Identifier: CAS_A })).resolves.toHaveProperty('RequestId');

    const status = await casCall('DescribeClientCertificateStatus', { Identifier: `${CAS_A},${CAS_C},${'f'.repeat(32)}` });
    expect(status.CertificateStatus).toHaveLength(3);
    expect(status.CertificateStatus[0]).toMatchObject({ SerialNumber: '0123456789abcdef0123456789abcdef0123', Status: 'revoked' });
    expect(typeof status.CertificateStatus[0].RevokeTime).toBe('number');
    expect(status.CertificateStatus[1].Status).toBe('good');
    expect(status.CertificateStatus[2].Status).toBe('unknown');

    await expect(casCall('DeleteClientCertificate', { Identifier: CAS_A })).resolves.toHaveProperty('RequestId');
    expect(sim.casCertificate(CAS_A)).toBeUndefined();
    await expectError(casCall('DescribeClientCertificate', { Identifier: CAS_A }), 'NotFound', 404);
    expect((await casCall('ListClientCertificate')).TotalCount).toBe(2);
  });

  it('the CAS operations do not exist in version 2020-04-07', async () => {
    const old = client('2020-04-07');
    await expectError(old.request('ListClientCertificate', {}, POST), 'InvalidApi.NotFound', 404);
    // Nor in the VPC version.
    await expectError(vpc.request('ListClientCertificate', {}, POST), 'InvalidApi.NotFound', 404);
  });
});

describe('CAS throttling', () => {
  let limited: AlibabaSim;
  beforeAll(async () => {
    limited = await startAlibabaSim({ seed: SEED, casRatePerSecond: 3 });
  });
  afterAll(async () => {
    await limited.close();
  });

  it('Throttling.User beyond casRatePerSecond per AccessKeyId and Action', async () => {
    const mk = (id: string, secret: string) => new RPCClient({ endpoint: limited.url, apiVersion: '2020-06-30', accessKeyId: id, accessKeySecret: secret });
    const c1 = mk(KEY.id, KEY.secret);
    const results = await Promise.allSettled(Array.from({ length: 8 }, () => c1.request<any>('DescribeClientCertificate', { Identifier: CAS_A }, POST)));
    const ok = results.filter((r) => r.status === 'fulfilled');
    const throttled = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
    expect(ok.length).toBeLessThanOrEqual(3);
    expect(throttled.length).toBeGreaterThanOrEqual(5);
    for (const r of throttled) {
      expect(r.reason.code).toBe('Throttling.User');
      expect(r.reason.entry.response.statusCode).toBe(400);
    }
    // Other actions and other keys have their own budget.
    await expect(c1.request('ListClientCertificate', {}, POST)).resolves.toHaveProperty('TotalCount');
    await expect(mk(SEED.accessKeys[1]!.id, SEED.accessKeys[1]!.secret).request('DescribeClientCertificate', { Identifier: CAS_A }, POST)).resolves.toHaveProperty('Certificate');
    // The window slides: the same call succeeds again a second later.
    await new Promise((r) => setTimeout(r, 1050));
    await expect(c1.request('DescribeClientCertificate', { Identifier: CAS_A }, POST)).resolves.toHaveProperty('Certificate');
  });
});

describe('observation and reset', () => {
  it('records every call in order without secrets; reset restores the seed', async () => {
    const sts = client('2016-04-28', KEY.secret, { securityToken: 'sts-token-secret-value' });
    const id = await createCert('alice');
    await sts.request('DescribeSslVpnClientCert', { RegionId: REGION, SslVpnClientCertId: id }, POST);
    expect(sim.calls.map((c) => c.action)).toEqual(['CreateSslVpnClientCert', 'DescribeSslVpnClientCert']);
    const recorded = JSON.stringify(sim.calls);
    expect(recorded).not.toContain('sts-token-secret-value');
    expect(recorded).not.toContain(KEY.secret);
    for (const c of sim.calls) {
      expect(c.params).not.toHaveProperty('Signature');
      expect(c.params).not.toHaveProperty('SecurityToken');
      expect(c).toMatchObject({ version: '2016-04-28', method: 'POST', status: 200 });
      expect(c.params.AccessKeyId).toBe(KEY.id);
    }
    expect(sim.callsOf('CreateSslVpnClientCert')[0]?.params).toMatchObject({ Name: 'alice', SslVpnServerId: SRV1, RegionId: REGION });

    sim.inject({ action: '*', code: 'InternalError', times: 10 });
    sim.reset();
    expect(sim.calls).toEqual([]);
    expect(sim.clientCerts()).toEqual([]);
    expect(sim.gatewayStatus(GW1)).toBe('active');
    await expect(call('DescribeVpnGateway', { VpnGatewayId: GW1 })).resolves.toHaveProperty('Status', 'active');

    sim.reset({ ...SEED, gateways: [{ vpnGatewayId: 'vpn-other', regionId: REGION }] });
    await expectError(call('DescribeVpnGateway', { VpnGatewayId: GW1 }), 'InvalidVpnGatewayInstanceId.NotFound', 404);
    await expect(call('DescribeVpnGateway', { VpnGatewayId: 'vpn-other' })).resolves.toHaveProperty('Status', 'active');
    sim.reset(SEED);
  });

  it('accepts and ignores the account parameters OwnerId, OwnerAccount, ResourceOwnerId, ResourceOwnerAccount', async () => {
    const res = await call('DescribeVpnGateway', { VpnGatewayId: GW1, OwnerId: 123, OwnerAccount: 'acct', ResourceOwnerId: 456, ResourceOwnerAccount: 'racct' });
    expect(res.VpnGatewayId).toBe(GW1);
  });
});
