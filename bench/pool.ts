// Warm pool (issue #9): approve → profile in the requester's DM, p50/p95, with a simulated gateway whose
// every update takes 30 s ± 30 %. Four runs on one gateway, in parallel (each its own product process,
// simulators and Redis database): pool of 3 vs no pool, for 3 approvals and for a burst of 10 (all clicks
// at once). With a pool, the clicks come once the pool is full. Target: p50 ≤ 2 s while the pool lasts.
//   npx tsx bench/pool.ts      (its own redis-server, or BENCH_REDIS_URL; databases 16–19 are flushed before and after)
import { loadavg } from 'node:os';
import { startAlibabaSim } from '../src/sim/alicloud/index.js';
import { SlackDriver, startFakeSlack } from '../src/sim/slack/index.js';
import { ALL_GATEWAYS, APPROVALS, REDIS_BASE, APPROVER, BOT_TOKEN, closeRun, SIGNING_SECRET, benchUsers, configYaml, freshDb, machine, productEnv, requesterId, runStandalone, simSeedFor, spawnProduct, summarize, waitReady, waitUntil, writeConfigFile, type Summary } from './lib.js';

const GW = ALL_GATEWAYS[0]!;
const UPDATE_MS = 30_000;
const JITTER = 0.3;
const POOL = 3;
const TARGET_P50_MS = 2000;

interface RunResult {
  label: string;
  warmPool: number;
  approvals: number;
  /** Per request, click → profile in the DM (ms), in click order. */
  approveToDmMs: number[];
  all: Summary;
  /** The requests served while the pool lasted (the first `warmPool`), and the rest. */
  fromPool?: Summary;
  afterPool?: Summary;
  poolFillMs?: number;
  servedFromPool: number;
  configuringRejections: number;
}

async function run(db: number, warmPool: number, approvals: number): Promise<RunResult> {
  const label = `pool-${warmPool ? `pool${warmPool}` : 'nopool'}-${approvals}`;
  const redis = await freshDb(db);
  const sim = await startAlibabaSim({ seed: simSeedFor([GW]), updateMs: UPDATE_MS, updateJitter: JITTER });
  const fake = await startFakeSlack({ botToken: BOT_TOKEN, users: benchUsers(approvals), usergroups: { S0APPROVERS: ['U0CAROL'] } });
  let text = configYaml('provisioning:\n  gatewayTimeout: 30m\n', { gateways: [GW] });
  if (warmPool) text = text.replace(`    sslVpnServerId: ${GW.sslVpnServerId}\n`, `    sslVpnServerId: ${GW.sslVpnServerId}\n    warmPool: ${warmPool}\n`);
  const env = { LOG_LEVEL: 'warn', ...productEnv({ redisUrl: `${REDIS_BASE}/${db}`, slackUrl: fake.url, simUrl: sim.url, configPath: writeConfigFile(text, 'vpnbot-bench-pool-') }) };
  const product = await spawnProduct({ role: 'all', env, label });
  try {
    await waitReady(product, 60_000);
    const driver = new SlackDriver({ botUrl: `http://127.0.0.1:${product.port}/slack/events`, signingSecret: SIGNING_SECRET, fake });
    let poolFillMs: number | undefined;
    if (warmPool) {
      const started = Date.now();
      await waitUntil('pool full', async () => (await redis.zcard(`{vpnbot}:pool:${GW.name}:ready`)) >= warmPool, warmPool * UPDATE_MS * 3);
      poolFillMs = Date.now() - started;
    }
    const requests: { userId: string; requestId: string; ts: string }[] = [];
    for (let i = 0; i < approvals; i++) {
      const userId = requesterId(i);
      const answer = await driver.command({ userId, text: `request ${GW.name} 1d bench ${i}` });
      const requestId = /`(r[a-z0-9]+)`/.exec(String(answer.json?.text ?? ''))?.[1];
      if (!requestId) throw new Error(`${label}: no request id in ${answer.body}`);
      const card = await waitUntil(`card ${requestId}`, () => fake.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(requestId)), 30_000);
      requests.push({ userId, requestId, ts: card.ts });
    }
    const clickedAt: number[] = [];
    const deliveredAt: (number | undefined)[] = requests.map(() => undefined);
    // Watches every DM at 20 ms resolution while the clicks go out all at once.
    const watcher = setInterval(() => {
      requests.forEach((r, i) => { if (deliveredAt[i] === undefined && fake.files(fake.dmChannelFor(r.userId)).length > 0) deliveredAt[i] = Date.now(); });
    }, 20);
    await Promise.all(requests.map((r, i) => {
      clickedAt[i] = Date.now();
      return driver.blockAction({ userId: APPROVER, actionId: 'vpn_approve', value: r.requestId, channelId: APPROVALS, messageTs: r.ts });
    }));
    await waitUntil('every profile delivered', () => deliveredAt.every((d) => d !== undefined), (approvals + 2) * UPDATE_MS * 1.5 + 60_000, 100);
    clearInterval(watcher);
    const approveToDmMs = deliveredAt.map((d, i) => d! - clickedAt[i]!);
    const served = (await Promise.all(requests.map(async (r) => (await redis.get(`{vpnbot}:pool:holder:${r.requestId}`)) ?? '-'))).filter((h) => h !== '-').length;
    const sortedByDelivery = [...approveToDmMs].sort((a, b) => a - b);
    return {
      label, warmPool, approvals, approveToDmMs, all: summarize(approveToDmMs),
      ...(warmPool ? { fromPool: summarize(sortedByDelivery.slice(0, Math.min(warmPool, approvals))), poolFillMs } : {}),
      ...(warmPool && approvals > warmPool ? { afterPool: summarize(sortedByDelivery.slice(warmPool)) } : {}),
      servedFromPool: served,
      configuringRejections: sim.configuringRejections(),
    };
  } finally {
    await closeRun({ processes: [product], slack: fake, sim, redis });
  }
}

runStandalone('pool', 20 * 60_000, async () => {
  const load = { before: loadavg()[0] };
  const runs = await Promise.all([run(16, 0, 3), run(17, POOL, 3), run(18, 0, 10), run(19, POOL, 10)]);
  const pooled = runs.filter((r) => r.warmPool);
  const pass = pooled.every((r) => (r.fromPool?.p50 ?? Infinity) <= TARGET_P50_MS && r.servedFromPool === Math.min(r.warmPool, r.approvals)) && runs.every((r) => r.configuringRejections === 0);
  for (const r of runs) {
    process.stdout.write(`[pool] ${r.label}: approve→DM p50 ${r.all.p50} ms p95 ${r.all.p95} ms; served from pool ${r.servedFromPool}${r.fromPool ? `; while the pool lasted p50 ${r.fromPool.p50} ms p95 ${r.fromPool.p95} ms` : ''}${r.afterPool ? `; after it p50 ${r.afterPool.p50} ms` : ''}\n`);
  }
  return { benchmark: 'pool', date: new Date().toISOString(), machine: machine(), load: { ...load, after: loadavg()[0] }, updateMs: UPDATE_MS, jitter: JITTER, targetP50Ms: TARGET_P50_MS, runs, pass };
});
