import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/core/audit.js';
import { newRequestId, certificateName, isValidCertificateName } from '../../src/core/ids.js';
import { RequestStore } from '../../src/core/store.js';
import { testRedisUrl } from '../helpers/process.js';

const DB = 60;

const prefix = `{test-store-${process.pid}}`;
let redis: Redis;

beforeAll(() => { redis = new Redis(testRedisUrl(DB)); });
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

const base = (id = newRequestId()) => ({ id, requesterId: 'U0ALICE', gateway: 'hangzhou', durationMs: 3_600_000, reason: 'test', status: 'pending' as const, createdAt: Date.now(), updatedAt: Date.now() });

describe('RequestStore', () => {
  it('applies one of many concurrent transitions and refuses the rest', async () => {
    const store = new RequestStore(redis, prefix);
    const created = await store.create(base());
    const results = await Promise.all(['U0B', 'U0C', 'U0D', 'U0E'].map((approverId) => store.transition(created.id, 'approved', { approverId }, ['pending'])));
    const winners = results.filter((r) => r.ok);
    expect(winners).toHaveLength(1);
    const final = await store.get(created.id);
    expect(final?.status).toBe('approved');
    expect(final?.approverId).toBe((winners[0] as { request: { approverId: string } }).request.approverId);
    expect(await store.idsByStatus('pending')).not.toContain(created.id);
    expect(await store.idsByStatus('approved')).toContain(created.id);
  });

  it('only allows transitions in the table', async () => {
    const store = new RequestStore(redis, prefix);
    const created = await store.create(base());
    expect((await store.transition(created.id, 'active')).ok).toBe(false);
    expect((await store.transition(created.id, 'denied', { denyReason: 'no' })).ok).toBe(true);
    expect((await store.transition(created.id, 'approved')).ok).toBe(false);
    expect((await store.transition('rmissing000000', 'approved')).ok).toBe(false);
  });

  it('keeps concurrent field updates (no lost writes) and indexes active grants by expiry', async () => {
    const store = new RequestStore(redis, prefix);
    const created = await store.create(base());
    await Promise.all([store.update(created.id, { certName: 'n' }), store.update(created.id, { certId: 'vsc-1' })]);
    const after = await store.get(created.id);
    expect(after?.certName).toBe('n');
    expect(after?.certId).toBe('vsc-1');
    await store.transition(created.id, 'approved');
    await store.transition(created.id, 'provisioning');
    await store.transition(created.id, 'active', { expiresAt: Date.now() + 1000 });
    expect((await store.grantsExpiringBy(Date.now() + 2000)).map((r) => r.id)).toContain(created.id);
    expect((await store.listByUser('U0ALICE')).map((r) => r.id)).toContain(created.id);
  });
});

describe('AuditLog', () => {
  it('chains entries and detects tampering', async () => {
    const audit = new AuditLog(redis, prefix);
    await Promise.all([1, 2, 3, 4].map((i) => audit.append({ actor: 'U0BOB', action: 'request.approved', requestId: `r${i}`, subject: 'U0ALICE' })));
    await audit.append({ actor: 'U0EVE', action: 'request.created', subject: 'U0EVE' });
    expect(await audit.verify()).toBeUndefined();
    expect(await audit.list({ userId: 'U0ALICE' })).toHaveLength(4);
    const [first] = (await redis.xrange(`${prefix}:audit`, '-', '+'))[0]!;
    await redis.xdel(`${prefix}:audit`, first);
    expect(await audit.verify()).toBeDefined();
  });
});

describe('certificate names', () => {
  it('are valid under both versions of the name rules, for any handle', () => {
    for (const handle of ['alice', 'Zoë Smith', '42bob', '', '---', 'a'.repeat(200), 'https://evil']) {
      const name = certificateName(handle, 'rabc123def456');
      expect(isValidCertificateName(name), name).toBe(true);
      expect(name.length).toBeLessThanOrEqual(100);
    }
  });
});

describe('per-gateway grant index', () => {
  it('lists a gateway\'s active grants soonest first and forgets ended ones', async () => {
    const store = new RequestStore(redis, prefix);
    const now = Date.now();
    const mk = async (id: string, gateway: string, expiresAt: number) => {
      await store.create({ ...base(id), gateway, status: 'active', expiresAt });
    };
    await mk('rgwindex00001', 'tokyo', now + 3000);
    await mk('rgwindex00002', 'tokyo', now + 1000);
    await mk('rgwindex00003', 'osaka', now + 2000);
    const tokyo = await store.activeOnGateway('tokyo', 1);
    expect(tokyo.total).toBe(2);
    expect(tokyo.grants.map((g) => g.id)).toEqual(['rgwindex00002']);
    expect(await store.countActiveOnGateway('osaka')).toBe(1);
    await store.transition('rgwindex00002', 'revoked');
    expect((await store.activeOnGateway('tokyo')).grants.map((g) => g.id)).toEqual(['rgwindex00001']);
    await store.update('rgwindex00001', { expiresAt: now + 9000 });
    expect(await redis.zscore(`${prefix}:gw:tokyo:grants`, 'rgwindex00001')).toBe(String(now + 9000));
  });
});

describe('failure index', () => {
  it('counts a gateway\'s failures by time, once per request', async () => {
    const store = new RequestStore(redis, prefix);
    const since = Date.now() - 1;
    const created = await store.create({ ...base('rfailidx00001'), gateway: 'nagoya' });
    await store.transition(created.id, 'approved');
    await store.transition(created.id, 'failed', { failure: 'x' });
    await store.update(created.id, { failure: 'y' });
    expect(await store.countFailuresSince('nagoya', since)).toBe(1);
    expect(await store.countFailuresSince('nagoya', Date.now() + 1000)).toBe(0);
    expect(await store.countFailuresSince('kobe', since)).toBe(0);
  });
});
