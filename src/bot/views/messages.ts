// Texts the bot sends to people: replies to /vpn, DMs to requesters.
import { formatDuration } from '../../core/duration.js';
import { REQUEST_USAGE } from '../../core/policy.js';
import type { RequesterEvent } from '../../core/ports.js';
import type { AccessRequest } from '../../core/requests.js';
import type { KnownBlock } from '@slack/types';
import { slackDate } from './approval-card.js';
import { SLACK_LIMITS, withUserText } from './text.js';

export const HELP_TEXT = [
  '*VPN access bot*',
  `• ${REQUEST_USAGE}: ask for access (no arguments opens a form)`,
  '• `/vpn status`: where your requests stand (queue position included)',
  '• `/vpn list`: your active VPN access and when it expires',
  '• `/vpn extend [gateway] [duration]`: make your active access last longer (within the maximum)',
  '• `/vpn revoke [request-id]`: end your access now (done, or lost laptop); cancels pending requests',
  '• `/vpn help`: this message',
].join('\n');

export function requestConfirmation(request: AccessRequest): string {
  return `:inbox_tray: Request \`${request.id}\` for *${request.gateway}* (${formatDuration(request.durationMs)}) sent to the approvers. I'll DM you when it is decided.`;
}

export function requesterNotice(request: AccessRequest, event: RequesterEvent): string {
  switch (event) {
    case 'approved':
      return `:large_green_circle: Your VPN request \`${request.id}\` for *${request.gateway}* was approved by <@${request.approverId}>. I'm creating your certificate now; your profile will arrive here shortly.`;
    case 'denied':
      return withUserText(`:no_entry: Your VPN request \`${request.id}\` for *${request.gateway}* was denied by <@${request.approverId}>.\n>`, request.denyReason ?? 'no reason given', SLACK_LIMITS.message);
    case 'failed':
      return `${withUserText(`:x: I could not set up your VPN access on *${request.gateway}* (request \`${request.id}\`): `, request.failure ?? 'unknown error', SLACK_LIMITS.text)}\nThe admins have been told. You can try again later with \`/vpn request\`, or ask in the approvals channel.`;
    case 'cancelled':
      return `:heavy_minus_sign: Your VPN request \`${request.id}\` was cancelled${request.cancelledBy && request.cancelledBy !== request.requesterId ? ` by <@${request.cancelledBy}>` : ''}.`;
    case 'expired':
      return `:checkered_flag: Your VPN access to *${request.gateway}* (\`${request.id}\`) has expired and its certificate was removed; the profile no longer works. Ask again with \`/vpn request\` if you still need access.`;
    case 'revoked':
      return `:lock: Your VPN access to *${request.gateway}* (\`${request.id}\`) was revoked${revokedByText(request)}; its certificate was removed and the profile no longer works.`;
  }
}

/** Who ended a grant, as a phrase: a person, Slack (a deactivated account) or the bot itself. */
export function revokedByText(request: AccessRequest): string {
  const by = request.revokedBy;
  if (!by || by === request.requesterId) return '';
  if (by === 'slack') return ' because the Slack account was deactivated';
  if (by === 'system') return ' by the bot';
  return ` by <@${by}>`;
}

export function profileComment(request: AccessRequest): string {
  return `:key: Your VPN profile for *${request.gateway}* is ready. Import the attached \`.ovpn\` file into OpenVPN (or Tunnelblick / OpenVPN Connect). Access lasts ${formatDuration(request.durationMs)}. Keep this file private: it contains your key.`;
}

export const EXTEND_ACTION = 'vpn_extend';
export const DONE_ACTION = 'vpn_done';

/** The "expiring soon" DM: Extend (by the grant's original duration) or I'm done (revoke now). */
export function expiringSoon(request: AccessRequest): { text: string; blocks: KnownBlock[] } {
  const text = `:alarm_clock: Your VPN access to *${request.gateway}* (\`${request.id}\`) expires ${slackDate(request.expiresAt)}.`;
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `${text}\nExtend it by ${formatDuration(request.durationMs)}, or end it now if you are done.` } },
      {
        type: 'actions',
        block_id: 'vpn_expiring',
        elements: [
          { type: 'button', action_id: EXTEND_ACTION, text: { type: 'plain_text', text: `Extend ${formatDuration(request.durationMs)}` }, value: request.id },
          { type: 'button', action_id: DONE_ACTION, style: 'danger', text: { type: 'plain_text', text: "I'm done" }, value: request.id },
        ],
      },
    ],
  };
}

export function extendedNotice(request: AccessRequest): string {
  return `:hourglass: Your VPN access to *${request.gateway}* (\`${request.id}\`) now lasts until ${slackDate(request.expiresAt)}.`;
}

export function statusLine(request: AccessRequest, position: number | undefined): string {
  const where = request.status === 'approved' && position !== undefined ? (position === 0 ? ' (being provisioned now)' : ` (position ${position} on the gateway)`) : '';
  const expiry = request.status === 'active' ? `, expires ${slackDate(request.expiresAt)}` : '';
  return `• \`${request.id}\` *${request.gateway}* ${formatDuration(request.durationMs)}: ${request.status}${where}${expiry}`;
}
