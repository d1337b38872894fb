// Records kept as a Redis hash {json, status, version}. A write is a compare-and-set on the version,
// done in one Lua script that also moves the record's id between per-status sets, so one writer wins each
// version and the status indexes never disagree with the record. Stores add their own index updates.
import type { RedisClient } from './redis-client.js';

/**
 * The shared start of every write script. KEYS: 1 record hash, 2 old status set, 3 new status set.
 * ARGV: 1 expected version ('' = must not exist), 2 json, 3 status, 4 id. Leaves the new `version` in a local.
 */
const COMPARE_AND_SET_LUA = `
local current = redis.call('HGET', KEYS[1], 'version')
if ARGV[1] == '' then
  if current then return 0 end
elseif current ~= ARGV[1] then
  return 0
end
local version = (tonumber(ARGV[1]) or 0) + 1
redis.call('HSET', KEYS[1], 'json', ARGV[2], 'status', ARGV[3], 'version', tostring(version))
if KEYS[2] ~= KEYS[3] then redis.call('SREM', KEYS[2], ARGV[4]) end
redis.call('SADD', KEYS[3], ARGV[4])
`;

/** A write script: the compare-and-set, then `indexes` (more KEYS/ARGV after the shared ones); returns the new version, or 0. */
export function versionedWriteScript(indexes = ''): string {
  return `${COMPARE_AND_SET_LUA}${indexes}\nreturn version\n`;
}

/** Reads records by hash key in one pipelined round trip; missing ones are left out. */
export async function readVersioned<T extends { version: number }>(redis: RedisClient, keys: readonly string[]): Promise<T[]> {
  if (keys.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const key of keys) pipeline.hmget(key, 'json', 'version');
  const results = (await pipeline.exec()) ?? [];
  const out: T[] = [];
  for (const [err, value] of results) {
    const [json, version] = (value ?? []) as [string | null, string | null];
    if (!err && json && version) out.push({ ...(JSON.parse(json) as T), version: Number(version) });
  }
  return out;
}
