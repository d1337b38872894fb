// Provisioning throughput and delivery delay (PRODUCT §5): 30 approvals over 3 gateways with a simulated
// 2 s gateway update. Makespan from the first approval to the last profile in a DM vs the ideal
// ceil(30/3) × 2 s (target ≤ 1.10×); per request the delay from the gateway being `active` again to the
// profile upload landing in Slack (target median ≤ 300 ms); DescribeVpnGateway calls per change (≤ 10);
// VpnGateway.Configuring rejections (must be 0). Run once with 1 process (`all`) and once with 2
// (`all` + `worker`) sharing a fresh Redis database.
//   npx tsx bench/provision.ts      (starts its own redis-server, or BENCH_REDIS_URL; database 14 is flushed before and after)
import { startAlibabaSim, type AlibabaSim } from '../src/sim/alicloud/index.js';
import { SlackDriver, startFakeSlack, type FakeSlack } from '../src/sim/slack/index.js';
import { ALL_GATEWAYS, APPROVALS, APPROVER, BOT_TOKEN, closeRun, REDIS_BASE, SIGNING_SECRET, approvalCards, benchUsers, configYaml, productEnv, freshDb, isMain, machine, percentile, requesterId, simSeedFor, sleep, spawnProduct, summarize, waitReady, waitUntil, writeConfigFile, type ProductProcess, type Summary, runStandalone } from './lib.js';

const DB = Number(process.env.BENCH_PROVISION_DB ?? 14);
const UPDATE_MS = 2000;
const GATEWAYS = ALL_GATEWAYS.slice(0, 3);
const PER_GATEWAY = 10;
const TOTAL = PER_GATEWAY * GATEWAYS.length;
const IDEAL_MS = Math.ceil(TOTAL / GATEWAYS.length) * UPDATE_MS;
const DELIVERY_TIMEOUT_MS = 90_000;
const TARGETS = { makespanRatio: 1.10, medianActiveToDmMs: 300, describesPerChange: 10, configuringRejections: 0 };

interface Transition { gatewayId: string; at: number }

export interface PerRequest {
  requestId: string;
  gateway: string;
  createAt: number;
  activeAt: number;
  /** First DescribeVpnGateway of that gateway answered after it was active again. */
  detectAt: number | undefined;
  uploadAt: number;
  activeToDmMs: number;
  activeToDmFormulaMs: number;
  /** DescribeVpnGateway calls of this change, ms after the create call (the adaptive wait's polls). */
  pollOffsetsMs: number[];
}

export interface ProvisionRunResult {
  label: string;
  processes: string[];
  delivered: number;
  makespanMs: number;
  idealMs: number;
  makespanRatio: number;
  activeToDm: Summary;
  activeToDmFormula: Summary;
  /** Where the active→DM delay goes: polling lag, then describe-cert + upload + bookkeeping. */
  breakdown: { activeToDetect: Summary; detectToUpload: Summary; createToActive: Summary; laneIdleBetweenChanges: Summary; firstApprovalToFirstCreate: Summary };
  describeVpnGatewayCalls: number;
  describesPerChange: number;
  configuringRejections: number;
  certificates: number;
  duplicates: number;
  pass: { makespan: boolean; medianDelay: boolean; describes: boolean; rejections: boolean };
  perRequest: PerRequest[];
}

export interface ProvisionResult {
  benchmark: 'provision';
  date: string;
  machine: ReturnType<typeof machine>;
  targets: typeof TARGETS;
  updateMs: number;
  runs: ProvisionRunResult[];
  pass: boolean;
}

/** Records the moments each gateway goes from `updating` back to `active`, by polling the in-process sim every 2 ms. */
export function watchGateways(sim: AlibabaSim, gateways: readonly { vpnGatewayId: string }[] = GATEWAYS): { transitions: Transition[]; stop(): void } {
  const transitions: Transition[] = [];
  const last = new Map(gateways.map((g) => [g.vpnGatewayId, sim.gatewayStatus(g.vpnGatewayId)]));
  const timer = setInterval(() => {
    for (const g of gateways) {
      const status = sim.gatewayStatus(g.vpnGatewayId);
      if (status === 'active' && last.get(g.vpnGatewayId) !== 'active') transitions.push({ gatewayId: g.vpnGatewayId, at: Date.now() });
      last.set(g.vpnGatewayId, status);
    }
  }, 2);
  return { transitions, stop: () => clearInterval(timer) };
}

async function runOnce(label: string, roles: ('all' | 'worker')[]): Promise<ProvisionRunResult> {
  const redis = await freshDb(DB);
  const sim = await startAlibabaSim({ seed: simSeedFor(GATEWAYS), updateMs: UPDATE_MS });
  const slack: FakeSlack = await startFakeSlack({ botToken: BOT_TOKEN, users: benchUsers(TOTAL), usergroups: { S0APPROVERS: ['U0CAROL'] } });
  const watcher = watchGateways(sim);
  const processes: ProductProcess[] = [];
  try {
    const configPath = writeConfigFile(configYaml('', { gateways: GATEWAYS }));
    const env = { LOG_LEVEL: 'warn', ...productEnv({ redisUrl: `${REDIS_BASE}/${DB}`, slackUrl: slack.url, simUrl: sim.url, configPath }) };
    for (const [i, role] of roles.entries()) processes.push(await spawnProduct({ role, env, label: `provision-${label}-${i}-${role}` }));
    await Promise.all(processes.map((p) => waitReady(p)));
    const bot = processes[0]!;
    const driver = new SlackDriver({ botUrl: `http://127.0.0.1:${bot.port}/slack/events`, signingSecret: SIGNING_SECRET, fake: slack });

    // 30 requests, 10 per gateway, from distinct users.
    const ids = await Promise.all(Array.from({ length: TOTAL }, async (_, i) => {
      const gw = GATEWAYS[i % GATEWAYS.length]!;
      const answer = await driver.command({ userId: requesterId(i), text: `request ${gw.name} 1d bench` });
      const id = /`(r[a-z0-9]+)`/.exec(String(answer.json?.text ?? ''))?.[1];
      if (!id) throw new Error(`request ${i} not accepted: ${answer.status} ${answer.body.slice(0, 200)}`);
      return id;
    }));
    const cards = await approvalCards(slack, ids);

    // Approve all 30 at once.
    const t0 = Date.now();
    const clicks = await Promise.all(ids.map((id) => driver.blockAction({ userId: APPROVER, actionId: 'vpn_approve', value: id, channelId: APPROVALS, messageTs: cards.get(id)! })));
    const bad = clicks.filter((c) => c.status !== 200);
    if (bad.length) throw new Error(`${bad.length} approve clicks answered non-200`);
    log(`${label}: 30 approvals sent in ${Date.now() - t0} ms; waiting for profiles`);

    await waitUntil('30 profiles delivered', () => {
      const failed = slack.messages(APPROVALS).find((m) => m.text.includes('Provisioning failed'));
      if (failed) throw new Error(`provisioning failed: ${failed.text}`);
      return slack.files().length >= TOTAL ? true : undefined;
    }, DELIVERY_TIMEOUT_MS, 50);
    await sleep(300); // let the last watcher tick and in-flight calls land
    watcher.stop();

    // --- analysis
    const fileName = new Map(slack.files().map((f) => [f.id, f.filename]));
    const uploads = new Map<string, number>(); // filename -> arrival of files.completeUploadExternal
    for (const c of slack.callsOf('files.completeUploadExternal')) {
      const files = Array.isArray(c.args.files) ? (c.args.files as { id?: string }[]) : [];
      for (const f of files) {
        const name = f.id ? fileName.get(f.id) : undefined;
        if (name && !uploads.has(name)) uploads.set(name, c.at);
      }
    }
    const serverToGw = new Map(GATEWAYS.map((g) => [g.sslVpnServerId, g]));
    const creates = sim.callsOf('CreateSslVpnClientCert').filter((c) => c.status === 200);
    const describes = sim.callsOf('DescribeVpnGateway');
    const perRequest: PerRequest[] = [];
    for (const c of creates) {
      const gw = serverToGw.get(c.params.SslVpnServerId ?? '');
      const name = c.params.Name ?? '';
      const uploadAt = uploads.get(`${name}.ovpn`);
      if (!gw || uploadAt === undefined) continue;
      const activeAt = watcher.transitions.find((t) => t.gatewayId === gw.vpnGatewayId && t.at >= c.at)?.at ?? c.at + UPDATE_MS;
      const detectAt = describes.find((d) => d.params.VpnGatewayId === gw.vpnGatewayId && d.status === 200 && d.at >= activeAt)?.at;
      perRequest.push({
        requestId: /-(r[a-z0-9]+)$/.exec(name)?.[1] ?? name, gateway: gw.name, createAt: c.at, activeAt, detectAt, uploadAt,
        activeToDmMs: uploadAt - activeAt, activeToDmFormulaMs: uploadAt - (c.at + UPDATE_MS),
        pollOffsetsMs: describes.filter((d) => d.params.VpnGatewayId === gw.vpnGatewayId && d.at >= c.at && d.at <= uploadAt).map((d) => d.at - c.at),
      });
    }
    const laneIdle: number[] = [];
    for (const g of GATEWAYS) {
      const lane = perRequest.filter((r) => r.gateway === g.name).sort((a, b) => a.createAt - b.createAt);
      for (let i = 1; i < lane.length; i++) laneIdle.push(lane[i]!.createAt - lane[i - 1]!.activeAt);
    }
    const firstCreates = GATEWAYS.map((g) => Math.min(...perRequest.filter((r) => r.gateway === g.name).map((r) => r.createAt)) - t0);
    const makespanMs = Math.max(...[...uploads.values()]) - t0;
    const certificates = sim.clientCerts().length;
    const perUser = new Map<string, number>();
    for (const f of slack.files()) for (const ch of f.channels) perUser.set(ch, (perUser.get(ch) ?? 0) + 1);
    const duplicates = [...perUser.values()].filter((n) => n > 1).length + Math.max(0, certificates - TOTAL);
    const activeToDm = summarize(perRequest.map((r) => r.activeToDmMs));
    const result: ProvisionRunResult = {
      label, processes: roles, delivered: uploads.size, makespanMs, idealMs: IDEAL_MS, makespanRatio: Math.round((makespanMs / IDEAL_MS) * 1000) / 1000,
      activeToDm, activeToDmFormula: summarize(perRequest.map((r) => r.activeToDmFormulaMs)),
      breakdown: {
        activeToDetect: summarize(perRequest.filter((r) => r.detectAt !== undefined).map((r) => r.detectAt! - r.activeAt)),
        detectToUpload: summarize(perRequest.filter((r) => r.detectAt !== undefined).map((r) => r.uploadAt - r.detectAt!)),
        createToActive: summarize(perRequest.map((r) => r.activeAt - r.createAt)),
        laneIdleBetweenChanges: summarize(laneIdle),
        firstApprovalToFirstCreate: summarize(firstCreates),
      },
      describeVpnGatewayCalls: describes.length,
      describesPerChange: Math.round((describes.length / TOTAL) * 100) / 100,
      configuringRejections: sim.configuringRejections(),
      certificates, duplicates,
      pass: {
        makespan: makespanMs <= IDEAL_MS * TARGETS.makespanRatio,
        medianDelay: percentile(perRequest.map((r) => r.activeToDmMs), 50) <= TARGETS.medianActiveToDmMs,
        describes: describes.length / TOTAL <= TARGETS.describesPerChange,
        rejections: sim.configuringRejections() === 0,
      },
      perRequest,
    };
    if (perRequest.length !== TOTAL) throw new Error(`matched only ${perRequest.length} of ${TOTAL} deliveries to their certificate`);
    log(`${label}: makespan ${makespanMs} ms (${result.makespanRatio}× ideal ${IDEAL_MS}); active→DM p50 ${activeToDm.p50} p95 ${activeToDm.p95} ms; ` +
      `DescribeVpnGateway/change ${result.describesPerChange}; Configuring rejections ${result.configuringRejections}; certs ${certificates}`);
    log(`${label}:   breakdown p50: active→detected ${result.breakdown.activeToDetect.p50} ms, detected→upload ${result.breakdown.detectToUpload.p50} ms, ` +
      `gateway idle between changes ${result.breakdown.laneIdleBetweenChanges.p50} ms (p95 ${result.breakdown.laneIdleBetweenChanges.p95})`);
    return result;
  } catch (err) {
    for (const p of processes) process.stderr.write(`--- ${p.role} log tail (${p.logPath}) ---\n${p.logTail()}\n`);
    throw err;
  } finally {
    watcher.stop();
    await closeRun({ processes, slack, sim, redis });
  }
}

export async function runProvision(): Promise<ProvisionResult> {
  const runs = [await runOnce('1-process', ['all']), await runOnce('2-processes', ['all', 'worker'])];
  const pass = runs.every((r) => Object.values(r.pass).every(Boolean) && r.duplicates === 0);
  return { benchmark: 'provision', date: new Date().toISOString(), machine: machine(), targets: TARGETS, updateMs: UPDATE_MS, runs, pass };
}

function log(line: string): void {
  process.stdout.write(`[provision] ${line}\n`);
}

if (isMain(import.meta.url)) runStandalone('provision', 170_000, runProvision);
