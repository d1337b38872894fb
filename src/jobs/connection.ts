// Redis connections. Workers (blocking commands) need maxRetriesPerRequest: null and wait out outages;
// producers in the Slack-facing process fail fast instead, so an outage never holds an ack past 3 s.
import { Redis } from 'ioredis';

export function workerConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

export function producerConnection(url: string): Redis {
  return new Redis(url, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
}

/** Warns (returns the problems) when Redis is not set up as a system of record: AOF on, noeviction. */
export async function redisDurabilityWarnings(redis: Redis): Promise<string[]> {
  const problems: string[] = [];
  try {
    const [, policy] = (await redis.config('GET', 'maxmemory-policy')) as string[];
    if (policy && policy !== 'noeviction') problems.push(`maxmemory-policy is ${policy}; set noeviction, or Redis may evict queued jobs and grants`);
    const [, aof] = (await redis.config('GET', 'appendonly')) as string[];
    if (aof !== 'yes') problems.push('appendonly is off; enable AOF so approved requests and grants survive a Redis restart');
  } catch {
    // Managed Redis often forbids CONFIG; nothing to check then.
  }
  return problems;
}
