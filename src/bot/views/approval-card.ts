// The approval card in slack.approvalsChannel: who, which gateway, how long, why; Approve/Deny while pending.
import type { KnownBlock } from '@slack/types';
import { formatDuration } from '../../core/duration.js';
import type { AccessRequest } from '../../core/requests.js';
import { escapeMrkdwn, SLACK_LIMITS, withUserText } from './text.js';

export { escapeMrkdwn };

export const APPROVE_ACTION = 'vpn_approve';
export const DENY_ACTION = 'vpn_deny';

const STATUS_LINE: Record<AccessRequest['status'], (r: AccessRequest) => string> = {
  pending: () => ':large_yellow_circle: Waiting for an approver',
  approved: (r) => `:large_green_circle: Approved by <@${r.approverId}>; queued for provisioning`,
  provisioning: (r) => `:gear: Approved by <@${r.approverId}>; provisioning`,
  active: (r) => `:white_check_mark: Approved by <@${r.approverId}>; profile delivered, access until ${slackDate(r.expiresAt)}`,
  denied: (r) => withUserText(`:no_entry: Denied by <@${r.approverId}>: `, r.denyReason ?? '', SLACK_LIMITS.text),
  cancelled: (r) => (r.cancelledBy && r.cancelledBy !== r.requesterId ? `:heavy_minus_sign: Cancelled by <@${r.cancelledBy}>` : ':heavy_minus_sign: Cancelled by the requester'),
  failed: (r) => withUserText(':x: Failed: ', r.failure ?? 'see the thread', SLACK_LIMITS.text),
  expired: () => ':checkered_flag: Access expired; certificate removed',
  revoked: () => ':lock: Access revoked; certificate removed',
};

export function slackDate(ms: number | undefined): string {
  if (!ms) return 'unknown';
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${new Date(ms).toISOString()}>`;
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
        { type: 'mrkdwn', text: withUserText('*Why*\n', request.reason, SLACK_LIMITS.field) },
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
