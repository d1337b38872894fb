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

export type VersionedWrite<T> =
  | { ok: true; record: T }
  | { ok: false; reason: 'not-found' }
  | { ok: false; reason: 'not-allowed'; record: T };

type Patch<T> = Partial<Omit<T, 'id' | 'version' | 'status'>>;

/**
 * Records of one kind with a status and no indexes beyond the status sets (findings, server change
 * proposals): created once, moved only along `transitions`, one writer winning each version.
 */
export class VersionedRecords<S extends string, T extends { id: string; status: S; version: number }> {
  private readonly command: string;

  constructor(private readonly redis: RedisClient, private readonly kind: {
    /** For the Lua command's name and errors, e.g. "finding". */
    name: string;
    key: (id: string) => string;
    statusKey: (status: S) => string;
    transitions: Readonly<Record<S, readonly S[]>>;
  }) {
    this.command = `vpnbotWrite_${kind.name}`;
    if (!(this.command in redis)) redis.defineCommand(this.command, { numberOfKeys: 3, lua: versionedWriteScript() });
  }

  /** The new version, or 0 when `before` is no longer current (or, without `before`, the record exists). */
  async write(before: T | undefined, after: T): Promise<number> {
    const run = (this.redis as unknown as Record<string, (...args: string[]) => Promise<number>>)[this.command]!.bind(this.redis);
    return Number(await run(
      this.kind.key(after.id), this.kind.statusKey(before?.status ?? after.status), this.kind.statusKey(after.status),
      before ? String(before.version) : '', JSON.stringify({ ...after, version: 0 }), after.status, after.id,
    ));
  }

  async get(id: string): Promise<T | undefined> {
    return (await readVersioned<T>(this.redis, [this.kind.key(id)]))[0];
  }

  getMany(ids: readonly string[]): Promise<T[]> {
    return readVersioned<T>(this.redis, ids.map((id) => this.kind.key(id)));
  }

  async listByStatus(...statuses: S[]): Promise<T[]> {
    const ids = (await Promise.all(statuses.map((s) => this.redis.smembers(this.kind.statusKey(s))))).flat();
    return this.getMany(ids);
  }

  /** Moves to `to` only from one of `from` (and only along the transition table, and if `check` agrees); one writer wins. */
  transition(id: string, to: S, patch: Patch<T>, from: readonly S[], check?: (current: T) => boolean): Promise<VersionedWrite<T>> {
    return this.change(id, (current) => (from.includes(current.status) && this.kind.transitions[current.status].includes(to) && (!check || check(current)) ? { ...current, ...patch, status: to } : undefined));
  }

  /** Changes fields without changing status (e.g. a card reference). */
  update(id: string, patch: Patch<T>): Promise<VersionedWrite<T>> {
    return this.change(id, (current) => ({ ...current, ...patch }));
  }

  private async change(id: string, next: (current: T) => T | undefined): Promise<VersionedWrite<T>> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const current = await this.get(id);
      if (!current) return { ok: false, reason: 'not-found' };
      const after = next(current);
      if (!after) return { ok: false, reason: 'not-allowed', record: current };
      const version = await this.write(current, after);
      if (version) return { ok: true, record: { ...after, version } };
    }
    throw new Error(`${this.kind.name} ${id}: too many concurrent writes`);
  }
}
