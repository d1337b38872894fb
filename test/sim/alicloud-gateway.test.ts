// Gateway-level behaviour of the Alibaba Cloud simulator, probed with raw HTTP and an independent
// signer written from the spec (§2): signature v1 byte-exactly, timestamps, nonces, keys, missing
// parameters, unknown APIs, envelopes. Also the seed parser and the CLI.
/* eslint-disable @typescript-eslint/no-explicit-any -- untyped JSON bodies and pop-core errors */
import RPCClient from '@alicloud/pop-core';
import { spawn } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { parseSimSeed, startAlibabaSim } from '../../src/sim/alicloud/index.js';
import type { AlibabaSim, SimSeed } from '../../src/sim/alicloud/index.js';
import { sign as simSign } from '../../src/sim/alicloud/signature.js';

const KEY = { id: 'LTAI5tGatewayKey000000001', secret: 'gw-secret' };
const REGION = 'cn-hangzhou';
const GW = 'vpn-bp1gateway00000000001';
const SRV = 'vss-bp1gateway00000000001';
const UUID = /^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/;
const SEED: SimSeed = {
  accessKeys: [KEY, { id: 'LTAI5tDisabled00000000001', secret: 'off', disabled: true }],
  gateways: [{ vpnGatewayId: GW, regionId: REGION, sslVpnServer: { sslVpnServerId: SRV } }],
};

// ---- an independent signer, straight from §2.1–2.2 ----------------------------------------------

function enc(s: string): string {
  // Encode UTF-8 bytes by hand: unreserved A-Z a-z 0-9 - _ . ~ stay, everything else is %XX upper-case.
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    const ch = String.fromCharCode(byte);
    out += /[A-Za-z0-9\-_.~]/.test(ch) ? ch : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function canonical(params: Record<string, string>): string {
  return Object.keys(params)
    .sort()
    .map((k) => `${enc(k)}=${enc(params[k]!)}`)
    .join('&');
}

function testSign(method: string, params: Record<string, string>, secret: string): string {
  const sts = `${method}&${enc('/')}&${enc(canonical(params))}`;
  return createHmac('sha1', `${secret}&`).update(sts, 'utf8').digest('base64');
}

const DOC_VECTOR = {
  AccessKeyId: 'testid',
  Action: 'DescribeRegions',
  Format: 'XML',
  SignatureMethod: 'HMAC-SHA1',
  SignatureNonce: '3ee8c1b8-83d3-44af-a94f-4e0ad82fd6cf',
  SignatureVersion: '1.0',
  Timestamp: '2016-02-23T12:46:24Z',
  Version: '2014-05-26',
};
const VPC_VECTOR = {
  AccessKeyId: 'testid',
  Action: 'CreateSslVpnClientCert',
  ClientToken: 'tok-1',
  Format: 'JSON',
  Name: 'cert a*b~',
  RegionId: 'cn-hangzhou',
  SignatureMethod: 'HMAC-SHA1',
  SignatureNonce: '0123456789abcdef0123456789abcdef',
  SignatureVersion: '1.0',
  SslVpnServerId: 'vss-bp18q7hzj6largv4v0000',
  Timestamp: '2024-01-01T00:00:00Z',
  Version: '2016-04-28',
};

function isoNow(offsetMs = 0): string {
  return new Date(Date.now() + offsetMs).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function commonParams(action: string, over: Record<string, string> = {}): Record<string, string> {
  return {
    Action: action,
    Format: 'JSON',
    Version: '2016-04-28',
    Timestamp: isoNow(),
    SignatureMethod: 'HMAC-SHA1',
    SignatureVersion: '1.0',
    SignatureNonce: randomBytes(16).toString('hex'),
    AccessKeyId: KEY.id,
    ...over,
  };
}

let sim: AlibabaSim;

interface RawOptions {
  method?: 'GET' | 'POST' | 'PUT';
  secret?: string;
  /** Send this Signature instead of computing one; null sends none. */
  signature?: string | null;
  /** Raw form body to send instead of the encoded params (POST). */
  rawBody?: string;
  /** Extra raw query string for a POST. */
  query?: string;
}

/** Signs and sends params like pop-core does (GET: all in the query; POST: all in a form body). */
async function raw(params: Record<string, string>, o: RawOptions = {}): Promise<{ status: number; body: any; headers: Headers }> {
  const method = o.method ?? 'POST';
  const signature = o.signature === undefined ? testSign(method, params, o.secret ?? KEY.secret) : o.signature;
  const encoded = canonical(params) + (signature === null ? '' : `&Signature=${enc(signature)}`);
  const url = method === 'GET' ? `${sim.url}/?${encoded}` : `${sim.url}/${o.query ? `?${o.query}` : ''}`;
  const res = await fetch(url, {
    method,
    headers: method === 'GET' ? {} : { 'content-type': 'application/x-www-form-urlencoded' },
    body: method === 'GET' ? undefined : (o.rawBody ?? encoded),
  });
  const text = await res.text();
  return { status: res.status, body: JSON.parse(text), headers: res.headers };
}

function expectEnvelope(r: { status: number; body: any }, code: string, status: number, message?: string): void {
  expect(r.status).toBe(status);
  expect(Object.keys(r.body).sort()).toEqual(['Code', 'HostId', 'Message', 'Recommend', 'RequestId']);
  expect(r.body.Code).toBe(code);
  expect(r.body.RequestId).toMatch(UUID);
  expect(r.body.HostId).toMatch(/^127\.0\.0\.1:\d+$/);
  expect(r.body.Recommend).toBe(`https://api.aliyun.com/troubleshoot?q=${code}&product=Vpc&requestId=${r.body.RequestId}`);
  if (message !== undefined) expect(r.body.Message).toBe(message);
}

beforeAll(async () => {
  sim = await startAlibabaSim({ seed: SEED, updateMs: 50 });
});
afterAll(async () => {
  await sim.close();
});
beforeEach(() => sim.reset());

describe('signature v1', () => {
  it('the test signer and the sim reproduce the §2.3 vectors', () => {
    expect(testSign('GET', DOC_VECTOR, 'testsecret')).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
    expect(testSign('GET', VPC_VECTOR, 'testsecret')).toBe('511SweIuOJmyzqyeSez2kEg5MQA=');
    expect(testSign('POST', VPC_VECTOR, 'testsecret')).toBe('FI7TrsaA8AlDegzkSIrLkgEQU+0=');
    expect(simSign('GET', DOC_VECTOR, 'testsecret')).toBe('OLeaidS1JvxuMvnyHOwuJ+uX5qY=');
    expect(simSign('GET', VPC_VECTOR, 'testsecret')).toBe('511SweIuOJmyzqyeSez2kEg5MQA=');
    expect(simSign('POST', VPC_VECTOR, 'testsecret')).toBe('FI7TrsaA8AlDegzkSIrLkgEQU+0=');
  });

  it('accepts correctly signed raw GET and POST requests, with awkward characters', async () => {
    const get = await raw(commonParams('DescribeVpnGateway', { RegionId: REGION, VpnGatewayId: GW }), { method: 'GET' });
    expect(get.status).toBe(200);
    expect(get.body.VpnGatewayId).toBe(GW);
    expect(get.headers.get('content-type')).toBe('application/json;charset=utf-8');
    // A server name takes any character (certificate names are restricted to [A-Za-z0-9._-]).
    const post = await raw(commonParams('ModifySslVpnServer', { RegionId: REGION, SslVpnServerId: SRV, Name: "cert a*b~!'()+/=é 证书" }));
    expect(post.status).toBe(200);
    expect(post.body.Name).toBe("cert a*b~!'()+/=é 证书");
  });

  it('pop-core signatures verify for GET and POST, including non-ASCII values', async () => {
    const client = new RPCClient({ endpoint: sim.url, apiVersion: '2016-04-28', accessKeyId: KEY.id, accessKeySecret: KEY.secret });
    const res: any = await client.request('ModifySslVpnServer', { RegionId: REGION, SslVpnServerId: SRV, Name: 'Zoë (ops) * ~ 张' }, { method: 'POST' });
    expect(res.Name).toBe('Zoë (ops) * ~ 张');
    const got: any = await client.request('DescribeSslVpnServers', { RegionId: REGION, SslVpnServerId: SRV });
    expect(got.SslVpnServers.SslVpnServer[0].Name).toBe('Zoë (ops) * ~ 张');
    expect(sim.calls.map((c) => c.method)).toEqual(['POST', 'GET']);
  });

  it('a form body uses + for a space and is merged with the query string before verifying', async () => {
    const params = commonParams('ModifySslVpnServer', { RegionId: REGION, SslVpnServerId: SRV, Name: 'a b' });
    const signature = testSign('POST', params, KEY.secret);
    const { Name: _name, RegionId: _region, ...rest } = params;
    const body = `${canonical(rest)}&Name=a+b&Signature=${enc(signature)}`;
    const r = await raw(params, { rawBody: body, query: `RegionId=${REGION}` });
    expect(r.status).toBe(200);
    expect(r.body.Name).toBe('a b');
  });

  it('a wrong secret is 400 SignatureDoesNotMatch with the server string to sign', async () => {
    const client = new RPCClient({ endpoint: sim.url, apiVersion: '2016-04-28', accessKeyId: KEY.id, accessKeySecret: 'wrong' });
    const err: any = await client.request('DescribeVpnGateway', { RegionId: REGION, VpnGatewayId: GW }, { method: 'POST' }).catch((e: unknown) => e);
    expect(err.code).toBe('SignatureDoesNotMatch');
    expect(err.entry.response.statusCode).toBe(400);
    expect(err.data.Message).toMatch(/^Specified signature is not matched with our calculation\. server string to sign is:POST&%2F&AccessKeyId%3D/);
    expect(err.data.Message).not.toContain('wrong');

    // A tampered parameter is caught too.
    const params = commonParams('DescribeVpnGateway', { RegionId: REGION, VpnGatewayId: GW });
    const r = await raw({ ...params, VpnGatewayId: `${GW}x` }, { signature: testSign('POST', params, KEY.secret) });
    expectEnvelope(r, 'SignatureDoesNotMatch', 400);
    // Signed for GET, sent as POST.
    const p2 = commonParams('DescribeVpnGateway', { RegionId: REGION, VpnGatewayId: GW });
    expectEnvelope(await raw(p2, { signature: testSign('GET', p2, KEY.secret) }), 'SignatureDoesNotMatch', 400);
    expectEnvelope(await raw(commonParams('DescribeVpnGateway', { RegionId: REGION, VpnGatewayId: GW }), { signature: null }), 'MissingSignature', 400);
  });

  it('an unsupported SignatureMethod is InvalidSignatureMethod', async () => {
    const r = await raw(commonParams('DescribeVpnGateway', { RegionId: REGION, VpnGatewayId: GW, SignatureMethod: 'HMAC-SHA256' }));
    expectEnvelope(r, 'InvalidSignatureMethod', 400, 'Specified signature method is not valid.');
  });
});

describe('keys, timestamps and nonces', () => {
  it('an unknown AccessKeyId is 404 InvalidAccessKeyId.NotFound; a disabled one 400 Inactive', async () => {
    const client = new RPCClient({ endpoint: sim.url, apiVersion: '2016-04-28', accessKeyId: 'LTAInobody', accessKeySecret: 'x' });
    const err: any = await client.request('DescribeVpnGateway', { RegionId: REGION, VpnGatewayId: GW }, { method: 'POST' }).catch((e: unknown) => e);
    expect(err.code).toBe('InvalidAccessKeyId.NotFound');
    expect(err.entry.response.statusCode).toBe(404);
    expect(err.data.Message).toBe('Specified access key is not found.');
    const r = await raw(commonParams('DescribeVpnGateway', { RegionId: REGION, VpnGatewayId: GW, AccessKeyId: SEED.accessKeys[1]!.id }), { secret: 'off' });
    expectEnvelope(r, 'InvalidAccessKeyId.Inactive', 400, 'Specified access key is disabled.');
  });

  it('a Timestamp more than 15 minutes off is InvalidTimeStamp.Expired; a malformed one InvalidTimeStamp.Format', async () => {
    const at = (offset: number) => raw(commonParams('DescribeVpnGateway', { RegionId: REGION, VpnGatewayId: GW, Timestamp: isoNow(offset) }));
    expectEnvelope(await at(-16 * 60_000), 'InvalidTimeStamp.Expired', 400, 'Specified time stamp or date value is expired.');
    expectEnvelope(await at(16 * 60_000), 'InvalidTimeStamp.Expired', 400);
    expect((await at(-14 * 60_000)).status).toBe(200);
    for (const bad of ['2024-01-01 00:00:00', '1704067200', '2024-13-01T00:00:00Z', '2024-02-30T00:00:00Z']) {
      expectEnvelope(await raw(commonParams('DescribeVpnGateway', { RegionId: REGION, VpnGatewayId: GW, Timestamp: bad })), 'InvalidTimeStamp.Format', 400, 'Specified time stamp or date value is not well formatted.');
    }
  });

  it('the skew tolerance is configurable', async () => {
    const strict = await startAlibabaSim({ seed: SEED, clockSkewToleranceMs: 1000 });
    try {
      const client = new RPCClient({ endpoint: strict.url, apiVersion: '2016-04-28', accessKeyId: KEY.id, accessKeySecret: KEY.secret });
      await expect(client.request('DescribeVpnGateway', { RegionId: REGION, VpnGatewayId: GW }, { method: 'POST' })).resolves.toHaveProperty('Status');
      const params = commonParams('DescribeVpnGateway', { RegionId: REGION, VpnGatewayId: GW, Timestamp: isoNow(-5000) });
      const res = await fetch(`${strict.url}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: `${canonical(params)}&Signature=${enc(testSign('POST', params, KEY.secret))}` });
      expect(((await res.json()) as any).Code).toBe('InvalidTimeStamp.Expired');
    } finally {
      await strict.close();
    }
  });

  it('a reused SignatureNonce is SignatureNonceUsed; a badly signed request does not burn its nonce', async () => {
    const nonce = randomBytes(16).toString('hex');
    const badlySigned = await raw(commonParams('DescribeVpnGateway', { RegionId: REGION, VpnGatewayId: GW, SignatureNonce: nonce }), { secret: 'wrong' });
    expect(badlySigned.body.Code).toBe('SignatureDoesNotMatch');
    const first = await raw(commonParams('DescribeVpnGateway', { RegionId: REGION, VpnGatewayId: GW, SignatureNonce: nonce }));
    expect(first.status).toBe(200);
    const again = await raw(commonParams('DescribeVpnGateway', { RegionId: REGION, VpnGatewayId: GW, SignatureNonce: nonce }));
    expectEnvelope(again, 'SignatureNonceUsed', 400, 'Specified signature nonce was used already.');
    // Nonces are per key.
    sim.reset({ ...SEED, accessKeys: [...SEED.accessKeys, { id: 'LTAIsecond', secret: 's2' }] });
    await raw(commonParams('DescribeVpnGateway', { RegionId: REGION, VpnGatewayId: GW, SignatureNonce: nonce }));
    const other = await raw(commonParams('DescribeVpnGateway', { RegionId: REGION, VpnGatewayId: GW, SignatureNonce: nonce, AccessKeyId: 'LTAIsecond' }), { secret: 's2' });
    expect(other.status).toBe(200);
  });

  it('accepts an STS SecurityToken (signed like any other parameter)', async () => {
    const client = new RPCClient({ endpoint: sim.url, apiVersion: '2016-04-28', accessKeyId: KEY.id, accessKeySecret: KEY.secret, securityToken: 'CAIS+sts/token==' });
    await expect(client.request('DescribeVpnGateway', { RegionId: REGION, VpnGatewayId: GW }, { method: 'POST' })).resolves.toHaveProperty('VpnGatewayId', GW);
    expect(sim.calls[0]?.params).not.toHaveProperty('SecurityToken');
  });
});

describe('routing and parameters', () => {
  it('a missing required parameter is Missing<Param> with "<Param> is mandatory for this action."', async () => {
    const client = new RPCClient({ endpoint: sim.url, apiVersion: '2016-04-28', accessKeyId: KEY.id, accessKeySecret: KEY.secret });
    const err: any = await client.request('CreateSslVpnClientCert', { SslVpnServerId: SRV }, { method: 'POST' }).catch((e: unknown) => e);
    expect(err.code).toBe('MissingRegionId');
    expect(err.data.Message).toBe('RegionId is mandatory for this action.');
    expectEnvelope(await raw(commonParams('CreateSslVpnClientCert', { RegionId: REGION })), 'MissingSslVpnServerId', 400, 'SslVpnServerId is mandatory for this action.');
    expectEnvelope(await raw(commonParams('DescribeVpnGateway', { RegionId: REGION, VpnGatewayId: '' })), 'MissingVpnGatewayId', 400);
    const { AccessKeyId: _k, ...noKey } = commonParams('DescribeVpnGateway', { RegionId: REGION, VpnGatewayId: GW });
    expectEnvelope(await raw(noKey), 'MissingAccessKeyId', 400, 'AccessKeyId is mandatory for this action.');
    expect(sim.clientCerts()).toEqual([]);
  });

  it('an unknown Action or Version is 404 InvalidApi.NotFound', async () => {
    const msg = 'Specified api is not found, please check your url and method.';
    expectEnvelope(await raw(commonParams('DescribeNothing')), 'InvalidApi.NotFound', 404, msg);
    expectEnvelope(await raw(commonParams('DescribeVpnGateway', { Version: '2014-05-26', RegionId: REGION, VpnGatewayId: GW })), 'InvalidApi.NotFound', 404, msg);
  });

  it('an unknown region is 404 InvalidRegionId.NotFound; a known one without resources is just empty', async () => {
    expectEnvelope(await raw(commonParams('DescribeSslVpnServers', { RegionId: 'xx-nowhere-9' })), 'InvalidRegionId.NotFound', 404, 'The specified region is not found during access authentication.');
    const r = await raw(commonParams('DescribeSslVpnServers', { RegionId: 'us-east-1' }));
    expect(r.body).toMatchObject({ TotalCount: 0, SslVpnServers: { SslVpnServer: [] } });
  });

  it('only GET and POST; only JSON', async () => {
    const put = await fetch(`${sim.url}/?Action=DescribeVpnGateway`, { method: 'PUT' });
    expect(put.status).toBe(400);
    expect(((await put.json()) as any).Code).toBe('UnsupportedHTTPMethod');
    expectEnvelope(await raw(commonParams('DescribeVpnGateway', { RegionId: REGION, VpnGatewayId: GW, Format: 'XML' })), 'InvalidParameter.Format', 400);
  });

  it('successful bodies carry a RequestId and never a Code; every answer has x-acs-request-id', async () => {
    const r = await raw(commonParams('DescribeSslVpnServers', { RegionId: REGION }));
    expect(r.status).toBe(200);
    expect(r.body.RequestId).toMatch(UUID);
    expect(r.body).not.toHaveProperty('Code');
    expect(r.headers.get('x-acs-request-id')).toBe(r.body.RequestId);
    const e = await raw(commonParams('DescribeNothing'));
    expect(e.headers.get('x-acs-request-id')).toBe(e.body.RequestId);
    expect(new Set(sim.calls.map((c) => c.status))).toEqual(new Set([200, 404]));
  });
});

describe('seed parsing', () => {
  const here = fileURLToPath(new URL('.', import.meta.url));
  const exampleSeed = `${here}../../src/sim/alicloud/example-seed.yaml`;

  it('parses YAML and JSON', () => {
    const fromYaml = parseSimSeed(readFileSync(exampleSeed, 'utf8'));
    expect(fromYaml.gateways.length).toBeGreaterThan(0);
    expect(fromYaml.gateways[0]?.sslVpnServer?.sslVpnServerId).toMatch(/^vss-/);
    expect(parseSimSeed(JSON.stringify(SEED))).toEqual(SEED);
  });

  it('names the bad field', () => {
    expect(() => parseSimSeed('accessKeys: [{id: a, secret: b}]\ngateways: [{vpnGatewayId: vpn-1}]')).toThrow(/gateways\[0\]\.regionId/);
    expect(() => parseSimSeed('accessKeys: [{id: a, secret: b}]\ngateways: [{vpnGatewayId: vpn-1, regionId: r, sslVpnServer: {sslVpnServerId: s, proto: ICMP}}]')).toThrow(
      /gateways\[0\]\.sslVpnServer\.proto/,
    );
    expect(() => parseSimSeed('accessKeys: [{id: a, secret: b}]\ngateways: []\nclientCertQuta: 5')).toThrow(/clientCertQuta/);
    expect(() => parseSimSeed('accessKeys: []\ngateways: []')).toThrow(/accessKeys/);
    expect(() => parseSimSeed('accessKeys: [{id: a, secret: b}]\ngateways: [{vpnGatewayId: g, regionId: r}, {vpnGatewayId: g, regionId: r}]')).toThrow(
      /gateways\[1\]\.vpnGatewayId: duplicate gateway id g/,
    );
    expect(() => parseSimSeed('{{{')).toThrow(/not YAML/);
  });

  it('takes the update time and its jitter', () => {
    expect(parseSimSeed('accessKeys: [{id: a, secret: b}]\ngateways: []\nupdateMs: 30000\nupdateJitter: 0.3')).toMatchObject({ updateMs: 30000, updateJitter: 0.3 });
    expect(() => parseSimSeed('accessKeys: [{id: a, secret: b}]\ngateways: []\nupdateJitter: 1.3')).toThrow(/updateJitter/);
    expect(() => parseSimSeed('accessKeys: [{id: a, secret: b}]\ngateways: []\nupdateMs: -5')).toThrow(/updateMs/);
  });

  it('startAlibabaSim validates its seed too', async () => {
    await expect(startAlibabaSim({ seed: { accessKeys: [], gateways: [] } })).rejects.toThrow(/accessKeys/);
  });
});

describe('CLI', () => {
  it('refuses a bad --update-jitter with a message naming it', async () => {
    const here = fileURLToPath(new URL('.', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/sim/alicloud/cli.ts', '--seed', 'src/sim/alicloud/example-seed.yaml', '--port', '0', '--update-jitter', 'lots'], {
      cwd: `${here}../../`,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.on('exit', (c) => resolve(c)));
    expect(code).toBe(1);
    expect(stderr).toContain('updateJitter NaN is not allowed');
    expect(stderr).toContain('--update-jitter');
  });

  it('starts on the given port, serves pop-core, stops on SIGTERM', async () => {
    const here = fileURLToPath(new URL('.', import.meta.url));
    const root = `${here}../../`;
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/sim/alicloud/cli.ts', '--seed', 'src/sim/alicloud/example-seed.yaml', '--port', '0', '--update-ms', '100', '--update-jitter', '0.3'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    const url = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      void exited.then((code) => reject(new Error(`cli exited ${code}: ${stderr}`)));
    });
    const seed = parseSimSeed(readFileSync(`${root}src/sim/alicloud/example-seed.yaml`, 'utf8'));
    const key = seed.accessKeys[0]!;
    const gw = seed.gateways[0]!;
    const client = new RPCClient({ endpoint: url, apiVersion: '2016-04-28', accessKeyId: key.id, accessKeySecret: key.secret });
    const res: any = await client.request('DescribeVpnGateway', { RegionId: gw.regionId, VpnGatewayId: gw.vpnGatewayId }, { method: 'POST' });
    expect(res.Status).toBe('active');
    expect(await (await fetch(`${url}/_sim/state`)).json()).toMatchObject({ updateMs: 100, updateJitter: 0.3 });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
