// Texts the bot sends to people: replies to /vpn, DMs to requesters.
import { formatDuration } from '../../core/duration.js';
import { REQUEST_USAGE } from './input.js';
import type { RequesterEvent } from '../../core/ports.js';
import type { AccessRequest } from '../../core/requests.js';
import type { ExtendOutcome } from '../../core/service.js';
import type { KnownBlock } from '@slack/types';
import { approvedTotal, slackDate } from './approval-card.js';
import { storedFailure } from './events.js';
import { SLACK_LIMITS, withUserText } from './text.js';

export const HELP_TEXT = [
  '*VPN access bot*',
  `• ${REQUEST_USAGE}: ask for access (no arguments opens a form)`,
  '• `/vpn status`: where your requests stand (queue position included)',
  '• `/vpn list`: your active VPN access and when it expires',
  '• `/vpn extend [gateway] [duration]`: make your active access last longer (beyond the self-service allowance, approvers decide)',
  '• `/vpn cancel [request-id]`: cancel your pending request (or extension request)',
  '• `/vpn revoke [request-id]`: end your access now (done, or lost laptop); cancels pending requests',
  '• `/vpn breakglass [gateway] <reason>`: emergency access without approval (only for `roles.breakGlass`; admins are alerted)',
  '• `/vpn resend [gateway]`: a fresh copy of your profile in your DM (the old one is removed from Slack after a while)',
  '• `/vpn help`: this message',
].join('\n');

export function requestConfirmation(request: AccessRequest): string {
  return `:inbox_tray: Request \`${request.id}\` for *${request.gateway}* (${formatDuration(request.durationMs)}) sent to the approvers. I'll DM you when it is decided.`;
}

function extensionNotice(request: AccessRequest, event: RequesterEvent): string | undefined {
  const what = `Your request \`${request.id}\` to extend \`${request.grantId}\` on *${request.gateway}* by ${formatDuration(request.durationMs)}`;
  switch (event) {
    case 'approved':
      return `:hourglass: ${what} was approved by ${request.approvals?.map((id) => `<@${id}>`).join(', ') ?? 'the approvers'}. Your access now ends ${slackDate(request.grantEndsAt)}${request.grantTotalMs ? ` (approved total ${formatDuration(request.grantTotalMs)})` : ''}.`;
    case 'denied':
      return withUserText(`:no_entry: ${what} was denied by <@${request.approverId}>; your access still ends ${slackDate(request.grantEndsAt)}.\n>`, request.denyReason ?? 'no reason given', SLACK_LIMITS.message);
    case 'cancelled':
      return `:heavy_minus_sign: ${what} was cancelled: ${request.cancelledBy === 'system' ? 'the access ended before it was approved' : 'withdrawn'}.`;
    case 'lapsed':
      return `:hourglass: ${what} expired after ${formatDuration(request.lapsedAfterMs ?? 0)} without a decision; your access still ends ${slackDate(request.grantEndsAt)}. Ask again with \`/vpn extend\`.`;
    default:
      return undefined;
  }
}

export function requesterNotice(request: AccessRequest, event: RequesterEvent): string {
  const extension = request.kind === 'extension' ? extensionNotice(request, event) : undefined;
  if (extension) return extension;
  switch (event) {
    case 'lapsed':
      return `:hourglass: Your VPN request \`${request.id}\` for *${request.gateway}* expired after ${formatDuration(request.lapsedAfterMs ?? 0)} without a decision. Ask again with \`/vpn request\` if you still need access.`;
    case 'approved':
      return `:large_green_circle: Your VPN request \`${request.id}\` for *${request.gateway}* was approved by <@${request.approverId}>. I'm creating your certificate now; your profile will arrive here shortly.`;
    case 'denied':
      return withUserText(`:no_entry: Your VPN request \`${request.id}\` for *${request.gateway}* was denied by <@${request.approverId}>.\n>`, request.denyReason ?? 'no reason given', SLACK_LIMITS.message);
    case 'failed':
      return `${withUserText(`:x: I could not set up your VPN access on *${request.gateway}* (request \`${request.id}\`): `, storedFailure(request, 'unknown error'), SLACK_LIMITS.text)}\nThe admins have been told. You can try again later with \`/vpn request\`, or ask in the approvals channel.`;
    case 'cancelled':
      return `:heavy_minus_sign: Your VPN request \`${request.id}\` was cancelled${request.cancelledBy && request.cancelledBy !== request.requesterId ? ` by <@${request.cancelledBy}>` : ''}.`;
    case 'expired':
      return `:checkered_flag: Your VPN access to *${request.gateway}* (\`${request.id}\`) has expired and its certificate was removed and verified gone; the profile no longer works. Ask again with \`/vpn request\` if you still need access.`;
    case 'revoked':
      return `:lock: Your VPN access to *${request.gateway}* (\`${request.id}\`) was revoked${revokedByText(request)}; its certificate was removed and verified gone, and the profile no longer works.`;
  }
}

/** An actor for Slack text: a mention for a person, a word for the bot's own actors (slack, reconcile, system). */
export function actorMention(actor: string | undefined): string {
  if (!actor || actor === 'system') return 'the bot';
  if (actor === 'slack') return 'Slack (account deactivated)';
  if (actor === 'reconcile') return 'reconcile (certificate gone from the gateway)';
  return `<@${actor}>`;
}

/** Who ended a grant, as a phrase: a person, Slack (a deactivated account) or the bot itself. */
export function revokedByText(request: AccessRequest): string {
  const by = request.revokedBy;
  if (!by || by === request.requesterId) return '';
  if (by === 'slack') return ' because the Slack account was deactivated';
  if (by === 'system') return ' by the bot';
  if (by === 'reconcile') return ' because its certificate vanished from the gateway (deleted outside the bot)';
  return ` by <@${by}>`;
}

export function profileComment(request: AccessRequest, removeAt: number): string {
  return `:key: Your VPN profile for *${request.gateway}* is ready. Import the attached \`.ovpn\` file into OpenVPN (or Tunnelblick / OpenVPN Connect). Access lasts ${formatDuration(request.durationMs)}. Keep this file private: it contains your key.\n:wastebasket: I will remove this file from Slack ${slackDate(removeAt)} (or when your access ends, if sooner). Need it again later? \`/vpn resend\`.`;
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
  return `:hourglass: Your VPN access to *${request.gateway}* (\`${request.id}\`) now lasts until ${slackDate(request.expiresAt)}, ${approvedTotal(request)}.`;
}

/** The answer to `/vpn extend` or the Extend button. */
export function extendReply(outcome: ExtendOutcome): string {
  return outcome.kind === 'extended' ? extendedNotice(outcome.grant) : extensionPendingNotice(outcome.extension, outcome.grant, outcome.existing);
}

/** `/vpn extend` beyond the self-service allowance: the extension request, new or already waiting. */
export function extensionPendingNotice(extension: AccessRequest, grant: AccessRequest, existing: boolean): string {
  const head = existing ? `:hourglass_flowing_sand: You already asked to extend \`${grant.id}\`: request \`${extension.id}\` (+${formatDuration(extension.durationMs)}) is waiting for the approvers.`
    : `:inbox_tray: Extension request \`${extension.id}\` (+${formatDuration(extension.durationMs)} on \`${grant.id}\`) sent to the approvers.`;
  return `${head} Until it is approved your access ends ${slackDate(grant.expiresAt)}. \`/vpn cancel ${extension.id}\` withdraws it.`;
}

/** One approval of several (N-of-M), in the card's thread. */
export function approvalCountedNote(request: AccessRequest, approverId: string, count: number, required: number): string {
  return `:ballot_box_with_check: Approval ${count} of ${required} by <@${approverId}>; ${required - count} more needed.`;
}

/** The Nth approval of an extension, in the card's thread. */
export function extensionAppliedNote(grant: AccessRequest, approverId: string): string {
  return `:hourglass: Extension approved by <@${approverId}>; access now ends ${slackDate(grant.expiresAt)}, ${approvedTotal(grant)}.`;
}

export function cancelledNotice(request: AccessRequest): string {
  return `:heavy_minus_sign: Cancelled your pending ${request.kind === 'extension' ? 'extension request' : 'request'} \`${request.id}\` for *${request.gateway}*.`;
}

/** Mentions for a user or user-group id. */
export function mention(id: string): string {
  return id.startsWith('S') ? `<!subteam^${id}>` : `<@${id}>`;
}

/** The one reminder in a pending request's thread. */
export function approverReminder(request: AccessRequest, approvers: readonly string[]): string {
  const who = approvers.length ? approvers.map(mention).join(' ') : 'approvers';
  return `:bell: ${who}: this ${request.kind === 'extension' ? 'extension request' : 'request'} is still waiting for a decision (asked ${slackDate(request.createdAt)}).`;
}

export function breakGlassConfirmation(request: AccessRequest, position: number): string {
  return `:rotating_light: Break-glass access to *${request.gateway}* for ${formatDuration(request.durationMs)} (\`${request.id}\`): no approval needed, ${position <= 1 ? 'next in line' : `position ${position} in the queue`}. Your profile will arrive in a DM. The admins have been alerted and this use is audited with your reason.`;
}

/** The admins' reminder when a break-glass use was not acknowledged in time. */
export function breakGlassReviewReminder(request: AccessRequest, admins: readonly string[]): string {
  return `:rotating_light: ${admins.map(mention).join(' ') || 'Admins'}: break-glass use \`${request.id}\` by <@${request.requesterId}> on *${request.gateway}* (${slackDate(request.createdAt)}) has not been acknowledged yet. Please review it: Acknowledge or Revoke now on the card.`;
}

export function statusLine(request: AccessRequest, position: number | undefined): string {
  const where = request.status === 'approved' && position !== undefined ? (position === 0 ? ' (being provisioned now)' : ` (position ${position} on the gateway)`) : '';
  const expiry = request.status === 'active' ? `, expires ${slackDate(request.expiresAt)}, ${approvedTotal(request)}` : '';
  const count = request.status === 'pending' && (request.approvalsRequired ?? 1) > 1 ? ` (${request.approvals?.length ?? 0} of ${request.approvalsRequired} approvals)` : '';
  const kind = request.kind === 'extension' ? ` extension of \`${request.grantId}\` by` : request.kind === 'breakglass' ? ' break-glass' : '';
  const extending = request.pendingExtensionId ? `; extension \`${request.pendingExtensionId}\` waiting for approval` : '';
  return `• \`${request.id}\` *${request.gateway}*${kind} ${formatDuration(request.status === 'active' ? request.durationMs + (request.extendedMs ?? 0) : request.durationMs)}: ${request.status}${count}${where}${expiry}${extending}`;
}
