// Waiting that fits the gateway (issue #9 item 2): simulated gateways whose every update takes 30 s ± 30 %
// (uniform), 3 gateways, one product process, a fresh Redis database (nothing learnt yet). Per change: the
// delay from the gateway being `active` again (watched in the simulator every 2 ms) to the profile upload
// landing in Slack, and the DescribeVpnGateway calls it cost (its pre-check included). Three scenarios:
//   learn     (default) 8 approvals per gateway given at once (each lane runs its 8 changes one after
//             another); the targets apply to the changes after WARMUP per gateway ("learnt").
//   at-once   the black-box check: 6 approvals over the 3 gateways, all clicked at once; the targets apply
//             to all 6 changes (3 of them are the first change of a gateway never seen).
//   one-by-one  the same 6 approvals (gateways in turn), each clicked once the previous profile arrived.
// Targets: median active → DM ≤ 1 s, ≤ 10 DescribeVpnGateway per change (all the run's calls / changes).
//   npx tsx bench/gateway-wait.ts [learn|at-once|one-by-one]   (starts its own redis-server, or
//   BENCH_REDIS_URL; database 11 is flushed before and after; learn ~5 min, at-once ~2 min, one-by-one ~4 min)
import { loadavg } from 'node:os';
import { startAlibabaSim } from '../src/sim/alicloud/index.js';
import { SlackDriver, startFakeSlack } from '../src/sim/slack/index.js';
import { watchGateways } from './provision.js';
import {
  ALL_GATEWAYS, APPROVALS, APPROVER, BOT_TOKEN, closeRun, REDIS_BASE, SIGNING_SECRET, approvalCards, benchUsers, configYaml, freshDb, isMain, machine, percentile,
  productEnv, requesterId, runStandalone, simSeedFor, spawnProduct, summarize, waitReady, waitUntil, writeConfigFile, type ProductProcess, type Summary,
} from './lib.js';

const DB = Number(process.env.BENCH_GATEWAY_WAIT_DB ?? 11);
const UPDATE_MS = 30_000;
const JITTER = 0.3;
const GATEWAYS = ALL_GATEWAYS.slice(0, 3);
type Scenario = 'learn' | 'at-once' | 'one-by-one';
const SCENARIOS: readonly Scenario[] = ['learn', 'at-once', 'one-by-one'];
const perGateway = (scenario: Scenario) => (scenario === 'learn' ? Number(process.env.BENCH_GATEWAY_WAIT_PER_GATEWAY ?? 8) : 2);
/** Changes per gateway before the measured ("learnt") ones; the black-box scenarios measure every change. */
const warmupOf = (scenario: Scenario) => (scenario === 'learn' ? 3 : 0);
const TARGETS = { medianActiveToDmMs: 1000, describesPerChange: 10 };

export interface Change {
  gateway: string;
  /** 0-based position of this change on its gateway's lane. */
  index: number;
  updateMs: number;
  activeToDmMs: number;
  describes: number;
}

interface Group { changes: number; activeToDm: Summary; describesPerChange: number }

export interface GatewayWaitResult {
  benchmark: 'gateway-wait';
  date: string;
  machine: ReturnType<typeof machine>;
  setup: { scenario: Scenario; updateMs: number; jitter: number; gateways: number; perGateway: number; warmup: number };
  targets: typeof TARGETS;
  all: Group;
  firstChange: Group;
  learnt: Group;
  /** Every DescribeVpnGateway of the run divided by the changes (what a black-box count sees). */
  describesPerChangeOverall: number;
  /** The machine's 1-minute load average when the run started and ended (other work shares the cores). */
  loadAverage: { start: number; end: number };
  maxListenersWarnings: number;
  pass: boolean;
  changes: Change[];
}

const group = (changes: Change[]): Group => ({
  changes: changes.length,
  activeToDm: summarize(changes.map((c) => c.activeToDmMs)),
  describesPerChange: Math.round((changes.reduce((n, c) => n + c.describes, 0) / Math.max(1, changes.length)) * 100) / 100,
});

export async function runGatewayWait(scenario: Scenario = 'learn'): Promise<GatewayWaitResult> {
  const PER_GATEWAY = perGateway(scenario);
  const WARMUP = warmupOf(scenario);
  const TOTAL = PER_GATEWAY * GATEWAYS.length;
  const loadAtStart = load1();
  const redis = await freshDb(DB);
  const sim = await startAlibabaSim({ seed: simSeedFor(GATEWAYS), updateMs: UPDATE_MS, updateJitter: JITTER });
  const slack = await startFakeSlack({ botToken: BOT_TOKEN, users: benchUsers(TOTAL), usergroups: { S0APPROVERS: ['U0CAROL'] } });
  const watcher = watchGateways(sim, GATEWAYS);
  let product: ProductProcess | undefined;
  try {
    const configPath = writeConfigFile(configYaml('', { gateways: GATEWAYS }));
    product = await spawnProduct({ role: 'all', env: { LOG_LEVEL: 'warn', ...productEnv({ redisUrl: `${REDIS_BASE}/${DB}`, slackUrl: slack.url, simUrl: sim.url, configPath }) }, label: `gateway-wait-${scenario}` });
    await waitReady(product);
    const driver = new SlackDriver({ botUrl: `http://127.0.0.1:${product.port}/slack/events`, signingSecret: SIGNING_SECRET, fake: slack });

    const ids = await Promise.all(Array.from({ length: TOTAL }, async (_, i) => {
      const answer = await driver.command({ userId: requesterId(i), text: `request ${GATEWAYS[i % GATEWAYS.length]!.name} 1d bench` });
      const id = /`(r[a-z0-9]+)`/.exec(String(answer.json?.text ?? ''))?.[1];
      if (!id) throw new Error(`request ${i} not accepted: ${answer.status} ${answer.body.slice(0, 200)}`);
      return id;
    }));
    const cards = await approvalCards(slack, ids);
    const profiles = (count: number, timeoutMs: number) => waitUntil(`${count} profiles`, () => {
      const failed = slack.messages(APPROVALS).find((m) => m.text.includes('Provisioning failed'));
      if (failed) throw new Error(`provisioning failed: ${failed.text}`);
      return slack.files().length >= count || undefined;
    }, timeoutMs, scenario === 'learn' ? 200 : 20);
    const approve = (id: string) => driver.blockAction({ userId: APPROVER, actionId: 'vpn_approve', value: id, channelId: APPROVALS, messageTs: cards.get(id)! });
    if (scenario === 'one-by-one') {
      for (const [i, id] of ids.entries()) {
        await approve(id);
        await profiles(i + 1, UPDATE_MS * 4);
      }
    } else {
      for (const id of ids) await approve(id);
      log(`${TOTAL} approvals given; ${PER_GATEWAY} changes per gateway of ${UPDATE_MS / 1000} s ± ${JITTER * 100} % each`);
      await profiles(TOTAL, (PER_GATEWAY + 2) * UPDATE_MS * 2);
    }
    watcher.stop();

    const fileName = new Map(slack.files().map((f) => [f.id, f.filename]));
    const uploads = new Map<string, number>();
    for (const c of slack.callsOf('files.completeUploadExternal')) {
      for (const f of (Array.isArray(c.args.files) ? c.args.files : []) as { id?: string }[]) {
        const name = f.id ? fileName.get(f.id) : undefined;
        if (name && !uploads.has(name)) uploads.set(name, c.at);
      }
    }
    const describes = sim.callsOf('DescribeVpnGateway');
    const changes: Change[] = [];
    for (const gw of GATEWAYS) {
      const creates = sim.callsOf('CreateSslVpnClientCert').filter((c) => c.status === 200 && c.params.SslVpnServerId === gw.sslVpnServerId);
      let since = 0;
      creates.forEach((c, index) => {
        const uploadAt = uploads.get(`${c.params.Name ?? ''}.ovpn`);
        const activeAt = watcher.transitions.find((t) => t.gatewayId === gw.vpnGatewayId && t.at >= c.at)?.at;
        if (uploadAt === undefined || activeAt === undefined) throw new Error(`change ${index} on ${gw.name}: no upload or no return to active`);
        // This change's calls: from the end of the previous change on the lane (its pre-check included) to its upload.
        const mine = describes.filter((d) => d.params.VpnGatewayId === gw.vpnGatewayId && d.at > since && d.at <= uploadAt).length;
        changes.push({ gateway: gw.name, index, updateMs: activeAt - c.at, activeToDmMs: uploadAt - activeAt, describes: mine });
        since = uploadAt;
      });
    }
    if (changes.length !== TOTAL) throw new Error(`matched ${changes.length} of ${TOTAL} changes`);
    const measured = changes.filter((c) => c.index >= WARMUP);
    const learnt = group(measured);
    const describesPerChangeOverall = Math.round((describes.length / changes.length) * 100) / 100;
    const result: GatewayWaitResult = {
      benchmark: 'gateway-wait', date: new Date().toISOString(), machine: machine(),
      setup: { scenario, updateMs: UPDATE_MS, jitter: JITTER, gateways: GATEWAYS.length, perGateway: PER_GATEWAY, warmup: WARMUP }, targets: TARGETS,
      all: group(changes), firstChange: group(changes.filter((c) => c.index === 0)), learnt, describesPerChangeOverall,
      loadAverage: { start: loadAtStart, end: load1() },
      maxListenersWarnings: (product.logTail().match(/MaxListenersExceededWarning/g) ?? []).length,
      pass: percentile(measured.map((c) => c.activeToDmMs), 50) <= TARGETS.medianActiveToDmMs
        && (scenario === 'learn' ? learnt.describesPerChange : describesPerChangeOverall) <= TARGETS.describesPerChange,
      changes,
    };
    log(`${scenario}: load average (1 min) ${result.loadAverage.start} at the start, ${result.loadAverage.end} at the end; ${describes.length} DescribeVpnGateway for ${changes.length} changes (${describesPerChangeOverall}/change)`);
    for (const [name, g] of [['all', result.all], ['first change', result.firstChange], [`learnt (after ${WARMUP})`, learnt]] as const) {
      log(`${name}: ${g.changes} changes; active→DM p50 ${g.activeToDm.p50} p95 ${g.activeToDm.p95} ms; DescribeVpnGateway/change ${g.describesPerChange}`);
    }
    for (const c of changes) log(`  ${c.gateway} #${c.index}: update ${c.updateMs} ms, active→DM ${c.activeToDmMs} ms, ${c.describes} DescribeVpnGateway`);
    return result;
  } finally {
    watcher.stop();
    await closeRun({ processes: [product], slack, sim, redis });
  }
}

const load1 = () => Math.round((loadavg()[0] ?? NaN) * 10) / 10;

function log(line: string): void {
  process.stdout.write(`[gateway-wait] ${line}\n`);
}

if (isMain(import.meta.url)) {
  const scenario = (process.argv[2] ?? 'learn') as Scenario;
  if (!SCENARIOS.includes(scenario)) throw new Error(`unknown scenario ${scenario}; expected one of ${SCENARIOS.join(', ')}`);
  runStandalone(scenario === 'learn' ? 'gateway-wait' : `gateway-wait-${scenario}`, (perGateway(scenario) * GATEWAYS.length + 4) * UPDATE_MS * 2, () => runGatewayWait(scenario));
}
