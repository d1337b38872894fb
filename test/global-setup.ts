// Tests get a Redis server of their own: a redis-server started here on a free loopback port, in a temporary
// directory, killed at the end. Test files may then use and flush its numbered databases without touching
// anyone else's data (a REDIS_URL in the environment is deliberately ignored: it may be a shared server).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './helpers/process.js';

const REDIS_SERVER = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));

let server: ChildProcess | undefined;
let dir: string | undefined;

export default async function setup(): Promise<() => Promise<void>> {
  if (!REDIS_SERVER) throw new Error('Tests start their own Redis and need redis-server (apt-get install redis-server).');
  dir = mkdtempSync(join(tmpdir(), 'vpnbot-test-redis-'));
  const port = await freePort();
  server = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--databases', '32'], { stdio: 'ignore' });
  const url = `redis://127.0.0.1:${port}`;
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
  redis.on('error', () => undefined); // refused while the server starts; the loop below reports the last error
  let lastError: unknown;
  for (let attempt = 0; attempt < 100; attempt++) {
    try {
      await redis.connect();
      await redis.ping();
      lastError = undefined;
      break;
    } catch (err) {
      lastError = err;
      redis.disconnect();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  redis.disconnect();
  if (lastError) throw new Error(`The tests' own redis-server on port ${port} did not answer: ${(lastError as Error).message}`);
  process.env.REDIS_URL = url;
  return async () => {
    server?.kill('SIGKILL');
    if (dir) rmSync(dir, { recursive: true, force: true });
  };
}
