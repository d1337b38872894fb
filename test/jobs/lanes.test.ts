import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Lanes } from '../../src/jobs/lanes.js';
import type { AccessRequest } from '../../src/core/requests.js';

const prefix = `vpnbot-test-${process.pid}`;
let redis: Redis;
let lanes: Lanes;

beforeAll(async () => {
  redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
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
    expect(await lanes.depth('alpha')).toBe(2);
    expect(await lanes.positionOf(request('raaaaaaaa1'))).toBe(1);
    expect(await lanes.positionOf(request('raaaaaaaa2'))).toBe(2);
    expect(await lanes.positionOf(request('rnotqueued'))).toBeUndefined();
    expect(await lanes.depth('beta')).toBe(0);
  });

  it('puts job ids and queue keys where Redis Cluster keeps a lane together', async () => {
    const keys = await redis.keys(`${prefix}:*`);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(key).toMatch(new RegExp(`^${prefix}:\\{lane-(alpha|beta)\\}:`));
    const job = await lanes.queue('alpha').getJob('provision-raaaaaaaa1');
    expect(job?.data).toEqual({ requestId: 'raaaaaaaa1', step: 'start' });
  });
});
