// Modals: the request form (for `/vpn request` with no arguments) and the deny-reason form.
import type { View } from '@slack/types';
import { formatDuration } from '../../core/duration.js';
import type { AccessPolicy } from '../../core/policy.js';

export const REQUEST_MODAL = 'vpn_request_modal';
export const DENY_MODAL = 'vpn_deny_modal';

export function requestModal(policy: AccessPolicy): View {
  return {
    type: 'modal',
    callback_id: REQUEST_MODAL,
    title: { type: 'plain_text', text: 'Request VPN access' },
    submit: { type: 'plain_text', text: 'Request' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input', block_id: 'gateway', label: { type: 'plain_text', text: 'Gateway' },
        element: {
          type: 'static_select', action_id: 'value',
          ...(policy.gateways[0] ? { initial_option: { text: { type: 'plain_text', text: policy.gateways[0] }, value: policy.gateways[0] } } : {}),
          options: policy.gateways.map((g) => ({ text: { type: 'plain_text', text: g }, value: g })),
        },
      },
      {
        type: 'input', block_id: 'duration', label: { type: 'plain_text', text: `Duration (max ${formatDuration(policy.maxDurationMs)})` },
        element: { type: 'plain_text_input', action_id: 'value', initial_value: formatDuration(policy.defaultDurationMs), placeholder: { type: 'plain_text', text: 'e.g. 8h, 1d, 1w' } },
      },
      {
        type: 'input', block_id: 'reason', label: { type: 'plain_text', text: 'Reason' },
        element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 500 },
      },
    ],
  };
}

export function denyModal(requestId: string): View {
  return {
    type: 'modal',
    callback_id: DENY_MODAL,
    private_metadata: requestId,
    title: { type: 'plain_text', text: 'Deny VPN request' },
    submit: { type: 'plain_text', text: 'Deny' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input', block_id: 'reason', label: { type: 'plain_text', text: 'Reason (sent to the requester)' },
        element: { type: 'plain_text_input', action_id: 'value', multiline: true, max_length: 500 },
      },
    ],
  };
}
