// Slack ack latency (PRODUCT §5: p99 ≤ 100 ms at 200 requests/s). The product runs as a child process
// (`npx tsx src/main.ts`, role all) against the Alibaba Cloud simulator and the fake Slack, both hosted in
// this process. Signed slash commands and button clicks are sent open loop (on a timer, never waiting for
// answers) at 50, 100 and 200 requests/s; the HTTP round trip of each is measured.
//   npx tsx bench/ack.ts         (starts its own redis-server, or BENCH_REDIS_URL; database 13 is flushed before and after)
import { startAlibabaSim } from '../src/sim/alicloud/index.js';
import { SlackDriver, startFakeSlack, type HttpAnswer } from '../src/sim/slack/index.js';
import { ALL_GATEWAYS, cpuWindow, type CpuWindow, APPROVALS, APPROVER, BOT_TOKEN, approvalCards, closeRun, OUTSIDER, REDIS_BASE, SIGNING_SECRET, benchUsers, configYaml, productEnv, freshDb, isMain, machine, requesterId, simSeedFor, sleep, spawnProduct, summarize, waitReady, waitUntil, writeConfigFile, type ProductProcess, type Summary, runStandalone } from './lib.js';

const DB = Number(process.env.BENCH_ACK_DB ?? 13);
const RATES = (process.env.BENCH_ACK_RATES ?? '50,100,200').split(',').map(Number).filter((r) => r > 0 && r <= 1000);
const DURATION_S = Math.min(30, Number(process.env.BENCH_ACK_SECONDS ?? 5));
const WARMUP_RATE = 50;
const WARMUP_S = 2;
const REQUEST_TIMEOUT_MS = 5000;
const TARGET_P99_MS = 100;
const KINDS = ['help', 'request', 'approve-ok', 'approve-refused'] as const;
type Kind = (typeof KINDS)[number];

const perKind = (rate: number, seconds: number) => Math.ceil((rate * seconds) / KINDS.length);
const OK_CLICKS_NEEDED = RATES.reduce((a, r) => a + perKind(r, DURATION_S), 0) + perKind(WARMUP_RATE, WARMUP_S);
const POOL = OK_CLICKS_NEEDED + 40; // pending requests made before the measured phase, one per approve-ok click
const USERS = POOL + OK_CLICKS_NEEDED + 200; // pool requesters + one fresh requester per `/vpn request`

interface Sample { kind: Kind; lagMs: number; ms: number; status: number; error?: string; unexpected?: boolean }

export interface AckRateResult {
  rate: number;
  seconds: number;
  sent: number;
  achievedPerSecond: number;
  /** How late sends left versus the schedule (the open-loop sender keeping up). */
  sendLag: Summary;
  /** CPU during the window: the product's processes, this process (sender + simulators), everything else. */
  cpu: CpuWindow;
  all: Summary & { errors: number; unexpected: number };
  byKind: Record<Kind, Summary & { errors: number; unexpected: number }>;
}

export interface AckResult {
  benchmark: 'ack';
  date: string;
  machine: ReturnType<typeof machine>;
  targetP99Ms: number;
  rates: AckRateResult[];
  checks: { approvalsRecorded: number; approveOkClicks: number; outsiderRefusals: number; lateRefusals: number };
  pass: boolean;
  notes: string[];
}

export async function runAck(): Promise<AckResult> {
  const notes: string[] = [];
  const redis = await freshDb(DB);
  const sim = await startAlibabaSim({ seed: simSeedFor(ALL_GATEWAYS.slice(0, 2)), updateMs: 2000 });
  const slack = await startFakeSlack({ botToken: BOT_TOKEN, users: benchUsers(USERS), usergroups: { S0APPROVERS: ['U0CAROL'] } });
  let product: ProductProcess | undefined;
  try {
    const configPath = writeConfigFile(configYaml('', { gateways: ALL_GATEWAYS.slice(0, 2) }));
    product = await spawnProduct({
      role: 'all', label: 'ack-all',
      env: { LOG_LEVEL: 'warn', ...productEnv({ redisUrl: `${REDIS_BASE}/${DB}`, slackUrl: slack.url, simUrl: sim.url, configPath }) },
    });
    const readyMs = await waitReady(product);
    log(`product ready in ${readyMs} ms on port ${product.port}`);
    const driver = new SlackDriver({ botUrl: `http://127.0.0.1:${product.port}/slack/events`, signingSecret: SIGNING_SECRET, fake: slack });

    // --- the pool of pending requests that approve clicks act on (not measured)
    const poolStarted = Date.now();
    const pool: { requestId: string; ts: string }[] = [];
    const ids: string[] = new Array<string>(POOL);
    let next = 0;
    await Promise.all(Array.from({ length: 16 }, async () => {
      while (next < POOL) {
        const i = next++;
        const answer = await driver.command({ userId: requesterId(i), text: 'request hangzhou 1d bench' });
        const id = /`(r[a-z0-9]+)`/.exec(String(answer.json?.text ?? ''))?.[1];
        if (!id) throw new Error(`pool request ${i} not accepted: ${answer.status} ${answer.body.slice(0, 200)}`);
        ids[i] = id;
      }
    }));
    const cards = await approvalCards(slack, ids, 60_000, 250);
    for (const id of ids) pool.push({ requestId: id, ts: cards.get(id)! });
    log(`pool of ${POOL} pending requests with cards in ${Date.now() - poolStarted} ms`);

    // --- the open-loop sender
    let nextUser = POOL;
    let nextOk = 0;
    let refusedCount = 0;
    const approvedAt: number[] = []; // pool indexes clicked eligible, in order
    const send = (kind: Kind): Promise<HttpAnswer> => {
      switch (kind) {
        case 'help':
          return driver.command({ userId: requesterId(nextUser % USERS), text: 'help' });
        case 'request':
          return driver.command({ userId: requesterId(nextUser++), text: 'request hangzhou 1d bench' });
        case 'approve-ok': {
          const item = pool[nextOk]!;
          approvedAt.push(nextOk++);
          return driver.blockAction({ userId: APPROVER, actionId: 'vpn_approve', value: item.requestId, channelId: APPROVALS, messageTs: item.ts });
        }
        case 'approve-refused': {
          // Alternate an outsider's click on a pending request with a late click on one approved well before.
          const late = refusedCount++ % 2 === 1 && approvedAt.length > 20;
          const item = late ? pool[approvedAt[approvedAt.length - 20]!]! : pool[Math.min(POOL - 1, nextOk + 5)]!;
          return driver.blockAction({ userId: late ? APPROVER : OUTSIDER, actionId: 'vpn_approve', value: item.requestId, channelId: APPROVALS, messageTs: item.ts });
        }
      }
    };
    const expected = (kind: Kind, a: HttpAnswer) => {
      if (kind === 'help') return String(a.json?.text ?? '').includes('/vpn help');
      if (kind === 'request') return String(a.json?.text ?? '').includes('sent to the approvers');
      return true; // clicks: an empty 200 ack; the outcome goes out afterwards
    };

    const runRate = async (rate: number, seconds: number): Promise<Sample[]> => {
      const total = Math.round(rate * seconds);
      const interval = 1000 / rate;
      const samples: Sample[] = [];
      const inflight: Promise<void>[] = [];
      const t0 = performance.now() + 20;
      let i = 0;
      const fire = (index: number, scheduled: number) => {
        const kind = KINDS[index % KINDS.length]!;
        const lagMs = performance.now() - scheduled;
        let timer: NodeJS.Timeout | undefined;
        const p = Promise.race([
          send(kind),
          new Promise<never>((_, reject) => { timer = setTimeout(() => reject(new Error('timeout')), REQUEST_TIMEOUT_MS); }),
        ]).then(
          (a) => { samples.push({ kind, lagMs, ms: a.ms, status: a.status, ...(a.status === 200 && !expected(kind, a) ? { unexpected: true } : {}), ...(a.status !== 200 ? { error: `HTTP ${a.status}` } : {}) }); },
          (err: Error) => { samples.push({ kind, lagMs, ms: NaN, status: 0, error: err.message }); },
        ).finally(() => clearTimeout(timer));
        inflight.push(p);
      };
      await new Promise<void>((resolve) => {
        const tick = () => {
          const now = performance.now();
          while (i < total && t0 + i * interval <= now) { fire(i, t0 + i * interval); i++; }
          if (i >= total) return resolve();
          setTimeout(tick, Math.max(0, t0 + i * interval - performance.now()));
        };
        setTimeout(tick, 20);
      });
      await Promise.all(inflight);
      return samples;
    };

    log(`warm-up: ${WARMUP_RATE}/s for ${WARMUP_S} s`);
    await runRate(WARMUP_RATE, WARMUP_S);
    await sleep(1000);

    const rates: AckRateResult[] = [];
    for (const rate of RATES) {
      const started = performance.now();
      const cpu = cpuWindow([product]);
      const samples = await runRate(rate, DURATION_S);
      const cpuUsed = cpu();
      const wall = (performance.now() - started) / 1000;
      const ok = (s: Sample[]) => s.filter((x) => !x.error).map((x) => x.ms);
      const withCounts = (s: Sample[]) => ({ ...summarize(ok(s)), errors: s.filter((x) => x.error).length, unexpected: s.filter((x) => x.unexpected).length });
      const byKind = Object.fromEntries(KINDS.map((k) => [k, withCounts(samples.filter((s) => s.kind === k))])) as AckRateResult['byKind'];
      const r: AckRateResult = {
        rate, seconds: DURATION_S, sent: samples.length, achievedPerSecond: Math.round((samples.length / wall) * 10) / 10,
        sendLag: summarize(samples.map((s) => s.lagMs)), cpu: cpuUsed, all: withCounts(samples), byKind,
      };
      const errs = samples.filter((s) => s.error).slice(0, 3).map((s) => s.error);
      if (errs.length) notes.push(`${rate}/s: first errors: ${errs.join('; ')}`);
      rates.push(r);
      log(`${rate}/s: n=${r.all.n} p50=${r.all.p50} p99=${r.all.p99} max=${r.all.max} ms errors=${r.all.errors} unexpected=${r.all.unexpected} (send lag p99 ${r.sendLag.p99} ms; CPU % of a core: product ${cpuUsed.productPct}, bench ${cpuUsed.benchPct}, others ${cpuUsed.othersPct})`);
      for (const k of KINDS) log(`    ${k.padEnd(16)} p50=${byKind[k].p50} p99=${byKind[k].p99} max=${byKind[k].max} errors=${byKind[k].errors}`);
      await sleep(1500);
    }

    // The clicks were only acked during the run; check they had their effect (bounded wait).
    const approveOkClicks = nextOk;
    const approvalsRecorded = await waitUntil('approval progress posts', () => {
      const n = slack.messages(APPROVALS).filter((m) => m.threadTs && m.text.includes('Approved by')).length;
      return n >= approveOkClicks ? n : undefined;
    }, 20_000, 250).catch(() => slack.messages(APPROVALS).filter((m) => m.threadTs && m.text.includes('Approved by')).length);
    const outsiderRefusals = slack.ephemerals(OUTSIDER).filter((e) => e.text.includes('Only approvers')).length;
    const lateRefusals = slack.ephemerals(APPROVER).length;
    if (approvalsRecorded < approveOkClicks) notes.push(`only ${approvalsRecorded} of ${approveOkClicks} eligible approvals were posted to their threads within 20 s`);

    const last = rates.find((r) => r.rate === 200) ?? rates[rates.length - 1];
    const pass = !!last && last.all.p99 <= TARGET_P99_MS && last.all.errors === 0;
    return {
      benchmark: 'ack', date: new Date().toISOString(), machine: machine(), targetP99Ms: TARGET_P99_MS, rates,
      checks: { approvalsRecorded, approveOkClicks, outsiderRefusals, lateRefusals }, pass, notes,
    };
  } catch (err) {
    if (product) process.stderr.write(`--- product log tail (${product.logPath}) ---\n${product.logTail()}\n`);
    throw err;
  } finally {
    await closeRun({ processes: [product], slack, sim, redis });
  }
}

function log(line: string): void {
  process.stdout.write(`[ack] ${line}\n`);
}

if (isMain(import.meta.url)) runStandalone('ack', 150_000, runAck);
