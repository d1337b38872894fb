// Texts for `/vpn admin …` replies (all ephemeral, to the admin who asked).
import type { AuditReport, CasRevokeResult, GatewayHealth, OffboardSummary, RevokeSummary } from '../../core/admin.js';
import type { ServerView } from '../../core/server-admin.js';
import type { ReconcileReport } from '../../core/reconcile.js';
import { reconcileFindingsLines } from './findings.js';
import type { ServerChangeProposal } from '../../core/server-change-store.js';
import type { StoredAuditEntry } from '../../core/audit.js';
import type { AccessRequest } from '../../core/requests.js';
import { escapeMrkdwn, slackDate } from './approval-card.js';
import { codeSpan } from './text.js';
import { changeLines, DISRUPTION_WARNING } from './server-change.js';
import { poolStatus } from './pool.js';
import { casLookupErrorText, connectionsErrorText, csvUploadFailed } from './admin-outcomes.js';
import { cloudFailureText } from './refusals.js';

export const LIST_CAP = 50;
export const AUDIT_CAP = 30;

export const ADMIN_HELP = [
  '*VPN admin commands*',
  '• `/vpn admin list [@user|gateway]`: active grants with user, gateway, certificate and expiry',
  '• `/vpn admin revoke <@user|vsc-id>`: revoke a user\'s grants (and cancel their pending requests), or the grant holding that certificate, at once',
  '• `/vpn admin offboard @user`: revoke everything the person holds on every gateway, plus their private-CA client certificates',
  '• `/vpn admin status`: per gateway: state, SSL connections vs max, queue depth, active grants, failures in the last 24 h',
  '• `/vpn admin audit [@user] [since]`: recent audit entries (default since `7d`), newest first; the full CSV goes to your DM',
  '• `/vpn admin audit verify`: check that the audit log is intact (its HMAC chain and the heads witnessed in Slack)',
  '• `/vpn admin cert revoke <identifier>`: revoke a private-CA client certificate (CAS) by its 32-character identifier',
  '• `/vpn admin server show [gateway]`: the gateway\'s SSL-VPN server settings',
  '• `/vpn admin server set [gateway] key=value…`: propose a server change (name, port, proto, cipher, clientIpPool, localSubnet, compress, mfa, idaasInstanceId, idaasRegionId); another admin approves it on a card',
  '• `/vpn admin reconcile`: compare the certificates on each gateway with the bot\'s grants (read-only)',
  '• `/vpn admin help`: this message',
].join('\n');

export const WORKING = ':hourglass_flowing_sand: Working on it…';

export function unknownSubcommand(sub: string): string {
  return `I don't know ${codeSpan(`/vpn admin ${sub}`, 51)}.\n${ADMIN_HELP}`;
}

const certOf = (g: AccessRequest) => (g.certId ? `\`${g.certId}\`` : '_no certificate id_');

export function grantLine(g: AccessRequest): string {
  return `• <@${g.requesterId}> *${g.gateway}* ${certOf(g)} expires ${slackDate(g.expiresAt)} (\`${g.id}\`)`;
}

/** `grants` are the first of `total` (soonest expiry first); at most LIST_CAP lines are shown. */
export function grantsList(grants: readonly AccessRequest[], total: number, filterLabel: string | undefined): string {
  const scope = filterLabel ? ` for ${filterLabel}` : '';
  if (total === 0 || grants.length === 0) return `No active VPN grants${scope}.`;
  const count = `*${total} active VPN grant${total === 1 ? '' : 's'}*`;
  const shownGrants = grants.slice(0, LIST_CAP);
  const lines = shownGrants.map(grantLine);
  const more = total > shownGrants.length ? `\n…and ${total - shownGrants.length} more (narrow it with \`/vpn admin list @user\` or \`/vpn admin list <gateway>\`).` : '';
  return `${count}${scope} (soonest expiry first)\n${lines.join('\n')}${more}`;
}

function revokeLines(summary: RevokeSummary): string[] {
  return [
    ...summary.revoked.map((r) => `:lock: Revoking <@${r.requesterId}>'s access to *${r.gateway}* (${certOf(r)}, \`${r.id}\`) now; the certificate is being removed and they will be told.`),
    ...summary.cancelled.map((r) => `:heavy_minus_sign: Cancelled <@${r.requesterId}>'s open request \`${r.id}\` for *${r.gateway}*.`),
    ...summary.inFlight.map((r) => `:hourglass_flowing_sand: \`${r.id}\` for <@${r.requesterId}> on *${r.gateway}* is being provisioned right now; run the command again once it is active to revoke it.`),
  ];
}

export function revokeReply(summary: RevokeSummary, userId?: string): string {
  const lines = revokeLines(summary);
  if (lines.length === 0) return `<@${userId ?? 'unknown'}> holds no VPN access and has no open requests; nothing to revoke.`;
  return lines.join('\n');
}

export function offboardReply(s: OffboardSummary): string {
  const lines = [`*Offboarding <@${s.userId}>*`];
  const vpn = revokeLines(s);
  lines.push(vpn.length ? vpn.join('\n') : '• No VPN grants or open requests.');
  if (s.casLookupError) {
    lines.push(`:warning: Private-CA certificates: ${casLookupErrorText(s.casLookupError)}. Check them in the CAS console and revoke with \`/vpn admin cert revoke <identifier>\`.`);
  } else if (s.cas.length === 0) {
    const who = [s.person?.email, s.person?.handle].filter(Boolean).map((v) => `\`${escapeMrkdwn(v!)}\``).join(' or ');
    lines.push(`• No private-CA client certificates with CommonName ${who || 'matching this user'}.`);
  } else {
    for (const c of s.cas) {
      const name = `\`${c.certificate.identifier}\` (CN ${escapeMrkdwn(c.certificate.commonName)})`;
      if (c.outcome === 'revoked') lines.push(`:lock: Revoked private-CA certificate ${name}${c.cloudRequestId ? ` (RequestId ${c.cloudRequestId})` : ''}.`);
      else if (c.outcome === 'already-revoked') lines.push(`• Private-CA certificate ${name} was already revoked.`);
      else lines.push(`:warning: Could not revoke private-CA certificate ${name}: ${c.error ? cloudFailureText(c.error) : 'unknown error'}. Retry with \`/vpn admin cert revoke ${c.certificate.identifier}\`.`);
    }
  }
  return lines.join('\n');
}

export function statusReport(rows: readonly GatewayHealth[]): string {
  const lines = ['*VPN gateways*'];
  for (const r of rows) {
    const state = r.status ? `\`${r.status}\`${r.businessStatus && r.businessStatus !== 'Normal' ? ` (${r.businessStatus})` : ''}` : `:warning: state unknown: ${r.statusError ? cloudFailureText(r.statusError) : 'no answer'}`;
    const conns = r.connections !== undefined ? `${r.connections}/${r.maxConnections} SSL connections` : `:warning: connections unknown: ${r.connectionsError ? connectionsErrorText(r.connectionsError) : 'no answer'}`;
    const depth = r.depth ? `queue ${r.depth.queued} (${r.depth.scheduled} scheduled)` : 'queue unknown';
    const failed = r.failedLast24h ? `:x: ${r.failedLast24h} failed in 24 h` : '0 failed in 24 h';
    lines.push(`• *${r.gateway}*: ${state} · ${conns} · ${depth} · ${r.activeGrants} active grant${r.activeGrants === 1 ? '' : 's'} · ${failed}${poolStatus(r.pool)}`);
  }
  return lines.join('\n');
}

export function auditLine(e: StoredAuditEntry): string {
  const parts = [
    slackDate(e.at),
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

export function auditReply(report: AuditReport): string {
  const { query, entries, csv } = report;
  const scope = `${query.userId ? ` for <@${query.userId}>` : ''} since ${query.sinceLabel}`;
  const file = csv.ok ? `The full CSV (${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}) is in your DM as \`${csv.filename}\`.` : `:warning: ${csvUploadFailed()}.`;
  if (entries.length === 0) return `No audit entries${scope}. ${file}`;
  const shownCount = Math.min(entries.length, AUDIT_CAP);
  const head = `*Audit log${scope}*: ${entries.length} entr${entries.length === 1 ? 'y' : 'ies'}, newest first${entries.length > AUDIT_CAP ? ` (showing ${shownCount})` : ''}`;
  return [head, ...entries.slice(0, AUDIT_CAP).map(auditLine), file].join('\n');
}

export function casRevokeReply(result: CasRevokeResult): string {
  const name = `\`${result.certificate.identifier}\` (CN ${escapeMrkdwn(result.certificate.commonName)})`;
  if (result.alreadyRevoked) return `Private-CA certificate ${name} was already revoked; nothing to do.`;
  return `:lock: Revoked private-CA certificate ${name}${result.cloudRequestId ? ` (RequestId ${result.cloudRequestId})` : ''}.`;
}

export function serverShowReply(view: ServerView): string {
  const s = view.server;
  const mfa = s.enableMultiFactorAuth ? `on (IDaaS \`${s.idaasInstanceId ?? '?'}\`${s.idaasRegionId ? ` in ${s.idaasRegionId}` : ''})` : 'off';
  return [
    `*SSL-VPN server of ${view.gateway}* \`${s.sslVpnServerId}\``,
    `• name: \`${escapeMrkdwn(s.name || '(none)')}\``,
    `• port: \`${s.port}\` · proto: \`${s.proto}\` · cipher: \`${s.cipher}\` · compress: ${s.compress ? 'on' : 'off'}`,
    `• clientIpPool: \`${s.clientIpPool}\` · localSubnet: \`${s.localSubnet}\``,
    `• mfa: ${mfa}`,
    `• connections: ${s.connections}/${s.maxConnections} · internet IP: \`${s.internetIp || 'unknown'}\``,
    'Change it with `/vpn admin server set ' + view.gateway + ' key=value…` (another admin approves).',
  ].join('\n');
}

export function proposalReply(result: { proposal: ServerChangeProposal; cardPosted: boolean }): string {
  const p = result.proposal;
  const where = result.cardPosted && p.card ? `on its card in <#${p.card.channel}>` : '(the approval card could not be posted: propose it again in a minute)';
  return [
    `:memo: Proposed SSL-VPN server change \`${p.id}\` on *${p.gateway}*:`,
    ...changeLines(p),
    p.nameOnly ? 'Only the name changes: no interruption.' : DISRUPTION_WARNING,
    `Nothing changes until another admin approves it ${where}.`,
  ].join('\n');
}

export function reconcileReply(report: ReconcileReport): string {
  const rows = report.rows;
  const lines = ['*Reconcile: SSL-VPN certificates on each gateway vs the bot\'s grants* (nothing is changed on the cloud without two admins)'];
  let problems = 0;
  for (const r of rows) {
    if (r.error) {
      lines.push(`• *${r.gateway}*: :warning: could not list certificates: ${cloudFailureText(r.error)}`);
      continue;
    }
    const extra = [r.inFlight ? `${r.inFlight} being provisioned` : '', r.pooled ? `${r.pooled} unassigned in the warm pool` : '', r.foreign ? `${r.foreign} not made by the bot` : ''].filter(Boolean).join(', ');
    if (r.orphans.length === 0 && r.missing.length === 0) {
      lines.push(`• *${r.gateway}*: :white_check_mark: ${r.matched} certificate${r.matched === 1 ? '' : 's'} match active grants${extra ? `; ${extra}` : ''}.`);
      continue;
    }
    problems += r.orphans.length + r.missing.length;
    lines.push(`• *${r.gateway}*: ${r.matched} matched, ${r.orphans.length} orphan${r.orphans.length === 1 ? '' : 's'}, ${r.missing.length} missing${extra ? `; ${extra}` : ''}`);
    for (const o of r.orphans.slice(0, 30)) {
      const why = o.requestStatus === 'unknown' ? 'the bot has no record of that request' : `request \`${o.requestId}\` is ${o.requestStatus}`;
      lines.push(`    :ghost: orphan \`${o.cert.sslVpnClientCertId}\` (${escapeMrkdwn(o.cert.name)}): ${why}, yet the certificate still grants access.`);
    }
    if (r.orphans.length > 30) lines.push(`    …and ${r.orphans.length - 30} more orphans.`);
    for (const g of r.missing.slice(0, 30)) {
      lines.push(`    :grey_question: missing: <@${g.requesterId}>'s active grant \`${g.id}\` holds ${g.certId ? `\`${g.certId}\`` : 'no certificate id'}, which is not on the gateway.`);
    }
    if (r.missing.length > 30) lines.push(`    …and ${r.missing.length - 30} more missing.`);
  }
  lines.push(...reconcileFindingsLines(report));
  if (problems > 0 && report.findings.length === 0 && report.closed.length === 0) {
    lines.push(
      '*What to do*',
      '• Orphans: `/vpn admin revoke <vsc-id>` does not apply (no grant holds them). Delete each one in the Alibaba Cloud console (VPN gateway → SSL clients). Deleting a certificate disconnects every client of that SSL server briefly, so batch them.',
      '• Missing: close the grant with `/vpn admin revoke <vsc-id>` (or `/vpn admin revoke @user`); the removal finds nothing to delete and records the grant revoked. The person can then `/vpn request` again for a fresh profile.',
    );
  }
  return lines.join('\n');
}
