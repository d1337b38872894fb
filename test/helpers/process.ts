// Runs the product as a child process (`node --import tsx src/main.ts`), so a test can kill -9 it and
// start a fresh one against the same simulators and Redis database, which belong to the test process.
import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { startAlibabaSim, type AlibabaSim, type SimSeed } from '../../src/sim/alicloud/index.js';
import { startFakeSlack, type FakeSlack, type FakeSlackOptions } from '../../src/sim/slack/index.js';
import { BOT_TOKEN, configYaml, productEnv, simSeed, USERS, writeConfigFile } from './fixtures.js';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));

// Ports handed to child processes (bots, redis-servers) come from below the kernel's ephemeral range
// (32768+), where listen(0) by the simulators and fake Slack never lands, so nobody takes one between the
// check here and the child's bind. Each process walks its own stretch of the range (by pid) and never hands
// out the same port twice.
const RANGE_START = 20_000;
const RANGE_SIZE = 12_000;
let nextOffset = (process.pid * 397) % RANGE_SIZE;

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

/** UDP too: an OpenVPN gateway of the simulator may listen on either. */
function canBindUdp(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, '127.0.0.1', () => socket.close(() => resolve(true)));
  });
}

/** A port below the ephemeral range that was free a moment ago (TCP and UDP) and that this process has not handed out before. */
export async function freePort(): Promise<number> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = RANGE_START + (nextOffset++ % RANGE_SIZE);
    if ((await canListen(port)) && (await canBindUdp(port))) return port;
  }
  throw new Error('no free port between 20000 and 32000');
}

export interface BotProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly port: number;
  /** http://127.0.0.1:<port> */
  readonly baseUrl: string;
  /** stdout + stderr so far, for failure messages. */
  output(): string;
  exited(): boolean;
  /** SIGKILL, then wait for the exit. */
  kill9(): Promise<void>;
}

const running = new Set<BotProcess>();

/**
 * Starts `src/main.ts` with exactly `env` (plus PATH/HOME) and a fresh PORT, and waits until GET /readyz
 * answers 200. Rejects with the child's output when it exits or does not become ready in time.
 */
export async function spawnBot(name: string, env: Record<string, string>, readyTimeoutMs = 30_000, options: {
  /** Modules loaded before the product (`--import`), e.g. test/helpers/hosts.ts. */
  preload?: readonly string[];
} = {}): Promise<BotProcess> {
  const port = await freePort();
  const childEnv: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: process.env.HOME ?? '/tmp',
    ...(process.env.TMPDIR ? { TMPDIR: process.env.TMPDIR } : {}),
    ...env,
    PORT: String(port),
  };
  const preload = (options.preload ?? []).flatMap((path) => ['--import', path]);
  const child = spawn(process.execPath, ['--import', 'tsx', ...preload, 'src/main.ts'], { cwd: REPO_ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let exitInfo: string | undefined;
  const append = (chunk: Buffer) => {
    out += chunk.toString('utf8');
    if (out.length > 200_000) out = out.slice(-100_000);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitInfo = `code=${code} signal=${signal}`;
      resolve();
    });
  });
  const bot: BotProcess = {
    name,
    child,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    output: () => `[${name}${exitInfo ? ` exited ${exitInfo}` : ''}]\n${out}`,
    exited: () => exitInfo !== undefined,
    async kill9() {
      if (exitInfo === undefined) child.kill('SIGKILL');
      await exitedPromise;
      running.delete(bot);
    },
  };
  running.add(bot);

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (bot.exited()) throw new Error(`${name} exited before it was ready:\n${bot.output()}`);
    const status = await fetch(`${bot.baseUrl}/readyz`).then((r) => r.status, () => 0);
    if (status === 200) return bot;
    if (Date.now() > deadline) {
      await bot.kill9();
      throw new Error(`${name} not ready after ${readyTimeoutMs} ms (last /readyz status ${status}):\n${bot.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Kills every child started by spawnBot that is still alive; safe to call from afterEach/afterAll. */
export async function killAllBots(): Promise<void> {
  await Promise.all([...running].map((b) => b.kill9()));
}

// A vitest worker that dies must not leave products running against the test Redis database.
process.once('exit', () => {
  for (const b of running) if (!b.exited()) b.child.kill('SIGKILL');
});

/**
 * The suite's own Redis server (test/global-setup.ts sets REDIS_URL). Never a fallback to the machine's
 * Redis: the tests flush their databases, and that one may hold someone else's data.
 */
export function testRedisBase(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is unset: run the tests through vitest, whose global setup starts their own redis-server');
  return url.replace(/\/\d+$/, '');
}

/** A numbered database of the suite's own Redis server. */
export function testRedisUrl(db: number): string {
  return `${testRedisBase()}/${db}`;
}

/** What product child processes run against: simulators, a flushed Redis database and a config file. */
export interface ChildWorld {
  sim: AlibabaSim;
  fake: FakeSlack;
  redis: Redis;
  redisUrl: string;
  configPath: string;
  /** The environment of a product child process: LOG_LEVEL warn and productEnv() pointing at all of the above. */
  env: Record<string, string>;
  /** Kills every child left, closes the fakes, flushes the database and removes the config file. */
  close(): Promise<void>;
}

export async function startChildWorld(o: {
  db: number;
  /** Default: configYaml(). */
  configText?: string;
  /** Default: simSeed(). */
  seed?: SimSeed;
  /** The simulated gateways' update time; default 300 ms. */
  updateMs?: number;
  /** Default: USERS. */
  users?: FakeSlackOptions['users'];
  /** Default: S0APPROVERS holds U0CAROL. */
  usergroups?: Record<string, string[]>;
}): Promise<ChildWorld> {
  const redisUrl = testRedisUrl(o.db);
  const redis = new Redis(redisUrl);
  await redis.flushdb();
  const sim = await startAlibabaSim({ seed: o.seed ?? simSeed(), updateMs: o.updateMs ?? 300 });
  const fake = await startFakeSlack({ botToken: BOT_TOKEN, users: o.users ?? USERS, usergroups: o.usergroups ?? { S0APPROVERS: ['U0CAROL'] } });
  const configPath = writeConfigFile(o.configText ?? configYaml(), 'vpnbot-child-');
  return {
    sim, fake, redis, redisUrl, configPath,
    env: { LOG_LEVEL: 'warn', ...productEnv({ redisUrl, slackUrl: fake.url, simUrl: sim.url, configPath }) },
    async close() {
      await killAllBots();
      await fake.close();
      await sim.close();
      await redis.flushdb();
      redis.disconnect();
      rmSync(dirname(configPath), { recursive: true, force: true });
    },
  };
}

/** Polls a predicate (sync or async) until it gives a value; rejects after timeoutMs naming `what`. */
export async function waitUntil<T>(what: string, predicate: () => T | undefined | false | null | Promise<T | undefined | false | null>, timeoutMs: number, everyMs = 20): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await predicate();
    if (v !== undefined && v !== false && v !== null) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}
