// The admin service: what `/vpn admin …` does, behind the Slack listener. Every method re-checks at run
// time that the caller is an admin (user ids or user-group ids in `roles.admins`), audits what it did
// (actor, action, subject, request id, the cloud's RequestId) and returns data for the bot to format.
// It talks to the outside only through ports: the store and audit log, the lanes, the cloud APIs, the
// Slack directory and DM file delivery.
import { CloudError } from '../api/errors.js';
import type { CasApi, CasCertificate, VpcApi } from '../api/types.js';
import type { AuditCheck, AuditWitnesses, StoredAuditEntry } from './audit.js';
import type { ReconcileReport } from './reconcile.js';
import { parseDuration } from './duration.js';
import { isAdmin, type AccessPolicy } from './policy.js';
import type { AuditExportDelivery, LaneStats, PeopleDirectory } from './ports.js';
import { OPEN_STATUSES, type AccessRequest } from './requests.js';
import type { ServiceDeps } from './service.js';
import { auditFailure, cloudFailureOf, refuse, type CloudFailure, type Outcome, type Refusal } from './refusals.js';
import { ServerAdmin, type ServerChangeCards, type ServerChangeLane, type ServerView } from './server-admin.js';
import type { ServerChangeProposal, ServerChangeStore } from './server-change-store.js';
import type { SslVpnServerChanges } from '../api/types.js';

export interface AdminGateway {
  name: string;
  regionId: string;
  vpnGatewayId: string;
  sslVpnServerId: string;
}

export interface AdminDeps extends ServiceDeps {
  lanes: LaneStats;
  vpc: VpcApi;
  cas: CasApi;
  people: PeopleDirectory;
  exports: AuditExportDelivery;
  gateways: readonly AdminGateway[];
  /** Unexpected (non-cloud) failures; the reply shows only a short line. */
  onError?: (what: string, err: unknown) => void;
  now?: () => number;
  /** The warm certificate pool: counts for status, holders for reconcile. */
  pool?: {
    counts(gateway: string): Promise<{ target: number; ready: number; filling: number; paused: boolean }>;
    store: { assignedTo(gateway: string, certId: string): Promise<string | undefined> };
  };
  /** `/vpn admin server set`: proposals, their approval cards and the lane; without it only `server show` and `reconcile` work. */
  serverChanges?: { proposals: ServerChangeStore; cards: ServerChangeCards; lane: ServerChangeLane };
  /** `/vpn admin reconcile` beyond the read-only scan: closes vanished grants, lists and posts findings. */
  reconciler?: { run(actorId: string): Promise<ReconcileReport> };
  /** The audit heads witnessed in Slack, for `/vpn admin audit verify`. */
  witnesses?: AuditWitnesses;
}

// ------------------------------------------------------------------------------------ pure helpers

/** A Slack user from `<@U123|name>`, `<@U123>` or a bare `U123` / `W123`; undefined otherwise. */
export function parseUserRef(text: string): string | undefined {
  const match = /^<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>$/.exec(text.trim()) ?? /^([UW][A-Z0-9]{2,})$/.exec(text.trim());
  return match?.[1];
}

/** An SSL-VPN client certificate id, `vsc-…`. */
export function isClientCertId(text: string): boolean {
  return /^vsc-[a-z0-9]{4,64}$/.test(text);
}

/** A CAS client certificate identifier: 32 hex digits (normalised to lower case), or undefined. */
export function parseCasIdentifier(text: string): string | undefined {
  const t = text.trim();
  return /^[0-9a-fA-F]{32}$/.test(t) ? t.toLowerCase() : undefined;
}

/**
 * Whether a private-CA certificate's CommonName names this person: equal (ignoring case and surrounding
 * space) to their Slack email or their Slack handle. Nothing looser: a shared local part on another
 * domain, or a name that merely contains the handle, is someone else's certificate.
 */
export function certificateBelongsTo(commonName: string, person: { email?: string | undefined; handle?: string | undefined }): boolean {
  const cn = commonName.trim().toLowerCase();
  if (!cn) return false;
  const candidates = [person.email, person.handle?.replace(/^@/, '')]
    .map((v) => v?.trim().toLowerCase())
    .filter((v): v is string => Boolean(v));
  return candidates.includes(cn);
}

export interface AuditQuery {
  userId?: string;
  sinceMs: number;
  /** As typed, for the reply (e.g. "7d"). */
  sinceLabel: string;
}

export const DEFAULT_AUDIT_SINCE = '7d';

/** No audit entry predates this product; `since` before it is a typo (e.g. `9999w`), not a query. */
export const AUDIT_EPOCH = Date.UTC(2000, 0, 1);

/** What is wrong with the words of `/vpn admin audit` (src/bot/views/admin-outcomes.ts words it). */
export type AuditArgsError =
  | { code: 'not-understood'; word: string }
  | { code: 'bad-date'; label: string }
  | { code: 'future-date'; label: string }
  /** Before AUDIT_EPOCH; `maxWeeks` is the longest duration that still fits. */
  | { code: 'before-epoch'; label: string; epoch: number; maxWeeks: number };

/** `[@user] [since]` in either order; since is a duration (`7d`, `12h`) or a date (`2024-05-01`). */
export function parseAuditArgs(words: readonly string[], now: number): { ok: true; value: AuditQuery } | { ok: false; error: AuditArgsError } {
  let userId: string | undefined;
  let since: string | undefined;
  for (const word of words) {
    const user = parseUserRef(word);
    if (user && !userId) { userId = user; continue; }
    if (!since && (parseDuration(word) !== undefined || /^\d{4}-\d{2}-\d{2}$/.test(word))) { since = word; continue; }
    return { ok: false, error: { code: 'not-understood', word } };
  }
  const label = since ?? DEFAULT_AUDIT_SINCE;
  let sinceMs: number;
  if (/^\d{4}-\d{2}-\d{2}$/.test(label)) {
    sinceMs = Date.parse(`${label}T00:00:00Z`);
    // Date.parse rolls 2024-02-31 over to March: only a date that prints back the same is real.
    if (Number.isNaN(sinceMs) || new Date(sinceMs).toISOString().slice(0, 10) !== label) return { ok: false, error: { code: 'bad-date', label } };
    if (sinceMs > now) return { ok: false, error: { code: 'future-date', label } };
  } else {
    sinceMs = now - parseDuration(label)!;
  }
  if (sinceMs < AUDIT_EPOCH) return { ok: false, error: { code: 'before-epoch', label, epoch: AUDIT_EPOCH, maxWeeks: Math.floor((now - AUDIT_EPOCH) / 604_800_000) } };
  return { ok: true, value: { ...(userId ? { userId } : {}), sinceMs, sinceLabel: label } };
}

const CSV_COLUMNS = ['time', 'actor', 'action', 'subject', 'requestId', 'gateway', 'detail', 'cloudRequestId', 'entryId', 'hash'] as const;

/** One CSV cell: quoted when needed, and never read as a formula by a spreadsheet (CSV injection). */
export function csvCell(value: string | number | undefined): string {
  let text = value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV with a header row, in the order given. */
export function auditCsv(entries: readonly StoredAuditEntry[]): string {
  const rows = entries.map((e) => [
    new Date(e.at).toISOString(), e.actor, e.action, e.subject, e.requestId, e.gateway, e.detail, e.cloudRequestId, e.id, e.hash,
  ].map(csvCell).join(','));
  return [CSV_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}

// ------------------------------------------------------------------------------------ results

export interface RevokeSummary {
  /** Active grants whose certificate removal was enqueued at once. */
  revoked: AccessRequest[];
  /** Pending or approved requests that were cancelled. */
  cancelled: AccessRequest[];
  /** Being provisioned right now: they can only be revoked once active. */
  inFlight: AccessRequest[];
}

export interface CasRevocation {
  certificate: CasCertificate;
  outcome: 'revoked' | 'already-revoked' | 'failed';
  cloudRequestId?: string;
  error?: CloudFailure;
}

export interface OffboardSummary extends RevokeSummary {
  userId: string;
  person?: { handle?: string; email?: string };
  /** Why the private-CA certificates could not be checked, if so. */
  casLookupError?: CasLookupError;
  cas: CasRevocation[];
}

export type CasLookupError =
  /** users.info failed. */
  | { kind: 'directory-failed' }
  /** Slack shares neither an email nor a handle for the user. */
  | { kind: 'no-identity' }
  | { kind: 'cas-list-failed'; failure: CloudFailure };

export interface GatewayHealth {
  gateway: string;
  status?: string;
  businessStatus?: string;
  statusError?: CloudFailure;
  connections?: number;
  maxConnections?: number;
  connectionsError?: CloudFailure | { kind: 'ssl-server-missing'; sslVpnServerId: string };
  depth?: { queued: number; scheduled: number };
  activeGrants: number;
  failedLast24h: number;
  /** The gateway's warm pool, when it has one. */
  pool?: { target: number; ready: number; filling: number; paused: boolean };
}

export interface AuditReport {
  query: AuditQuery;
  /** Newest first. */
  entries: StoredAuditEntry[];
  /** Where the CSV went, or why it did not. */
  csv: { ok: true; filename: string; fileId: string } | { ok: false; error: 'upload-failed' };
}

export interface AuditVerifyReport {
  check: AuditCheck;
  /** The witnessed heads could not be read from Slack (the chain alone was checked). */
  witnessesUnreadable?: true;
}

export interface CasRevokeResult {
  certificate: CasCertificate;
  alreadyRevoked: boolean;
  cloudRequestId?: string;
}

// ------------------------------------------------------------------------------------ the service

export class AdminService {
  private readonly server: ServerAdmin;

  constructor(private readonly deps: AdminDeps) {
    this.server = new ServerAdmin({
      store: deps.store, audit: deps.audit, vpc: deps.vpc, gateways: deps.gateways,
      ...(deps.onError ? { onError: deps.onError } : {}), ...(deps.serverChanges ? { changes: deps.serverChanges } : {}),
      ...(deps.pool ? { pool: deps.pool.store } : {}),
    });
  }

  get policy(): AccessPolicy {
    return this.deps.policy;
  }

  private now(): number {
    return this.deps.now?.() ?? Date.now();
  }

  /** Whether the user is an admin right now; the refusal when not. */
  async authorize(actorId: string): Promise<Outcome<void>> {
    return (await isAdmin(this.deps.policy, actorId, this.deps.members)) ? { ok: true, value: undefined } : refuse({ code: 'not-admin', action: 'admin-command' });
  }

  /**
   * Active grants, soonest expiry first (at most `limit`), and how many there are in all; optionally of one
   * user or on one gateway. Unfiltered, only the first `limit` are read, from the expiry index; a user's come
   * from their own index, a gateway's from the per-gateway expiry index.
   */
  async listGrants(actorId: string, filter: { userId?: string; gateway?: string } = {}, limit = 50): Promise<Outcome<{ grants: AccessRequest[]; total: number }>> {
    const auth = await this.authorize(actorId);
    if (!auth.ok) return auth;
    const { store } = this.deps;
    let grants: AccessRequest[];
    let total: number;
    if (!filter.userId && !filter.gateway) {
      [grants, total] = await Promise.all([store.grantsExpiringBy(Number.MAX_SAFE_INTEGER, limit), store.countByStatus('active')]);
      grants = grants.filter((g) => g.status === 'active');
    } else if (!filter.userId && filter.gateway) {
      ({ grants, total } = await store.activeOnGateway(filter.gateway, limit));
    } else {
      const candidates = await store.listByUser(filter.userId!, 500);
      const all = candidates
        .filter((g) => g.status === 'active' && (!filter.userId || g.requesterId === filter.userId) && (!filter.gateway || g.gateway === filter.gateway))
        .sort((a, b) => (a.expiresAt ?? 0) - (b.expiresAt ?? 0));
      grants = all.slice(0, limit);
      total = all.length;
    }
    await this.deps.audit.append({
      actor: actorId, action: 'admin.list', ...(filter.userId ? { subject: filter.userId } : {}), ...(filter.gateway ? { gateway: filter.gateway } : {}),
      detail: `${total} active grant(s)`,
    });
    return { ok: true, value: { grants, total } };
  }

  /** Revokes the user's active grants at once and cancels their pending/approved requests. */
  async revokeUser(actorId: string, userId: string): Promise<Outcome<RevokeSummary>> {
    const auth = await this.authorize(actorId);
    if (!auth.ok) return auth;
    const open = (await this.deps.store.listByUser(userId, 500)).filter((r) => OPEN_STATUSES.includes(r.status));
    return { ok: true, value: await this.endRequests(actorId, open, 'admin revoke') };
  }

  /** Revokes the grant holding SSL-VPN client certificate `certId`. */
  async revokeCertificate(actorId: string, certId: string): Promise<Outcome<RevokeSummary>> {
    const auth = await this.authorize(actorId);
    if (!auth.ok) return auth;
    const holders = (await this.deps.store.listByStatus('active')).filter((g) => g.certId === certId);
    if (holders.length === 0) {
      return refuse({ code: 'no-grant-holds-certificate', certId });
    }
    return { ok: true, value: await this.endRequests(actorId, holders, 'admin revoke by certificate id') };
  }

  /** Everything the person holds on every gateway, plus their private-CA client certificates. */
  async offboard(actorId: string, userId: string): Promise<Outcome<OffboardSummary>> {
    const auth = await this.authorize(actorId);
    if (!auth.ok) return auth;
    return { ok: true, value: await this.offboardUser(actorId, userId, 'offboarding') };
  }

  /**
   * Exactly what `/vpn admin offboard` does, for a user Slack reports as deactivated; audited with actor
   * `slack`. No admin is involved, so there is no authorisation step.
   */
  offboardLeaver(userId: string, source: 'user_change event' | 'sweep'): Promise<OffboardSummary> {
    return this.offboardUser('slack', userId, `Slack account deactivated (${source})`);
  }

  private async offboardUser(actorId: string, userId: string, why: string): Promise<OffboardSummary> {
    const { audit, cas, people } = this.deps;
    const open = (await this.deps.store.listByUser(userId, 500)).filter((r) => OPEN_STATUSES.includes(r.status));
    const ended = await this.endRequests(actorId, open, why);
    const summary: OffboardSummary = { ...ended, userId, cas: [] };

    let person: { handle?: string; email?: string } | undefined;
    try {
      person = await people.profile(userId);
      summary.person = person;
    } catch (err) {
      this.deps.onError?.('users.info during offboarding', err);
      summary.casLookupError = { kind: 'directory-failed' };
    }
    if (person && !person.email && !person.handle) summary.casLookupError = { kind: 'no-identity' };

    if (person && !summary.casLookupError) {
      let certs: CasCertificate[] = [];
      try {
        certs = (await cas.listClientCertificates()).filter((c) => certificateBelongsTo(c.commonName, person));
      } catch (err) {
        if (!(err instanceof CloudError)) this.deps.onError?.('ListClientCertificate', err);
        summary.casLookupError = { kind: 'cas-list-failed', failure: cloudFailureOf(err) };
      }
      for (const certificate of certs) {
        if (certificate.status === 'REVOKE') {
          summary.cas.push({ certificate, outcome: 'already-revoked' });
          continue;
        }
        try {
          const { requestId } = await cas.createRevokeClientCertificate(certificate.identifier);
          summary.cas.push({ certificate, outcome: 'revoked', cloudRequestId: requestId });
          await audit.append({ actor: actorId, action: 'admin.cas-cert.revoked', subject: userId, detail: `${certificate.identifier} CN=${certificate.commonName} (${why})`, cloudRequestId: requestId });
        } catch (err) {
          if (!(err instanceof CloudError)) this.deps.onError?.('CreateRevokeClientCertificate', err);
          summary.cas.push({ certificate, outcome: 'failed', error: cloudFailureOf(err) });
          await audit.append({
            actor: actorId, action: 'admin.cas-cert.revoke-failed', subject: userId, detail: `${certificate.identifier} CN=${certificate.commonName}: ${auditFailure(err)}`,
            ...(err instanceof CloudError && err.requestId ? { cloudRequestId: err.requestId } : {}),
          });
        }
      }
    }
    const casRevoked = summary.cas.filter((c) => c.outcome === 'revoked').length;
    await audit.append({
      actor: actorId, action: 'admin.offboard', subject: userId,
      detail: `${why}: grants revoked ${ended.revoked.length}, requests cancelled ${ended.cancelled.length}, in flight ${ended.inFlight.length}, private-CA certificates revoked ${casRevoked}${summary.casLookupError ? `; private-CA certificates not checked (${summary.casLookupError.kind})` : ''}`,
    });
    return summary;
  }

  /** Per gateway: state, SSL connections vs max, lane depth, active grants, failures in the last 24 h. */
  /** `audit: false` for passive views (App Home), which would otherwise log an entry on every open. */
  async status(actorId: string, options: { audit?: boolean } = {}): Promise<Outcome<GatewayHealth[]>> {
    const auth = await this.authorize(actorId);
    if (!auth.ok) return auth;
    const { store, audit, vpc, lanes } = this.deps;
    const since = this.now() - 86_400_000;
    // Counted from the store's per-gateway indexes: reading the day's audit log grows with its volume.
    const [counts, failures] = await Promise.all([
      Promise.all(this.deps.gateways.map((gw) => store.countActiveOnGateway(gw.name))),
      Promise.all(this.deps.gateways.map((gw) => store.countFailuresSince(gw.name, since))),
    ]);
    const cloudRequestIds: string[] = [];
    const rows = await Promise.all(this.deps.gateways.map(async (gw, index): Promise<GatewayHealth> => {
      const row: GatewayHealth = {
        gateway: gw.name,
        activeGrants: counts[index] ?? 0,
        failedLast24h: failures[index] ?? 0,
      };
      const [gateway, servers, depth, pool] = await Promise.allSettled([
        vpc.describeVpnGateway(gw.regionId, gw.vpnGatewayId),
        vpc.describeSslVpnServers(gw.regionId, { sslVpnServerId: gw.sslVpnServerId }),
        lanes.depth(gw.name),
        this.deps.pool?.counts(gw.name),
      ]);
      if (pool.status === 'fulfilled' && pool.value && pool.value.target + pool.value.ready + pool.value.filling > 0) row.pool = pool.value;
      if (gateway.status === 'fulfilled') {
        row.status = gateway.value.status;
        row.businessStatus = gateway.value.businessStatus;
        cloudRequestIds.push(gateway.value.requestId);
      } else {
        if (!(gateway.reason instanceof CloudError)) this.deps.onError?.('DescribeVpnGateway', gateway.reason);
        row.statusError = cloudFailureOf(gateway.reason);
      }
      if (servers.status === 'fulfilled') {
        const server = servers.value.find((s) => s.sslVpnServerId === gw.sslVpnServerId);
        if (server) {
          row.connections = server.connections;
          row.maxConnections = server.maxConnections;
        } else {
          row.connectionsError = { kind: 'ssl-server-missing', sslVpnServerId: gw.sslVpnServerId };
        }
      } else {
        if (!(servers.reason instanceof CloudError)) this.deps.onError?.('DescribeSslVpnServers', servers.reason);
        row.connectionsError = cloudFailureOf(servers.reason);
      }
      if (depth.status === 'fulfilled') row.depth = depth.value;
      else this.deps.onError?.('lane depth', depth.reason);
      return row;
    }));
    if (options.audit !== false) await audit.append({
      actor: actorId, action: 'admin.status', detail: rows.map((r) => `${r.gateway}=${r.status ?? 'unknown'}`).join(' '),
      ...(cloudRequestIds.length ? { cloudRequestId: cloudRequestIds.join(',') } : {}),
    });
    return { ok: true, value: rows };
  }

  /** Audit entries matching the query, newest first; all of them go to the admin's DM as CSV. */
  async auditReport(actorId: string, query: AuditQuery): Promise<Outcome<AuditReport>> {
    const auth = await this.authorize(actorId);
    if (!auth.ok) return auth;
    const { audit, exports } = this.deps;
    const oldestFirst = await audit.list({ sinceMs: query.sinceMs, ...(query.userId ? { userId: query.userId } : {}) });
    const stamp = new Date(this.now()).toISOString().slice(0, 19).replace(/[:T]/g, '-');
    const filename = `vpn-audit-${query.userId ? `${query.userId}-` : ''}${stamp}.csv`;
    let csv: AuditReport['csv'];
    try {
      const { fileId } = await exports.sendAuditExport(actorId, { filename, content: auditCsv(oldestFirst) }, { ...(query.userId ? { userId: query.userId } : {}), sinceLabel: query.sinceLabel, entries: oldestFirst.length });
      csv = { ok: true, filename, fileId };
    } catch (err) {
      this.deps.onError?.('audit CSV upload', err);
      csv = { ok: false, error: 'upload-failed' };
    }
    await audit.append({
      actor: actorId, action: 'admin.audit.exported', ...(query.userId ? { subject: query.userId } : {}),
      detail: `${oldestFirst.length} entries since ${query.sinceLabel}${csv.ok ? ` as ${filename}` : ' (CSV upload failed)'}`,
    });
    return { ok: true, value: { query, entries: [...oldestFirst].reverse(), csv } };
  }

  /** Checks the whole chain and the latest heads witnessed in Slack. */
  async auditVerify(actorId: string): Promise<Outcome<AuditVerifyReport>> {
    const auth = await this.authorize(actorId);
    if (!auth.ok) return auth;
    const report: Partial<AuditVerifyReport> = {};
    let witnessed: Awaited<ReturnType<AuditWitnesses['recent']>> = [];
    if (this.deps.witnesses) {
      try {
        witnessed = await this.deps.witnesses.recent(20);
      } catch (err) {
        this.deps.onError?.('reading witnessed audit heads', err);
        report.witnessesUnreadable = true;
      }
    }
    const check = await this.deps.audit.check(witnessed);
    await this.deps.audit.append({
      actor: actorId, action: check.ok ? 'admin.audit.verified' : 'admin.audit.tampered',
      detail: check.ok ? `intact: ${check.entries} entries, head #${check.head?.seq ?? 0}` : check.detail,
    });
    return { ok: true, value: { ...report, check } };
  }

  /** CAS CreateRevokeClientCertificate for one private-CA client certificate. */
  async revokeCasCertificate(actorId: string, identifierText: string): Promise<Outcome<CasRevokeResult>> {
    const auth = await this.authorize(actorId);
    if (!auth.ok) return auth;
    const identifier = parseCasIdentifier(identifierText);
    if (!identifier) return refuse({ code: 'bad-cas-identifier', text: identifierText });
    const { cas, audit } = this.deps;
    let certificate: CasCertificate;
    try {
      certificate = await cas.describeClientCertificate(identifier);
    } catch (err) {
      return refuse(this.casFailure(identifier, err));
    }
    if (certificate.status === 'REVOKE') return { ok: true, value: { certificate, alreadyRevoked: true } };
    try {
      const { requestId } = await cas.createRevokeClientCertificate(identifier);
      await audit.append({ actor: actorId, action: 'admin.cas-cert.revoked', detail: `${identifier} CN=${certificate.commonName}`, cloudRequestId: requestId });
      return { ok: true, value: { certificate, alreadyRevoked: false, cloudRequestId: requestId } };
    } catch (err) {
      const refusal = this.casFailure(identifier, err);
      await audit.append({
        actor: actorId, action: 'admin.cas-cert.revoke-failed', detail: `${identifier}: ${auditFailure(err)}`,
        ...(err instanceof CloudError && err.requestId ? { cloudRequestId: err.requestId } : {}),
      });
      return refuse(refusal);
    }
  }

  /** The SSL-VPN server settings of one gateway (DescribeSslVpnServers). */
  async serverShow(actorId: string, gateway: string): Promise<Outcome<ServerView>> {
    const auth = await this.authorize(actorId);
    if (!auth.ok) return auth;
    return this.server.show(actorId, gateway);
  }

  /** Proposes a validated ModifySslVpnServer; it runs only once another admin approves it. */
  async proposeServerChange(actorId: string, gateway: string, changes: SslVpnServerChanges): Promise<Outcome<{ proposal: ServerChangeProposal; cardPosted: boolean }>> {
    const auth = await this.authorize(actorId);
    if (!auth.ok) return auth;
    return this.server.propose(actorId, gateway, changes);
  }

  /** A click on a server change card; admins only, and the proposer cannot approve. */
  async decideServerChange(actorId: string, proposalId: string, decision: 'approve' | 'reject'): Promise<Outcome<ServerChangeProposal>> {
    const auth = await this.authorize(actorId);
    if (!auth.ok) return refuse({ code: 'not-admin', action: 'decide-server-change' });
    return this.server.decide(actorId, proposalId, decision);
  }

  /** Read-only: orphan certificates and grants whose certificate is missing, per gateway. */
  async reconcile(actorId: string): Promise<Outcome<ReconcileReport>> {
    const auth = await this.authorize(actorId);
    if (!auth.ok) return auth;
    if (this.deps.reconciler) return { ok: true, value: await this.deps.reconciler.run(actorId) };
    const rows = await this.server.reconcile(actorId);
    return rows.ok ? { ok: true, value: { rows: rows.value, findings: [], closed: [], leftovers: [], kept: 0, posted: false } } : rows;
  }

  private casFailure(identifier: string, err: unknown): Refusal {
    if (err instanceof CloudError && err.kind === 'not-found') return { code: 'cas-certificate-not-found', identifier, cloudCode: err.code };
    if (!(err instanceof CloudError)) this.deps.onError?.('CAS certificate revoke', err);
    return { code: 'cas-revoke-failed', identifier, failure: cloudFailureOf(err) };
  }

  /** Active → removal enqueued at once; pending/approved → cancelled (the requester is told); provisioning → reported. */
  private async endRequests(actorId: string, requests: readonly AccessRequest[], why: string): Promise<RevokeSummary> {
    const { store, audit, notifications, provisioning } = this.deps;
    const summary: RevokeSummary = { revoked: [], cancelled: [], inFlight: [] };
    for (const request of requests) {
      if (request.status === 'active') {
        await provisioning.enqueueRevoke(request, actorId);
        await audit.append({ actor: actorId, action: 'admin.grant.revoke-requested', requestId: request.id, subject: request.requesterId, gateway: request.gateway, detail: `${request.certId ?? 'no certificate id'} (${why})` });
        summary.revoked.push(request);
      } else if (request.status === 'pending' || request.status === 'approved') {
        // A queued provisioning job finds the request cancelled and stops before creating anything.
        const moved = await store.transition(request.id, 'cancelled', { cancelledBy: actorId }, ['pending', 'approved']);
        if (!moved.ok) {
          if (moved.reason === 'not-allowed' && moved.request.status === 'provisioning') summary.inFlight.push(moved.request);
          continue;
        }
        await audit.append({ actor: actorId, action: 'admin.request.cancelled', requestId: request.id, subject: request.requesterId, gateway: request.gateway, detail: why });
        await notifications.syncCard(moved.request);
        await notifications.tellRequester(moved.request, 'cancelled');
        summary.cancelled.push(moved.request);
      } else if (request.status === 'provisioning') {
        summary.inFlight.push(request);
      }
    }
    return summary;
  }
}
