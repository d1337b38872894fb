// GatewayWaiter against the simulator and a real Redis: what it learns per gateway, and the DescribeVpnGateway
// calls it makes (counts, not times).
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VpcClient } from '../../src/api/vpc.js';
import { estimateUpdateTime, GatewayWaiter, HISTORY, PRIOR, RedisUpdateTimeMemory } from '../../src/jobs/gateway-wait.js';
import { startAlibabaSim, type AlibabaSim } from '../../src/sim/alicloud/index.js';
import { ACCESS_KEY, GATEWAYS, simSeed } from '../helpers/fixtures.js';

const DB = 24;
const GW = GATEWAYS[0]!;
let sim: AlibabaSim;
let redis: Redis;
let vpc: VpcClient;

beforeAll(async () => {
  redis = new Redis(`${(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379').replace(/\/\d+$/, '')}/${DB}`);
  sim = await startAlibabaSim({ seed: simSeed(), updateMs: 300 });
  vpc = new VpcClient({ credentials: { accessKeyId: ACCESS_KEY.id, accessKeySecret: ACCESS_KEY.secret }, timeoutMs: 5000, endpointOverride: sim.url });
});

beforeEach(async () => {
  sim.reset(simSeed());
  sim.setUpdateMs(300);
  await redis.flushdb();
});

afterAll(async () => {
  await sim?.close();
  if (redis) {
    await redis.flushdb();
    redis.disconnect();
  }
});

/** One change of ours: a certificate created on the gateway, then the wait for it to be applied. */
async function change(waiter: GatewayWaiter, name: string): Promise<void> {
  await vpc.createSslVpnClientCert({ regionId: GW.regionId, sslVpnServerId: GW.sslVpnServerId, name, clientToken: `token-${name}` });
  await waiter.untilActive({ regionId: GW.regionId, vpnGatewayId: GW.vpnGatewayId, gateway: GW.name, changedAt: Date.now(), deadline: Date.now() + 30_000 });
}

const describes = () => sim.callsOf('DescribeVpnGateway').length;
const precheck = (waiter: GatewayWaiter) => waiter.untilActive({ regionId: GW.regionId, vpnGatewayId: GW.vpnGatewayId, gateway: GW.name, deadline: Date.now() + 30_000 });

describe('GatewayWaiter', () => {
  it('keeps each change as an observation in Redis, the newest first, at most HISTORY of them, shared by every waiter', async () => {
    const memory = new RedisUpdateTimeMemory(redis);
    const [a, b] = [new GatewayWaiter(vpc, memory), new GatewayWaiter(vpc, new RedisUpdateTimeMemory(redis))];
    await change(a, 'first');
    const [first] = await memory.recent(GW.name);
    // The update took 300 ms in the simulator: it finished after the last busy poll and by the active one.
    expect(first!.loMs).toBeLessThan(first!.hiMs);
    expect(first!.hiMs).toBeGreaterThanOrEqual(250);
    await change(b, 'second');
    expect(await memory.recent(GW.name)).toHaveLength(2);
    expect(await memory.recent(GATEWAYS[1]!.name)).toHaveLength(0);
    for (let i = 0; i < HISTORY; i++) await memory.record(GW.name, { loMs: i, hiMs: i + 1 });
    const kept = await memory.recent(GW.name);
    expect(kept).toHaveLength(HISTORY);
    expect(kept[0]).toEqual({ loMs: HISTORY - 1, hiMs: HISTORY });
  });

  it('learns a 300 ms gateway: the likely range moves from the prior (first poll at 2 s) to around 300 ms', async () => {
    const memory = new RedisUpdateTimeMemory(redis);
    const waiter = new GatewayWaiter(vpc, memory);
    expect(estimateUpdateTime(await memory.recent(GW.name)).fromMs).toBe(PRIOR.fromMs);
    for (let i = 0; i < 6; i++) await change(waiter, `c${i}`);
    const learnt = estimateUpdateTime(await memory.recent(GW.name));
    expect(learnt.shape).toBe('learnt');
    expect(learnt.fromMs).toBeLessThanOrEqual(300);
    expect(learnt.toMs).toBeGreaterThanOrEqual(300);
    expect(learnt.toMs).toBeLessThan(PRIOR.fromMs);
  });

  it('the pre-check right after its own change needs no call, once; the next one asks the gateway', async () => {
    const waiter = new GatewayWaiter(vpc, new RedisUpdateTimeMemory(redis));
    await change(waiter, 'done');
    const before = describes();
    expect((await precheck(waiter)).status).toBe('active');
    expect(describes()).toBe(before);
    // A change made outside the bot: the next pre-check must see it and wait it out.
    sim.setGatewayStatus(GW.vpnGatewayId, 'updating');
    expect((await precheck(waiter)).status).toBe('active');
    expect(describes()).toBeGreaterThanOrEqual(before + 2);
  });

  it('a fresh waiter (another process) always asks the gateway before a change', async () => {
    await change(new GatewayWaiter(vpc, new RedisUpdateTimeMemory(redis)), 'elsewhere');
    const before = describes();
    await precheck(new GatewayWaiter(vpc, new RedisUpdateTimeMemory(redis)));
    expect(describes()).toBe(before + 1);
  });
});
