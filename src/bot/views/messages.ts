// Texts the bot sends to people: replies to /vpn, DMs to requesters (in the recipient's language), and the
// notes about a request in its card's thread (in slack.locale).
import type { RequesterEvent } from '../../core/ports.js';
import type { AccessRequest, RequestStatus } from '../../core/requests.js';
import type { ExtendOutcome } from '../../core/service.js';
import type { KnownBlock } from '@slack/types';
import { EN, localDate, localDuration, localList, messagesOf, type Lang } from '../i18n/index.js';
import { approvedTotal } from './approval-card.js';
import { storedFailure } from './events.js';
import { SLACK_LIMITS, withUserText } from './text.js';

const m = messagesOf('messages');

export function helpText(lang: Lang = EN): string {
  return [
    m(lang, 'helpTitle'), m(lang, 'helpRequest'), m(lang, 'helpStatus'), m(lang, 'helpList'), m(lang, 'helpExtend'),
    m(lang, 'helpCancel'), m(lang, 'helpRevoke'), m(lang, 'helpBreakGlass'), m(lang, 'helpResend'), m(lang, 'helpHelp'),
  ].join('\n');
}

export const HELP_TEXT = helpText(EN);

export function requestConfirmation(request: AccessRequest, lang: Lang = EN): string {
  return m(lang, 'requestConfirmation', { id: request.id, gateway: request.gateway, duration: localDuration(lang, request.durationMs) });
}

function extensionNotice(request: AccessRequest, event: RequesterEvent, lang: Lang): string | undefined {
  const what = m(lang, 'extensionWhat', { id: request.id, grantId: String(request.grantId), gateway: request.gateway, duration: localDuration(lang, request.durationMs) });
  const end = localDate(lang, request.grantEndsAt);
  switch (event) {
    case 'approved':
      return m(lang, 'extensionApproved', {
        what, end,
        approvers: request.approvals ? localList(lang, request.approvals.map((id) => `<@${id}>`)) : m(lang, 'theApprovers'),
        total: request.grantTotalMs ? m(lang, 'extensionApprovedTotal', { total: localDuration(lang, request.grantTotalMs) }) : '',
      });
    case 'denied':
      return withUserText(m(lang, 'extensionDenied', { what, approverId: String(request.approverId), end }), request.denyReason ?? m(lang, 'noReasonGiven'), SLACK_LIMITS.message);
    case 'cancelled':
      return m(lang, 'extensionCancelled', { what, why: request.cancelledBy === 'system' ? m(lang, 'extensionCancelledBySystem') : m(lang, 'extensionWithdrawn') });
    case 'lapsed':
      return m(lang, 'extensionLapsed', { what, after: localDuration(lang, request.lapsedAfterMs ?? 0), end });
    default:
      return undefined;
  }
}

export function requesterNotice(request: AccessRequest, event: RequesterEvent, lang: Lang = EN): string {
  const extension = request.kind === 'extension' ? extensionNotice(request, event, lang) : undefined;
  if (extension) return extension;
  const { id, gateway } = request;
  switch (event) {
    case 'lapsed':
      return m(lang, 'requestLapsed', { id, gateway, after: localDuration(lang, request.lapsedAfterMs ?? 0) });
    case 'approved':
      return m(lang, 'requestApproved', { id, gateway, approverId: String(request.approverId) });
    case 'denied':
      return withUserText(m(lang, 'requestDenied', { id, gateway, approverId: String(request.approverId) }), request.denyReason ?? m(lang, 'noReasonGiven'), SLACK_LIMITS.message);
    case 'failed':
      return `${withUserText(m(lang, 'requestFailed', { id, gateway }), storedFailure(request, m(lang, 'unknownError'), lang), SLACK_LIMITS.text)}${m(lang, 'requestFailedNext')}`;
    case 'cancelled':
      return m(lang, 'requestCancelled', { id, by: request.cancelledBy && request.cancelledBy !== request.requesterId ? m(lang, 'cancelledBy', { userId: request.cancelledBy }) : '' });
    case 'expired':
      return m(lang, 'accessExpired', { id, gateway });
    case 'revoked':
      return m(lang, 'accessRevoked', { id, gateway, by: revokedByText(request, lang) });
  }
}

/** An actor for Slack text: a mention for a person, a word for the bot's own actors (slack, reconcile, system). */
export function actorMention(actor: string | undefined, lang: Lang = EN): string {
  if (!actor || actor === 'system') return m(lang, 'actorBot');
  if (actor === 'slack') return m(lang, 'actorSlack');
  if (actor === 'reconcile') return m(lang, 'actorReconcile');
  return `<@${actor}>`;
}

/** Who ended a grant, as a phrase: a person, Slack (a deactivated account) or the bot itself. */
export function revokedByText(request: AccessRequest, lang: Lang = EN): string {
  const by = request.revokedBy;
  if (!by || by === request.requesterId) return '';
  if (by === 'slack') return m(lang, 'revokedBySlack');
  if (by === 'system') return m(lang, 'revokedByBot');
  if (by === 'reconcile') return m(lang, 'revokedByReconcile');
  return m(lang, 'revokedByPerson', { userId: by });
}

export function profileComment(request: AccessRequest, removeAt: number, lang: Lang = EN): string {
  return m(lang, 'profileComment', { gateway: request.gateway, duration: localDuration(lang, request.durationMs), removeAt: localDate(lang, removeAt) });
}

export const EXTEND_ACTION = 'vpn_extend';
export const DONE_ACTION = 'vpn_done';

/** The "expiring soon" DM: Extend (by the grant's original duration) or I'm done (revoke now). */
export function expiringSoon(request: AccessRequest, lang: Lang = EN): { text: string; blocks: KnownBlock[] } {
  const text = m(lang, 'expiringSoon', { gateway: request.gateway, id: request.id, end: localDate(lang, request.expiresAt) });
  const duration = localDuration(lang, request.durationMs);
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: m(lang, 'expiringSoonChoice', { text, duration }) } },
      {
        type: 'actions',
        block_id: 'vpn_expiring',
        elements: [
          { type: 'button', action_id: EXTEND_ACTION, text: { type: 'plain_text', text: m(lang, 'extendButton', { duration }) }, value: request.id },
          { type: 'button', action_id: DONE_ACTION, style: 'danger', text: { type: 'plain_text', text: m(lang, 'doneButton') }, value: request.id },
        ],
      },
    ],
  };
}

export function extendedNotice(request: AccessRequest, lang: Lang = EN): string {
  return m(lang, 'extended', { gateway: request.gateway, id: request.id, end: localDate(lang, request.expiresAt), total: approvedTotal(request, lang) });
}

/** The answer to `/vpn extend` or the Extend button. */
export function extendReply(outcome: ExtendOutcome, lang: Lang = EN): string {
  return outcome.kind === 'extended' ? extendedNotice(outcome.grant, lang) : extensionPendingNotice(outcome.extension, outcome.grant, outcome.existing, lang);
}

/** `/vpn extend` beyond the self-service allowance: the extension request, new or already waiting. */
export function extensionPendingNotice(extension: AccessRequest, grant: AccessRequest, existing: boolean, lang: Lang = EN): string {
  const fields = { grantId: grant.id, id: extension.id, duration: localDuration(lang, extension.durationMs) };
  const head = existing ? m(lang, 'extensionAlreadyPending', fields) : m(lang, 'extensionSent', fields);
  return m(lang, 'extensionUntil', { head, end: localDate(lang, grant.expiresAt), id: extension.id });
}

/** One approval of several (N-of-M), in the card's thread. */
export function approvalCountedNote(_request: AccessRequest, approverId: string, count: number, required: number, lang: Lang = EN): string {
  return m(lang, 'approvalCounted', { count, required, approverId, missing: required - count });
}

/** The Nth approval of an extension, in the card's thread. */
export function extensionAppliedNote(grant: AccessRequest, approverId: string, lang: Lang = EN): string {
  return m(lang, 'extensionAppliedNote', { approverId, end: localDate(lang, grant.expiresAt), total: approvedTotal(grant, lang) });
}

export function cancelledNotice(request: AccessRequest, lang: Lang = EN): string {
  return m(lang, request.kind === 'extension' ? 'cancelledExtension' : 'cancelledRequest', { id: request.id, gateway: request.gateway });
}

/** Mentions for a user or user-group id. */
export function mention(id: string): string {
  return id.startsWith('S') ? `<!subteam^${id}>` : `<@${id}>`;
}

/** The one reminder in a pending request's thread. */
export function approverReminder(request: AccessRequest, approvers: readonly string[], lang: Lang = EN): string {
  const who = approvers.length ? approvers.map(mention).join(' ') : m(lang, 'approvers');
  return m(lang, request.kind === 'extension' ? 'approverReminderExtension' : 'approverReminderRequest', { who, asked: localDate(lang, request.createdAt) });
}

/** "next in line" or "position 3 in the queue". */
export function queuePosition(position: number, lang: Lang = EN): string {
  return position <= 1 ? m(lang, 'nextInLine') : m(lang, 'positionInQueue', { position });
}

export function breakGlassConfirmation(request: AccessRequest, position: number, lang: Lang = EN): string {
  return m(lang, 'breakGlassConfirmation', { gateway: request.gateway, duration: localDuration(lang, request.durationMs), id: request.id, where: queuePosition(position, lang) });
}

/** The admins' reminder when a break-glass use was not acknowledged in time. */
export function breakGlassReviewReminder(request: AccessRequest, admins: readonly string[], lang: Lang = EN): string {
  return m(lang, 'breakGlassReviewReminder', { who: admins.map(mention).join(' ') || m(lang, 'admins'), id: request.id, requesterId: request.requesterId, gateway: request.gateway, at: localDate(lang, request.createdAt) });
}

const STATUSES: readonly RequestStatus[] = ['pending', 'approved', 'provisioning', 'active', 'denied', 'cancelled', 'failed', 'expired', 'revoked', 'lapsed', 'applied'];

/** A request status in words ("pending", "待审批"); an unknown one as it is. */
export function statusWord(status: string, lang: Lang = EN): string {
  return (STATUSES as readonly string[]).includes(status) ? m(lang, `st_${status as RequestStatus}`) : status;
}

export function statusLine(request: AccessRequest, position: number | undefined, lang: Lang = EN): string {
  const where = request.status === 'approved' && position !== undefined ? (position === 0 ? m(lang, 'statusBeingProvisioned') : m(lang, 'statusPosition', { position })) : '';
  const expiry = request.status === 'active' ? m(lang, 'statusExpiry', { end: localDate(lang, request.expiresAt), total: approvedTotal(request, lang) }) : '';
  const count = request.status === 'pending' && (request.approvalsRequired ?? 1) > 1 ? m(lang, 'statusApprovals', { count: request.approvals?.length ?? 0, required: request.approvalsRequired ?? 1 }) : '';
  const kind = request.kind === 'extension' ? m(lang, 'statusExtensionOf', { grantId: String(request.grantId) }) : request.kind === 'breakglass' ? m(lang, 'statusBreakGlass') : '';
  const extending = request.pendingExtensionId ? m(lang, 'statusExtending', { id: request.pendingExtensionId }) : '';
  const duration = localDuration(lang, request.status === 'active' ? request.durationMs + (request.extendedMs ?? 0) : request.durationMs);
  return m(lang, 'statusLine', { id: request.id, gateway: request.gateway, kind, duration, status: statusWord(request.status, lang), count, where, expiry, extending });
}
