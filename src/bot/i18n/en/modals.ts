// src/bot/views/modals.ts
export default {
  requestTitle: 'Request VPN access',
  requestSubmit: 'Request',
  cancel: 'Cancel',
  gateway: 'Gateway',
  duration: 'Duration (max {max})',
  durationPlaceholder: 'e.g. 8h, 1d, 1w',
  reason: 'Reason',
  denyTitle: 'Deny VPN request',
  denySubmit: 'Deny',
  denyReason: 'Reason (sent to the requester)',
} as const;
