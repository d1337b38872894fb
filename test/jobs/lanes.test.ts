import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lanes } from '../../src/jobs/lanes.js';
import type { AccessRequest } from '../../src/core/requests.js';
import { testRedisUrl } from '../helpers/process.js';

const DB = 59;

const prefix = `vpnbot-test-${process.pid}`;
let redis: Redis;
let lanes: Lanes;

beforeAll(async () => {
  redis = new Redis(testRedisUrl(DB), { maxRetriesPerRequest: null });
  lanes = new Lanes(redis, ['alpha', 'beta'], prefix);
  await lanes.init();
});
afterAll(async () => {
  await lanes.queue('alpha').obliterate({ force: true });
  await lanes.queue('beta').obliterate({ force: true });
  await lanes.close();
  redis.disconnect();
});

const request = (id: string, gateway = 'alpha') => ({ id, gateway } as AccessRequest);

describe('Lanes', () => {
  it('holds every lane to global concurrency 1', async () => {
    expect(await lanes.queue('alpha').getGlobalConcurrency()).toBe(1);
    expect(await lanes.queue('beta').getGlobalConcurrency()).toBe(1);
  });

  it('enqueues once per request and reports queue positions in order', async () => {
    const first = await lanes.enqueueProvision(request('raaaaaaaa1'));
    const second = await lanes.enqueueProvision(request('raaaaaaaa2'));
    const again = await lanes.enqueueProvision(request('raaaaaaaa1'));
    expect(first.position).toBe(1);
    expect(second.position).toBe(2);
    expect(again.position).toBe(2);
    expect(await lanes.depth('alpha')).toEqual({ queued: 2, scheduled: 0 });
    expect(await lanes.positionOf(request('raaaaaaaa1'))).toBe(1);
    expect(await lanes.positionOf(request('raaaaaaaa2'))).toBe(2);
    expect(await lanes.positionOf(request('rnotqueued'))).toBeUndefined();
    expect(await lanes.depth('beta')).toEqual({ queued: 0, scheduled: 0 });
  });

  it('puts job ids and queue keys where Redis Cluster keeps a lane together', async () => {
    const keys = await redis.keys(`${prefix}:*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key).toMatch(new RegExp(`^${prefix}:\\{lane-(alpha|beta)\\}:`));
    const job = await lanes.queue('alpha').getJob('provision-raaaaaaaa1');
    expect(job?.data).toEqual({ requestId: 'raaaaaaaa1', step: 'start' });
  });
});

describe('expiry scheduling', () => {
  it('coalesces removal times and the sweep schedules every due grant once', async () => {
    const { removalTime } = await import('../../src/jobs/lanes.js');
    const { sweepExpiries } = await import('../../src/jobs/workers.js');
    const { RequestStore } = await import('../../src/core/store.js');
    expect(removalTime(1_000, 0)).toBe(1_000);
    expect(removalTime(900_001, 900_000)).toBe(1_800_000);
    expect(removalTime(1_800_000, 900_000)).toBe(1_800_000);

    const store = new RequestStore(redis, `{${prefix}-store}`);
    const now = Date.now();
    const base = { requesterId: 'U0A', gateway: 'beta', durationMs: 60_000, reason: 'x', status: 'active' as const, createdAt: now, updatedAt: now, certId: 'vsc-1' };
    await store.create({ ...base, id: 'rexpiresoon01', expiresAt: now + 60_000 });
    await store.create({ ...base, id: 'rexpireslate1', expiresAt: now + 86_400_000 });
    expect(await sweepExpiries(store, lanes, now + 5 * 60_000)).toBe(1);
    expect(await sweepExpiries(store, lanes, now + 5 * 60_000)).toBe(1);
    const job = await lanes.queue('beta').getJob('expire-rexpiresoon01');
    expect(await job?.getState()).toBe('delayed');
    expect(await lanes.queue('beta').getJob('expire-rexpireslate1')).toBeUndefined();
    expect((await lanes.queue('beta').getDelayedCount())).toBe(1);
    const keys = await redis.keys(`{${prefix}-store}*`);
    if (keys.length) await redis.del(...keys);
  });
});
