// SSL-VPN server change proposals (`/vpn admin server set`), kept in Redis like requests: every write is
// a compare-and-set on the proposal's version in one Lua script together with the status index, so two
// admins clicking at once can never both decide, and a job can never record its outcome twice.
import type { AdviceKey } from '../api/errors.js';
import { readVersioned, versionedWriteScript } from './versioned.js';
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

// Proposals need only the shared compare-and-set and status sets (src/core/versioned.ts).
const WRITE_SCRIPT = versionedWriteScript();

export type ProposalWrite =
  | { ok: true; proposal: ServerChangeProposal }
  | { ok: false; reason: 'not-found' }
  | { ok: false; reason: 'not-allowed'; proposal: ServerChangeProposal };

export class ServerChangeStore {
  constructor(private readonly redis: RedisClient, readonly prefix = '{vpnbot}') {
    if (!('vpnbotWriteProposal' in redis)) redis.defineCommand('vpnbotWriteProposal', { numberOfKeys: 3, lua: WRITE_SCRIPT });
  }

  private key(id: string) { return `${this.prefix}:server-change:${id}`; }
  private statusKey(status: ProposalStatus) { return `${this.prefix}:server-changes:${status}`; }

  private async write(before: ServerChangeProposal | undefined, after: ServerChangeProposal): Promise<number> {
    const version = await (this.redis as unknown as { vpnbotWriteProposal(...args: string[]): Promise<number> }).vpnbotWriteProposal(
      this.key(after.id), this.statusKey(before?.status ?? after.status), this.statusKey(after.status),
      before ? String(before.version) : '', JSON.stringify({ ...after, version: 0 }), after.status, after.id,
    );
    return Number(version);
  }

  async create(proposal: Omit<ServerChangeProposal, 'version' | 'status'>): Promise<ServerChangeProposal> {
    const full: ServerChangeProposal = { ...proposal, status: 'pending', version: 0 };
    const version = await this.write(undefined, full);
    if (!version) throw new Error(`proposal ${proposal.id} already exists`);
    return { ...full, version };
  }

  async get(id: string): Promise<ServerChangeProposal | undefined> {
    return (await readVersioned<ServerChangeProposal>(this.redis, [this.key(id)]))[0];
  }

  /** Moves to `to` only from one of `from` (and only along the transition table); one writer wins. */
  async transition(id: string, to: ProposalStatus, patch: Partial<Omit<ServerChangeProposal, 'id' | 'version' | 'status'>>, from: readonly ProposalStatus[]): Promise<ProposalWrite> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const current = await this.get(id);
      if (!current) return { ok: false, reason: 'not-found' };
      if (!from.includes(current.status) || !PROPOSAL_TRANSITIONS[current.status].includes(to)) return { ok: false, reason: 'not-allowed', proposal: current };
      const next: ServerChangeProposal = { ...current, ...patch, status: to };
      const version = await this.write(current, next);
      if (version) return { ok: true, proposal: { ...next, version } };
    }
    throw new Error(`proposal ${id}: too many concurrent writes`);
  }

  /** Changes fields without changing status (e.g. the card reference). */
  async update(id: string, patch: Partial<Omit<ServerChangeProposal, 'id' | 'version' | 'status'>>): Promise<ServerChangeProposal | undefined> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const current = await this.get(id);
      if (!current) return undefined;
      const next = { ...current, ...patch };
      const version = await this.write(current, next);
      if (version) return { ...next, version };
    }
    throw new Error(`proposal ${id}: too many concurrent writes`);
  }

  async listByStatus(status: ProposalStatus): Promise<ServerChangeProposal[]> {
    const ids = await this.redis.smembers(this.statusKey(status));
    return readVersioned<ServerChangeProposal>(this.redis, ids.map((id) => this.key(id)));
  }
}
