// SSL-VPN server change proposals (`/vpn admin server set`), kept in Redis like requests: every write is
// a compare-and-set on the proposal's version in one Lua script together with the status index, so two
// admins clicking at once can never both decide, and a job can never record its outcome twice.
import type { AdviceKey } from '../api/errors.js';
import { VersionedRecords } from './versioned.js';
import type { RedisClient } from './redis-client.js';
import type { SslVpnServerChanges } from '../api/types.js';
import type { SlackMessageRef } from './requests.js';
import type { ServerSettings } from './server-changes.js';

export type ProposalStatus = 'pending' | 'approved' | 'rejected' | 'applied' | 'failed';

const PROPOSAL_TRANSITIONS: Readonly<Record<ProposalStatus, readonly ProposalStatus[]>> = {
  pending: ['approved', 'rejected'],
  approved: ['applied', 'failed'],
  rejected: [],
  applied: [],
  failed: [],
};

export interface ServerChangeProposal {
  id: string;
  gateway: string;
  sslVpnServerId: string;
  proposedBy: string;
  proposedAt: number;
  /** Only the keys that change. */
  changes: SslVpnServerChanges;
  /** The server's settings when proposed (the "before" of the card). */
  before: ServerSettings;
  /** Synchronous on the cloud side: the gateway does not go through `updating`. */
  nameOnly: boolean;
  status: ProposalStatus;
  decidedBy?: string;
  decidedAt?: number;
  card?: SlackMessageRef;
  /** The cloud's RequestId of the ModifySslVpnServer call. */
  cloudRequestId?: string;
  appliedAt?: number;
  failure?: string;
  failureAdvice?: AdviceKey;
  version: number;
}

export type ProposalWrite =
  | { ok: true; proposal: ServerChangeProposal }
  | { ok: false; reason: 'not-found' }
  | { ok: false; reason: 'not-allowed'; proposal: ServerChangeProposal };

// Proposals need only the shared compare-and-set and status sets (src/core/versioned.ts).
export class ServerChangeStore {
  private readonly records: VersionedRecords<ProposalStatus, ServerChangeProposal>;

  constructor(redis: RedisClient, readonly prefix = '{vpnbot}') {
    this.records = new VersionedRecords(redis, {
      name: 'proposal', key: (id) => `${prefix}:server-change:${id}`, statusKey: (status) => `${prefix}:server-changes:${status}`, transitions: PROPOSAL_TRANSITIONS,
    });
  }

  async create(proposal: Omit<ServerChangeProposal, 'version' | 'status'>): Promise<ServerChangeProposal> {
    const full: ServerChangeProposal = { ...proposal, status: 'pending', version: 0 };
    const version = await this.records.write(undefined, full);
    if (!version) throw new Error(`proposal ${proposal.id} already exists`);
    return { ...full, version };
  }

  get(id: string): Promise<ServerChangeProposal | undefined> {
    return this.records.get(id);
  }

  /** Moves to `to` only from one of `from` (and only along the transition table); one writer wins. */
  async transition(id: string, to: ProposalStatus, patch: Partial<Omit<ServerChangeProposal, 'id' | 'version' | 'status'>>, from: readonly ProposalStatus[]): Promise<ProposalWrite> {
    const moved = await this.records.transition(id, to, patch, from);
    return moved.ok ? { ok: true, proposal: moved.record } : moved.reason === 'not-found' ? moved : { ok: false, reason: 'not-allowed', proposal: moved.record };
  }

  /** Changes fields without changing status (e.g. the card reference). */
  async update(id: string, patch: Partial<Omit<ServerChangeProposal, 'id' | 'version' | 'status'>>): Promise<ServerChangeProposal | undefined> {
    const updated = await this.records.update(id, patch);
    return updated.ok ? updated.record : undefined;
  }

  listByStatus(status: ProposalStatus): Promise<ServerChangeProposal[]> {
    return this.records.listByStatus(status);
  }
}
