// Shared plumbing for the benchmarks: spawning the product as child processes (and always killing them),
// Redis databases, free ports, percentiles and result files. Everything talks to 127.0.0.1 only.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, openSync, closeSync, writeFileSync, readFileSync, readdirSync } from 'node:fs';
import { availableParallelism, cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Redis } from 'ioredis';
import type { AlibabaSim, SimSeed } from '../src/sim/alicloud/index.js';
import type { FakeSlack } from '../src/sim/slack/index.js';
import { APPROVALS, simSeed, USERS, type GatewayDef } from '../test/helpers/fixtures.js';
import { freePort, REPO_ROOT, waitUntil } from '../test/helpers/process.js';
import { startRedisServer } from '../test/helpers/redis-server.js';

export { REPO_ROOT, waitUntil };
export const RESULTS_DIR = join(REPO_ROOT, 'bench', 'results');

// The same world as the tests (gateways, seed, users, config, environment): see test/helpers/fixtures.ts.
export { ACCESS_KEY, ALL_GATEWAYS, APPROVALS, APPROVER, BOT_TOKEN, configYaml, productEnv, SIGNING_SECRET, writeConfigFile, type GatewayDef } from '../test/helpers/fixtures.js';
export const OUTSIDER = 'U0EVE';

/**
 * The benchmarks flush the databases they use, so by default they start a redis-server of their own;
 * BENCH_REDIS_URL names another one to measure against (its databases 11–15 are flushed).
 */
async function benchRedisBase(): Promise<string> {
  if (process.env.BENCH_REDIS_URL) return process.env.BENCH_REDIS_URL.replace(/\/\d+$/, '');
  const own = await startRedisServer();
  process.once('exit', () => own.stop());
  return own.url;
}
export const REDIS_BASE = await benchRedisBase();

/** The tests' seed; the benchmarks approve far more requests than the default account quota of 50 certificates. */
export function simSeedFor(gateways: readonly GatewayDef[]): SimSeed {
  return { ...simSeed(gateways), clientCertQuota: 100_000 };
}

/** Users the fake Slack knows: the tests' cast plus `count` generated requesters (ids UB000000…). */
export function benchUsers(count: number): Record<string, { name: string }> {
  const users: Record<string, { name: string }> = { ...USERS };
  for (let i = 0; i < count; i++) users[requesterId(i)] = { name: `bench${i}` };
  return users;
}
export const requesterId = (i: number) => `UB${String(i).padStart(6, '0')}`;

export async function freshDb(db: number): Promise<Redis> {
  const redis = new Redis(`${REDIS_BASE}/${db}`, { maxRetriesPerRequest: 1, connectTimeout: 3000 });
  await redis.flushdb();
  return redis;
}

// ------------------------------------------------------------------ child processes

const groups = new Set<number>();

/** Signals every process of a group the bench started (the child leads its own group: npx → tsx → node). */
function killGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch {
    /* ESRCH: the group is gone */
  }
}

/** True while any process of the group is alive (npx may exit before the node process it started). */
function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}

let hooksInstalled = false;
function installExitHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  process.on('exit', () => {
    for (const g of groups) killGroup(g, 'SIGKILL');
  });
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.on(sig, () => {
      for (const g of groups) killGroup(g, 'SIGKILL');
      process.exit(130);
    });
  }
}

export interface ProductProcess {
  role: string;
  port: number;
  logPath: string;
  child: ChildProcess;
  stop(): Promise<void>;
  logTail(): string;
}

/** Spawns `npx tsx src/main.ts` in its own process group; stderr/stdout go to a log file under bench/results/. */
export async function spawnProduct(options: { role: 'all' | 'bot' | 'worker'; env: Record<string, string>; label: string }): Promise<ProductProcess> {
  installExitHooks();
  mkdirSync(RESULTS_DIR, { recursive: true });
  const port = await freePort();
  const logPath = join(RESULTS_DIR, `${options.label}.log`);
  const fd = openSync(logPath, 'w');
  // BENCH_CPU_PROFILE=1: run `node --cpu-prof --import tsx src/main.ts` instead (same code; --cpu-prof is not
  // allowed in NODE_OPTIONS), so V8 writes a CPU profile at exit into bench/results/profiles/<label>/.
  const profile = process.env.BENCH_CPU_PROFILE === '1';
  const [command, args] = profile
    ? [process.execPath, ['--cpu-prof', `--cpu-prof-dir=${join(RESULTS_DIR, 'profiles', options.label)}`, '--import', 'tsx', 'src/main.ts']]
    : ['npx', ['tsx', 'src/main.ts']];
  const child = spawn(command, args, {
    cwd: REPO_ROOT,
    env: { ...process.env, ...options.env, PORT: String(port), VPN_BOT_ROLE: options.role },
    stdio: ['ignore', fd, fd],
    detached: true,
  });
  closeSync(fd);
  const pgid = child.pid;
  if (pgid === undefined) throw new Error(`could not spawn the product (${options.label})`);
  groups.add(pgid);
  const logTail = () => {
    try {
      return readFileSync(logPath, 'utf8').split('\n').slice(-30).join('\n');
    } catch {
      return '';
    }
  };
  return {
    role: options.role, port, logPath, child, logTail,
    async stop() {
      if (!groupAlive(pgid)) { groups.delete(pgid); return; }
      const stopStarted = Date.now();
      killGroup(pgid, 'SIGTERM');
      while (groupAlive(pgid) && Date.now() - stopStarted < 8000) await sleep(25);
      const graceful = !groupAlive(pgid);
      process.stdout.write(`[bench] ${options.label}: ${graceful ? `all processes exited ${Date.now() - stopStarted} ms after SIGTERM` : 'still running 8 s after SIGTERM; SIGKILL'}\n`);
      if (!graceful) {
        killGroup(pgid, 'SIGKILL');
        const killed = Date.now();
        while (groupAlive(pgid) && Date.now() - killed < 2000) await sleep(25);
      }
      groups.delete(pgid);
    },
  };
}

/** The end of every run, in its `finally`: stops the product processes, closes the simulators, flushes the database. */
export async function closeRun(o: { processes: readonly (ProductProcess | undefined)[]; slack: FakeSlack; sim: AlibabaSim; redis: Redis }): Promise<void> {
  await Promise.all(o.processes.map((p) => p?.stop()));
  await o.slack.close();
  await o.sim.close().catch(() => undefined);
  await o.redis.flushdb().catch(() => undefined);
  o.redis.disconnect();
}

/** Polls GET /readyz until 200; fails after timeoutMs or if the process exits. */
export async function waitReady(p: ProductProcess, timeoutMs = 30_000): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (p.child.exitCode !== null) throw new Error(`${p.role} process exited with ${p.child.exitCode} before ready:\n${p.logTail()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${p.port}/readyz`, { signal: AbortSignal.timeout(1000) });
      await res.text();
      if (res.status === 200) return Date.now() - started;
    } catch {
      /* not listening yet */
    }
    await sleep(100);
  }
  throw new Error(`${p.role} process not ready within ${timeoutMs} ms:\n${p.logTail()}`);
}

// ------------------------------------------------------------------ numbers

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Nearest-rank percentile of an unsorted sample. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1]!;
}

export interface Summary { n: number; p50: number; p95: number; p99: number; max: number; mean: number }

export function summarize(values: number[]): Summary {
  const n = values.length;
  const round = (v: number) => Math.round(v * 10) / 10;
  return {
    n,
    p50: round(percentile(values, 50)),
    p95: round(percentile(values, 95)),
    p99: round(percentile(values, 99)),
    max: round(n ? Math.max(...values) : NaN),
    mean: round(n ? values.reduce((a, b) => a + b, 0) / n : NaN),
  };
}

export function writeResult(name: string, data: unknown): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const path = join(RESULTS_DIR, `${name}-${stamp}.json`);
  const body = JSON.stringify(data, null, 2);
  writeFileSync(path, body);
  writeFileSync(join(RESULTS_DIR, `${name}-latest.json`), body);
  return path;
}

/** The machine and the source tree measured (commit, and the src/ files changed since it). */
export function machine() {
  const git = (args: string[]) => {
    try {
      return execFileSync('git', args, { cwd: REPO_ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return '';
    }
  };
  const dirtySrc = git(['status', '--porcelain', '--', 'src']).split('\n').filter(Boolean).map((l) => l.replace(/^.. /, ''));
  return {
    nproc: availableParallelism(), cpu: cpus()[0]?.model ?? 'unknown', node: process.version, platform: `${process.platform}-${process.arch}`,
    commit: git(['rev-parse', '--short', 'HEAD']).trim() || 'unknown', dirtySrc,
  };
}

/** True when this module is the script tsx was asked to run. */
export function isMain(metaUrl: string): boolean {
  const entry = process.argv[1];
  if (!entry) return false;
  return metaUrl === pathToFileURL(resolve(entry)).href;
}

/** Rejects after ms; for bounding every wait. */
export function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => { timer = setTimeout(() => reject(new Error(`timeout after ${ms} ms: ${what}`)), ms); }),
  ]);
}

/** Waits for the approval card of every request id; returns each card's message ts by request id. */
export function approvalCards(slack: FakeSlack, ids: readonly string[], timeoutMs = 30_000, everyMs = 50): Promise<Map<string, string>> {
  return waitUntil(`${ids.length} approval cards`, () => {
    const byId = new Map<string, string>();
    for (const m of slack.messages(APPROVALS)) {
      const id = m.threadTs ? undefined : /"value":"(r[a-z0-9]+)"/.exec(JSON.stringify(m.blocks ?? []))?.[1];
      if (id) byId.set(id, m.ts);
    }
    return ids.every((id) => byId.has(id)) ? byId : undefined;
  }, timeoutMs, everyMs);
}


// ------------------------------------------------------------------ CPU accounting (Linux /proc)

const CLK_TCK = 100;

function readJiffies(path: string): number | undefined {
  try {
    const text = readFileSync(path, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14, 15 of stat)
  } catch {
    return undefined;
  }
}

/** CPU time (ms) of every process in the given process groups, and of this process. */
function processCpuMs(pgids: number[]): { product: number; bench: number } {
  let product = 0;
  if (pgids.length) {
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const text = readFileSync(`/proc/${entry}/stat`, 'utf8');
        const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
        if (pgids.includes(Number(fields[2]))) product += Number(fields[11]) + Number(fields[12]);
      } catch {
        /* exited meanwhile */
      }
    }
  }
  return { product: (product * 1000) / CLK_TCK, bench: ((readJiffies('/proc/self/stat') ?? 0) * 1000) / CLK_TCK };
}

function machineJiffies(): { busy: number; total: number } {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const idle = (cpu[3] ?? 0) + (cpu[4] ?? 0);
    const total = cpu.reduce((a, b) => a + b, 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

export interface CpuWindow {
  /** Share of all cores busy during the window, in % of one core (200 = both cores of a 2-core machine). */
  machinePct: number;
  productPct: number;
  benchPct: number;
  /** Everything else on the machine (Redis, other users' builds and tests). */
  othersPct: number;
  loadavg1: number;
}

/** Starts a CPU measurement window over the product's process groups and this process. */
export function cpuWindow(products: ProductProcess[]): () => CpuWindow {
  const pgids = products.map((p) => p.child.pid).filter((x): x is number => x !== undefined);
  const m0 = machineJiffies();
  const p0 = processCpuMs(pgids);
  const t0 = performance.now();
  return () => {
    const m1 = machineJiffies();
    const p1 = processCpuMs(pgids);
    const wallMs = performance.now() - t0;
    const cores = availableParallelism();
    const machinePct = m1.total > m0.total ? ((m1.busy - m0.busy) / (m1.total - m0.total)) * 100 * cores : NaN;
    const productPct = ((p1.product - p0.product) / wallMs) * 100;
    const benchPct = ((p1.bench - p0.bench) / wallMs) * 100;
    const r = (v: number) => Math.round(v);
    return { machinePct: r(machinePct), productPct: r(productPct), benchPct: r(benchPct), othersPct: r(Math.max(0, machinePct - productPct - benchPct)), loadavg1: loadavg()[0] ?? NaN };
  };
}

/** Runs one benchmark as a script: bounded in time, result written to bench/results, exit code 0/1/3. */
export function runStandalone<T extends { pass: boolean }>(name: string, limitMs: number, run: () => Promise<T>): void {
  const hardStop = setTimeout(() => { process.stderr.write(`${name} benchmark exceeded ${limitMs / 1000} s; aborting\n`); process.exit(3); }, limitMs);
  hardStop.unref();
  run().then((result) => {
    const path = writeResult(name, result);
    process.stdout.write(`[${name}] pass=${result.pass}; results in ${path}\n`);
    process.exit(0);
  }, (err: Error) => {
    process.stderr.write(`${name} benchmark failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  });
}
