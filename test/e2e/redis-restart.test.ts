// Redis is the system of record: with AOF, a Redis restart loses no request. A request waiting for
// approval before the restart is approved and delivered after it, by the same running bot.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVALS, startHarness, type Harness } from '../helpers/harness.js';
import { freePort } from '../helpers/process.js';

const REDIS_SERVER = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));

let redis: ChildProcess | undefined;
let h: Harness | undefined;
let port = 0;
const dir = mkdtempSync(join(tmpdir(), 'vpnbot-aof-'));

function startRedis(): ChildProcess {
  return spawn(REDIS_SERVER!, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--save', '', '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
}

async function waitForPort(): Promise<void> {
  const { connect } = await import('node:net');
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1', () => { s.end(); resolve(true); });
      s.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error('redis-server did not start');
}

describe.skipIf(!REDIS_SERVER)('Redis restart with AOF', () => {
  beforeAll(async () => {
    port = await freePort();
    redis = startRedis();
    await waitForPort();
    h = await startHarness({ db: 0, updateMs: 150, redisBase: `redis://127.0.0.1:${port}` });
  });
  afterAll(async () => {
    await h?.close().catch(() => undefined);
    redis?.kill('SIGKILL');
  });

  it('keeps a pending request across the restart and delivers it after approval', async () => {
    h!.slack.addUser('U0QUINN', { name: 'quinn' });
    const answer = await h!.driver.command({ userId: 'U0QUINN', text: 'request hangzhou 1h survive the restart' });
    const requestId = /`(r[a-z0-9]+)`/.exec(String(answer.json?.text))![1]!;
    const card = await h!.slack.waitFor('card', () => h!.slack.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(requestId)));

    redis!.kill('SIGTERM');
    await new Promise((resolve) => redis!.once('exit', resolve));
    redis = startRedis();
    await waitForPort();

    // The bot reconnects by itself; the request is still there and can be approved.
    const started = Date.now();
    let click;
    do {
      click = await h!.driver.blockAction({ userId: 'U0BOB', actionId: 'vpn_approve', value: requestId, channelId: APPROVALS, messageTs: card.ts });
      if (await h!.slack.waitFor('approved note', () => h!.slack.thread(APPROVALS, card.ts).find((m) => m.text.includes('Approved by')), 1000).catch(() => undefined)) break;
    } while (Date.now() - started < 15_000);
    expect(click.status).toBe(200);
    await h!.slack.waitFor('profile after the restart', () => h!.slack.files(h!.slack.dmChannelFor('U0QUINN'))[0], 20_000);
    expect(h!.sim.clientCerts().filter((c) => c.name.startsWith('quinn-'))).toHaveLength(1);
  });
});
