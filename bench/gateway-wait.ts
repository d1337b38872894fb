// Waiting that fits the gateway (issue #9 item 2): a simulated gateway whose every update takes 30 s ± 30 %
// (uniform), 3 gateways, 8 approvals per gateway given at once (each lane then runs its 8 changes one after
// another), one product process, a fresh Redis database (nothing learnt yet). Per change: the delay from the
// gateway being `active` again (watched in the simulator every 2 ms) to the profile upload landing in Slack,
// and the DescribeVpnGateway calls it cost (its pre-check included). Reported for every change, for the
// first change of each gateway (the prior: nothing known) and for the changes after WARMUP per gateway
// (learnt). Targets, on the learnt changes: median active → DM ≤ 1 s, ≤ 10 DescribeVpnGateway per change.
//   npx tsx bench/gateway-wait.ts   (starts its own redis-server, or BENCH_REDIS_URL; database 11 is flushed before and after; ~5 min)
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
const PER_GATEWAY = Number(process.env.BENCH_GATEWAY_WAIT_PER_GATEWAY ?? 8);
/** Changes per gateway before the measured ("learnt") ones. */
const WARMUP = 3;
const TOTAL = PER_GATEWAY * GATEWAYS.length;
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
  setup: { updateMs: number; jitter: number; gateways: number; perGateway: number; warmup: number };
  targets: typeof TARGETS;
  all: Group;
  firstChange: Group;
  learnt: Group;
  maxListenersWarnings: number;
  pass: boolean;
  changes: Change[];
}

const group = (changes: Change[]): Group => ({
  changes: changes.length,
  activeToDm: summarize(changes.map((c) => c.activeToDmMs)),
  describesPerChange: Math.round((changes.reduce((n, c) => n + c.describes, 0) / Math.max(1, changes.length)) * 100) / 100,
});

export async function runGatewayWait(): Promise<GatewayWaitResult> {
  const redis = await freshDb(DB);
  const sim = await startAlibabaSim({ seed: simSeedFor(GATEWAYS), updateMs: UPDATE_MS, updateJitter: JITTER });
  const slack = await startFakeSlack({ botToken: BOT_TOKEN, users: benchUsers(TOTAL), usergroups: { S0APPROVERS: ['U0CAROL'] } });
  const watcher = watchGateways(sim, GATEWAYS);
  let product: ProductProcess | undefined;
  try {
    const configPath = writeConfigFile(configYaml('', { gateways: GATEWAYS }));
    product = await spawnProduct({ role: 'all', env: { LOG_LEVEL: 'warn', ...productEnv({ redisUrl: `${REDIS_BASE}/${DB}`, slackUrl: slack.url, simUrl: sim.url, configPath }) }, label: 'gateway-wait' });
    await waitReady(product);
    const driver = new SlackDriver({ botUrl: `http://127.0.0.1:${product.port}/slack/events`, signingSecret: SIGNING_SECRET, fake: slack });

    const ids = await Promise.all(Array.from({ length: TOTAL }, async (_, i) => {
      const answer = await driver.command({ userId: requesterId(i), text: `request ${GATEWAYS[i % GATEWAYS.length]!.name} 1d bench` });
      const id = /`(r[a-z0-9]+)`/.exec(String(answer.json?.text ?? ''))?.[1];
      if (!id) throw new Error(`request ${i} not accepted: ${answer.status} ${answer.body.slice(0, 200)}`);
      return id;
    }));
    const cards = await approvalCards(slack, ids);
    for (const id of ids) await driver.blockAction({ userId: APPROVER, actionId: 'vpn_approve', value: id, channelId: APPROVALS, messageTs: cards.get(id)! });
    log(`${TOTAL} approvals given; ${PER_GATEWAY} changes per gateway of ${UPDATE_MS / 1000} s ± ${JITTER * 100} % each`);
    await waitUntil(`${TOTAL} profiles`, () => {
      const failed = slack.messages(APPROVALS).find((m) => m.text.includes('Provisioning failed'));
      if (failed) throw new Error(`provisioning failed: ${failed.text}`);
      return slack.files().length >= TOTAL || undefined;
    }, (PER_GATEWAY + 2) * UPDATE_MS * 2, 200);
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
    const learnt = group(changes.filter((c) => c.index >= WARMUP));
    const result: GatewayWaitResult = {
      benchmark: 'gateway-wait', date: new Date().toISOString(), machine: machine(),
      setup: { updateMs: UPDATE_MS, jitter: JITTER, gateways: GATEWAYS.length, perGateway: PER_GATEWAY, warmup: WARMUP }, targets: TARGETS,
      all: group(changes), firstChange: group(changes.filter((c) => c.index === 0)), learnt,
      maxListenersWarnings: (product.logTail().match(/MaxListenersExceededWarning/g) ?? []).length,
      pass: percentile(changes.filter((c) => c.index >= WARMUP).map((c) => c.activeToDmMs), 50) <= TARGETS.medianActiveToDmMs && learnt.describesPerChange <= TARGETS.describesPerChange,
      changes,
    };
    for (const [name, g] of [['all', result.all], ['first change', result.firstChange], [`learnt (after ${WARMUP})`, learnt]] as const) {
      log(`${name}: ${g.changes} changes; active→DM p50 ${g.activeToDm.p50} p95 ${g.activeToDm.p95} ms; DescribeVpnGateway/change ${g.describesPerChange}`);
    }
    return result;
  } finally {
    watcher.stop();
    await closeRun({ processes: [product], slack, sim, redis });
  }
}

function log(line: string): void {
  process.stdout.write(`[gateway-wait] ${line}\n`);
}

if (isMain(import.meta.url)) runStandalone('gateway-wait', (PER_GATEWAY + 4) * UPDATE_MS * 2, runGatewayWait);
