// Texts about profile files: the answer to `/vpn resend`, and the App Home's resend button.
import type { Resent } from '../../core/profiles.js';
import type { AccessRequest } from '../../core/requests.js';
import { slackDate } from './approval-card.js';

export const RESEND_ACTION = 'vpn_resend';
export const RESEND_USAGE = '`/vpn resend [gateway]`';
export const RESEND_WORKING = ':hourglass_flowing_sand: Fetching a fresh copy of your profile from the gateway…';

export function resendReply(resent: Resent): string {
  return `:key: A fresh copy of your profile for *${resent.request.gateway}* is in your DM with me. It will be removed from Slack ${slackDate(resent.removeAt)}.`;
}

/** The App Home button under an active grant. */
export function resendButton(request: AccessRequest) {
  return { type: 'button' as const, action_id: RESEND_ACTION, text: { type: 'plain_text' as const, text: 'Send my profile again' }, value: request.id };
}
