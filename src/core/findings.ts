// Certificates on a managed SSL server that no active grant holds: made in the console or by another tool
// ("foreign"), or named like the bot's but with no grant behind them ("orphan"). Each is a finding kept in
// Redis like requests (compare-and-set on a version, with status sets), so two admins clicking at once can
// never both decide, and a job can never record its outcome twice.
import { readVersioned, versionedWriteScript } from './versioned.js';
import type { RedisClient } from './redis-client.js';
import type { RequestStatus } from './requests.js';

export type FindingStatus =
  | 'open'             // listed with Delete / Keep
  | 'delete-proposed'  // one admin clicked Delete; another must confirm
  | 'deleting'         // confirmed (or an ended grant's leftover): a delete job is on the gateway's lane
  | 'deleted'          // removed and verified
  | 'failed'           // the delete job gave up; the admins were alerted
  | 'kept'             // an admin said why it stays; not reported again
  | 'gone';            // disappeared by other means

const FINDING_TRANSITIONS: Readonly<Record<FindingStatus, readonly FindingStatus[]>> = {
  open: ['delete-proposed', 'deleting', 'kept', 'gone'],
  'delete-proposed': ['deleting', 'kept', 'gone'],
  deleting: ['deleted', 'failed'],
  failed: ['deleting', 'gone'],
  deleted: [],
  kept: ['gone'],
  gone: ['open'],
};

export interface Finding {
  /** The certificate id (vsc-…), unique across gateways. */
  id: string;
  gateway: string;
  name: string;
  createTime: number;
  /** The certificate's own status on the gateway (e.g. normal, expired). */
  certStatus: string;
  kind: 'foreign' | 'orphan';
  /** For an orphan: the request in its name and what became of it. */
  requestId?: string;
  requestStatus?: RequestStatus | 'unknown';
  status: FindingStatus;
  firstSeenAt: number;
  proposedBy?: string;
  confirmedBy?: string;
  keptBy?: string;
  keptWhy?: string;
  deletedAt?: number;
  failure?: string;
  cloudRequestId?: string;
  version: number;
}

const WRITE_SCRIPT = versionedWriteScript();

export type FindingWrite =
  | { ok: true; finding: Finding }
  | { ok: false; reason: 'not-found' }
  | { ok: false; reason: 'not-allowed'; finding: Finding };

export class FindingStore {
  constructor(private readonly redis: RedisClient, readonly prefix = '{vpnbot}') {
    if (!('vpnbotWriteFinding' in redis)) redis.defineCommand('vpnbotWriteFinding', { numberOfKeys: 3, lua: WRITE_SCRIPT });
  }

  private key(id: string) { return `${this.prefix}:finding:${id}`; }
  private statusKey(status: FindingStatus) { return `${this.prefix}:findings:${status}`; }

  private async write(before: Finding | undefined, after: Finding): Promise<number> {
    return Number(await (this.redis as unknown as { vpnbotWriteFinding(...args: string[]): Promise<number> }).vpnbotWriteFinding(
      this.key(after.id), this.statusKey(before?.status ?? after.status), this.statusKey(after.status),
      before ? String(before.version) : '', JSON.stringify({ ...after, version: 0 }), after.status, after.id,
    ));
  }

  /** Records a new finding; the existing one when it is already known. */
  async ensure(finding: Omit<Finding, 'version'>): Promise<Finding> {
    const version = await this.write(undefined, { ...finding, version: 0 });
    if (version) return { ...finding, version };
    return (await this.get(finding.id))!;
  }

  async get(id: string): Promise<Finding | undefined> {
    return (await readVersioned<Finding>(this.redis, [this.key(id)]))[0];
  }

  getMany(ids: readonly string[]): Promise<Finding[]> {
    return readVersioned<Finding>(this.redis, ids.map((id) => this.key(id)));
  }

  /** Moves to `to` only from one of `from` (and only along the transition table); one writer wins. */
  async transition(id: string, to: FindingStatus, patch: Partial<Omit<Finding, 'id' | 'version' | 'status'>>, from: readonly FindingStatus[], check?: (current: Finding) => boolean): Promise<FindingWrite> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const current = await this.get(id);
      if (!current) return { ok: false, reason: 'not-found' };
      if (!from.includes(current.status) || !FINDING_TRANSITIONS[current.status].includes(to) || (check && !check(current))) return { ok: false, reason: 'not-allowed', finding: current };
      const next: Finding = { ...current, ...patch, status: to };
      const version = await this.write(current, next);
      if (version) return { ok: true, finding: { ...next, version } };
    }
    throw new Error(`finding ${id}: too many concurrent writes`);
  }

  async listByStatus(...statuses: FindingStatus[]): Promise<Finding[]> {
    const ids = (await Promise.all(statuses.map((s) => this.redis.smembers(this.statusKey(s))))).flat();
    return this.getMany(ids);
  }
}
