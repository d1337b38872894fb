// Warm pool under concurrency and kill -9 (issue #9): two product processes on one Redis take approvals
// at the same moment while one of them is killed mid-delivery; a fresh process finishes the work. Every
// pooled certificate ends with exactly one holder (or back in the pool), nobody gets two, none is lost.
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { POOL_CERT_NAME } from '../../src/core/ids.js';
import { PoolStore } from '../../src/core/pool.js';
import { RequestStore } from '../../src/core/store.js';
import type { AlibabaSim } from '../../src/sim/alicloud/index.js';
import { SlackDriver, type FakeSlack } from '../../src/sim/slack/index.js';
import { APPROVALS, configYaml, GATEWAYS, SIGNING_SECRET, USERS } from '../helpers/harness.js';
import { killAllBots, spawnBot, startChildWorld, waitUntil, type BotProcess, type ChildWorld } from '../helpers/process.js';

const DB = 31;
const HZ = GATEWAYS[0]!;
const REQUESTERS = ['U0ALICE', 'U0CAROL', 'U0EVE', 'U0ADMIN', 'U0DAVE', 'U0FRANK'];

let world: ChildWorld;
let sim: AlibabaSim;
let fake: FakeSlack;
let redis: Redis;
let store: RequestStore;
let pool: PoolStore;
let env: Record<string, string>;
let spawned: BotProcess[] = [];

beforeAll(async () => {
  const configText = configYaml('  expiryCoalesceWindow: 0m\nprovisioning:\n  lockDurationMs: 2000\n')
    .replace(`    sslVpnServerId: ${HZ.sslVpnServerId}\n`, `    sslVpnServerId: ${HZ.sslVpnServerId}\n    warmPool: 3\n`);
  world = await startChildWorld({ db: DB, configText, users: { ...USERS, U0DAVE: { name: 'dave' }, U0FRANK: { name: 'frank' } } });
  ({ sim, fake, redis, env } = world);
  store = new RequestStore(redis);
  pool = new PoolStore(redis);
});

afterEach(async (ctx) => {
  await killAllBots();
  if (ctx.task.result?.state === 'fail') for (const bot of spawned) console.error(bot.output());
});

afterAll(async () => {
  await world?.close();
});

const until = <T>(what: string, predicate: () => Promise<T | undefined | false | null>, timeoutMs = 45_000): Promise<T> => waitUntil(what, predicate, timeoutMs);

async function startBot(name: string): Promise<SlackDriver> {
  const proc = await spawnBot(name, env);
  spawned.push(proc);
  return new SlackDriver({ botUrl: `${proc.baseUrl}/slack/events`, signingSecret: SIGNING_SECRET, fake });
}

async function submit(driver: SlackDriver, userId: string): Promise<{ requestId: string; cardTs: string }> {
  const answer = await driver.command({ userId, text: `request hangzhou 1d pool crash ${userId}` });
  const requestId = /`(r[a-z0-9]+)`/.exec(String(answer.json?.text ?? ''))?.[1];
  if (!requestId) throw new Error(`no request id in ${answer.body}`);
  const card = await fake.waitFor(`card of ${requestId}`, () => fake.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(requestId)), 15_000);
  return { requestId, cardTs: card.ts };
}

describe('warm pool: concurrent approvals in two processes, one killed -9', () => {
  it('never two holders, never a lost certificate, every requester served once', async () => {
    spawned = [];
    const a = await startBot('a');
    const b = await startBot('b');
    await until('3 ready pool certificates', async () => (await pool.counts(HZ.name)).ready === 3);
    const pooled = sim.clientCerts(HZ.sslVpnServerId).map((c) => c.sslVpnClientCertId);
    expect(pooled).toHaveLength(3);

    const submitted: { userId: string; requestId: string; cardTs: string }[] = [];
    for (const userId of REQUESTERS) submitted.push({ userId, ...(await submit(a, userId)) });
    // Deliveries hang in the upload long enough to be caught by the kill.
    fake.inject('files.getUploadURLExternal', { delayMs: 2500, times: 3 });
    await Promise.all(submitted.map((s, i) => (i % 2 ? b : a).blockAction({ userId: 'U0BOB', actionId: 'vpn_approve', value: s.requestId, channelId: APPROVALS, messageTs: s.cardTs })));
    await fake.waitFor('a delivery under way', () => fake.callsOf('files.getUploadURLExternal').length >= 1, 15_000);
    await spawned[0]!.kill9();
    await startBot('c');

    const grants = await until('all six active', async () => {
      const all = await Promise.all(submitted.map((s) => store.get(s.requestId)));
      const failed = all.find((r) => r?.status === 'failed');
      if (failed) throw new Error(`request ${failed.id} failed: ${failed.failure}`);
      return all.every((r) => r?.status === 'active') ? all.map((r) => r!) : undefined;
    }, 90_000);
    // Long enough for a stray second delivery to show up.
    await new Promise((resolve) => setTimeout(resolve, 1000));

    const certIds = grants.map((g) => g.certId!);
    expect(new Set(certIds).size).toBe(REQUESTERS.length);
    for (const s of submitted) expect(fake.files(fake.dmChannelFor(s.userId)), s.userId).toHaveLength(1);
    // Each originally pooled certificate: held by exactly one active grant (the one the mapping names), or still ready.
    const ready = new Set(await redis.zrange(`{vpnbot}:pool:${HZ.name}:ready`, 0, -1));
    for (const certId of pooled) {
      const holders = grants.filter((g) => g.certId === certId);
      const assigned = await pool.assignedTo(HZ.name, certId);
      if (holders.length === 0) expect(ready.has(certId), `${certId} neither held nor ready`).toBe(true);
      else {
        expect(holders).toHaveLength(1);
        expect(assigned).toBe(holders[0]!.id);
      }
    }
    expect(certIds.filter((id) => pooled.includes(id)).length).toBeGreaterThanOrEqual(1);
    // Every pool certificate on the gateway is accounted for: held, ready, or being made/retired.
    await until('pool refilled', async () => (await pool.counts(HZ.name)).ready === 3);
    const known = await pool.known(HZ.name);
    for (const cert of sim.clientCerts(HZ.sslVpnServerId).filter((c) => POOL_CERT_NAME.test(c.name))) {
      const state = known.get(cert.sslVpnClientCertId);
      expect(state, `${cert.name} unknown to the pool`).toBeDefined();
      if (state === 'assigned') expect(certIds).toContain(cert.sslVpnClientCertId);
    }
    expect(sim.configuringRejections()).toBe(0);
  }, 150_000);
});
