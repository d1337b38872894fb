// `/vpn admin server show|set` and `/vpn admin reconcile`, for an admin (an AdminContext: checked once where
// the command or click came in). A server change is a proposal: validated, stored, shown on a card in the approvals
// channel, and applied on the gateway's lane only once ANOTHER admin approves it. Reconcile is read-only:
// it compares the SSL client certificates on each gateway with the grants the bot holds.
import { CloudError } from '../api/errors.js';
import type { ClientCertSummary, SslVpnServer, SslVpnServerChanges, VpcApi } from '../api/types.js';
import type { AdminContext } from './admin-context.js';
import type { AuditLog } from './audit.js';
import type { ServerChangeEvent } from './events.js';
import type { AccessRequest, RequestStatus, SlackMessageRef } from './requests.js';
import { BOT_CERT_NAME, newProposalId, POOL_CERT_NAME } from './ids.js';
import type { ServerChangeProposal, ServerChangeStore } from './server-change-store.js';
import { checkAgainstCurrent, formatSetting, isNameOnly, labelOf, settingsOf, type ServerKey } from './server-changes.js';
import { cloudFailureOf, refuse, type CloudFailure, type Outcome, type Refusal } from './refusals.js';
import type { RequestStore } from './store.js';

/** The approval card of a server change, and its thread. */
export interface ServerChangeCards {
  post(proposal: ServerChangeProposal): Promise<SlackMessageRef>;
  update(proposal: ServerChangeProposal): Promise<void>;
  /** A note in the card's thread. */
  note(event: ServerChangeEvent): Promise<void>;
}

/** Puts an approved change on its gateway's lane (idempotent per proposal). */
export interface ServerChangeLane {
  enqueueServerChange(proposal: ServerChangeProposal): Promise<void>;
}

export interface ServerAdminDeps {
  store: RequestStore;
  audit: AuditLog;
  vpc: VpcApi;
  gateways: readonly { name: string; regionId: string; vpnGatewayId: string; sslVpnServerId: string }[];
  /** Needed for propose/decide only (show and reconcile are read-only). */
  changes?: { proposals: ServerChangeStore; cards: ServerChangeCards; lane: ServerChangeLane };
  onError?: (what: string, err: unknown) => void;
  /** Who holds which warm-pool certificate (src/core/pool.ts). */
  pool?: { assignedTo(gateway: string, certId: string): Promise<string | undefined> };
}

export interface ServerView {
  gateway: string;
  server: SslVpnServer;
}

export interface OrphanCert {
  cert: ClientCertSummary;
  /** The request id in its name, and what became of that request ('unknown' when the bot has no record). */
  requestId: string;
  requestStatus: RequestStatus | 'unknown';
}

export interface ReconcileGateway {
  gateway: string;
  /** The certificates could not be listed. */
  error?: CloudFailure;
  /** Certificates named like the bot's but held by no active grant. */
  orphans: OrphanCert[];
  /** Active grants whose certificate is not on the gateway. */
  missing: AccessRequest[];
  /** Matched certificate ↔ grant pairs. */
  matched: number;
  /** Certificates of requests being provisioned right now (left alone). */
  inFlight: number;
  /** Certificates not named like the bot's (made in the console or by other tools). */
  foreign: number;
  /** Unassigned warm-pool certificates (`vpnbot-pool-…`): the bot's own, ready or being retired. */
  pooled?: number;
  foreignCerts: ClientCertSummary[];
}

const IN_FLIGHT: readonly RequestStatus[] = ['approved', 'provisioning'];

/** `port 1194 → 1195, proto UDP → TCP` */
export function describeChanges(changes: SslVpnServerChanges, before: Partial<Record<ServerKey, unknown>>): string {
  return (Object.keys(changes) as ServerKey[]).map((k) => `${labelOf(k)} ${formatSetting(k, before[k])} → ${formatSetting(k, changes[k])}`).join(', ');
}

export class ServerAdmin {
  constructor(private readonly deps: ServerAdminDeps) {}

  private gateway(name: string) {
    return this.deps.gateways.find((g) => g.name === name);
  }

  private async readServer(name: string): Promise<Outcome<SslVpnServer>> {
    const gw = this.gateway(name);
    if (!gw) return refuse({ code: 'not-a-gateway', gateway: name });
    try {
      const server = (await this.deps.vpc.describeSslVpnServers(gw.regionId, { sslVpnServerId: gw.sslVpnServerId })).find((s) => s.sslVpnServerId === gw.sslVpnServerId);
      if (!server) return refuse({ code: 'ssl-server-not-found', gateway: gw.name, sslVpnServerId: gw.sslVpnServerId });
      return { ok: true, value: server };
    } catch (err) {
      if (!(err instanceof CloudError)) this.deps.onError?.('DescribeSslVpnServers', err);
      return refuse({ code: 'ssl-server-unreadable', gateway: gw.name, failure: cloudFailureOf(err) });
    }
  }

  async show(ctx: AdminContext, gateway: string): Promise<Outcome<ServerView>> {
    const read = await this.readServer(gateway);
    await this.deps.audit.append({ actor: ctx.actorId, action: 'admin.server.show', gateway, detail: read.ok ? read.value.sslVpnServerId : 'read failed' });
    return read.ok ? { ok: true, value: { gateway, server: read.value } } : read;
  }

  /** Validates against the current server, stores the proposal and posts its approval card. */
  async propose(ctx: AdminContext, gateway: string, requested: SslVpnServerChanges): Promise<Outcome<{ proposal: ServerChangeProposal; cardPosted: boolean }>> {
    const changes = this.deps.changes;
    if (!changes) return refuse({ code: 'server-changes-not-set-up' });
    const read = await this.readServer(gateway);
    if (!read.ok) return read;
    const server = read.value;
    const checked = checkAgainstCurrent(requested, server);
    if (!checked.ok) return refuse({ code: 'server-change-invalid', gateway, problems: checked.problems });
    if (Object.keys(checked.changes).length === 0) {
      return refuse({ code: 'nothing-to-change', gateway, requested });
    }
    const now = Date.now();
    const proposal = await changes.proposals.create({
      id: newProposalId(now), gateway, sslVpnServerId: server.sslVpnServerId, proposedBy: ctx.actorId, proposedAt: now,
      changes: checked.changes, before: settingsOf(server), nameOnly: isNameOnly(checked.changes),
    });
    await this.deps.audit.append({
      actor: ctx.actorId, action: 'admin.server.proposed', requestId: proposal.id, gateway,
      detail: `${server.sslVpnServerId}: ${describeChanges(proposal.changes, proposal.before)}`,
    });
    let withCard = proposal;
    try {
      const card = await changes.cards.post(proposal);
      withCard = (await changes.proposals.update(proposal.id, { card })) ?? proposal;
    } catch (err) {
      this.deps.onError?.('server change card', err);
    }
    return { ok: true, value: { proposal: withCard, cardPosted: Boolean(withCard.card) } };
  }

  /** Approve (another admin only) or reject (any admin; the proposer withdraws). One decision wins. */
  async decide(ctx: AdminContext, proposalId: string, decision: 'approve' | 'reject'): Promise<Outcome<ServerChangeProposal>> {
    const { audit } = this.deps;
    const { actorId } = ctx;
    if (!this.deps.changes) return refuse({ code: 'server-changes-not-set-up' });
    const { proposals, cards, lane } = this.deps.changes;
    const current = await proposals.get(proposalId);
    if (!current) return refuse({ code: 'proposal-gone' });
    if (current.status !== 'pending') return refuse(proposalDecided(current));
    if (decision === 'approve' && current.proposedBy === actorId) {
      return refuse({ code: 'own-proposal' });
    }
    const moved = await proposals.transition(proposalId, decision === 'approve' ? 'approved' : 'rejected', { decidedBy: actorId, decidedAt: Date.now() }, ['pending']);
    if (!moved.ok) return refuse(moved.reason === 'not-found' ? { code: 'proposal-gone' } : proposalDecided(moved.proposal));
    const proposal = moved.proposal;
    await audit.append({
      actor: actorId, action: decision === 'approve' ? 'admin.server.approved' : 'admin.server.rejected', requestId: proposal.id, subject: proposal.proposedBy, gateway: proposal.gateway,
      detail: describeChanges(proposal.changes, proposal.before),
    });
    if (decision === 'approve') await lane.enqueueServerChange(proposal);
    const notes = await Promise.allSettled([
      cards.update(proposal),
      cards.note({ type: decision === 'approve' ? 'ChangeApproved' : 'ChangeRejected', proposal, actorId }),
    ]);
    for (const n of notes) if (n.status === 'rejected') this.deps.onError?.('server change card update', n.reason);
    return { ok: true, value: proposal };
  }

  /** Per gateway: certificates named like the bot's with no active grant, and active grants with no certificate. */
  async reconcile(ctx: AdminContext): Promise<ReconcileGateway[]> {
    const rows = await scanGateways(this.deps);
    await this.deps.audit.append({
      actor: ctx.actorId, action: 'admin.reconcile',
      detail: rows.map((r) => (r.error ? `${r.gateway}=error` : `${r.gateway}: ${r.orphans.length} orphan(s), ${r.missing.length} missing`)).join('; '),
    });
    return rows;
  }
}

/**
 * Compares, per gateway, the SSL client certificates with the bot's grants (read-only). Grants are read
 * before the certificates: a grant active by then had its certificate created earlier, so it is listed
 * unless it really vanished.
 */
export async function scanGateways(deps: Pick<ServerAdminDeps, 'store' | 'vpc' | 'gateways' | 'onError' | 'pool'>): Promise<ReconcileGateway[]> {
  const { store, vpc } = deps;
  return Promise.all(deps.gateways.map(async (gw): Promise<ReconcileGateway> => {
    const row: ReconcileGateway = { gateway: gw.name, orphans: [], missing: [], matched: 0, inFlight: 0, foreign: 0, foreignCerts: [] };
    const { grants } = await store.activeOnGateway(gw.name, 100_000);
    let certs: ClientCertSummary[];
    try {
      certs = await vpc.describeSslVpnClientCerts(gw.regionId, { sslVpnServerId: gw.sslVpnServerId });
    } catch (err) {
      if (!(err instanceof CloudError)) deps.onError?.('DescribeSslVpnClientCerts', err);
      return { ...row, error: cloudFailureOf(err) };
    }
    const held = new Map(grants.filter((g) => g.status === 'active' && g.certId).map((g) => [g.certId!, g]));
    // A pool certificate's request is its holder's; an unassigned one is the bot's and nobody's.
    let pooled = 0;
    const named = await Promise.all(certs.map(async (c) => {
      if (held.has(c.sslVpnClientCertId)) return { cert: c, requestId: undefined };
      if (POOL_CERT_NAME.test(c.name)) {
        const holder = await deps.pool?.assignedTo(gw.name, c.sslVpnClientCertId);
        if (!holder) pooled++;
        return { cert: c, requestId: holder, pooled: !holder };
      }
      return { cert: c, requestId: BOT_CERT_NAME.exec(c.name)?.[1] };
    }));
    const requests = new Map((await store.getMany([...new Set(named.flatMap((n) => (n.requestId ? [n.requestId] : [])))])).map((r) => [r.id, r]));
    if (pooled) row.pooled = pooled;
    for (const { cert, requestId, pooled: unassigned } of named) {
      if (held.has(cert.sslVpnClientCertId)) { row.matched++; continue; }
      if (unassigned) continue;
      if (!requestId) { row.foreign++; row.foreignCerts.push(cert); continue; }
      const request = requests.get(requestId);
      if (request && IN_FLIGHT.includes(request.status)) { row.inFlight++; continue; }
      row.orphans.push({ cert, requestId, requestStatus: request?.status ?? 'unknown' });
    }
    const onGateway = new Set(certs.map((c) => c.sslVpnClientCertId));
    row.missing = grants.filter((g) => g.status === 'active' && (!g.certId || !onGateway.has(g.certId)));
    return row;
  }));
}

/** Why a proposal that is no longer pending cannot be decided now. */
export function proposalDecided(p: ServerChangeProposal): Refusal {
  return { code: 'proposal-decided', status: p.status, ...(p.decidedBy ? { decidedBy: p.decidedBy } : {}), withdrawn: p.decidedBy === p.proposedBy };
}
