// How the jobs' and the domain's events read in Slack: notes in an approval card's thread, and alerts for
// the admins in the approvals channel (both in slack.locale). Pure functions from typed events to text.
import type { AdviceKey } from '../../api/errors.js';
import type { AccessEvent, Failure, ServerChangeEvent } from '../../core/events.js';
import { describeChanges } from '../../core/server-admin.js';
import type { ProfileKey } from '../../core/server-changes.js';
import { EN, localDate, localList, messagesOf, type Lang } from '../i18n/index.js';
import { actorMention, approvalCountedNote, extensionAppliedNote } from './messages.js';

const m = messagesOf('events');
const advice = messagesOf('advice');

/** What to do about a permanent cloud error, in the reader's language. */
export function adviceText(key: AdviceKey, lang: Lang = EN): string {
  return advice(lang, key);
}

/** The failure as one line: the detail, then what to do about it. */
export function failureText(failure: Failure | { detail?: string | undefined; adviceKey?: AdviceKey | undefined }, fallback?: string, lang: Lang = EN): string {
  const what = failure.adviceKey ? adviceText(failure.adviceKey, lang) : '';
  return [failure.detail ?? fallback ?? m(lang, 'unknownError'), what].filter(Boolean).join(' ');
}

/** A stored request or proposal's failure (`failure` and `failureAdvice`), for cards and DMs. */
export function storedFailure(record: { failure?: string | undefined; failureAdvice?: AdviceKey | undefined }, fallback: string, lang: Lang = EN): string {
  return failureText({ detail: record.failure, adviceKey: record.failureAdvice }, fallback, lang);
}

/** Where an access event is posted and how it reads: `thread` in the request's card thread, `admins` in the approvals channel. */
export function accessEventText(event: AccessEvent, lang: Lang = EN): { thread?: string; admins?: string } {
  switch (event.type) {
    case 'RequestQueued':
      return { thread: m(lang, 'queued', { approverId: event.approverId, gateway: event.request.gateway, where: event.position <= 1 ? m(lang, 'nextInLine') : m(lang, 'position', { position: event.position }) }) };
    case 'ApprovalCounted':
      return { thread: approvalCountedNote(event.request, event.approverId, event.count, event.required, lang) };
    case 'ExtensionApplied':
      return { thread: extensionAppliedNote(event.grant, event.approverId, lang) };
    case 'CertificateCreating':
      return { thread: m(lang, 'certificateCreating', { gateway: event.request.gateway }) };
    case 'GatewayUpdating':
      return { thread: m(lang, 'gatewayUpdating', { certId: event.certId }) };
    case 'GatewayActive':
      return { thread: m(lang, 'gatewayActive') };
    case 'ProfileDelivered':
      return { thread: m(lang, 'profileDelivered', { requesterId: event.request.requesterId, end: localDate(lang, event.request.expiresAt) }) };
    case 'AccessEnded':
      return { thread: event.reason === 'expired' ? m(lang, 'accessExpired') : m(lang, 'accessRevoked', { actor: actorMention(event.request.revokedBy, lang) }) };
    case 'RequestFailed': {
      const reason = failureText(event.failure, undefined, lang);
      const { request } = event;
      return {
        thread: m(lang, 'provisioningFailed', { reason }),
        admins: m(lang, 'requestFailedAdmins', { id: request.id, requesterId: request.requesterId, gateway: request.gateway, reason, cleanup: request.certId ? m(lang, 'mayNeedCleaning', { certId: request.certId }) : '' }),
      };
    }
    case 'RemovalFailed':
      return {
        admins: m(lang, 'removalFailed', {
          certId: String(event.request.certId), requesterId: event.request.requesterId, gateway: event.gateway,
          reason: event.reason === 'expired' ? m(lang, 'reasonExpired') : m(lang, 'reasonRevoked'), failure: failureText(event.failure, undefined, lang),
        }),
      };
    case 'ExpiriesStarting':
      return { admins: m(lang, 'expiriesStarting', { count: event.count, gateway: event.gateway }) };
    case 'ProfileOutdated':
      return {}; // a DM in the holder's language: profileOutdatedText
  }
}

const SETTING = { port: 'settingPort', proto: 'settingProto', cipher: 'settingCipher', compress: 'settingCompress' } as const satisfies Record<ProfileKey, string>;

/** The DM telling a holder that a server change made their profile stale. */
export function profileOutdatedText(event: Extract<AccessEvent, { type: 'ProfileOutdated' }>, lang: Lang = EN): string {
  const { request } = event;
  return m(lang, 'profileOutdated', { gateway: request.gateway, id: request.id, settings: localList(lang, event.changed.map((k) => m(lang, SETTING[k]))) });
}

/** A note in a server change card's thread. */
export function serverChangeNote(event: ServerChangeEvent, lang: Lang = EN): string {
  const p = event.proposal;
  switch (event.type) {
    case 'ChangeApproved':
      return m(lang, 'changeApproved', { actorId: event.actorId, gateway: p.gateway, disconnect: p.nameOnly ? '' : m(lang, 'clientsDisconnected') });
    case 'ChangeRejected':
      return m(lang, event.actorId === p.proposedBy ? 'changeWithdrawn' : 'changeRejected', { actorId: event.actorId });
    case 'ChangeApplying':
      return m(lang, 'changeApplying', { gateway: event.gateway });
    case 'ChangeSent':
      return m(lang, 'changeSent', { cloudRequestId: event.cloudRequestId });
    case 'ChangeApplied':
      return m(lang, 'changeApplied', {
        gateway: event.gateway, active: p.nameOnly ? '' : m(lang, 'gatewayActiveAgain'), changes: describeChanges(p.changes, p.before),
        requestId: event.cloudRequestId ? m(lang, 'requestId', { cloudRequestId: event.cloudRequestId }) : '', reconnect: p.nameOnly ? '' : event.holdersTold ? m(lang, 'holdersTold', { count: event.holdersTold }) : m(lang, 'clientsReconnect'),
      });
    case 'ChangeFailed':
      return m(lang, 'changeFailed', { failure: failureText(event.failure, undefined, lang), gateway: p.gateway });
  }
}
