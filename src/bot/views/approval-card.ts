// The card in slack.approvalsChannel for each request: an access request or an extension (who, which
// gateway, how long, why; Approve/Deny while pending, with the N-of-M count), or a break-glass alert
// (Acknowledge / Revoke now until an admin has reviewed it). In slack.locale, or the admin's language in a DM.
import type { KnownBlock } from '@slack/types';
import type { AccessRequest } from '../../core/requests.js';
import { storedFailure } from './events.js';
import { escapeMrkdwn, SLACK_LIMITS, withUserText } from './text.js';
import { EN, localDate, localDuration, localList, messagesOf, slackDate, type Lang } from '../i18n/index.js';

export { escapeMrkdwn };

export const APPROVE_ACTION = 'vpn_approve';
export const DENY_ACTION = 'vpn_deny';
export const ACKNOWLEDGE_ACTION = 'vpn_breakglass_ack';
export const REVOKE_NOW_ACTION = 'vpn_breakglass_revoke';

const m = messagesOf('approvalCard');

const by = (r: AccessRequest, lang: Lang) => (r.kind === 'breakglass' ? m(lang, 'breakGlassBy') : m(lang, 'approvedBy', { approvers: approversText(r, lang) }));

function approversText(r: AccessRequest, lang: Lang): string {
  const ids = r.approvals?.length ? r.approvals : r.approverId ? [r.approverId] : [];
  return localList(lang, ids.map((id) => `<@${id}>`)) || m(lang, 'anApprover');
}

/** "approved total 5h (1h + 4h extended)" for a grant that was extended. */
export function approvedTotal(r: AccessRequest, lang: Lang = EN): string {
  const extended = r.extendedMs ?? 0;
  const d = (ms: number) => localDuration(lang, ms);
  return extended > 0 ? m(lang, 'approvedTotalExtended', { total: d(r.durationMs + extended), duration: d(r.durationMs), extended: d(extended) }) : m(lang, 'approvedTotal', { total: d(r.durationMs) });
}

const STATUS_LINE: Record<AccessRequest['status'], (r: AccessRequest, lang: Lang) => string> = {
  pending: (r, lang) => {
    const required = r.approvalsRequired ?? 1;
    const count = r.approvals?.length ?? 0;
    if (required <= 1) return m(lang, 'pendingOne');
    return m(lang, 'pendingCount', { count, required, who: count ? m(lang, 'pendingWho', { approvers: approversText(r, lang) }) : '' });
  },
  approved: (r, lang) => m(lang, 'approved', { by: by(r, lang) }),
  provisioning: (r, lang) => m(lang, 'provisioning', { by: by(r, lang) }),
  active: (r, lang) => m(lang, 'active', { by: by(r, lang), end: localDate(lang, r.expiresAt), total: approvedTotal(r, lang) }),
  denied: (r, lang) => withUserText(m(lang, 'denied', { approverId: String(r.approverId) }), r.denyReason ?? '', SLACK_LIMITS.text),
  cancelled: (r, lang) => (r.cancelledBy === 'system' ? withUserText(m(lang, 'cancelledSystem'), r.failure ?? m(lang, 'theAccessEnded'), SLACK_LIMITS.text)
    : m(lang, 'cancelledBy', { userId: r.cancelledBy ?? r.requesterId, requester: !r.cancelledBy || r.cancelledBy === r.requesterId ? m(lang, 'theRequester') : '' })),
  failed: (r, lang) => withUserText(m(lang, 'failed'), storedFailure(r, m(lang, 'seeTheThread'), lang), SLACK_LIMITS.text),
  expired: (_r, lang) => m(lang, 'expired'),
  revoked: (r, lang) => m(lang, 'revoked', { by: r.revokedBy && r.revokedBy !== 'system' ? m(lang, 'revokedBy', { userId: r.revokedBy }) : '' }),
  lapsed: (r, lang) => m(lang, 'lapsed', { after: localDuration(lang, r.lapsedAfterMs ?? r.updatedAt - r.createdAt) }),
  applied: (r, lang) => m(lang, 'applied', { approvers: approversText(r, lang), end: localDate(lang, r.grantEndsAt), total: r.grantTotalMs ? m(lang, 'appliedTotal', { total: localDuration(lang, r.grantTotalMs) }) : '' }),
};

export { slackDate };

function headline(request: AccessRequest, lang: Lang): { text: string; title: string } {
  const duration = localDuration(lang, request.durationMs);
  const { id, requesterId, gateway } = request;
  if (request.kind === 'extension') {
    return { title: m(lang, 'extensionTitle', { id }), text: m(lang, 'extensionText', { requesterId, grantId: String(request.grantId), gateway, duration }) };
  }
  if (request.kind === 'breakglass') {
    return { title: m(lang, 'breakGlassTitle', { id }), text: m(lang, 'breakGlassText', { requesterId, gateway, duration }) };
  }
  return { title: m(lang, 'requestTitle', { id }), text: m(lang, 'requestText', { requesterId, gateway, duration }) };
}

export function approvalCard(request: AccessRequest, lang: Lang = EN): { text: string; blocks: KnownBlock[] } {
  const { text, title } = headline(request, lang);
  const field = (t: string) => ({ type: 'mrkdwn' as const, text: t });
  const { requesterId, gateway } = request;
  const duration = localDuration(lang, request.durationMs);
  const fields = request.kind === 'extension'
    ? [
      field(m(lang, 'who', { requesterId })),
      field(m(lang, 'gateway', { gateway })),
      field(m(lang, 'extend', { grantId: String(request.grantId), duration })),
      field(m(lang, 'nowEnds', { end: localDate(lang, request.grantEndsAt), total: request.grantTotalMs ? m(lang, 'appliedTotal', { total: localDuration(lang, request.grantTotalMs) }) : '' })),
      field(withUserText(m(lang, 'whyGrant'), request.reason, SLACK_LIMITS.field)),
    ]
    : [
      field(m(lang, 'who', { requesterId })),
      field(m(lang, 'gateway', { gateway })),
      field(m(lang, 'howLong', { duration })),
      field(withUserText(m(lang, 'why'), request.reason, SLACK_LIMITS.field)),
    ];
  const context = [STATUS_LINE[request.status](request, lang)];
  if (request.kind === 'breakglass') context.push(request.acknowledgedBy ? m(lang, 'acknowledgedBy', { userId: request.acknowledgedBy, at: localDate(lang, request.acknowledgedAt) }) : m(lang, 'notAcknowledged'));
  const blocks: KnownBlock[] = [
    { type: 'section', text: { type: 'mrkdwn', text: title } },
    { type: 'section', fields },
    { type: 'context', elements: context.map((t) => ({ type: 'mrkdwn' as const, text: t })) },
  ];
  const button = (action_id: string, label: string, style?: 'primary' | 'danger') => ({ type: 'button' as const, action_id, ...(style ? { style } : {}), text: { type: 'plain_text' as const, text: label }, value: request.id });
  if (request.status === 'pending') {
    blocks.push({
      type: 'actions',
      block_id: 'vpn_decision',
      elements: [button(APPROVE_ACTION, m(lang, 'approve'), 'primary'), button(DENY_ACTION, m(lang, 'deny'), 'danger')],
    });
  }
  const live = request.status === 'approved' || request.status === 'provisioning' || request.status === 'active';
  if (request.kind === 'breakglass' && (live || !request.acknowledgedBy)) {
    const elements = [
      ...(!request.acknowledgedBy ? [button(ACKNOWLEDGE_ACTION, m(lang, 'acknowledge'), 'primary')] : []),
      ...(live ? [button(REVOKE_NOW_ACTION, m(lang, 'revokeNow'), 'danger')] : []),
    ];
    blocks.push({ type: 'actions', block_id: 'vpn_breakglass', elements });
  }
  return { text, blocks };
}
