// The approval card of an SSL-VPN server change (`/vpn admin server set`), in slack.approvalsChannel:
// who proposed it, the gateway, each setting before → after, a warning when the gateway will be briefly
// unavailable, and Approve / Reject while pending. Only another admin may approve (checked at click time).
import type { KnownBlock } from '@slack/types';
import type { ServerChangeProposal } from '../../core/server-change-store.js';
import { formatSetting, labelOf, type ServerKey } from '../../core/server-changes.js';
import { escapeMrkdwn } from './approval-card.js';
import { EN, localDate, messagesOf, type Lang } from '../i18n/index.js';
import { storedFailure } from './events.js';

export const SERVER_APPROVE_ACTION = 'vpn_server_approve';
export const SERVER_REJECT_ACTION = 'vpn_server_reject';

const code = (text: string) => `\`${escapeMrkdwn(text).replace(/`/g, '\'')}\``;

/** One line per changed setting: `port`: `1194` → `1195`. */
export function changeLines(p: ServerChangeProposal): string[] {
  return (Object.keys(p.changes) as ServerKey[]).map((k) =>
    `• *${labelOf(k)}*: ${code(formatSetting(k, (p.before as Record<string, unknown>)[k]))} → ${code(formatSetting(k, p.changes[k]))}`);
}

const m = messagesOf('serverChange');

const STATUS_LINE: Record<ServerChangeProposal['status'], (p: ServerChangeProposal, lang: Lang) => string> = {
  pending: (p, lang) => m(lang, 'pending', { proposedBy: p.proposedBy }),
  approved: (p, lang) => m(lang, 'approved', { decidedBy: String(p.decidedBy) }),
  rejected: (p, lang) => m(lang, p.decidedBy === p.proposedBy ? 'withdrawn' : 'rejected', { decidedBy: String(p.decidedBy) }),
  applied: (p, lang) => m(lang, 'applied', { decidedBy: String(p.decidedBy), at: localDate(lang, p.appliedAt), requestId: p.cloudRequestId ? m(lang, 'requestId', { cloudRequestId: p.cloudRequestId }) : '' }),
  failed: (p, lang) => m(lang, 'failed', { decidedBy: String(p.decidedBy), failure: escapeMrkdwn(storedFailure(p, m(lang, 'seeTheThread'), lang)) }),
};

/** The warning on a change that interrupts the gateway. */
export function disruptionWarning(lang: Lang = EN): string {
  return m(lang, 'disruption');
}
export const DISRUPTION_WARNING = disruptionWarning(EN);

export function serverChangeCard(p: ServerChangeProposal, lang: Lang = EN): { text: string; blocks: KnownBlock[] } {
  const text = m(lang, 'cardText', { proposedBy: p.proposedBy, gateway: p.gateway });
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: m(lang, 'cardTitle', { id: p.id, gateway: p.gateway, sslVpnServerId: p.sslVpnServerId, proposedBy: p.proposedBy, at: localDate(lang, p.proposedAt) }) } },
    { type: 'section', text: { type: 'mrkdwn', text: changeLines(p).join('\n') } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: p.nameOnly ? m(lang, 'nameOnly') : disruptionWarning(lang) }] },
    { type: 'context', elements: [{ type: 'mrkdwn', text: STATUS_LINE[p.status](p, lang) }] },
  ];
  if (p.status === 'pending') {
    blocks.push({
      type: 'actions',
      block_id: 'vpn_server_decision',
      elements: [
        { type: 'button', action_id: SERVER_APPROVE_ACTION, style: 'primary', text: { type: 'plain_text', text: m(lang, 'approve') }, value: p.id },
        { type: 'button', action_id: SERVER_REJECT_ACTION, style: 'danger', text: { type: 'plain_text', text: m(lang, 'reject') }, value: p.id },
      ],
    });
  }
  return { text, blocks };
}
