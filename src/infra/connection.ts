// Redis connections. Workers (blocking commands) need maxRetriesPerRequest: null and wait out outages;
// producers in the Slack-facing process fail fast instead, so an outage never holds an ack past 3 s.
// One server by REDIS_URL, or Sentinel (REDIS_SENTINELS + REDIS_SENTINEL_NAME) or Redis Cluster
// (REDIS_CLUSTER_NODES); REDIS_URL then still gives the password, user and TLS (rediss://).
import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisClient } from '../core/redis-client.js';

export interface RedisTarget {
  url: string;
  clusterNodes?: string;
  sentinels?: string;
  sentinelName?: string;
}

const hostPorts = (list: string) => list.split(',').map((s) => s.trim()).filter(Boolean).map((hp) => {
  const [host = '127.0.0.1', port = '6379'] = hp.split(':');
  return { host, port: Number(port) };
});

/** Credentials and TLS from REDIS_URL, for the Sentinel and Cluster modes. */
function urlOptions(url: string): RedisOptions {
  const u = new URL(url);
  return {
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

function connect(target: RedisTarget, options: RedisOptions): RedisClient {
  if (target.clusterNodes) {
    return new Cluster(hostPorts(target.clusterNodes), {
      redisOptions: { ...urlOptions(target.url), ...options },
      enableOfflineQueue: true,
    });
  }
  if (target.sentinels) {
    return new Redis({ ...urlOptions(target.url), ...options, sentinels: hostPorts(target.sentinels), name: target.sentinelName ?? 'mymaster' });
  }
  return new Redis(target.url, options);
}

export function workerConnection(target: RedisTarget): RedisClient {
  return connect(target, { maxRetriesPerRequest: null, enableReadyCheck: true });
}

export function producerConnection(target: RedisTarget): RedisClient {
  return connect(target, { maxRetriesPerRequest: 1, connectTimeout: 2000 });
}

/** Warns (returns the problems) when Redis is not set up as a system of record: AOF on, noeviction. */
export async function redisDurabilityWarnings(redis: RedisClient): Promise<string[]> {
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
