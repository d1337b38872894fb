// Tests need a real Redis. Use REDIS_URL when set, else the local default; fail early and clearly when none answers.
import { Redis } from 'ioredis';

export default async function setup(): Promise<void> {
  const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  process.env.REDIS_URL = url;
  const redis = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await redis.connect();
    await redis.ping();
  } catch (err) {
    throw new Error(`Tests need Redis at ${url} (set REDIS_URL): ${(err as Error).message}`);
  } finally {
    redis.disconnect();
  }
}
