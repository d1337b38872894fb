// The approval card in slack.approvalsChannel: who, which gateway, how long, why; Approve/Deny while pending.
import type { KnownBlock } from '@slack/types';
import { formatDuration } from '../../core/duration.js';
import type { AccessRequest } from '../../core/requests.js';

export const APPROVE_ACTION = 'vpn_approve';
export const DENY_ACTION = 'vpn_deny';

const STATUS_LINE: Record<AccessRequest['status'], (r: AccessRequest) => string> = {
  pending: () => ':large_yellow_circle: Waiting for an approver',
  approved: (r) => `:large_green_circle: Approved by <@${r.approverId}>; queued for provisioning`,
  provisioning: (r) => `:gear: Approved by <@${r.approverId}>; provisioning`,
  active: (r) => `:white_check_mark: Approved by <@${r.approverId}>; profile delivered, access until ${slackDate(r.expiresAt)}`,
  denied: (r) => `:no_entry: Denied by <@${r.approverId}>: ${r.denyReason ?? ''}`,
  cancelled: (r) => (r.cancelledBy && r.cancelledBy !== r.requesterId ? `:heavy_minus_sign: Cancelled by <@${r.cancelledBy}>` : ':heavy_minus_sign: Cancelled by the requester'),
  failed: (r) => `:x: Failed: ${r.failure ?? 'see the thread'}`,
  expired: () => ':checkered_flag: Access expired; certificate removed',
  revoked: () => ':lock: Access revoked; certificate removed',
};

export function slackDate(ms: number | undefined): string {
  if (!ms) return 'unknown';
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${new Date(ms).toISOString()}>`;
}

/** Escapes user text for mrkdwn so a reason cannot ping channels or forge links. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

export function approvalCard(request: AccessRequest): { text: string; blocks: KnownBlock[] } {
  const text = `VPN access request from <@${request.requesterId}> for ${request.gateway} (${formatDuration(request.durationMs)})`;
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*VPN access request* \`${request.id}\`` } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Who*\n<@${request.requesterId}>` },
        { type: 'mrkdwn', text: `*Gateway*\n${request.gateway}` },
        { type: 'mrkdwn', text: `*How long*\n${formatDuration(request.durationMs)}` },
        { type: 'mrkdwn', text: `*Why*\n${escapeMrkdwn(request.reason)}` },
      ],
    },
    { type: 'context', elements: [{ type: 'mrkdwn', text: STATUS_LINE[request.status](request) }] },
  ];
  if (request.status === 'pending') {
    blocks.push({
      type: 'actions',
      block_id: 'vpn_decision',
      elements: [
        { type: 'button', action_id: APPROVE_ACTION, style: 'primary', text: { type: 'plain_text', text: 'Approve' }, value: request.id },
        { type: 'button', action_id: DENY_ACTION, style: 'danger', text: { type: 'plain_text', text: 'Deny' }, value: request.id },
      ],
    });
  }
  return { text, blocks };
}
