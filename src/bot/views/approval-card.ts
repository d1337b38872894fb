// The card in slack.approvalsChannel for each request: an access request or an extension (who, which
// gateway, how long, why; Approve/Deny while pending, with the N-of-M count), or a break-glass alert
// (Acknowledge / Revoke now until an admin has reviewed it).
import type { KnownBlock } from '@slack/types';
import { formatDuration } from '../../core/duration.js';
import type { AccessRequest } from '../../core/requests.js';
import { storedFailure } from './events.js';
import { escapeMrkdwn, SLACK_LIMITS, withUserText } from './text.js';

export { escapeMrkdwn };

export const APPROVE_ACTION = 'vpn_approve';
export const DENY_ACTION = 'vpn_deny';
export const ACKNOWLEDGE_ACTION = 'vpn_breakglass_ack';
export const REVOKE_NOW_ACTION = 'vpn_breakglass_revoke';

const by = (r: AccessRequest) => (r.kind === 'breakglass' ? 'Break-glass by the requester (no approval)' : `Approved by ${approversText(r)}`);

function approversText(r: AccessRequest): string {
  const ids = r.approvals?.length ? r.approvals : r.approverId ? [r.approverId] : [];
  return ids.map((id) => `<@${id}>`).join(', ') || 'an approver';
}

/** "approved total 5h (1h + 4h extended)" for a grant that was extended. */
export function approvedTotal(r: AccessRequest): string {
  const extended = r.extendedMs ?? 0;
  return extended > 0 ? `approved total ${formatDuration(r.durationMs + extended)} (${formatDuration(r.durationMs)} + ${formatDuration(extended)} extended)` : `approved total ${formatDuration(r.durationMs)}`;
}

const STATUS_LINE: Record<AccessRequest['status'], (r: AccessRequest) => string> = {
  pending: (r) => {
    const required = r.approvalsRequired ?? 1;
    const count = r.approvals?.length ?? 0;
    if (required <= 1) return ':large_yellow_circle: Waiting for an approver';
    return `:large_yellow_circle: ${count} of ${required} approvals${count ? `: ${approversText(r)}` : ''}`;
  },
  approved: (r) => `:large_green_circle: ${by(r)}; queued for provisioning`,
  provisioning: (r) => `:gear: ${by(r)}; provisioning`,
  active: (r) => `:white_check_mark: ${by(r)}; profile delivered, access until ${slackDate(r.expiresAt)}, ${approvedTotal(r)}`,
  denied: (r) => withUserText(`:no_entry: Denied by <@${r.approverId}>: `, r.denyReason ?? '', SLACK_LIMITS.text),
  cancelled: (r) => (r.cancelledBy === 'system' ? withUserText(':heavy_minus_sign: Cancelled: ', r.failure ?? 'the access ended', SLACK_LIMITS.text)
    : `:heavy_minus_sign: Cancelled by <@${r.cancelledBy ?? r.requesterId}>${!r.cancelledBy || r.cancelledBy === r.requesterId ? ' (the requester)' : ''}`),
  failed: (r) => withUserText(':x: Failed: ', storedFailure(r, 'see the thread'), SLACK_LIMITS.text),
  expired: () => ':checkered_flag: Access expired; certificate removed',
  revoked: (r) => `:lock: Access revoked${r.revokedBy && r.revokedBy !== 'system' ? ` by <@${r.revokedBy}>` : ''}; certificate removed`,
  lapsed: (r) => `:hourglass: Expired after ${formatDuration(r.lapsedAfterMs ?? r.updatedAt - r.createdAt)} without a decision`,
  applied: (r) => `:white_check_mark: Approved by ${approversText(r)}; access now ends ${slackDate(r.grantEndsAt)}${r.grantTotalMs ? `, approved total ${formatDuration(r.grantTotalMs)}` : ''}`,
};

export function slackDate(ms: number | undefined): string {
  if (!ms) return 'unknown';
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${new Date(ms).toISOString()}>`;
}

function headline(request: AccessRequest): { text: string; title: string } {
  const how = formatDuration(request.durationMs);
  if (request.kind === 'extension') {
    return {
      title: `*VPN extension request* \`${request.id}\``,
      text: `VPN extension request from <@${request.requesterId}>: extend ${request.grantId} on ${request.gateway} by ${how}`,
    };
  }
  if (request.kind === 'breakglass') {
    return {
      title: `:rotating_light: *Break-glass VPN access* \`${request.id}\` (no approval)`,
      text: `Break-glass VPN access by <@${request.requesterId}> on ${request.gateway} (${how})`,
    };
  }
  return { title: `*VPN access request* \`${request.id}\``, text: `VPN access request from <@${request.requesterId}> for ${request.gateway} (${how})` };
}

export function approvalCard(request: AccessRequest): { text: string; blocks: KnownBlock[] } {
  const { text, title } = headline(request);
  const fields = request.kind === 'extension'
    ? [
      { type: 'mrkdwn' as const, text: `*Who*\n<@${request.requesterId}>` },
      { type: 'mrkdwn' as const, text: `*Gateway*\n${request.gateway}` },
      { type: 'mrkdwn' as const, text: `*Extend*\n\`${request.grantId}\` by ${formatDuration(request.durationMs)}` },
      { type: 'mrkdwn' as const, text: `*Now ends*\n${slackDate(request.grantEndsAt)}${request.grantTotalMs ? `, approved total ${formatDuration(request.grantTotalMs)}` : ''}` },
      { type: 'mrkdwn' as const, text: withUserText('*Why (the grant\'s reason)*\n', request.reason, SLACK_LIMITS.field) },
    ]
    : [
      { type: 'mrkdwn' as const, text: `*Who*\n<@${request.requesterId}>` },
      { type: 'mrkdwn' as const, text: `*Gateway*\n${request.gateway}` },
      { type: 'mrkdwn' as const, text: `*How long*\n${formatDuration(request.durationMs)}` },
      { type: 'mrkdwn' as const, text: withUserText('*Why*\n', request.reason, SLACK_LIMITS.field) },
    ];
  const context = [STATUS_LINE[request.status](request)];
  if (request.kind === 'breakglass') context.push(request.acknowledgedBy ? `:eyes: Acknowledged by <@${request.acknowledgedBy}>` : ':warning: Not yet acknowledged by an admin');
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: title } },
    { type: 'section', fields },
    { type: 'context', elements: context.map((t) => ({ type: 'mrkdwn' as const, text: t })) },
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
  const live = request.status === 'approved' || request.status === 'provisioning' || request.status === 'active';
  if (request.kind === 'breakglass' && (live || !request.acknowledgedBy)) {
    const elements = [
      ...(!request.acknowledgedBy ? [{ type: 'button' as const, action_id: ACKNOWLEDGE_ACTION, style: 'primary' as const, text: { type: 'plain_text' as const, text: 'Acknowledge' }, value: request.id }] : []),
      ...(live ? [{ type: 'button' as const, action_id: REVOKE_NOW_ACTION, style: 'danger' as const, text: { type: 'plain_text' as const, text: 'Revoke now' }, value: request.id }] : []),
    ];
    blocks.push({ type: 'actions', block_id: 'vpn_breakglass', elements });
  }
  return { text, blocks };
}
