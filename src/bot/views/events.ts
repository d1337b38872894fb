// How the jobs' and the domain's events read in Slack: notes in an approval card's thread, and alerts for
// the admins in the approvals channel. Pure functions from typed events to text.
import { ADVICE_TEXT, type AdviceKey } from '../../api/errors.js';
import type { AccessEvent, Failure, ServerChangeEvent } from '../../core/events.js';
import { describeChanges } from '../../core/server-admin.js';
import { slackDate } from './approval-card.js';
import { actorMention, approvalCountedNote, extensionAppliedNote } from './messages.js';

/** The failure as one line: the detail, then what to do about it. */
export function failureText(failure: Failure | { detail?: string | undefined; adviceKey?: AdviceKey | undefined }, fallback = 'unknown error'): string {
  const advice = failure.adviceKey ? ADVICE_TEXT[failure.adviceKey] : '';
  return [failure.detail ?? fallback, advice].filter(Boolean).join(' ');
}

/** A stored request or proposal's failure (`failure` and `failureAdvice`), for cards and DMs. */
export function storedFailure(record: { failure?: string | undefined; failureAdvice?: AdviceKey | undefined }, fallback: string): string {
  return failureText({ detail: record.failure, adviceKey: record.failureAdvice }, fallback);
}

/** Where an access event is posted and how it reads: `thread` in the request's card thread, `admins` in the approvals channel. */
export function accessEventText(event: AccessEvent): { thread?: string; admins?: string } {
  switch (event.type) {
    case 'RequestQueued':
      return { thread: `:large_green_circle: Approved by <@${event.approverId}>. Queued on *${event.request.gateway}* (${event.position <= 1 ? 'next in line' : `position ${event.position}`}).` };
    case 'ApprovalCounted':
      return { thread: approvalCountedNote(event.request, event.approverId, event.count, event.required) };
    case 'ExtensionApplied':
      return { thread: extensionAppliedNote(event.grant, event.approverId) };
    case 'CertificateCreating':
      return { thread: `:hammer_and_wrench: Creating the certificate on *${event.request.gateway}*…` };
    case 'GatewayUpdating':
      return { thread: `:hourglass_flowing_sand: Certificate \`${event.certId}\` created; the gateway is applying the change…` };
    case 'GatewayActive':
      return { thread: ':large_green_circle: The gateway is active again; delivering the profile…' };
    case 'ProfileDelivered':
      return { thread: `:white_check_mark: Profile delivered to <@${event.request.requesterId}>; access expires ${slackDate(event.request.expiresAt)}.` };
    case 'AccessEnded':
      return { thread: event.reason === 'expired' ? ':checkered_flag: Access expired; certificate removed and verified.' : `:lock: Access revoked by ${actorMention(event.request.revokedBy)}; certificate removed and verified.` };
    case 'RequestFailed': {
      const reason = failureText(event.failure);
      const { request } = event;
      return {
        thread: `:x: Provisioning failed: ${reason}`,
        admins: `:rotating_light: VPN request \`${request.id}\` for <@${request.requesterId}> on *${request.gateway}* failed: ${reason}${request.certId ? ` (certificate \`${request.certId}\` may need cleaning up)` : ''}`,
      };
    }
    case 'RemovalFailed':
      return { admins: `:rotating_light: Could not remove certificate \`${event.request.certId}\` of <@${event.request.requesterId}> on *${event.gateway}* (${event.reason}): ${failureText(event.failure)}. It still grants access: remove it in the Alibaba Cloud console.` };
    case 'ExpiriesStarting':
      return { admins: `:broom: Removing ${event.count} expired VPN certificate${event.count === 1 ? '' : 's'} on *${event.gateway}* now. Every client connected to this gateway is disconnected briefly and reconnects by itself.` };
  }
}

/** A note in a server change card's thread. */
export function serverChangeNote(event: ServerChangeEvent): string {
  const p = event.proposal;
  switch (event.type) {
    case 'ChangeApproved':
      return `:large_green_circle: Approved by <@${event.actorId}>. Queued on *${p.gateway}*'s lane; it runs when the gateway is free${p.nameOnly ? '' : ' (clients will be disconnected briefly)'}.`;
    case 'ChangeRejected':
      return `:no_entry_sign: ${event.actorId === p.proposedBy ? 'Withdrawn' : 'Rejected'} by <@${event.actorId}>. Nothing was changed.`;
    case 'ChangeApplying':
      return `:hammer_and_wrench: Applying on *${event.gateway}*: waiting for the gateway to be free…`;
    case 'ChangeSent':
      return `:hourglass_flowing_sand: ModifySslVpnServer accepted (RequestId ${event.cloudRequestId}); the gateway is updating…`;
    case 'ChangeApplied':
      return `:white_check_mark: Applied on *${event.gateway}*${p.nameOnly ? '' : '; the gateway is active again'}: ${describeChanges(p.changes, p.before)}${event.cloudRequestId ? ` (RequestId ${event.cloudRequestId})` : ''}.${p.nameOnly ? '' : ' Clients reconnect by themselves; after a port, protocol, cipher or compression change they need a new profile (`/vpn request`).'}`;
    case 'ChangeFailed':
      return `:x: The server change failed: ${failureText(event.failure)}. Check the server with \`/vpn admin server show ${p.gateway}\`, fix the cause, and propose it again.`;
  }
}
