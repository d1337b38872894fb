// The pop-core adapters (src/api) against the Alibaba Cloud simulator: shapes, paging, classification,
// scrubbing, idempotent retries.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CasClient } from '../../src/api/cas.js';
import { CloudError, classifyCode, scrub } from '../../src/api/errors.js';
import { VpcClient } from '../../src/api/vpc.js';
import { startAlibabaSim, type AlibabaSim } from '../../src/sim/alicloud/index.js';
import { ACCESS_KEY, GATEWAYS, simSeed } from '../helpers/harness.js';

let sim: AlibabaSim;
let vpc: VpcClient;
const gw = GATEWAYS[0]!;
const credentials = { accessKeyId: ACCESS_KEY.id, accessKeySecret: ACCESS_KEY.secret };

beforeAll(async () => {
  sim = await startAlibabaSim({ seed: simSeed(), updateMs: 100 });
  vpc = new VpcClient({ credentials, timeoutMs: 2000, endpointOverride: sim.url });
});
beforeEach(() => {
  sim.reset();
  sim.setUpdateMs(100);
});
afterAll(async () => sim?.close());

async function caught(p: Promise<unknown>): Promise<CloudError> {
  try {
    await p;
  } catch (err) {
    expect(err).toBeInstanceOf(CloudError);
    return err as CloudError;
  }
  throw new Error('expected a CloudError');
}

describe('VpcClient', () => {
  it('creates, waits, describes (with secrets), lists and deletes a certificate, always by POST', async () => {
    // Long enough that the describe right after the create sees `updating` on a loaded machine (100 ms did not).
    sim.setUpdateMs(2000);
    const created = await vpc.createSslVpnClientCert({ regionId: gw.regionId, sslVpnServerId: gw.sslVpnServerId, name: 'alice-r1', clientToken: 'tok-1' });
    expect(created.sslVpnClientCertId).toMatch(/^vsc-/);
    expect(created.requestId).toMatch(/^[0-9A-F-]{36}$/);
    expect((await vpc.describeVpnGateway(gw.regionId, gw.vpnGatewayId)).status).toBe('updating');
    await sim.settle();
    const g = await vpc.describeVpnGateway(gw.regionId, gw.vpnGatewayId);
    expect(g).toMatchObject({ status: 'active', internetIp: gw.ip, vpnGatewayId: gw.vpnGatewayId });
    const detail = await vpc.describeSslVpnClientCert(gw.regionId, created.sslVpnClientCertId);
    expect(detail.clientKey).toContain('PRIVATE KEY');
    expect(detail.clientConfig).toContain('remote');
    const list = await vpc.describeSslVpnClientCerts(gw.regionId, { sslVpnServerId: gw.sslVpnServerId, name: 'alice-r1' });
    expect(list.map((c) => c.sslVpnClientCertId)).toEqual([created.sslVpnClientCertId]);
    await vpc.deleteSslVpnClientCert({ regionId: gw.regionId, sslVpnClientCertId: created.sslVpnClientCertId, clientToken: 'del-1' });
    await sim.settle();
    const gone = await caught(vpc.describeSslVpnClientCert(gw.regionId, created.sslVpnClientCertId));
    expect(gone.kind).toBe('not-found');
    expect(sim.calls.every((c) => c.method === 'POST')).toBe(true);
  });

  it('pages through more than one page of certificates', async () => {
    sim.reset({ ...simSeed(), clientCertQuota: 200 });
    sim.setUpdateMs(0);
    for (let i = 0; i < 55; i++) {
      await vpc.createSslVpnClientCert({ regionId: gw.regionId, sslVpnServerId: gw.sslVpnServerId, name: `user-${i}`, clientToken: `t-${i}` });
      await sim.settle();
    }
    expect(await vpc.describeSslVpnClientCerts(gw.regionId, { sslVpnServerId: gw.sslVpnServerId })).toHaveLength(55);
    expect(sim.callsOf('DescribeSslVpnClientCerts').length).toBe(2);
  });

  it('classifies busy, throttled, not-found and permanent errors with code and RequestId', async () => {
    await vpc.createSslVpnClientCert({ regionId: gw.regionId, sslVpnServerId: gw.sslVpnServerId, name: 'a1', clientToken: 'a1' });
    const busy = await caught(vpc.createSslVpnClientCert({ regionId: gw.regionId, sslVpnServerId: gw.sslVpnServerId, name: 'a2', clientToken: 'a2' }));
    expect(busy).toMatchObject({ kind: 'busy', code: 'VpnGateway.Configuring' });
    expect(busy.requestId).toMatch(/^[0-9A-F-]{36}$/);
    await sim.settle();
    sim.inject({ action: 'DescribeVpnGateway', code: 'Throttling.User', status: 400 });
    expect((await caught(vpc.describeVpnGateway(gw.regionId, gw.vpnGatewayId))).kind).toBe('transient');
    sim.inject({ action: 'DescribeVpnGateway', code: 'ServiceUnavailable', status: 503 });
    expect((await caught(vpc.describeVpnGateway(gw.regionId, gw.vpnGatewayId))).kind).toBe('transient');
    sim.inject({ action: 'CreateSslVpnClientCert', code: 'Forbidden', status: 403 });
    expect((await caught(vpc.createSslVpnClientCert({ regionId: gw.regionId, sslVpnServerId: gw.sslVpnServerId, name: 'a3', clientToken: 'a3' })))).toMatchObject({ kind: 'permanent', code: 'Forbidden' });
    const invalidName = await caught(vpc.createSslVpnClientCert({ regionId: gw.regionId, sslVpnServerId: gw.sslVpnServerId, name: 'https://x', clientToken: 'a4' }));
    expect(invalidName).toMatchObject({ kind: 'permanent', code: 'InvalidName' });
    const missing = await caught(vpc.deleteSslVpnClientCert({ regionId: gw.regionId, sslVpnClientCertId: 'vsc-doesnotexist00000000000', clientToken: 'd' }));
    expect(missing.kind).toBe('not-found');
    sim.inject({ action: 'DescribeVpnGateway', mode: 'html' });
    expect((await caught(vpc.describeVpnGateway(gw.regionId, gw.vpnGatewayId))).kind).toBe('transient');
  });

  it('a create that times out after it was applied is ambiguous, and a retry with the same token returns the same certificate', async () => {
    const short = new VpcClient({ credentials, timeoutMs: 1000, endpointOverride: sim.url });
    sim.inject({ action: 'CreateSslVpnClientCert', mode: 'apply-then-delay', delayMs: 1500 });
    const input = { regionId: gw.regionId, sslVpnServerId: gw.sslVpnServerId, name: 'bob-r2', clientToken: 'vpnbot-create-r2' };
    const err = await caught(short.createSslVpnClientCert(input));
    expect(err.kind).toBe('ambiguous');
    expect(err.message).not.toMatch(/https?:\/\//);
    const retry = await short.createSslVpnClientCert(input);
    expect(sim.clientCerts(gw.sslVpnServerId).map((c) => c.sslVpnClientCertId)).toEqual([retry.sslVpnClientCertId]);
  });

  it('a wrong secret is a permanent error that does not leak the URL or credentials', async () => {
    const bad = new VpcClient({ credentials: { ...credentials, accessKeySecret: 'wrong' }, timeoutMs: 2000, endpointOverride: sim.url });
    const err = await caught(bad.describeVpnGateway(gw.regionId, gw.vpnGatewayId));
    expect(err).toMatchObject({ kind: 'permanent', code: 'SignatureDoesNotMatch' });
    expect(err.describe()).not.toContain(sim.url);
    expect(err.describe()).not.toContain(ACCESS_KEY.secret);
  });
});

describe('CasClient', () => {
  it('revokes, lists and deletes private-CA client certificates on version 2020-06-30', async () => {
    // The wire format only: pacing is tested with the shared limiter in test/e2e/cas-rate-limit.test.ts.
    let admitted = 0;
    const cas = new CasClient({ credentials, timeoutMs: 2000, endpointOverride: sim.url, limiter: { acquire: async () => { admitted++; } } });
    const id = 'a'.repeat(32);
    expect((await cas.listClientCertificates()).map((c) => c.identifier)).toContain(id);
    const deleteFirst = await caught(cas.deleteClientCertificate(id));
    expect(deleteFirst.kind).toBe('permanent');
    await cas.createRevokeClientCertificate(id);
    expect((await cas.describeClientCertificate(id)).status).toBe('REVOKE');
    await cas.deleteClientCertificate(id);
    expect((await caught(cas.describeClientCertificate(id))).kind).toBe('not-found');
    expect(admitted).toBe(sim.calls.filter((c) => c.version === '2020-06-30').length);
    expect(sim.callsOf('CreateRevokeClientCertificate')[0]?.version).toBe('2020-06-30');
  });
});

describe('error helpers', () => {
  it('classify codes and scrub URLs and credentials', () => {
    expect(classifyCode('VpnGateway.Configuring')).toBe('busy');
    expect(classifyCode('Throttling.Api')).toBe('transient');
    expect(classifyCode('InvalidSslVpnClientCertId.NotFound')).toBe('not-found');
    expect(classifyCode('InvalidAccessKeyId.NotFound')).toBe('permanent');
    expect(classifyCode('Weird', 502)).toBe('transient');
    expect(scrub('boom, URL: https://vpc.aliyuncs.com/?AccessKeyId=LTAI123&Signature=abc')).toBe('boom');
    expect(scrub('ReadTimeout(1000). POST /?AccessKeyId=LTAI9 failed.')).not.toContain('LTAI9');
  });
});
