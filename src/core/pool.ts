// The warm certificate pool's state in Redis (docs/architecture.md, "Warm pool"). Per gateway:
//   ready     zset  certId → createdAt   certificates nobody holds, created and the gateway active since
//   pending   set   poolId               fills reserved and not yet ready (their lane job is the record)
//   certs     hash  certId → JSON        every pool certificate we know of (name, pool id, created)
//   retiring  set   certId               taken out of `ready` to be deleted (aged, surplus, setting removed)
//   assigned  hash  certId → requestId   who holds which pooled certificate, until the grant ends (the
//                                        audit log keeps the mapping for good)
// plus `gateways`, a hash name → the gateway's coordinates, so that the pool of a gateway removed from the
// configuration can still be deleted; and per request a `holder` key: the pooled certificate's id, or '-' for the ordinary path. Every move
// between these is one Lua script, so a certificate is in exactly one place and a request holds at most
// one: two approvals (in any processes, killed or not) can never be handed the same certificate.
// All keys share the `{vpnbot}` hash tag, so the scripts stay valid on Redis Cluster.
import type { RedisClient } from './redis-client.js';
import type { AccessRequest } from './requests.js';

/** Where a pool lives: enough to reach the gateway after it was removed from the configuration. */
export interface PoolGateway {
  name: string;
  regionId: string;
  vpnGatewayId: string;
  sslVpnServerId: string;
}

export interface PoolCert {
  certId: string;
  poolId: string;
  name: string;
  gateway: string;
  createdAt: number;
}

/** Fixes the request's path once: its holder if already decided, else the oldest young-enough ready certificate, else '-'. */
const CLAIM = `
local have = redis.call('GET', KEYS[1])
if have then return have end
local ids = redis.call('ZRANGEBYSCORE', KEYS[2], ARGV[2], '+inf', 'LIMIT', 0, 1)
if #ids == 0 then
  redis.call('SET', KEYS[1], '-', 'PX', ARGV[3])
  return '-'
end
redis.call('ZREM', KEYS[2], ids[1])
redis.call('SET', KEYS[1], ids[1], 'PX', ARGV[3])
redis.call('HSET', KEYS[3], ids[1], ARGV[1])
return ids[1]
`;

/** A reservation for one more certificate, unless the pool (ready + pending) is full or refilling is paused. */
const RESERVE = `
if redis.call('EXISTS', KEYS[3]) == 1 then return 0 end
if redis.call('ZCARD', KEYS[1]) + redis.call('SCARD', KEYS[2]) >= tonumber(ARGV[1]) then return 0 end
redis.call('SADD', KEYS[2], ARGV[2])
return 1
`;

/** A fill finished: ready if still wanted, else straight to retiring (the setting was removed meanwhile). */
const FILLED = `
redis.call('HSET', KEYS[3], ARGV[2], ARGV[4])
if redis.call('SREM', KEYS[1], ARGV[1]) == 1 then
  redis.call('ZADD', KEYS[2], ARGV[3], ARGV[2])
  return 1
end
if redis.call('ZSCORE', KEYS[2], ARGV[2]) then return 1 end
redis.call('SADD', KEYS[4], ARGV[2])
return 0
`;

/** A cancelled request gives its (never delivered) certificate back. */
const RELEASE = `
local certId = redis.call('GET', KEYS[1])
if not certId or certId == '-' then return 0 end
if redis.call('HGET', KEYS[3], certId) ~= ARGV[1] then return 0 end
redis.call('HDEL', KEYS[3], certId)
redis.call('SET', KEYS[1], '-', 'PX', ARGV[3])
if ARGV[4] == 'ready' then redis.call('ZADD', KEYS[2], ARGV[2], certId) else redis.call('HDEL', KEYS[4], certId) end
return 1
`;

/** Moves ready certificates created before ARGV[1] (aged), then the oldest beyond ARGV[2] ready ones (surplus), to retiring. */
const RETIRE = `
local moved = {}
for _, id in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', '(' .. ARGV[1])) do
  redis.call('ZREM', KEYS[1], id); redis.call('SADD', KEYS[2], id); table.insert(moved, id)
end
local surplus = redis.call('ZCARD', KEYS[1]) - tonumber(ARGV[2])
if surplus > 0 then
  for _, id in ipairs(redis.call('ZRANGE', KEYS[1], 0, surplus - 1)) do
    redis.call('ZREM', KEYS[1], id); redis.call('SADD', KEYS[2], id); table.insert(moved, id)
  end
end
return moved
`;

/** The grant of a pooled certificate ended: the mapping goes (the audit log keeps it), with the record and the path. */
const ENDED = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
redis.call('HDEL', KEYS[1], ARGV[1])
redis.call('HDEL', KEYS[2], ARGV[1])
redis.call('DEL', KEYS[3])
return 1
`;

/** A removed gateway's pool is gone: its records go, except those of certificates someone still holds. */
const FORGET = `
if redis.call('ZCARD', KEYS[3]) + redis.call('SCARD', KEYS[4]) + redis.call('SCARD', KEYS[5]) > 0 then return 0 end
local held = {}
for _, id in ipairs(redis.call('HKEYS', KEYS[2])) do held[id] = true end
for _, id in ipairs(redis.call('HKEYS', KEYS[1])) do
  if not held[id] then redis.call('HDEL', KEYS[1], id) end
end
redis.call('DEL', KEYS[6], KEYS[7])
redis.call('HDEL', KEYS[8], ARGV[1])
return 1
`;

/** A request's path is needed until it is delivered or ended; after that the `assigned` hash keeps the mapping. */
const HOLDER_TTL_MS = 30 * 86_400_000;

export class PoolStore {
  constructor(private readonly redis: RedisClient, readonly prefix = '{vpnbot}') {}

  private k(gateway: string, what: 'ready' | 'pending' | 'certs' | 'retiring' | 'assigned' | 'paused' | 'told' | 'cleanup') {
    return `${this.prefix}:pool:${gateway}:${what}`;
  }
  private get gatewaysKey() { return `${this.prefix}:pool:gateways`; }
  private holder(requestId: string) { return `${this.prefix}:pool:holder:${requestId}`; }

  /**
   * The request's pooled certificate, claimed now if it has none yet: one compare-and-set that also fixes
   * the path for good ('-' = the ordinary path, also when `enabled` is false or nothing is ready).
   */
  async claim(gateway: string, requestId: string, minCreatedAt: number): Promise<string> {
    return String(await this.redis.eval(CLAIM, 3, this.holder(requestId), this.k(gateway, 'ready'), this.k(gateway, 'assigned'), requestId, String(minCreatedAt), String(HOLDER_TTL_MS)));
  }

  /** The certificate a request holds from the pool, '-' for the ordinary path, undefined when undecided. */
  async holderOf(requestId: string): Promise<string | undefined> {
    return (await this.redis.get(this.holder(requestId))) ?? undefined;
  }

  /** The ordinary path, unless the request already holds a pooled certificate (then its id is returned). */
  async optOut(requestId: string): Promise<string> {
    const set = await this.redis.set(this.holder(requestId), '-', 'PX', HOLDER_TTL_MS, 'NX');
    return set === 'OK' ? '-' : ((await this.holderOf(requestId)) ?? '-');
  }

  /** A new pool id reserved for one more certificate, or undefined when the pool is full or paused. */
  async reserve(gateway: string, target: number, poolId: string): Promise<string | undefined> {
    const ok = await this.redis.eval(RESERVE, 3, this.k(gateway, 'ready'), this.k(gateway, 'pending'), this.k(gateway, 'paused'), String(target), poolId);
    return Number(ok) === 1 ? poolId : undefined;
  }

  async isPending(gateway: string, poolId: string): Promise<boolean> {
    return (await this.redis.sismember(this.k(gateway, 'pending'), poolId)) === 1;
  }

  async pending(gateway: string): Promise<string[]> {
    return this.redis.smembers(this.k(gateway, 'pending'));
  }

  /** Drops a reservation whose fill gave up (nothing was created, or what was created is being retired). */
  async abandon(gateway: string, poolId: string): Promise<void> {
    await this.redis.srem(this.k(gateway, 'pending'), poolId);
  }

  /** Drops every reservation (the setting was removed); fills in flight then retire what they create. */
  async abandonAll(gateway: string): Promise<void> {
    await this.redis.del(this.k(gateway, 'pending'));
  }

  /** Records a created certificate: true = ready for the next approval, false = retiring (no longer wanted). */
  async filled(cert: PoolCert): Promise<boolean> {
    const g = cert.gateway;
    const ok = await this.redis.eval(FILLED, 4, this.k(g, 'pending'), this.k(g, 'ready'), this.k(g, 'certs'), this.k(g, 'retiring'), cert.poolId, cert.certId, String(cert.createdAt), JSON.stringify(cert));
    return Number(ok) === 1;
  }

  /** Records a certificate that must be deleted (e.g. created by a fill that then failed). */
  async retireCert(cert: PoolCert): Promise<void> {
    await this.redis.multi().hset(this.k(cert.gateway, 'certs'), cert.certId, JSON.stringify(cert)).sadd(this.k(cert.gateway, 'retiring'), cert.certId).exec();
  }

  async cert(gateway: string, certId: string): Promise<PoolCert | undefined> {
    const json = await this.redis.hget(this.k(gateway, 'certs'), certId);
    return json ? (JSON.parse(json) as PoolCert) : undefined;
  }

  /**
   * Un-assigns a request's pooled certificate that was never delivered: back to `ready` (the request was
   * cancelled) or forgotten (`gone`: it is missing on the gateway). The request then takes the ordinary path.
   */
  async release(gateway: string, requestId: string, to: 'ready' | 'gone'): Promise<boolean> {
    const certId = await this.holderOf(requestId);
    const cert = certId && certId !== '-' ? await this.cert(gateway, certId) : undefined;
    const ok = await this.redis.eval(RELEASE, 4, this.holder(requestId), this.k(gateway, 'ready'), this.k(gateway, 'assigned'), this.k(gateway, 'certs'), requestId, String(cert?.createdAt ?? Date.now()), String(HOLDER_TTL_MS), to);
    return Number(ok) === 1;
  }

  /** Moves aged (created before `createdBefore`) and surplus (beyond `keep`) ready certificates to retiring. */
  async retire(gateway: string, createdBefore: number, keep: number): Promise<string[]> {
    return (await this.redis.eval(RETIRE, 2, this.k(gateway, 'ready'), this.k(gateway, 'retiring'), String(createdBefore), String(keep))) as string[];
  }

  async retiring(gateway: string): Promise<PoolCert[]> {
    const ids = await this.redis.smembers(this.k(gateway, 'retiring'));
    const certs = await Promise.all(ids.map((id) => this.cert(gateway, id)));
    return certs.filter((c): c is PoolCert => c !== undefined);
  }

  /** A retired certificate is gone from the gateway. */
  async deleted(gateway: string, certId: string): Promise<void> {
    await this.redis.multi().srem(this.k(gateway, 'retiring'), certId).hdel(this.k(gateway, 'certs'), certId).exec();
  }

  /** The grant ended (expired, revoked, vanished): its pooled certificate, deleted with it, is no longer anyone's. */
  async grantEnded(request: Pick<AccessRequest, 'id' | 'gateway' | 'certId'>): Promise<boolean> {
    if (!request.certId) return false;
    const ok = await this.redis.eval(ENDED, 3, this.k(request.gateway, 'assigned'), this.k(request.gateway, 'certs'), this.holder(request.id), request.certId, request.id);
    return Number(ok) === 1;
  }

  /** Remembers where a configured gateway is, for the day it is removed from the configuration. */
  async register(gw: PoolGateway): Promise<void> {
    const { name, regionId, vpnGatewayId, sslVpnServerId } = gw;
    await this.redis.hset(this.gatewaysKey, name, JSON.stringify({ name, regionId, vpnGatewayId, sslVpnServerId }));
  }

  /** Every gateway registered so far, as stored (the caller validates it). */
  async registered(): Promise<Map<string, unknown>> {
    const raw = await this.redis.hgetall(this.gatewaysKey);
    return new Map(Object.entries(raw).map(([name, json]) => [name, JSON.parse(json) as unknown]));
  }

  /** One process at a time cleans up a removed gateway's pool; false while another holds it. */
  async lockCleanup(gateway: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.k(gateway, 'cleanup'), '1', 'PX', ttlMs, 'NX')) === 'OK';
  }

  async unlockCleanup(gateway: string): Promise<void> {
    await this.redis.del(this.k(gateway, 'cleanup'));
  }

  /**
   * Drops a removed gateway's pool records once nothing is ready, filling or retiring there; what someone
   * holds stays (their grant's records). False while anything is left to delete.
   */
  async forgetGateway(gateway: string): Promise<boolean> {
    const ok = await this.redis.eval(FORGET, 8, this.k(gateway, 'certs'), this.k(gateway, 'assigned'), this.k(gateway, 'ready'), this.k(gateway, 'pending'),
      this.k(gateway, 'retiring'), this.k(gateway, 'paused'), this.k(gateway, 'told'), this.gatewaysKey, gateway);
    return Number(ok) === 1;
  }

  /** Who was given a pooled certificate (undefined for an unassigned one). */
  async assignedTo(gateway: string, certId: string): Promise<string | undefined> {
    return (await this.redis.hget(this.k(gateway, 'assigned'), certId)) ?? undefined;
  }

  /** Every pool certificate id we know on the gateway, with its state, for reconcile. */
  async known(gateway: string): Promise<Map<string, 'ready' | 'retiring' | 'assigned'>> {
    const [ready, retiring, assigned] = await Promise.all([
      this.redis.zrange(this.k(gateway, 'ready'), 0, -1), this.redis.smembers(this.k(gateway, 'retiring')), this.redis.hkeys(this.k(gateway, 'assigned')),
    ]);
    const out = new Map<string, 'ready' | 'retiring' | 'assigned'>();
    for (const id of assigned) out.set(id, 'assigned');
    for (const id of retiring) out.set(id, 'retiring');
    for (const id of ready) out.set(id, 'ready');
    return out;
  }

  async counts(gateway: string): Promise<{ ready: number; filling: number; retiring: number; paused: boolean }> {
    const [ready, filling, retiring, paused] = await Promise.all([
      this.redis.zcard(this.k(gateway, 'ready')), this.redis.scard(this.k(gateway, 'pending')),
      this.redis.scard(this.k(gateway, 'retiring')), this.redis.exists(this.k(gateway, 'paused')),
    ]);
    return { ready, filling, retiring, paused: paused === 1 };
  }

  /**
   * The account's certificate quota is full: refilling pauses for `pauseMs`, then tries again. True the
   * first time (tell the admins), false while the same episode lasts; a successful fill ends the episode.
   */
  async pauseForQuota(gateway: string, pauseMs: number): Promise<boolean> {
    await this.redis.set(this.k(gateway, 'paused'), '1', 'PX', pauseMs);
    return (await this.redis.set(this.k(gateway, 'told'), '1', 'NX')) === 'OK';
  }

  async quotaEpisodeOver(gateway: string): Promise<void> {
    await this.redis.del(this.k(gateway, 'told'), this.k(gateway, 'paused'));
  }
}
