// Reconcile: on a schedule (reconcile.every) and on demand, compare each gateway's SSL client certificates
// with the grants. It changes nothing on the cloud by itself, and runs off the lanes:
// - a grant whose certificate vanished is closed and its holder told;
// - a certificate left over from an ended grant is deleted (on the gateway's lane, like any removal);
// - every other certificate the bot did not issue (foreign) or cannot account for (orphan) becomes a
//   finding, posted to the approvals channel when the set changed, with Delete (an admin proposes, a
//   second admin confirms) and Keep (who and why; not reported again).
import { createHash } from 'node:crypto';
import type { VpcApi } from '../api/types.js';
import type { AuditLog } from './audit.js';
import type { Failure } from './events.js';
import type { Finding, FindingStore } from './findings.js';
import type { Notifications } from './ports.js';
import type { RedisClient } from './redis-client.js';
import type { AccessRequest, RequestStatus, SlackMessageRef } from './requests.js';
import { scanGateways, type ReconcileGateway } from './server-admin.js';
import { refuse, type Outcome } from './refusals.js';
import type { RequestStore } from './store.js';

/** What happened to a finding, for its post's thread. */
export type FindingEvent =
  | { kind: 'delete-proposed'; by: string }
  | { kind: 'deleting'; by: string }
  | { kind: 'deleted' }
  | { kind: 'failed'; failure: Failure }
  | { kind: 'kept'; by: string; why: string };

/** The findings post in the approvals channel (the bot renders it). */
export interface FindingPosts {
  post(findings: readonly Finding[]): Promise<SlackMessageRef>;
  update(ref: SlackMessageRef, findings: readonly Finding[]): Promise<void>;
  note(ref: SlackMessageRef, finding: Finding, event: FindingEvent): Promise<void>;
}

/** Puts a certificate delete on its gateway's lane: at once, never coalesced; idempotent per certificate. */
export interface CertificateDeleteLane {
  enqueueCertificateDelete(finding: Finding): Promise<void>;
  /** Whether a removal of this grant is queued or running (then a missing certificate is expected). */
  removalUnderway(request: AccessRequest): Promise<boolean>;
}

export interface ReconcileDeps {
  store: RequestStore;
  audit: AuditLog;
  vpc: VpcApi;
  redis: RedisClient;
  findings: FindingStore;
  gateways: readonly { name: string; regionId: string; vpnGatewayId: string; sslVpnServerId: string }[];
  posts: FindingPosts;
  lane: CertificateDeleteLane;
  notifications: Notifications;
  /** Deletes the closed grant's profile files from Slack. */
  grantEnded?: (request: AccessRequest) => Promise<void>;
  isAdmin: (userId: string) => Promise<boolean>;
  onError?: (what: string, err: unknown) => void;
  prefix?: string;
}

export interface ReconcileReport {
  rows: ReconcileGateway[];
  /** Open and proposed findings: the ones with Delete / Keep. */
  findings: Finding[];
  /** Grants closed because their certificate vanished. */
  closed: AccessRequest[];
  /** Leftovers of ended grants put on the lane for deletion. */
  leftovers: Finding[];
  kept: number;
  /** Whether the findings post was made (the set changed since the last one). */
  posted: boolean;
}

const ENDED: readonly (RequestStatus | 'unknown')[] = ['expired', 'revoked'];
const REPORTED = ['open', 'delete-proposed'] as const;

export class ReconcileService {
  constructor(private readonly deps: ReconcileDeps) {}

  private key(name: string) { return `${this.deps.prefix ?? '{vpnbot}'}:reconcile:${name}`; }

  async run(actor: string): Promise<ReconcileReport> {
    const { findings, audit } = this.deps;
    const rows = await scanGateways(this.deps);
    const report: ReconcileReport = { rows, findings: [], closed: [], leftovers: [], kept: 0, posted: false };
    const now = Date.now();
    const seen = new Set<string>();
    for (const row of rows) {
      if (row.error) continue;
      for (const grant of row.missing) {
        const closed = await this.closeVanished(grant);
        if (closed) report.closed.push(closed);
      }
      const candidates: Omit<Finding, 'version' | 'status'>[] = [
        ...row.foreignCerts.map((cert) => ({ id: cert.sslVpnClientCertId, gateway: row.gateway, name: cert.name, createTime: cert.createTime, certStatus: cert.status, kind: 'foreign' as const, firstSeenAt: now })),
        ...row.orphans.map((o) => ({ id: o.cert.sslVpnClientCertId, gateway: row.gateway, name: o.cert.name, createTime: o.cert.createTime, certStatus: o.cert.status, kind: 'orphan' as const, requestId: o.requestId, requestStatus: o.requestStatus, firstSeenAt: now })),
      ];
      for (const candidate of candidates) {
        seen.add(candidate.id);
        let finding = await findings.ensure({ ...candidate, status: 'open' });
        if (finding.status === 'gone') {
          const back = await findings.transition(finding.id, 'open', { firstSeenAt: now }, ['gone']);
          if (back.ok) finding = back.finding;
        }
        if (finding.kind === 'orphan' && ENDED.includes(finding.requestStatus ?? 'unknown') && finding.status === 'open') {
          // The grant ended but its certificate stayed: the bot meant it gone, so no admin decision is needed.
          const moved = await findings.transition(finding.id, 'deleting', { confirmedBy: 'system' }, ['open']);
          if (moved.ok) {
            await this.deps.lane.enqueueCertificateDelete(moved.finding);
            await audit.append({ actor: 'system', action: 'reconcile.leftover-delete-queued', requestId: finding.requestId, gateway: finding.gateway, detail: `${finding.id} ${finding.name}: request ${finding.requestStatus}` });
            report.leftovers.push(moved.finding);
          }
        }
      }
    }
    // Findings whose certificate is no longer listed (deleted in the console, say) stop being reported.
    const scanned = new Set(rows.filter((r) => !r.error).map((r) => r.gateway));
    for (const f of await findings.listByStatus(...REPORTED, 'kept')) {
      if (!seen.has(f.id) && scanned.has(f.gateway)) await findings.transition(f.id, 'gone', {}, [...REPORTED, 'kept']);
    }
    const current = await findings.listByStatus(...REPORTED);
    report.findings = current.sort((a, b) => a.gateway.localeCompare(b.gateway) || a.createTime - b.createTime);
    report.kept = (await findings.listByStatus('kept')).length;
    report.posted = await this.postIfChanged(report.findings);
    await audit.append({
      actor, action: actor === 'system' ? 'reconcile.run' : 'admin.reconcile',
      detail: rows.map((r) => (r.error ? `${r.gateway}=error` : `${r.gateway}: ${r.foreign} foreign, ${r.orphans.length} orphan(s), ${r.missing.length} missing`)).join('; ')
        + `; closed ${report.closed.length}, leftovers queued ${report.leftovers.length}, reported ${report.findings.length}${report.posted ? ' (posted)' : ''}`,
    });
    return report;
  }

  /** Posts the findings when the set (or a finding's state) changed since the last post. */
  private async postIfChanged(current: readonly Finding[]): Promise<boolean> {
    const signature = signatureOf(current);
    const last = await this.deps.redis.get(this.key('signature'));
    if (last === signature || (last === null && current.length === 0)) return false;
    try {
      const ref = await this.deps.posts.post(current);
      await this.deps.redis.set(this.key('signature'), signature);
      await this.deps.redis.set(this.key('post'), JSON.stringify(ref));
      return true;
    } catch (err) {
      this.deps.onError?.('findings post', err);
      return false;
    }
  }

  private async closeVanished(grant: AccessRequest): Promise<AccessRequest | undefined> {
    if (await this.deps.lane.removalUnderway(grant)) return undefined;
    const moved = await this.deps.store.transition(grant.id, 'revoked', { revokedBy: 'reconcile' }, ['active']);
    if (!moved.ok) return undefined;
    await this.deps.audit.append({ actor: 'system', action: 'grant.closed-vanished', requestId: grant.id, subject: grant.requesterId, gateway: grant.gateway, detail: `${grant.certId ?? 'no certificate id'} is no longer on the gateway` });
    await this.deps.notifications.tellRequester(moved.request, 'revoked');
    await this.deps.notifications.syncCard(moved.request);
    await this.deps.grantEnded?.(moved.request).catch((err: unknown) => this.deps.onError?.('profile files of a closed grant', err));
    return moved.request;
  }

  private async refresh(finding: Finding, event: FindingEvent): Promise<void> {
    const raw = await this.deps.redis.get(this.key('post'));
    if (!raw) return;
    const ref = JSON.parse(raw) as SlackMessageRef;
    const current = await this.deps.findings.listByStatus(...REPORTED, 'deleting', 'deleted', 'failed', 'kept');
    const shown = current.filter((f) => f.status !== 'kept' || f.id === finding.id).filter((f) => f.status === 'open' || f.status === 'delete-proposed' || f.id === finding.id || (f.deletedAt ?? 0) > Date.now() - 86_400_000 || f.status === 'deleting');
    // A decision changes the set the admins already see: the next run must not post it again.
    const reported = await this.deps.findings.listByStatus(...REPORTED);
    await this.deps.redis.set(this.key('signature'), signatureOf(reported));
    await Promise.allSettled([
      this.deps.posts.update(ref, shown.sort((a, b) => a.gateway.localeCompare(b.gateway) || a.createTime - b.createTime)),
      this.deps.posts.note(ref, finding, event),
    ]).then((results) => results.forEach((r) => r.status === 'rejected' && this.deps.onError?.('findings post update', r.reason)));
  }

  /** Delete: the first admin proposes; a second, different admin confirms, and the delete goes on the lane. */
  async delete(actorId: string, certId: string): Promise<Outcome<{ finding: Finding; step: 'proposed' | 'confirmed' }>> {
    if (!(await this.deps.isAdmin(actorId))) return refuse({ code: 'not-admin', action: 'delete-certificate' });
    const { findings, audit } = this.deps;
    const proposed = await findings.transition(certId, 'delete-proposed', { proposedBy: actorId }, ['open']);
    if (proposed.ok) {
      await audit.append({ actor: actorId, action: 'foreign-cert.delete-proposed', gateway: proposed.finding.gateway, detail: `${certId} ${proposed.finding.name}` });
      await this.refresh(proposed.finding, { kind: 'delete-proposed', by: actorId });
      return { ok: true, value: { finding: proposed.finding, step: 'proposed' } };
    }
    if (proposed.reason === 'not-found') return refuse({ code: 'finding-gone', rerun: true });
    if (proposed.finding.status === 'delete-proposed' && proposed.finding.proposedBy === actorId) {
      return refuse({ code: 'own-delete-proposal' });
    }
    const confirmed = await findings.transition(certId, 'deleting', { confirmedBy: actorId }, ['delete-proposed'], (f) => f.proposedBy !== actorId);
    if (!confirmed.ok) return refuse(confirmed.reason === 'not-found' ? { code: 'finding-gone', rerun: false } : { code: 'finding-decided', status: confirmed.finding.status });
    await this.deps.lane.enqueueCertificateDelete(confirmed.finding);
    await audit.append({ actor: actorId, action: 'foreign-cert.delete-confirmed', subject: confirmed.finding.proposedBy, gateway: confirmed.finding.gateway, detail: `${certId} ${confirmed.finding.name}` });
    await this.refresh(confirmed.finding, { kind: 'deleting', by: actorId });
    return { ok: true, value: { finding: confirmed.finding, step: 'confirmed' } };
  }

  /** Keep: recorded with who and why; not reported again. */
  async keep(actorId: string, certId: string, why: string): Promise<Outcome<Finding>> {
    if (!(await this.deps.isAdmin(actorId))) return refuse({ code: 'not-admin', action: 'keep-certificate' });
    const reason = why.trim();
    if (!reason) return refuse({ code: 'keep-needs-reason' });
    const kept = await this.deps.findings.transition(certId, 'kept', { keptBy: actorId, keptWhy: reason.slice(0, 500) }, ['open', 'delete-proposed']);
    if (!kept.ok) return refuse(kept.reason === 'not-found' ? { code: 'finding-gone', rerun: false } : { code: 'finding-decided', status: kept.finding.status });
    await this.deps.audit.append({ actor: actorId, action: 'foreign-cert.kept', gateway: kept.finding.gateway, detail: `${certId} ${kept.finding.name}: ${reason.slice(0, 500)}` });
    await this.refresh(kept.finding, { kind: 'kept', by: actorId, why: reason.slice(0, 500) });
    return { ok: true, value: kept.finding };
  }

  /** The delete job's outcome. */
  async deleted(certId: string, cloudRequestId: string | undefined): Promise<void> {
    const moved = await this.deps.findings.transition(certId, 'deleted', { deletedAt: Date.now(), ...(cloudRequestId ? { cloudRequestId } : {}) }, ['deleting']);
    if (!moved.ok) return;
    await this.deps.audit.append({ actor: moved.finding.confirmedBy ?? 'system', action: 'foreign-cert.deleted', subject: moved.finding.proposedBy, gateway: moved.finding.gateway, detail: `${certId} ${moved.finding.name}: removed and verified`, ...(cloudRequestId ? { cloudRequestId } : {}) });
    await this.refresh(moved.finding, { kind: 'deleted' });
  }

  async deleteFailed(certId: string, failure: Failure): Promise<void> {
    const moved = await this.deps.findings.transition(certId, 'failed', { failure: failure.detail, ...(failure.adviceKey ? { failureAdvice: failure.adviceKey } : {}) }, ['deleting']);
    if (!moved.ok) return;
    await this.deps.audit.append({ actor: 'system', action: 'foreign-cert.delete-failed', gateway: moved.finding.gateway, detail: `${certId} ${moved.finding.name}: ${failure.detail}` });
    await this.refresh(moved.finding, { kind: 'failed', failure });
  }
}

/** Which certificates are reported: a new one, or one gone, is a change worth a post. */
function signatureOf(findings: readonly Finding[]): string {
  return createHash('sha256').update(findings.map((f) => f.id).sort().join('\n')).digest('hex');
}
