// Texts about profile files: the answer to `/vpn resend`, and the App Home's resend button (in the
// requester's language).
import type { Resent } from '../../core/profiles.js';
import type { AccessRequest } from '../../core/requests.js';
import { EN, localDate, messagesOf, type Lang } from '../i18n/index.js';

export const RESEND_ACTION = 'vpn_resend';
export const RESEND_USAGE = '`/vpn resend [gateway]`';

const m = messagesOf('profiles');

export function resendWorking(lang: Lang = EN): string {
  return m(lang, 'working');
}

export function resendReply(resent: Resent, lang: Lang = EN): string {
  return m(lang, 'resent', { gateway: resent.request.gateway, removeAt: localDate(lang, resent.removeAt) });
}

/** The App Home button under an active grant. */
export function resendButton(request: AccessRequest, lang: Lang = EN) {
  return { type: 'button' as const, action_id: RESEND_ACTION, text: { type: 'plain_text' as const, text: m(lang, 'resendButton') }, value: request.id };
}
