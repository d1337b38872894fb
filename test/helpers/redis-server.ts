// A redis-server of our own on a free loopback port, in a temporary folder: the tests and the benchmarks
// flush its databases freely without touching a Redis anyone else uses.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { freePort } from './process.js';

const REDIS_SERVER = ['/usr/bin/redis-server', '/usr/local/bin/redis-server'].find((p) => existsSync(p));

export interface OwnRedis {
  url: string;
  /** Kills the server (SIGKILL: it keeps nothing on disk) and removes its folder. */
  stop(): void;
}

export async function startRedisServer(): Promise<OwnRedis> {
  if (!REDIS_SERVER) throw new Error('needs redis-server to start a Redis of its own (apt-get install redis-server)');
  const dir = mkdtempSync(join(tmpdir(), 'vpnbot-redis-'));
  const port = await freePort();
  const server = spawn(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no', '--databases', '64'], { stdio: 'ignore' });
  const stop = () => {
    server.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
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
  if (lastError) {
    stop();
    throw new Error(`our own redis-server on port ${port} did not answer: ${(lastError as Error).message}`);
  }
  return { url, stop };
}
