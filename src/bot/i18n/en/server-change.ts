// src/bot/views/server-change.ts: the approval card of an SSL-VPN server change.
export default {
  pending: ':large_yellow_circle: Waiting for another admin (not <@{proposedBy}>)',
  approved: ':gear: Approved by <@{decidedBy}>; being applied',
  withdrawn: ':heavy_minus_sign: Withdrawn by <@{decidedBy}>',
  rejected: ':no_entry_sign: Rejected by <@{decidedBy}>',
  applied: ':white_check_mark: Approved by <@{decidedBy}>; applied {at}{requestId}',
  requestId: ' (RequestId {cloudRequestId})',
  failed: ':x: Approved by <@{decidedBy}>; failed: {failure}',
  seeTheThread: 'see the thread',
  disruption: ':warning: Changing anything but the name makes the gateway unavailable for a short while (`updating`) and disconnects every client of this SSL server; they must reconnect (and with a new port, protocol, cipher or compression, download a new profile).',
  cardText: 'SSL-VPN server change proposed by <@{proposedBy}> for {gateway}',
  cardTitle: '*SSL-VPN server change* `{id}` on *{gateway}* (`{sslVpnServerId}`)\nProposed by <@{proposedBy}> {at}',
  nameOnly: ':information_source: Only the name changes: applied at once, no interruption.',
  approve: 'Approve',
  reject: 'Reject',
} as const;
