// Modals: the request form (for `/vpn request` with no arguments) and the deny-reason form, in the
// language of the person who opens them.
import type { View } from '@slack/types';
import { formatDuration } from '../../core/duration.js';
import type { AccessPolicy } from '../../core/policy.js';
import { EN, localDuration, messagesOf, type Lang } from '../i18n/index.js';

export const REQUEST_MODAL = 'vpn_request_modal';
export const DENY_MODAL = 'vpn_deny_modal';

const m = messagesOf('modals');
const plain = (text: string) => ({ type: 'plain_text' as const, text });

export function requestModal(policy: AccessPolicy, lang: Lang = EN): View {
  return {
    type: 'modal',
    callback_id: REQUEST_MODAL,
    title: plain(m(lang, 'requestTitle')),
    submit: plain(m(lang, 'requestSubmit')),
    close: plain(m(lang, 'cancel')),
    blocks: [
      {
        type: 'input', block_id: 'gateway', label: plain(m(lang, 'gateway')),
        element: {
          type: 'static_select', action_id: 'value',
          ...(policy.gateways[0] ? { initial_option: { text: plain(policy.gateways[0]), value: policy.gateways[0] } } : {}),
          options: policy.gateways.map((g) => ({ text: plain(g), value: g })),
        },
      },
      {
        type: 'input', block_id: 'duration', label: plain(m(lang, 'duration', { max: localDuration(lang, policy.maxDurationMs) })),
        // The value is parsed as `/vpn request` syntax (8h, 1d), so it stays in that syntax in every language.
        element: { type: 'plain_text_input', action_id: 'value', initial_value: formatDuration(policy.defaultDurationMs), placeholder: plain(m(lang, 'durationPlaceholder')) },
      },
      {
        type: 'input', block_id: 'reason', label: plain(m(lang, 'reason')),
        element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 500 },
      },
    ],
  };
}

export function denyModal(requestId: string, lang: Lang = EN): View {
  return {
    type: 'modal',
    callback_id: DENY_MODAL,
    private_metadata: requestId,
    title: plain(m(lang, 'denyTitle')),
    submit: plain(m(lang, 'denySubmit')),
    close: plain(m(lang, 'cancel')),
    blocks: [
      {
        type: 'input', block_id: 'reason', label: plain(m(lang, 'denyReason')),
        element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 500 },
      },
    ],
  };
}
