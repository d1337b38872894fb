// A Redis outage never turns into a timeout, a 500 or silence: Slack gets a clear ephemeral answer at
// once, /healthz stays up and /readyz reports the outage.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../helpers/harness.js';
import { freePort } from '../helpers/process.js';

const REDIS_SERVER = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));

let redis: ChildProcess | undefined;
let h: Harness | undefined;

describe.skipIf(!REDIS_SERVER)('Redis outage', () => {
  beforeAll(async () => {
    const port = await freePort();
    redis = spawn(REDIS_SERVER!, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    h = await startHarness({ db: 0, redisBase: `redis://127.0.0.1:${port}` });
  });
  afterAll(async () => {
    await h?.close().catch(() => undefined);
    redis?.kill('SIGKILL');
  });

  it('answers commands with a clear message and reports not-ready while Redis is down', async () => {
    const ok = await h!.driver.command({ userId: 'U0ALICE', text: 'request hangzhou 1d before the outage' });
    expect(ok.json?.text).toContain('sent to the approvers');

    redis!.kill('SIGKILL');
    await new Promise((resolve) => redis!.once('exit', resolve));

    const answer = await h!.driver.command({ userId: 'U0EVE', text: 'request hangzhou 1d during the outage' });
    expect(answer.status).toBe(200);
    expect(answer.json?.response_type).toBe('ephemeral');
    expect(answer.json?.text).toMatch(/went wrong on my side; nothing was changed/);
    const base = `http://127.0.0.1:${h!.bot.port}`;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ ok: false, redis: 'down' });
  });
});
