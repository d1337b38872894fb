// Texts for `/vpn admin …` replies (all ephemeral, in the language of the admin who asked).
import type { AuditReport, CasRevokeResult, GatewayHealth, OffboardSummary, RevokeSummary } from '../../core/admin.js';
import type { ServerView } from '../../core/server-admin.js';
import type { ReconcileReport } from '../../core/reconcile.js';
import { reconcileFindingsLines } from './findings.js';
import type { ServerChangeProposal } from '../../core/server-change-store.js';
import type { StoredAuditEntry } from '../../core/audit.js';
import type { AccessRequest } from '../../core/requests.js';
import { escapeMrkdwn } from './approval-card.js';
import { EN, localDate, localList, messagesOf, type Lang } from '../i18n/index.js';
import { statusWord } from './messages.js';
import { codeSpan } from './text.js';
import { changeLines, disruptionWarning } from './server-change.js';
import { poolStatus } from './pool.js';
import { casLookupErrorText, connectionsErrorText, csvUploadFailed } from './admin-outcomes.js';
import { cloudFailureText } from './refusals.js';

export const LIST_CAP = 50;
export const AUDIT_CAP = 30;

const m = messagesOf('admin');

export function adminHelp(lang: Lang = EN): string {
  return (['helpTitle', 'helpList', 'helpRevoke', 'helpOffboard', 'helpStatus', 'helpAudit', 'helpAuditVerify', 'helpCert', 'helpServerShow', 'helpServerSet', 'helpReconcile', 'helpHelp'] as const)
    .map((key) => m(lang, key)).join('\n');
}
export const ADMIN_HELP = adminHelp(EN);

export function working(lang: Lang = EN): string {
  return m(lang, 'working');
}
export const WORKING = working(EN);

export function unknownSubcommand(sub: string, lang: Lang = EN): string {
  return m(lang, 'unknownSubcommand', { command: codeSpan(`/vpn admin ${sub}`, 51), help: adminHelp(lang) });
}

const certOf = (g: AccessRequest, lang: Lang) => (g.certId ? `\`${g.certId}\`` : m(lang, 'noCertId'));

export function grantLine(g: AccessRequest, lang: Lang = EN): string {
  return m(lang, 'grantLine', { requesterId: g.requesterId, gateway: g.gateway, cert: certOf(g, lang), end: localDate(lang, g.expiresAt), id: g.id });
}

/** `grants` are the first of `total` (soonest expiry first); at most LIST_CAP lines are shown. */
export function grantsList(grants: readonly AccessRequest[], total: number, filterLabel: string | undefined, lang: Lang = EN): string {
  const scope = filterLabel ? m(lang, 'scope', { label: filterLabel }) : '';
  if (total === 0 || grants.length === 0) return m(lang, 'noGrants', { scope });
  const shownGrants = grants.slice(0, LIST_CAP);
  const lines = shownGrants.map((g) => grantLine(g, lang));
  const more = total > shownGrants.length ? m(lang, 'grantsMore', { count: total - shownGrants.length }) : '';
  return m(lang, 'grantsList', { count: m(lang, 'grantCount', { count: total }), scope, lines: lines.join('\n'), more });
}

function revokeLines(summary: RevokeSummary, lang: Lang): string[] {
  return [
    ...summary.revoked.map((r) => m(lang, 'revoking', { requesterId: r.requesterId, gateway: r.gateway, cert: certOf(r, lang), id: r.id })),
    ...summary.cancelled.map((r) => m(lang, 'cancelledOpen', { requesterId: r.requesterId, id: r.id, gateway: r.gateway })),
    ...summary.inFlight.map((r) => m(lang, 'inFlight', { id: r.id, requesterId: r.requesterId, gateway: r.gateway })),
  ];
}

export function revokeReply(summary: RevokeSummary, userId?: string, lang: Lang = EN): string {
  const lines = revokeLines(summary, lang);
  if (lines.length === 0) return m(lang, 'nothingToRevoke', { userId: userId ?? 'unknown' });
  return lines.join('\n');
}

export function offboardReply(s: OffboardSummary, lang: Lang = EN): string {
  const lines = [m(lang, 'offboarding', { userId: s.userId })];
  const vpn = revokeLines(s, lang);
  lines.push(vpn.length ? vpn.join('\n') : m(lang, 'noGrantsOrRequests'));
  if (s.casLookupError) {
    lines.push(m(lang, 'casLookupFailed', { error: casLookupErrorText(s.casLookupError, lang) }));
  } else if (s.cas.length === 0) {
    const who = [s.person?.email, s.person?.handle].filter(Boolean).map((v) => `\`${escapeMrkdwn(v!)}\``).join(m(lang, 'or'));
    lines.push(m(lang, 'noCasCertificates', { who: who || m(lang, 'matchingThisUser') }));
  } else {
    for (const c of s.cas) {
      const name = m(lang, 'casName', { identifier: c.certificate.identifier, commonName: escapeMrkdwn(c.certificate.commonName) });
      if (c.outcome === 'revoked') lines.push(m(lang, 'casRevoked', { name, requestId: c.cloudRequestId ? m(lang, 'requestId', { cloudRequestId: c.cloudRequestId }) : '' }));
      else if (c.outcome === 'already-revoked') lines.push(m(lang, 'casAlreadyRevoked', { name }));
      else lines.push(m(lang, 'casRevokeFailed', { name, error: c.error ? cloudFailureText(c.error, lang) : m(lang, 'unknownError'), identifier: c.certificate.identifier }));
    }
  }
  return lines.join('\n');
}

export function statusReport(rows: readonly GatewayHealth[], lang: Lang = EN): string {
  const lines = [m(lang, 'gateways')];
  for (const r of rows) {
    const state = r.status ? `\`${r.status}\`${r.businessStatus && r.businessStatus !== 'Normal' ? m(lang, 'businessStatus', { status: r.businessStatus }) : ''}` : m(lang, 'stateUnknown', { error: r.statusError ? cloudFailureText(r.statusError, lang) : m(lang, 'noAnswer') });
    const conns = r.connections !== undefined ? m(lang, 'connections', { connections: r.connections, max: String(r.maxConnections) }) : m(lang, 'connectionsUnknown', { error: r.connectionsError ? connectionsErrorText(r.connectionsError, lang) : m(lang, 'noAnswer') });
    const depth = r.depth ? m(lang, 'queue', { queued: r.depth.queued, scheduled: r.depth.scheduled }) : m(lang, 'queueUnknown');
    const failed = r.failedLast24h ? m(lang, 'failed24h', { count: r.failedLast24h }) : m(lang, 'noneFailed24h');
    lines.push(m(lang, 'gatewayLine', { gateway: r.gateway, state, connections: conns, queue: depth, grants: m(lang, 'activeGrants', { count: r.activeGrants }), failed, pool: poolStatus(r.pool, lang) }));
  }
  return lines.join('\n');
}

export function auditLine(e: StoredAuditEntry, lang: Lang = EN): string {
  const parts = [
    localDate(lang, e.at),
    /^[UW][A-Z0-9]+$/.test(e.actor) ? `<@${e.actor}>` : e.actor,
    `\`${e.action}\``,
    e.subject && e.subject !== e.actor ? `→ <@${e.subject}>` : '',
    e.gateway ? `*${e.gateway}*` : '',
    e.requestId ? `\`${e.requestId}\`` : '',
    e.detail ? `— ${escapeMrkdwn(e.detail.length > 120 ? `${e.detail.slice(0, 117)}...` : e.detail)}` : '',
    e.cloudRequestId ? `(RequestId ${e.cloudRequestId})` : '',
  ];
  return `• ${parts.filter(Boolean).join(' ')}`;
}

export function auditReply(report: AuditReport, lang: Lang = EN): string {
  const { query, entries, csv } = report;
  const scope = m(lang, 'auditScope', { user: query.userId ? m(lang, 'auditScopeUser', { userId: query.userId }) : '', since: query.sinceLabel });
  const file = csv.ok ? m(lang, 'csvReady', { count: entries.length, filename: csv.filename }) : m(lang, 'csvFailed', { error: csvUploadFailed(lang) });
  if (entries.length === 0) return m(lang, 'noAuditEntries', { scope, file });
  const shownCount = Math.min(entries.length, AUDIT_CAP);
  const head = m(lang, 'auditHead', { scope, count: entries.length, showing: entries.length > AUDIT_CAP ? m(lang, 'showing', { count: shownCount }) : '' });
  return [head, ...entries.slice(0, AUDIT_CAP).map((e) => auditLine(e, lang)), file].join('\n');
}

export function casRevokeReply(result: CasRevokeResult, lang: Lang = EN): string {
  const name = m(lang, 'casName', { identifier: result.certificate.identifier, commonName: escapeMrkdwn(result.certificate.commonName) });
  if (result.alreadyRevoked) return m(lang, 'casAlreadyRevokedReply', { name });
  return m(lang, 'casRevoked', { name, requestId: result.cloudRequestId ? m(lang, 'requestId', { cloudRequestId: result.cloudRequestId }) : '' });
}

export function serverShowReply(view: ServerView, lang: Lang = EN): string {
  const s = view.server;
  const mfa = s.enableMultiFactorAuth ? m(lang, 'mfaOn', { instance: s.idaasInstanceId ?? '?', region: s.idaasRegionId ? m(lang, 'mfaRegion', { region: s.idaasRegionId }) : '' }) : m(lang, 'off');
  return [
    m(lang, 'serverTitle', { gateway: view.gateway, id: s.sslVpnServerId }),
    m(lang, 'serverName', { name: escapeMrkdwn(s.name || m(lang, 'none')) }),
    m(lang, 'serverPort', { port: String(s.port), proto: s.proto, cipher: s.cipher, compress: m(lang, s.compress ? 'on' : 'off') }),
    m(lang, 'serverPool', { pool: s.clientIpPool, subnet: s.localSubnet }),
    m(lang, 'serverMfa', { mfa }),
    m(lang, 'serverConnections', { connections: s.connections, max: String(s.maxConnections), ip: s.internetIp || m(lang, 'unknown') }),
    m(lang, 'serverChangeHint', { gateway: view.gateway }),
  ].join('\n');
}

export function proposalReply(result: { proposal: ServerChangeProposal; cardPosted: boolean }, lang: Lang = EN): string {
  const p = result.proposal;
  const where = result.cardPosted && p.card ? m(lang, 'proposalOnCard', { channel: p.card.channel }) : m(lang, 'proposalNoCard');
  return [
    m(lang, 'proposed', { id: p.id, gateway: p.gateway }),
    ...changeLines(p),
    p.nameOnly ? m(lang, 'nameOnly') : disruptionWarning(lang),
    m(lang, 'untilApproved', { where }),
  ].join('\n');
}

export function reconcileReply(report: ReconcileReport, lang: Lang = EN): string {
  const rows = report.rows;
  const lines = [m(lang, 'reconcileTitle')];
  let problems = 0;
  for (const r of rows) {
    if (r.error) {
      lines.push(m(lang, 'listFailed', { gateway: r.gateway, error: cloudFailureText(r.error, lang) }));
      continue;
    }
    const parts = [r.inFlight ? m(lang, 'beingProvisioned', { count: r.inFlight }) : '', r.pooled ? m(lang, 'unassignedInPool', { count: r.pooled }) : '', r.foreign ? m(lang, 'notMadeByBot', { count: r.foreign }) : ''].filter(Boolean);
    const extra = parts.length ? m(lang, 'extra', { extra: localList(lang, parts) }) : '';
    if (r.orphans.length === 0 && r.missing.length === 0) {
      lines.push(m(lang, 'allMatch', { gateway: r.gateway, count: r.matched, extra }));
      continue;
    }
    problems += r.orphans.length + r.missing.length;
    lines.push(m(lang, 'problems', { gateway: r.gateway, matched: r.matched, orphans: m(lang, 'orphans', { count: r.orphans.length }), missing: r.missing.length, extra }));
    for (const o of r.orphans.slice(0, 30)) {
      const why = o.requestStatus === 'unknown' ? m(lang, 'noRecord') : m(lang, 'requestIs', { requestId: String(o.requestId), status: statusWord(String(o.requestStatus), lang) });
      lines.push(m(lang, 'orphan', { certId: o.cert.sslVpnClientCertId, name: escapeMrkdwn(o.cert.name), why }));
    }
    if (r.orphans.length > 30) lines.push(m(lang, 'moreOrphans', { count: r.orphans.length - 30 }));
    for (const g of r.missing.slice(0, 30)) {
      lines.push(m(lang, 'missing', { requesterId: g.requesterId, id: g.id, cert: g.certId ? `\`${g.certId}\`` : m(lang, 'noCertificateId') }));
    }
    if (r.missing.length > 30) lines.push(m(lang, 'moreMissing', { count: r.missing.length - 30 }));
  }
  lines.push(...reconcileFindingsLines(report, lang));
  if (problems > 0 && report.findings.length === 0 && report.closed.length === 0) {
    lines.push(m(lang, 'whatToDo'), m(lang, 'whatOrphans'), m(lang, 'whatMissing'));
  }
  return lines.join('\n');
}
