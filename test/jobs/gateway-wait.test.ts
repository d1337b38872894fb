// GatewayWaiter against the simulator and a real Redis: what it learns per gateway, and the DescribeVpnGateway
// calls it makes (counts, not times).
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { VpcClient } from '../../src/api/vpc.js';
import { estimateUpdateTime, GatewayWaiter, HISTORY, OWN_ENOUGH, precheckNeeded, PRIOR, RedisUpdateTimeMemory, TRUST_SIGHTING_MS, type UpdateBasis } from '../../src/jobs/gateway-wait.js';
import { cloudCall, gatewayGate } from '../../src/jobs/steps.js';
import { startAlibabaSim, type AlibabaSim } from '../../src/sim/alicloud/index.js';
import { ACCESS_KEY, GATEWAYS, simSeed } from '../helpers/fixtures.js';
import { testRedisUrl } from '../helpers/process.js';

const DB = 24;
const GW = GATEWAYS[0]!;
let sim: AlibabaSim;
let redis: Redis;
let vpc: VpcClient;

beforeAll(async () => {
  redis = new Redis(testRedisUrl(DB));
  sim = await startAlibabaSim({ seed: simSeed(), updateMs: 300 });
  vpc = new VpcClient({ credentials: { accessKeyId: ACCESS_KEY.id, accessKeySecret: ACCESS_KEY.secret }, timeoutMs: 5000, endpointOverride: sim.url });
});

beforeEach(async () => {
  sim.reset(simSeed());
  sim.setUpdateMs(300);
  sim.setUpdateJitter(0);
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
async function change(waiter: GatewayWaiter, name: string, gw = GW, extra: Partial<Parameters<GatewayWaiter['untilActive']>[0]> = {}): Promise<void> {
  await vpc.createSslVpnClientCert({ regionId: gw.regionId, sslVpnServerId: gw.sslVpnServerId, name, clientToken: `token-${name}` });
  await waiter.untilActive({ regionId: gw.regionId, vpnGatewayId: gw.vpnGatewayId, gateway: gw.name, changedAt: Date.now(), deadline: Date.now() + 30_000, ...extra });
}
const sourceOf = (basis: UpdateBasis) => basis.source;
/** Another gateway of the account updated in about 300 ms: a first change borrows it instead of waiting 2 s on the prior. */
const neighbourSeen = () => new RedisUpdateTimeMemory(redis).record('neighbour', 'cn-shanghai', { loMs: 250, hiMs: 350 });

const describes = () => sim.callsOf('DescribeVpnGateway').length;
const target = () => ({ regionId: GW.regionId, vpnGatewayId: GW.vpnGatewayId, gateway: GW.name, deadline: Date.now() + 30_000 });
const precheck = (waiter: GatewayWaiter) => waiter.beforeChange(target());
async function waitFor(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500 && !(await check()); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('GatewayWaiter', () => {
  it('keeps each change as an observation in Redis, the newest first, at most HISTORY of them, shared by every waiter', async () => {
    await neighbourSeen();
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
    for (let i = 0; i < HISTORY; i++) await memory.record(GW.name, GW.regionId, { loMs: i, hiMs: i + 1 });
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

  it('a pre-check trusts the sighting of our own last change finishing, from any process (Redis): no call', async () => {
    await neighbourSeen();
    await change(new GatewayWaiter(vpc, new RedisUpdateTimeMemory(redis)), 'done');
    const before = describes();
    // Another process's waiter: the lane runs one change at a time, so none of ours can have started since.
    await new GatewayWaiter(vpc, new RedisUpdateTimeMemory(redis)).beforeChange(target());
    await new GatewayWaiter(vpc, new RedisUpdateTimeMemory(redis)).beforeChange(target());
    expect(describes()).toBe(before);
  });

  it('a change of ours in flight, or a sighting older than TRUST_SIGHTING_MS, makes the pre-check ask the gateway', async () => {
    await neighbourSeen();
    const memory = new RedisUpdateTimeMemory(redis);
    const waiter = new GatewayWaiter(vpc, memory);
    await change(waiter, 'done');
    expect(await memory.seenActiveAt(GW.name)).toBeDefined();
    // A change of ours starts (its wait begins): the sighting is gone until it is seen finished.
    await vpc.createSslVpnClientCert({ regionId: GW.regionId, sslVpnServerId: GW.sslVpnServerId, name: 'in-flight', clientToken: 'token-in-flight' });
    const waiting = waiter.untilActive({ regionId: GW.regionId, vpnGatewayId: GW.vpnGatewayId, gateway: GW.name, changedAt: Date.now(), deadline: Date.now() + 30_000 });
    await waitFor(async () => (await memory.seenActiveAt(GW.name)) === undefined);
    const before = describes();
    await waiter.beforeChange(target());
    expect(describes()).toBeGreaterThan(before);
    await waiting;
    expect(await memory.seenActiveAt(GW.name)).toBeDefined();
    // Too old to say anything about the gateway now.
    expect(precheckNeeded(Date.now() - TRUST_SIGHTING_MS - 1, Date.now())).toBe(true);
    expect(precheckNeeded(Date.now() - 1000, Date.now())).toBe(false);
    expect(precheckNeeded(undefined, Date.now())).toBe(true);
  });

  it('a change made outside the bot after our sighting: the create is refused with Configuring, waited out with real polls, then sent once', async () => {
    await neighbourSeen();
    const waiter = new GatewayWaiter(vpc, new RedisUpdateTimeMemory(redis));
    await change(waiter, 'done');
    sim.setUpdateMs(1000);
    // Someone changes the gateway in the console: it is updating, and the bot's sighting does not know.
    await vpc.createSslVpnClientCert({ regionId: GW.regionId, sslVpnServerId: GW.sslVpnServerId, name: 'console', clientToken: 'token-console' });
    const gate = gatewayGate(waiter, { ...GW, warmPool: 0 }, 30_000);
    const before = describes();
    await gate.beforeChange();
    expect(describes()).toBe(before);
    const created = await cloudCall(() => vpc.createSslVpnClientCert({ regionId: GW.regionId, sslVpnServerId: GW.sslVpnServerId, name: 'ours', clientToken: 'token-ours' }), { attempts: 8, gate });
    expect(created.sslVpnClientCertId).toBeTruthy();
    const refused = sim.callsOf('CreateSslVpnClientCert').filter((c) => c.params.Name === 'ours' && c.status !== 200);
    expect(refused.length).toBe(1);
    expect(sim.callsOf('CreateSslVpnClientCert').filter((c) => c.params.Name === 'ours' && c.status === 200)).toHaveLength(1);
    expect(describes()).toBeGreaterThan(before);
  });

  it('a gateway with no updates of its own borrows the account\'s: its region\'s first, the other regions\' else; the prior only when nothing is known', async () => {
    const waiter = new GatewayWaiter(vpc, new RedisUpdateTimeMemory(redis));
    const [hangzhou, frankfurt] = [GATEWAYS[0]!, GATEWAYS[1]!];
    expect(sourceOf((await waiter.basisFor(frankfurt.name, frankfurt.regionId)).basis)).toBe('prior');
    // A real change on hangzhou (another region) is lent to frankfurt: its first change plans around 300 ms, not 2 s.
    await change(waiter, 'lender', hangzhou);
    const borrowed = await waiter.basisFor(frankfurt.name, frankfurt.regionId);
    expect(borrowed.basis).toEqual({ source: 'account', observations: await new RedisUpdateTimeMemory(redis).recent(hangzhou.name) });
    expect(borrowed.settled).toBe(false);
    // A gateway in frankfurt's own region (another worker's record, say) is preferred over hangzhou.
    const memory = new RedisUpdateTimeMemory(redis);
    await memory.record('frankfurt-2', frankfurt.regionId, { loMs: 20_000, hiMs: 21_000 });
    expect((await waiter.basisFor(frankfurt.name, frankfurt.regionId)).basis).toEqual({ source: 'region', observations: [{ loMs: 20_000, hiMs: 21_000 }] });
    // Its own few come first; from OWN_ENOUGH on, its own alone, and nothing more is re-read during a wait.
    for (let i = 0; i < OWN_ENOUGH - 1; i++) await memory.record(frankfurt.name, frankfurt.regionId, { loMs: 400, hiMs: 500 });
    const few = (await waiter.basisFor(frankfurt.name, frankfurt.regionId)).basis;
    expect(few.source === 'region' && few.observations.slice(0, OWN_ENOUGH)).toEqual([{ loMs: 400, hiMs: 500 }, { loMs: 400, hiMs: 500 }, { loMs: 20_000, hiMs: 21_000 }]);
    await memory.record(frankfurt.name, frankfurt.regionId, { loMs: 400, hiMs: 500 });
    const enough = await waiter.basisFor(frankfurt.name, frankfurt.regionId);
    expect(enough).toEqual({ basis: { source: 'own', observations: Array.from({ length: OWN_ENOUGH }, () => ({ loMs: 400, hiMs: 500 })) }, settled: true });
    expect((await memory.peers(frankfurt.name)).map((p) => p.gateway).sort()).toEqual(['frankfurt-2', hangzhou.name]);
  });

  it('a wait with nothing known learns from another gateway that finishes meanwhile, and plans its next poll from that', async () => {
    sim.setUpdateMs(1500);
    const memory = new RedisUpdateTimeMemory(redis);
    const events: string[] = [];
    const waiting = GATEWAYS[1]!;
    const other = { name: 'qingdao', regionId: 'cn-qingdao' };
    await change(new GatewayWaiter(vpc, memory), 'cold', waiting, {
      onEstimate: (source) => {
        events.push(`estimate ${source}`);
        // Another worker's gateway finishes its 1.5 s update while this one still waits on the prior.
        if (source === 'prior') void memory.record(other.name, other.regionId, { loMs: 1400, hiMs: 1600 });
      },
      onPoll: (gw) => events.push(`poll ${gw.status}`),
    });
    // Re-planned before the prior's first poll (2 s): every poll ran on what the other gateway taught.
    expect(events.slice(0, 2)).toEqual(['estimate prior', 'estimate account']);
    expect(events.slice(2).every((e) => e.startsWith('poll'))).toBe(true);
    const [seen] = await memory.recent(waiting.name);
    expect(seen!.hiMs).toBeLessThan(PRIOR.fromMs);
  });

  it('the polling targets on a jittered gateway (1 s ± 30 %): the first change costs the prior\'s one poll, the learnt ones at most 10 calls each on average', async () => {
    sim.setUpdateMs(1000);
    sim.setUpdateJitter(0.3);
    const memory = new RedisUpdateTimeMemory(redis);
    const waiter = new GatewayWaiter(vpc, memory);
    const calls: number[] = [];
    for (let i = 0; i < 10; i++) {
      const before = describes();
      // As a lane does: the pre-check (right after the previous change: no call), the change, its wait.
      await precheck(waiter);
      await change(waiter, `jitter-${i}`);
      calls.push(describes() - before);
    }
    // Nothing known: one pre-check and the prior's first poll at 2 s, which already sees the update done.
    expect(calls[0]).toBe(2);
    const learnt = calls.slice(3);
    expect(learnt.reduce((a, b) => a + b, 0) / learnt.length).toBeLessThanOrEqual(10);
    const estimate = estimateUpdateTime(await memory.recent(GW.name));
    expect(estimate.fromMs).toBeLessThan(1000);
    expect(estimate.toMs).toBeGreaterThan(1000);
    expect(estimate.toMs).toBeLessThan(PRIOR.fromMs);
  });
});
