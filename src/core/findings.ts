// Certificates on a managed SSL server that no active grant holds: made in the console or by another tool
// ("foreign"), or named like the bot's but with no grant behind them ("orphan"). Each is a finding kept in
// Redis like requests (compare-and-set on a version, with status sets), so two admins clicking at once can
// never both decide, and a job can never record its outcome twice.
import type { AdviceKey } from '../api/errors.js';
import { VersionedRecords } from './versioned.js';
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
  /** What to do about the failure (worded by the bot). */
  failureAdvice?: AdviceKey;
  cloudRequestId?: string;
  version: number;
}

export type FindingWrite =
  | { ok: true; finding: Finding }
  | { ok: false; reason: 'not-found' }
  | { ok: false; reason: 'not-allowed'; finding: Finding };

export class FindingStore {
  private readonly records: VersionedRecords<FindingStatus, Finding>;

  constructor(redis: RedisClient, readonly prefix = '{vpnbot}') {
    this.records = new VersionedRecords(redis, {
      name: 'finding', key: (id) => `${prefix}:finding:${id}`, statusKey: (status) => `${prefix}:findings:${status}`, transitions: FINDING_TRANSITIONS,
    });
  }

  /** Records a new finding; the existing one when it is already known. */
  async ensure(finding: Omit<Finding, 'version'>): Promise<Finding> {
    const version = await this.records.write(undefined, { ...finding, version: 0 });
    if (version) return { ...finding, version };
    return (await this.get(finding.id))!;
  }

  get(id: string): Promise<Finding | undefined> {
    return this.records.get(id);
  }

  getMany(ids: readonly string[]): Promise<Finding[]> {
    return this.records.getMany(ids);
  }

  /** Moves to `to` only from one of `from` (and only along the transition table); one writer wins. */
  async transition(id: string, to: FindingStatus, patch: Partial<Omit<Finding, 'id' | 'version' | 'status'>>, from: readonly FindingStatus[], check?: (current: Finding) => boolean): Promise<FindingWrite> {
    const moved = await this.records.transition(id, to, patch, from, check);
    return moved.ok ? { ok: true, finding: moved.record } : moved.reason === 'not-found' ? moved : { ok: false, reason: 'not-allowed', finding: moved.record };
  }

  listByStatus(...statuses: FindingStatus[]): Promise<Finding[]> {
    return this.records.listByStatus(...statuses);
  }
}
