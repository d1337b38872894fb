// The findings post in the approvals channel: certificates on a managed SSL server that no grant holds,
// each with its name, id, creation time and status, and Delete (two admins) / Keep (who and why).
import type { KnownBlock } from '@slack/types';
import type { Finding } from '../../core/findings.js';
import type { FindingEvent } from '../../core/reconcile.js';
import type { ReconcileReport } from '../../core/reconcile.js';
import { EN, localDate, messagesOf, type Lang } from '../i18n/index.js';
import { statusWord } from './messages.js';
import { failureText, storedFailure } from './events.js';
import { fitText } from './text.js';

export const CERT_DELETE_ACTION = 'vpn_cert_delete';
export const CERT_KEEP_ACTION = 'vpn_cert_keep';
export const CERT_KEEP_MODAL = 'vpn_cert_keep_modal';
export const KEEP_REASON_BLOCK = 'why';
export const KEEP_REASON_INPUT = 'why_input';
export const FINDINGS_CAP = 20;

const plain = (text: string) => ({ type: 'plain_text' as const, text });

const m = messagesOf('findings');

function what(f: Finding, lang: Lang): string {
  if (f.kind === 'foreign') return m(lang, 'foreign');
  return f.requestStatus === 'unknown' ? m(lang, 'unknownRequest', { requestId: String(f.requestId) }) : m(lang, 'leftFrom', { requestId: String(f.requestId), status: statusWord(String(f.requestStatus), lang) });
}

function stateLine(f: Finding, lang: Lang): string {
  switch (f.status) {
    case 'open': return m(lang, 'open');
    case 'delete-proposed': return m(lang, 'deleteProposed', { userId: String(f.proposedBy) });
    case 'deleting': return m(lang, 'deleting', { by: f.confirmedBy === 'system' ? m(lang, 'theBot') : `<@${f.confirmedBy}>` });
    case 'deleted': return m(lang, 'deleted');
    case 'failed': return m(lang, 'failed', { failure: fitText(storedFailure(f, m(lang, 'unknownError'), lang), 300) });
    case 'kept': return m(lang, 'kept', { userId: String(f.keptBy), why: fitText(f.keptWhy ?? '', 300) });
    default: return m(lang, 'gone');
  }
}

export function findingText(f: Finding, lang: Lang = EN): string {
  return m(lang, 'finding', { gateway: f.gateway, id: f.id, name: fitText(f.name, 100), created: localDate(lang, f.createTime), status: fitText(f.certStatus, 30), what: what(f, lang), state: stateLine(f, lang) });
}

export function findingsPost(findings: readonly Finding[], lang: Lang = EN): { text: string; blocks: KnownBlock[] } {
  const open = findings.filter((f) => f.status === 'open' || f.status === 'delete-proposed').length;
  const text = findings.length === 0 ? m(lang, 'allClear') : m(lang, 'found', { count: open });
  const blocks: KnownBlock[] = [{ type: 'section', text: { type: 'mrkdwn', text } }];
  for (const f of findings.slice(0, FINDINGS_CAP)) {
    blocks.push({ type: 'section', block_id: `finding-${f.id}`, text: { type: 'mrkdwn', text: findingText(f, lang) } });
    if (f.status === 'open' || f.status === 'delete-proposed') {
      blocks.push({
        type: 'actions', block_id: `finding-actions-${f.id}`, elements: [
          { type: 'button', action_id: CERT_DELETE_ACTION, style: 'danger', text: plain(m(lang, f.status === 'delete-proposed' ? 'confirmDelete' : 'delete')), value: f.id },
          { type: 'button', action_id: CERT_KEEP_ACTION, text: plain(m(lang, 'keep')), value: f.id },
        ],
      });
    }
  }
  if (findings.length > FINDINGS_CAP) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: m(lang, 'more', { count: findings.length - FINDINGS_CAP }) }] });
  return { text, blocks };
}

export function findingNote(f: Finding, event: FindingEvent, lang: Lang = EN): string {
  const cert = m(lang, 'cert', { id: f.id, name: fitText(f.name, 100), gateway: f.gateway });
  switch (event.kind) {
    case 'delete-proposed': return m(lang, 'noteProposed', { userId: event.by, cert });
    case 'deleting': return m(lang, 'noteDeleting', { userId: event.by, cert });
    case 'deleted': return m(lang, 'noteDeleted', { cert });
    case 'failed': return m(lang, 'noteFailed', { cert, reason: fitText(failureText(event.failure, undefined, lang), 500) });
    case 'kept': return m(lang, 'noteKept', { userId: event.by, cert, why: fitText(event.why, 500) });
  }
}

export function keepModal(certId: string, lang: Lang = EN) {
  return {
    type: 'modal' as const,
    callback_id: CERT_KEEP_MODAL,
    private_metadata: certId,
    title: plain(m(lang, 'keepTitle')),
    submit: plain(m(lang, 'keepSubmit')),
    close: plain(m(lang, 'cancel')),
    blocks: [
      { type: 'section' as const, text: { type: 'mrkdwn' as const, text: m(lang, 'keepWhy', { certId }) } },
      { type: 'input' as const, block_id: KEEP_REASON_BLOCK, label: plain(m(lang, 'why')), element: { type: 'plain_text_input' as const, action_id: KEEP_REASON_INPUT, multiline: true, max_length: 500 } },
    ],
  };
}

/** The on-demand `/vpn admin reconcile` additions: what was closed, queued and found. */
export function reconcileFindingsLines(report: ReconcileReport, lang: Lang = EN): string[] {
  const lines: string[] = [];
  for (const g of report.closed) lines.push(m(lang, 'closed', { requesterId: g.requesterId, id: g.id, gateway: g.gateway, certId: g.certId ?? '?' }));
  for (const f of report.leftovers) lines.push(m(lang, 'leftover', { id: f.id, name: fitText(f.name, 100), gateway: f.gateway, status: statusWord(String(f.requestStatus), lang), requestId: String(f.requestId) }));
  if (report.findings.length) {
    lines.push(m(lang, 'noGrantHolds', { count: report.findings.length }));
    for (const f of report.findings.slice(0, 30)) lines.push(`• ${findingText(f, lang).replace('\n', ' — ')}`);
  }
  if (report.kept) lines.push(m(lang, 'keptNotListed', { count: report.kept }));
  return lines;
}
