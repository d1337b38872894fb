// Append-only, hash-chained audit log in a Redis stream: each entry carries the SHA-1 of the previous
// entry's hash and its own content, computed inside Redis so concurrent writers keep one chain.
import type { RedisClient } from './redis-client.js';

export interface AuditEntry {
  actor: string;          // Slack user id, or 'system'
  action: string;         // e.g. request.created, request.approved, cert.created, profile.delivered
  requestId?: string;
  subject?: string;       // the user the action concerns
  gateway?: string;
  detail?: string;
  cloudRequestId?: string;
}

export interface StoredAuditEntry extends AuditEntry {
  id: string;
  at: number;
  hash: string;
}

const APPEND_SCRIPT = `
local prev = redis.call('GET', KEYS[2]) or ''
local hash = redis.sha1hex(prev .. '\\n' .. ARGV[1])
local id = redis.call('XADD', KEYS[1], '*', 'entry', ARGV[1], 'prev', prev, 'hash', hash)
redis.call('SET', KEYS[2], hash)
return id
`;

export class AuditLog {
  constructor(private readonly redis: RedisClient, private readonly prefix = '{vpnbot}') {
    if (!('vpnbotAuditAppend' in redis)) redis.defineCommand('vpnbotAuditAppend', { numberOfKeys: 2, lua: APPEND_SCRIPT });
  }

  private get streamKey() { return `${this.prefix}:audit`; }
  private get headKey() { return `${this.prefix}:audit:head`; }

  async append(entry: AuditEntry): Promise<string> {
    const body = JSON.stringify({ ...entry, at: Date.now() });
    const append = (this.redis as unknown as { vpnbotAuditAppend(...args: string[]): Promise<string> }).vpnbotAuditAppend;
    return String(await append.call(this.redis, this.streamKey, this.headKey, body));
  }

  /** Entries oldest first, optionally only those about `userId` (as actor or subject) since `sinceMs`. */
  async list(filter: { userId?: string; sinceMs?: number; limit?: number } = {}): Promise<StoredAuditEntry[]> {
    const start = filter.sinceMs ? String(filter.sinceMs) : '-';
    const raw = (await this.redis.xrange(this.streamKey, start, '+')) as [string, string[]][];
    const out: StoredAuditEntry[] = [];
    for (const [id, fields] of raw) {
      const entry = JSON.parse(fields[1] ?? '{}') as AuditEntry & { at: number };
      const hash = fields[5] ?? '';
      if (filter.userId && entry.actor !== filter.userId && entry.subject !== filter.userId) continue;
      out.push({ ...entry, id, hash });
    }
    return filter.limit ? out.slice(-filter.limit) : out;
  }

  /** Recomputes the chain; returns the id of the first entry that does not match, or undefined. */
  async verify(): Promise<string | undefined> {
    const raw = (await this.redis.xrange(this.streamKey, '-', '+')) as [string, string[]][];
    const { createHash } = await import('node:crypto');
    let prev = '';
    for (const [id, fields] of raw) {
      const [, body = '', , storedPrev = '', , hash = ''] = fields;
      const expected = createHash('sha1').update(`${prev}\n${body}`).digest('hex');
      if (storedPrev !== prev || hash !== expected) return id;
      prev = hash;
    }
    return undefined;
  }
}
