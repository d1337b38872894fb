// Redis persistence for requests and grants. Redis is the system of record (run it with AOF and
// noeviction). Every write is a compare-and-set on the request's version, done in one Lua script
// together with the status indexes, so concurrent writers never lose or double-apply a change.
// All keys share one hash tag, so the scripts stay valid on Redis Cluster.
import type { RedisClient } from './redis-client.js';
import { readVersioned, versionedWriteScript } from './versioned.js';
import { canTransition, type AccessRequest, type RequestStatus } from './requests.js';

// The request's own indexes, after the shared compare-and-set (src/core/versioned.ts).
// KEYS: 4 expiry zset, 5 user zset, 6 gateway expiry zset, 7 gateway failures zset.
// ARGV: 5 expiresAt ('' = none), 6 createdAt, 7 now.
const WRITE_SCRIPT = versionedWriteScript(`
if ARGV[5] ~= '' then
  redis.call('ZADD', KEYS[4], ARGV[5], ARGV[4])
  redis.call('ZADD', KEYS[6], ARGV[5], ARGV[4])
else
  redis.call('ZREM', KEYS[4], ARGV[4])
  redis.call('ZREM', KEYS[6], ARGV[4])
end
redis.call('ZADD', KEYS[5], ARGV[6], ARGV[4])
if ARGV[3] == 'failed' and KEYS[2] ~= KEYS[3] then
  redis.call('ZADD', KEYS[7], ARGV[7], ARGV[4])
  -- Only recent failures are ever counted: keep a week.
  redis.call('ZREMRANGEBYSCORE', KEYS[7], '-inf', tostring(tonumber(ARGV[7]) - 604800000))
end
`);

export type WriteResult =
  | { ok: true; request: AccessRequest }
  | { ok: false; reason: 'not-found' }
  | { ok: false; reason: 'not-allowed'; request: AccessRequest };

type Change = { status?: RequestStatus; patch?: Partial<Omit<AccessRequest, 'id' | 'version' | 'status'>> };

export class RequestStore {
  constructor(private readonly redis: RedisClient, readonly prefix = '{vpnbot}') {
    // Registered once: ioredis then sends EVALSHA instead of the whole script on every write.
    if (!('vpnbotWriteRequest' in redis)) redis.defineCommand('vpnbotWriteRequest', { numberOfKeys: 7, lua: WRITE_SCRIPT });
  }

  private key(id: string) { return `${this.prefix}:req:${id}`; }
  private statusKey(status: RequestStatus) { return `${this.prefix}:status:${status}`; }
  private userKey(userId: string) { return `${this.prefix}:user:${userId}:reqs`; }
  private get expiryKey() { return `${this.prefix}:grants:expiry`; }
  private gatewayExpiryKey(gateway: string) { return `${this.prefix}:gw:${gateway}:grants`; }
  private gatewayFailuresKey(gateway: string) { return `${this.prefix}:gw:${gateway}:failures`; }

  private async write(before: AccessRequest | undefined, after: AccessRequest): Promise<number> {
    const version = await (this.redis as unknown as { vpnbotWriteRequest(...args: string[]): Promise<number> }).vpnbotWriteRequest(
      this.key(after.id), this.statusKey(before?.status ?? after.status), this.statusKey(after.status), this.expiryKey, this.userKey(after.requesterId), this.gatewayExpiryKey(after.gateway), this.gatewayFailuresKey(after.gateway),
      before ? String(before.version) : '', JSON.stringify({ ...after, version: 0 }), after.status, after.id,
      after.status === 'active' && after.expiresAt ? String(after.expiresAt) : '', String(after.createdAt), String(Date.now()),
    );
    return Number(version);
  }

  async create(request: Omit<AccessRequest, 'version'>): Promise<AccessRequest> {
    const version = await this.write(undefined, { ...request, version: 0 });
    if (!version) throw new Error(`request ${request.id} already exists`);
    return { ...request, version };
  }

  async get(id: string): Promise<AccessRequest | undefined> {
    return (await this.getMany([id]))[0];
  }

  getMany(ids: readonly string[]): Promise<AccessRequest[]> {
    return readVersioned<AccessRequest>(this.redis, ids.map((id) => this.key(id)));
  }

  /**
   * Applies `decide(current)` as one compare-and-set, re-reading and re-deciding on a concurrent write.
   * `decide` returns the change, or null to refuse (the caller gets not-allowed with the current state).
   */
  async mutate(id: string, decide: (current: AccessRequest) => Change | null): Promise<WriteResult> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const current = await this.get(id);
      if (!current) return { ok: false, reason: 'not-found' };
      const change = decide(current);
      if (!change) return { ok: false, reason: 'not-allowed', request: current };
      const status = change.status ?? current.status;
      if (status !== current.status && !canTransition(current.status, status)) return { ok: false, reason: 'not-allowed', request: current };
      const next: AccessRequest = { ...current, ...change.patch, status, updatedAt: Date.now() };
      const version = await this.write(current, next);
      if (version) return { ok: true, request: { ...next, version } };
    }
    throw new Error(`request ${id}: too many concurrent writes`);
  }

  /** Moves the request to `to` if the transition table allows it from its current status (and `from`, if given). */
  transition(id: string, to: RequestStatus, patch: Change['patch'] = {}, from?: readonly RequestStatus[]): Promise<WriteResult> {
    return this.mutate(id, (current) => {
      if (from && !from.includes(current.status)) return null;
      if (!canTransition(current.status, to)) return null;
      return { status: to, patch };
    });
  }

  /** Changes fields without changing status. */
  update(id: string, patch: Change['patch']): Promise<WriteResult> {
    return this.mutate(id, () => ({ patch }));
  }

  async idsByStatus(status: RequestStatus): Promise<string[]> {
    return this.redis.smembers(this.statusKey(status));
  }

  async listByStatus(status: RequestStatus): Promise<AccessRequest[]> {
    return this.getMany(await this.idsByStatus(status));
  }

  async countByStatus(status: RequestStatus): Promise<number> {
    return this.redis.scard(this.statusKey(status));
  }

  /** A user's requests, newest first. */
  async listByUser(userId: string, limit = 50): Promise<AccessRequest[]> {
    const ids = await this.redis.zrevrange(this.userKey(userId), 0, limit - 1);
    return this.getMany(ids);
  }

  /** Active grants on one gateway, soonest expiry first, and how many there are in all. */
  async activeOnGateway(gateway: string, limit = 50): Promise<{ grants: AccessRequest[]; total: number }> {
    const [ids, total] = await Promise.all([this.redis.zrange(this.gatewayExpiryKey(gateway), 0, limit - 1), this.redis.zcard(this.gatewayExpiryKey(gateway))]);
    return { grants: await this.getMany(ids), total };
  }

  /** Requests on the gateway that failed since `sinceMs`. */
  async countFailuresSince(gateway: string, sinceMs: number): Promise<number> {
    return this.redis.zcount(this.gatewayFailuresKey(gateway), String(sinceMs), '+inf');
  }

  async countActiveOnGateway(gateway: string): Promise<number> {
    return this.redis.zcard(this.gatewayExpiryKey(gateway));
  }

  /** Active grants whose expiry is at or before `until`, soonest first. */
  async grantsExpiringBy(until: number, limit = 1000): Promise<AccessRequest[]> {
    const ids = await this.redis.zrangebyscore(this.expiryKey, '-inf', String(until), 'LIMIT', 0, limit);
    return this.getMany(ids);
  }
}
