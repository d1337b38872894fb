// Append-only audit log in a Redis stream. Each entry carries a sequence number, the previous entry's hash
// and its own: HMAC-SHA-256 under VPN_BOT_AUDIT_KEY over (seq, previous hash, content), so whoever can
// write Redis but does not hold the key cannot rewrite, drop or reorder entries without `check()` noticing.
// Cutting the newest entries off (and moving the head back) leaves a valid shorter chain: the head is
// therefore also witnessed outside Redis (posted to Slack), and `check()` compares with those witnesses.
// Hashes are computed here (Lua has no HMAC); the append is a compare-and-set on the head, so concurrent
// writers in any number of processes keep one chain.
import { createHash, createHmac } from 'node:crypto';
import type { RedisClient } from './redis-client.js';

export interface AuditEntry {
  actor: string;          // Slack user id, 'system', or 'slack' (what Slack told us, e.g. a deactivation)
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
  /** 1, 2, 3… (0 for entries written before sequence numbers existed). */
  seq?: number;
}

/** The newest entry: what is witnessed outside Redis. */
export interface AuditHead {
  seq: number;
  hash: string;
}

/** A head posted outside Redis, and when. */
export interface WitnessedHead extends AuditHead {
  at: number;
}

/** Where the head is witnessed outside Redis (the audit channel in Slack). */
export interface AuditWitnesses {
  /** The most recently witnessed heads, newest first. */
  recent(limit: number): Promise<WitnessedHead[]>;
}

/** Actions whose entry is witnessed at once (not only at the next periodic witness). */
export function isAdminRelevant(action: string): boolean {
  return /^(admin|leaver|foreign-cert|grant\.closed)/.test(action);
}

/**
 * What is wrong with the log, where: the first problem found, as data (src/bot/views/audit.ts words it).
 * `seq` is an entry's number, `id` its Redis stream id.
 */
export type AuditProblem =
  | { code: 'inserted'; id: string }
  | { code: 'legacy-mismatch'; id: string }
  | { code: 'missing'; seq: number; lastMissing: number; nextSeq: number; id: string }
  | { code: 'repeated'; seq: number; id: string }
  | { code: 'downgraded'; seq: number; id: string }
  | { code: 'no-key'; seq: number; id: string }
  | { code: 'other-key'; seq: number; id: string; keyId: string; ourKeyId: string }
  | { code: 'unknown-scheme'; seq: number; id: string }
  | { code: 'not-following'; seq: number; id: string }
  | { code: 'hash-mismatch'; seq: number; id: string; keyed: boolean }
  | { code: 'tail-deleted'; lastSeq: number; headSeq: number }
  | { code: 'head-changed'; lastSeq: number; headSeq: number }
  | { code: 'emptied'; headSeq: number }
  | { code: 'witness-beyond'; lastSeq: number; witnessSeq: number; witnessedAt: number }
  | { code: 'witness-differs'; witnessSeq: number; witnessedAt: number };

export type AuditCheck =
  | { ok: true; entries: number; head?: AuditHead; keyed: boolean; unkeyedEntries: number; witnessesChecked: number; lastWitness?: WitnessedHead }
  | { ok: false; entries: number; seq?: number; id?: string; problem: AuditProblem };

export interface AuditOptions {
  /** VPN_BOT_AUDIT_KEY; without it the chain is plain SHA-256 (tamper-evident only against careless edits). */
  key?: string;
  /** Called after each append (JSON log line, witness on admin-relevant events). Must not throw. */
  onAppend?: (entry: StoredAuditEntry) => void;
}

// KEYS: 1 stream, 2 head. ARGV: 1 expected head ('' = none), 2 new head, then the entry's fields.
const APPEND_SCRIPT = `
local head = redis.call('GET', KEYS[2]) or ''
if head ~= ARGV[1] then return false end
local id = redis.call('XADD', KEYS[1], '*', 'entry', ARGV[3], 'prev', ARGV[4], 'hash', ARGV[5], 'seq', ARGV[6], 'alg', ARGV[7])
redis.call('SET', KEYS[2], ARGV[2])
return id
`;

const PAGE = 1000;

type Fields = Record<string, string>;

function fieldsOf(raw: string[]): Fields {
  const out: Fields = {};
  for (let i = 0; i + 1 < raw.length; i += 2) out[raw[i]!] = raw[i + 1]!;
  return out;
}

/** `alg` names the scheme and, for HMAC, which key (a short fingerprint, never the key). */
export function keyId(key: string): string {
  return createHash('sha256').update(`vpnbot-audit-key:${key}`).digest('hex').slice(0, 12);
}

export class AuditLog {
  private readonly key: string | undefined;
  private readonly alg: string;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly redis: RedisClient, private readonly prefix = '{vpnbot}', private readonly options: AuditOptions = {}) {
    this.key = options.key || undefined;
    this.alg = this.key ? `hmac-sha256:${keyId(this.key)}` : 'sha256';
    if (!('vpnbotAuditAppend2' in redis)) redis.defineCommand('vpnbotAuditAppend2', { numberOfKeys: 2, lua: APPEND_SCRIPT });
  }

  get keyed(): boolean {
    return this.key !== undefined;
  }

  private get streamKey() { return `${this.prefix}:audit`; }
  private get headKey() { return `${this.prefix}:audit:head`; }

  private digest(alg: string, seq: number, prev: string, body: string): string | undefined {
    const input = `${seq}\n${prev}\n${body}`;
    if (alg === 'sha256') return createHash('sha256').update(input).digest('hex');
    if (this.key && alg === this.alg) return createHmac('sha256', this.key).update(input).digest('hex');
    return undefined;
  }

  /** The head as stored: `<seq> <hash>`; a bare hash is the head of an older, unnumbered SHA-1 chain. */
  private async readHead(): Promise<{ raw: string; seq: number; hash: string }> {
    const raw = (await this.redis.get(this.headKey)) ?? '';
    const match = /^(\d+) (\S+)$/.exec(raw);
    if (match) return { raw, seq: Number(match[1]), hash: match[2]! };
    if (!raw) return { raw, seq: 0, hash: '' };
    return { raw, seq: 0, hash: raw };
  }

  async head(): Promise<AuditHead | undefined> {
    const head = await this.readHead();
    return head.seq > 0 ? { seq: head.seq, hash: head.hash } : undefined;
  }

  append(entry: AuditEntry): Promise<string> {
    // One append at a time per process (fewer compare-and-set retries); other processes retry on conflict.
    const next = this.chain.then(() => this.appendNow(entry));
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async appendNow(entry: AuditEntry): Promise<string> {
    const at = Date.now();
    const body = JSON.stringify({ ...entry, at });
    const append = (this.redis as unknown as { vpnbotAuditAppend2(...args: string[]): Promise<string | null> }).vpnbotAuditAppend2;
    for (let attempt = 0; attempt < 200; attempt++) {
      const head = await this.readHead();
      const seq = head.seq + 1;
      const hash = this.digest(this.alg, seq, head.hash, body)!;
      const id = await append.call(this.redis, this.streamKey, this.headKey, head.raw, `${seq} ${hash}`, body, head.hash, hash, String(seq), this.alg);
      if (id) {
        this.options.onAppend?.({ ...entry, at, id: String(id), hash, seq });
        return String(id);
      }
    }
    throw new Error('audit log: too many concurrent appends');
  }

  /** Stream entries oldest first, read in pages (the log grows without bound). */
  private async *entries(start = '-'): AsyncGenerator<{ id: string; fields: Fields }> {
    let from = start;
    for (;;) {
      const raw = (await this.redis.xrange(this.streamKey, from, '+', 'COUNT', PAGE)) as [string, string[]][];
      for (const [id, fields] of raw) yield { id, fields: fieldsOf(fields) };
      if (raw.length < PAGE) return;
      from = `(${raw[raw.length - 1]![0]}`;
    }
  }

  /** Entries oldest first, optionally only those about `userId` (as actor or subject) since `sinceMs`. */
  async list(filter: { userId?: string; sinceMs?: number; limit?: number } = {}): Promise<StoredAuditEntry[]> {
    // Stream ids are milliseconds: a start before the epoch is simply the beginning.
    const start = filter.sinceMs && filter.sinceMs > 0 ? String(Math.floor(filter.sinceMs)) : '-';
    const out: StoredAuditEntry[] = [];
    for await (const { id, fields } of this.entries(start)) {
      const entry = JSON.parse(fields.entry ?? '{}') as AuditEntry & { at: number };
      if (filter.userId && entry.actor !== filter.userId && entry.subject !== filter.userId) continue;
      out.push({ ...entry, id, hash: fields.hash ?? '', seq: Number(fields.seq ?? 0) });
    }
    return filter.limit ? out.slice(-filter.limit) : out;
  }

  /**
   * Recomputes the whole chain, compares the stored head with its end, and each witnessed head with the
   * entry of that number. Names the first entry that does not verify.
   */
  async check(witnessed: readonly WitnessedHead[] = []): Promise<AuditCheck> {
    let prev = '';
    let count = 0;
    let expectedSeq = 1;
    let legacy = 0;
    let unkeyed = 0;
    let keyedSeen = false;
    let last: AuditHead | undefined;
    const wanted = new Map(witnessed.map((w) => [w.seq, w]));
    const seen = new Map<number, string>();
    const fail = (problem: AuditProblem, at?: { seq?: number; id?: string }): AuditCheck => ({ ok: false, entries: count, problem, ...at });

    for await (const { id, fields } of this.entries()) {
      count++;
      const body = fields.entry ?? '';
      const storedPrev = fields.prev ?? '';
      const hash = fields.hash ?? '';
      if (fields.seq === undefined) {
        // Written before sequence numbers: an unkeyed SHA-1 chain, accepted only as the start of the log.
        if (last) return fail({ code: 'inserted', id }, { id });
        const expected = createHash('sha1').update(`${prev}\n${body}`).digest('hex');
        if (storedPrev !== prev || hash !== expected) return fail({ code: 'legacy-mismatch', id }, { id });
        prev = hash;
        legacy++;
        continue;
      }
      const seq = Number(fields.seq);
      const alg = fields.alg ?? '';
      if (seq !== expectedSeq) {
        return seq > expectedSeq
          ? fail({ code: 'missing', seq: expectedSeq, lastMissing: seq - 1, nextSeq: seq, id }, { seq: expectedSeq, id })
          : fail({ code: 'repeated', seq, id }, { seq, id });
      }
      if (alg === 'sha256') {
        if (keyedSeen) return fail({ code: 'downgraded', seq, id }, { seq, id });
        unkeyed++;
      } else if (alg.startsWith('hmac-sha256:')) {
        if (!this.key) return fail({ code: 'no-key', seq, id }, { seq, id });
        if (alg !== this.alg) return fail({ code: 'other-key', seq, id, keyId: alg.slice(12), ourKeyId: this.alg.slice(12) }, { seq, id });
        keyedSeen = true;
      } else {
        return fail({ code: 'unknown-scheme', seq, id }, { seq, id });
      }
      if (storedPrev !== prev) return fail({ code: 'not-following', seq, id }, { seq, id });
      if (this.digest(alg, seq, prev, body) !== hash) return fail({ code: 'hash-mismatch', seq, id, keyed: alg !== 'sha256' }, { seq, id });
      if (wanted.has(seq)) seen.set(seq, hash);
      prev = hash;
      last = { seq, hash };
      expectedSeq++;
    }

    const head = await this.readHead();
    if (last && (head.seq !== last.seq || head.hash !== last.hash)) {
      return head.seq > last.seq
        ? fail({ code: 'tail-deleted', lastSeq: last.seq, headSeq: head.seq }, { seq: last.seq + 1 })
        : fail({ code: 'head-changed', lastSeq: last.seq, headSeq: head.seq }, { seq: last.seq });
    }
    if (!last && head.seq > 0) return fail({ code: 'emptied', headSeq: head.seq }, { seq: 1 });
    const byNewest = [...witnessed].sort((a, b) => b.seq - a.seq);
    for (const w of byNewest) {
      if (!last || w.seq > last.seq) {
        return fail({ code: 'witness-beyond', lastSeq: last?.seq ?? 0, witnessSeq: w.seq, witnessedAt: w.at }, { seq: (last?.seq ?? 0) + 1 });
      }
      const hash = seen.get(w.seq);
      if (hash !== undefined && hash !== w.hash) {
        return fail({ code: 'witness-differs', witnessSeq: w.seq, witnessedAt: w.at }, { seq: w.seq });
      }
    }
    return {
      ok: true, entries: count, keyed: this.keyed, unkeyedEntries: unkeyed + legacy, witnessesChecked: witnessed.length,
      ...(last ? { head: last } : {}), ...(byNewest[0] ? { lastWitness: byNewest[0] } : {}),
    };
  }

  /** The id of the first entry that does not verify (or the kind of problem), or undefined when intact. */
  async verify(): Promise<string | undefined> {
    const result = await this.check();
    return result.ok ? undefined : (result.id ?? result.problem.code);
  }
}
