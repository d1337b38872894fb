// Tests get a Redis server of their own (test/helpers/redis-server.ts), killed at the end. Test files may
// then use and flush its numbered databases without touching anyone else's data (a REDIS_URL in the
// environment is deliberately ignored: it may be a shared server).
import { startRedisServer } from './helpers/redis-server.js';

export default async function setup(): Promise<() => Promise<void>> {
  const redis = await startRedisServer();
  process.env.REDIS_URL = redis.url;
  return async () => redis.stop();
}
