// CAS calls in the busiest rolling second while two product processes offboard two people with 25
// private-CA certificates between them (13 + 12), at the same time. The account allows 10 CAS calls per
// rolling second; the count comes from the simulator's own call log (arrival times), both window ends
// included. Three rounds, each on a fresh simulator and Redis database.
//   npx tsx bench/cas-limit.ts      (starts its own redis-server, or BENCH_REDIS_URL; database 12 is flushed before and after)
import { startAlibabaSim } from '../src/sim/alicloud/index.js';
import { busiestWindow, casCalls } from '../src/sim/alicloud/call-stats.js';
import { SlackDriver, startFakeSlack } from '../src/sim/slack/index.js';
import {
  ALL_GATEWAYS, BOT_TOKEN, closeRun, REDIS_BASE, SIGNING_SECRET, benchUsers, configYaml, freshDb, isMain, machine, productEnv, runStandalone,
  simSeedFor, spawnProduct, waitReady, waitUntil, writeConfigFile, type ProductProcess,
} from './lib.js';

const DB = 12;
const ROUNDS = 3;
const LIMIT = 10;
const GATEWAYS = ALL_GATEWAYS.slice(0, 1);
const PEOPLE = [
  { userId: 'U0ALICE', name: 'alice', email: 'alice@example.com', certs: 13, prefix: 'a1' },
  { userId: 'U0DAVE', name: 'dave', email: 'dave@example.com', certs: 12, prefix: 'd4' },
];
const identifier = (prefix: string, i: number) => `${prefix}${String(i).padStart(4, '0')}`.padEnd(32, '0');

export interface CasLimitRound {
  casCalls: number;
  revokes: number;
  throttled: number;
  notRevoked: number;
  busiestRollingSecond: number;
  /** First to last CAS call (ms). */
  spanMs: number;
  /** Offboarding commands sent → both answers received (ms). */
  offboardMs: number;
}

export interface CasLimitResult {
  benchmark: 'cas-limit';
  date: string;
  machine: ReturnType<typeof machine>;
  limitPerRollingSecond: number;
  rounds: CasLimitRound[];
  busiestRollingSecond: number;
  pass: boolean;
}

async function round(n: number): Promise<CasLimitRound> {
  const redis = await freshDb(DB);
  const seed = {
    ...simSeedFor(GATEWAYS),
    casCertificates: PEOPLE.flatMap((p) => Array.from({ length: p.certs }, (_, i) => ({ identifier: identifier(p.prefix, i), commonName: p.email }))),
  };
  const sim = await startAlibabaSim({ seed, updateMs: 200 });
  const slack = await startFakeSlack({ botToken: BOT_TOKEN, users: benchUsers(0) });
  for (const p of PEOPLE) slack.addUser(p.userId, { name: p.name, email: p.email });
  const processes: ProductProcess[] = [];
  try {
    const configPath = writeConfigFile(configYaml('', { gateways: GATEWAYS }));
    const env = { LOG_LEVEL: 'warn', ...productEnv({ redisUrl: `${REDIS_BASE}/${DB}`, slackUrl: slack.url, simUrl: sim.url, configPath }) };
    for (let i = 0; i < 2; i++) processes.push(await spawnProduct({ role: 'all', env, label: `cas-limit-${n}-${i}` }));
    await Promise.all(processes.map((p) => waitReady(p)));

    const started = Date.now();
    await Promise.all(PEOPLE.map(async (person, i) => {
      const driver = new SlackDriver({ botUrl: `http://127.0.0.1:${processes[i]!.port}/slack/events`, signingSecret: SIGNING_SECRET, fake: slack });
      const answer = await driver.command({ userId: 'U0ADMIN', text: `admin offboard <@${person.userId}|${person.name}>` });
      if (answer.status !== 200) throw new Error(`offboard ${person.userId}: HTTP ${answer.status}`);
      await waitUntil(`offboarding answer for ${person.userId}`, () => slack.responses().some((r) => String(r.body.text).includes(`*Offboarding <@${person.userId}>*`)), 120_000, 50);
    }));
    const offboardMs = Date.now() - started;

    const calls = casCalls(sim.calls);
    const ids = seed.casCertificates.map((c) => c.identifier);
    return {
      casCalls: calls.length,
      revokes: calls.filter((c) => c.action === 'CreateRevokeClientCertificate').length,
      throttled: calls.filter((c) => c.code?.includes('Throttling')).length,
      notRevoked: ids.filter((id) => sim.casCertificate(id)?.status !== 'REVOKE').length,
      busiestRollingSecond: busiestWindow(calls).count,
      spanMs: calls.length ? calls[calls.length - 1]!.at - calls[0]!.at : 0,
      offboardMs,
    };
  } finally {
    await closeRun({ processes, slack, sim, redis });
  }
}

export async function runCasLimit(): Promise<CasLimitResult> {
  const rounds: CasLimitRound[] = [];
  for (let n = 1; n <= ROUNDS; n++) {
    const r = await round(n);
    process.stdout.write(`[cas-limit] round ${n}: busiest rolling second ${r.busiestRollingSecond} CAS calls; ${r.casCalls} calls over ${r.spanMs} ms; throttled ${r.throttled}; not revoked ${r.notRevoked}\n`);
    rounds.push(r);
  }
  const busiest = Math.max(...rounds.map((r) => r.busiestRollingSecond));
  const pass = busiest <= LIMIT && rounds.every((r) => r.throttled === 0 && r.notRevoked === 0 && r.revokes === 25);
  return { benchmark: 'cas-limit', date: new Date().toISOString(), machine: machine(), limitPerRollingSecond: LIMIT, rounds, busiestRollingSecond: busiest, pass };
}

if (isMain(import.meta.url)) runStandalone('cas-limit', 240_000, runCasLimit);
