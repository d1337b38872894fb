// The approval card of an SSL-VPN server change (`/vpn admin server set`), in slack.approvalsChannel:
// who proposed it, the gateway, each setting before → after, a warning when the gateway will be briefly
// unavailable, and Approve / Reject while pending. Only another admin may approve (checked at click time).
import type { KnownBlock } from '@slack/types';
import type { ServerChangeProposal } from '../../core/server-change-store.js';
import { formatSetting, labelOf, type ServerKey } from '../../core/server-changes.js';
import { escapeMrkdwn, slackDate } from './approval-card.js';
import { storedFailure } from './events.js';

export const SERVER_APPROVE_ACTION = 'vpn_server_approve';
export const SERVER_REJECT_ACTION = 'vpn_server_reject';

const code = (text: string) => `\`${escapeMrkdwn(text).replace(/`/g, '\'')}\``;

/** One line per changed setting: `port`: `1194` → `1195`. */
export function changeLines(p: ServerChangeProposal): string[] {
  return (Object.keys(p.changes) as ServerKey[]).map((k) =>
    `• *${labelOf(k)}*: ${code(formatSetting(k, (p.before as Record<string, unknown>)[k]))} → ${code(formatSetting(k, p.changes[k]))}`);
}

const STATUS_LINE: Record<ServerChangeProposal['status'], (p: ServerChangeProposal) => string> = {
  pending: (p) => `:large_yellow_circle: Waiting for another admin (not <@${p.proposedBy}>)`,
  approved: (p) => `:gear: Approved by <@${p.decidedBy}>; being applied`,
  rejected: (p) => (p.decidedBy === p.proposedBy ? `:heavy_minus_sign: Withdrawn by <@${p.decidedBy}>` : `:no_entry_sign: Rejected by <@${p.decidedBy}>`),
  applied: (p) => `:white_check_mark: Approved by <@${p.decidedBy}>; applied ${slackDate(p.appliedAt)}${p.cloudRequestId ? ` (RequestId ${p.cloudRequestId})` : ''}`,
  failed: (p) => `:x: Approved by <@${p.decidedBy}>; failed: ${escapeMrkdwn(storedFailure(p, 'see the thread'))}`,
};

export const DISRUPTION_WARNING = ':warning: Changing anything but the name makes the gateway unavailable for a short while (`updating`) and disconnects every client of this SSL server; they must reconnect (and with a new port, protocol, cipher or compression, download a new profile).';

export function serverChangeCard(p: ServerChangeProposal): { text: string; blocks: KnownBlock[] } {
  const text = `SSL-VPN server change proposed by <@${p.proposedBy}> for ${p.gateway}`;
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*SSL-VPN server change* \`${p.id}\` on *${p.gateway}* (\`${p.sslVpnServerId}\`)\nProposed by <@${p.proposedBy}> ${slackDate(p.proposedAt)}` } },
    { type: 'section', text: { type: 'mrkdwn', text: changeLines(p).join('\n') } },
    { type: 'context', elements: [{ type: 'mrkdwn', text: p.nameOnly ? ':information_source: Only the name changes: applied at once, no interruption.' : DISRUPTION_WARNING }] },
    { type: 'context', elements: [{ type: 'mrkdwn', text: STATUS_LINE[p.status](p) }] },
  ];
  if (p.status === 'pending') {
    blocks.push({
      type: 'actions',
      block_id: 'vpn_server_decision',
      elements: [
        { type: 'button', action_id: SERVER_APPROVE_ACTION, style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value: p.id },
        { type: 'button', action_id: SERVER_REJECT_ACTION, style: 'danger', text: { type: 'plain_text', text: 'Reject' }, value: p.id },
      ],
    });
  }
  return { text, blocks };
}
