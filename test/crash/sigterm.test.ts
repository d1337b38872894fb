// SIGTERM to the real start command (`npm start`, as a supervisor or a terminal sends it) while provisioning
// jobs are in flight: the signal must reach the bot process (no orphan), the jobs go back to their queues at
// their checkpoint (not left locked until the lock lapses), the process exits cleanly within the bound, and a
// fresh process finishes them: one certificate and one profile per request.
import { spawn, type ChildProcess } from 'node:child_process';
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RequestStore } from '../../src/core/store.js';
import { laneJobId } from '../../src/core/ids.js';
import { laneName, lanePrefix } from '../../src/jobs/lanes.js';
import type { AlibabaSim } from '../../src/sim/alicloud/index.js';
import { SlackDriver, type FakeSlack } from '../../src/sim/slack/index.js';
import { APPROVALS, GATEWAYS, SIGNING_SECRET } from '../helpers/harness.js';
import { freePort, REPO_ROOT, spawnBot, startChildWorld, waitUntil, type ChildWorld } from '../helpers/process.js';

const DB = 34;
/** main.ts forces an exit (code 1) 20 s after the signal; a clean stop exits 0 before that. */
const EXIT_BOUND_MS = 20_000;

let world: ChildWorld;
let sim: AlibabaSim;
let fake: FakeSlack;
let redis: Redis;
let env: Record<string, string>;
let npm: ChildProcess | undefined;

beforeAll(async () => {
  // Slow gateway updates: each job is still waiting for its gateway when the signal arrives.
  world = await startChildWorld({ db: DB, updateMs: 20_000 });
  ({ sim, fake, redis } = world);
  env = { ...world.env, LOG_LEVEL: 'info' };
});

afterAll(async () => {
  if (npm && npm.exitCode === null && npm.signalCode === null) npm.kill('SIGKILL');
  await world?.close();
});

const until = <T>(what: string, predicate: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs: number): Promise<T> => waitUntil(what, predicate, timeoutMs, 50);

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('SIGTERM to npm start with jobs in flight', () => {
  it('reaches the bot, hands the jobs back, exits cleanly in time; a fresh process delivers each once', async () => {
    const port = await freePort();
    npm = spawn('npm', ['start'], {
      cwd: REPO_ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', ...env, PORT: String(port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    npm.stdout!.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    npm.stderr!.on('data', (chunk: Buffer) => { output += chunk.toString('utf8'); });
    const exited = new Promise<number | null>((resolve) => npm!.once('exit', (code) => resolve(code)));

    // The bot process's own pid, from its start-up line (npm and its shell are in between).
    const started = await until('the start-up line', () => {
      const line = output.split('\n').find((l) => l.includes('"vpn-access-bot started"'));
      return line ? (JSON.parse(line) as { pid: number; port: number }) : undefined;
    }, 90_000).catch((err: Error) => { throw new Error(`${err.message}\n${output}`); });
    expect(started.port).toBe(port);
    expect(started.pid).not.toBe(npm.pid);
    await until('readiness', () => fetch(`http://127.0.0.1:${port}/readyz`).then((r) => r.ok, () => false), 30_000);

    const driver = new SlackDriver({ botUrl: `http://127.0.0.1:${port}/slack/events`, signingSecret: SIGNING_SECRET, fake });
    const requests: { requestId: string; user: string; gateway: (typeof GATEWAYS)[number] }[] = [];
    for (const [user, gateway] of [['U0ALICE', GATEWAYS[0]!], ['U0EVE', GATEWAYS[1]!]] as const) {
      const answer = await driver.command({ userId: user, text: `request ${gateway.name} 1d sigterm drill` });
      const requestId = /`(r[a-z0-9]+)`/.exec(String(answer.json?.text ?? ''))?.[1];
      expect(requestId, answer.body).toBeTruthy();
      const card = await fake.waitFor('approval card', () => fake.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(requestId!)), 15_000);
      await driver.blockAction({ userId: 'U0BOB', actionId: 'vpn_approve', value: requestId!, channelId: APPROVALS, messageTs: card.ts });
      requests.push({ requestId: requestId!, user, gateway });
    }
    // In flight: each certificate is created and its gateway is still applying it.
    for (const r of requests) await until(`certificate of ${r.requestId}`, () => sim.clientCerts(r.gateway.sslVpnServerId).length === 1, 60_000);

    npm.kill('SIGTERM');
    const code = await Promise.race([exited, new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), EXIT_BOUND_MS))]);
    expect(code, output).toBe(0);
    expect(output).toContain('received SIGTERM');
    // No orphan: the bot process itself is gone, not just npm.
    await until('the bot process to be gone', () => !alive(started.pid), 5000);

    // Handed back: waiting in their lanes again (a job merely abandoned would still be active, locked).
    const store = new RequestStore(redis);
    for (const r of requests) {
      const connection = redis.duplicate();
      const queue = new Queue(laneName(r.gateway.name), { connection, prefix: lanePrefix('vpnbot', r.gateway.name) });
      const job = await queue.getJob(laneJobId.provision(r.requestId));
      // Queued again (a prioritised lane job waits as 'prioritized').
      expect(['waiting', 'prioritized'], r.requestId).toContain(await job?.getState());
      await queue.close();
      connection.disconnect();
      expect((await store.get(r.requestId))?.status).toBe('provisioning');
    }
    expect(fake.files(fake.dmChannelFor('U0ALICE'))).toHaveLength(0);

    await spawnBot('fresh', env, 90_000);
    for (const r of requests) {
      const done = await until(`${r.requestId} active`, async () => {
        const request = await store.get(r.requestId);
        return request?.status === 'active' || request?.status === 'failed' ? request : undefined;
      }, 90_000);
      expect(done.status, done.failure).toBe('active');
      const files = await fake.waitFor('profile', () => { const f = fake.files(fake.dmChannelFor(r.user)); return f.length ? f : undefined; }, 5000);
      expect(files).toHaveLength(1);
      const certs = sim.clientCerts(r.gateway.sslVpnServerId);
      expect(certs).toHaveLength(1);
      expect(done.certId).toBe(certs[0]!.sslVpnClientCertId);
    }
  }, 300_000);
});
