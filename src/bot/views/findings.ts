// The findings post in the approvals channel: certificates on a managed SSL server that no grant holds,
// each with its name, id, creation time and status, and Delete (two admins) / Keep (who and why).
import type { KnownBlock } from '@slack/types';
import type { Finding } from '../../core/findings.js';
import type { FindingEvent } from '../../core/reconcile.js';
import type { ReconcileReport } from '../../core/reconcile.js';
import { slackDate } from './approval-card.js';
import { fitText } from './text.js';

export const CERT_DELETE_ACTION = 'vpn_cert_delete';
export const CERT_KEEP_ACTION = 'vpn_cert_keep';
export const CERT_KEEP_MODAL = 'vpn_cert_keep_modal';
export const KEEP_REASON_BLOCK = 'why';
export const KEEP_REASON_INPUT = 'why_input';
export const FINDINGS_CAP = 20;

const plain = (text: string) => ({ type: 'plain_text' as const, text });

function what(f: Finding): string {
  if (f.kind === 'foreign') return 'not made by the bot (console or another tool)';
  return f.requestStatus === 'unknown' ? `named like the bot's, but the bot has no request \`${f.requestId}\`` : `left from request \`${f.requestId}\` (${f.requestStatus})`;
}

function stateLine(f: Finding): string {
  switch (f.status) {
    case 'open': return 'Delete needs two admins: one proposes, another confirms.';
    case 'delete-proposed': return `:hourglass: Delete proposed by <@${f.proposedBy}>; another admin clicks *Delete* to confirm.`;
    case 'deleting': return `:wastebasket: Being deleted on the gateway's lane (confirmed by ${f.confirmedBy === 'system' ? 'the bot: its grant ended' : `<@${f.confirmedBy}>`}).`;
    case 'deleted': return ':white_check_mark: Removed and verified gone.';
    case 'failed': return `:rotating_light: Delete failed: ${fitText(f.failure ?? 'unknown error', 300)}. It still grants access: remove it in the console.`;
    case 'kept': return `:pushpin: Kept by <@${f.keptBy}>: ${fitText(f.keptWhy ?? '', 300)}`;
    default: return 'No longer on the gateway.';
  }
}

export function findingText(f: Finding): string {
  return `*${f.gateway}* \`${f.id}\` *${fitText(f.name, 100)}* · created ${slackDate(f.createTime)} · status \`${fitText(f.certStatus, 30)}\` · ${what(f)}\n${stateLine(f)}`;
}

export function findingsPost(findings: readonly Finding[]): { text: string; blocks: KnownBlock[] } {
  const open = findings.filter((f) => f.status === 'open' || f.status === 'delete-proposed').length;
  const text = findings.length === 0
    ? ':white_check_mark: Reconcile: every certificate on the managed SSL servers belongs to an active grant again.'
    : `:mag: Reconcile: ${open} certificate${open === 1 ? '' : 's'} on the managed SSL servers that no grant holds. Each still lets its holder connect.`;
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text } }];
  for (const f of findings.slice(0, FINDINGS_CAP)) {
    blocks.push({ type: 'section', block_id: `finding-${f.id}`, text: { type: 'mrkdwn', text: findingText(f) } });
    if (f.status === 'open' || f.status === 'delete-proposed') {
      blocks.push({
        type: 'actions', block_id: `finding-actions-${f.id}`, elements: [
          { type: 'button', action_id: CERT_DELETE_ACTION, style: 'danger', text: plain(f.status === 'delete-proposed' ? 'Confirm delete' : 'Delete'), value: f.id },
          { type: 'button', action_id: CERT_KEEP_ACTION, text: plain('Keep'), value: f.id },
        ],
      });
    }
  }
  if (findings.length > FINDINGS_CAP) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `…and ${findings.length - FINDINGS_CAP} more: see \`/vpn admin reconcile\`.` }] });
  return { text, blocks };
}

export function findingNote(f: Finding, event: FindingEvent): string {
  const cert = `\`${f.id}\` (${fitText(f.name, 100)}) on *${f.gateway}*`;
  switch (event.kind) {
    case 'delete-proposed': return `:hourglass: <@${event.by}> proposes deleting ${cert}; another admin must confirm.`;
    case 'deleting': return `:wastebasket: <@${event.by}> confirmed: deleting ${cert} on the gateway's lane now (clients of that SSL server are disconnected briefly).`;
    case 'deleted': return `:white_check_mark: ${cert} removed and verified.`;
    case 'failed': return `:rotating_light: Could not delete ${cert}: ${fitText(event.reason, 500)}. It still grants access: remove it in the Alibaba Cloud console.`;
    case 'kept': return `:pushpin: <@${event.by}> keeps ${cert}: ${fitText(event.why, 500)}. It is not reported again.`;
  }
}

export function keepModal(certId: string) {
  return {
    type: 'modal' as const,
    callback_id: CERT_KEEP_MODAL,
    private_metadata: certId,
    title: plain('Keep certificate'),
    submit: plain('Keep it'),
    close: plain('Cancel'),
    blocks: [
      { type: 'section' as const, text: { type: 'mrkdwn' as const, text: `Why does \`${certId}\` stay? It is recorded with your name in the audit log, and the certificate is not reported again.` } },
      { type: 'input' as const, block_id: KEEP_REASON_BLOCK, label: plain('Why'), element: { type: 'plain_text_input' as const, action_id: KEEP_REASON_INPUT, multiline: true, max_length: 500 } },
    ],
  };
}

/** The on-demand `/vpn admin reconcile` additions: what was closed, queued and found. */
export function reconcileFindingsLines(report: ReconcileReport): string[] {
  const lines: string[] = [];
  for (const g of report.closed) lines.push(`:broken_heart: Closed <@${g.requesterId}>'s grant \`${g.id}\` on *${g.gateway}*: its certificate \`${g.certId ?? '?'}\` vanished from the gateway. They were told.`);
  for (const f of report.leftovers) lines.push(`:wastebasket: Deleting \`${f.id}\` (${fitText(f.name, 100)}) on *${f.gateway}*: left over from ${f.requestStatus} request \`${f.requestId}\`.`);
  if (report.findings.length) {
    lines.push(`*${report.findings.length} certificate${report.findings.length === 1 ? '' : 's'} no grant holds* (Delete / Keep on the post in the approvals channel):`);
    for (const f of report.findings.slice(0, 30)) lines.push(`• ${findingText(f).replace('\n', ' — ')}`);
  }
  if (report.kept) lines.push(`${report.kept} certificate${report.kept === 1 ? ' was' : 's were'} kept by admins and ${report.kept === 1 ? 'is' : 'are'} not listed.`);
  return lines;
}
