// src/bot/views/audit.ts and endings.ts: the audit log's witness post and verify answer; leaver alerts.
export default {
  witnessed: ' (witnessed {at}). If a later `/vpn admin audit verify` disagrees with this, the log in Redis was tampered with.',
  notIntact: { one: ':rotating_light: *Audit log NOT intact*: {detail}. Checked {count} entry up to there.', other: ':rotating_light: *Audit log NOT intact*: {detail}. Checked {count} entries up to there.' },
  head: 'head #{seq} {hash}',
  noEntries: 'no entries yet',
  keyed: 'HMAC-SHA-256 under VPN_BOT_AUDIT_KEY',
  unkeyed: ':warning: unkeyed SHA-256 (set VPN_BOT_AUDIT_KEY: without it anyone who can write Redis can rewrite the log undetected)',
  witnessMatches: { one: 'matches the {count} latest head witnessed in Slack (newest #{seq})', other: 'matches the {count} latest heads witnessed in Slack (newest #{seq})' },
  noWitness: 'no witnessed head found in the audit channel yet',
  unkeyedEntries: { one: ' The first {count} entry was written before the key was set.', other: ' The first {count} entries were written before the key was set.' },
  intact: { one: ':white_check_mark: *Audit log intact* ({count} entry, {head}); chain: {key}; {witness}.{unkeyed}', other: ':white_check_mark: *Audit log intact* ({count} entries, {head}); chain: {key}; {witness}.{unkeyed}' },
  witnessesUnreadable: ':warning: Could not read the witnessed heads from the audit channel (Slack did not answer); only the chain itself was checked.',
  leaverSweep: 'the periodic check of Slack accounts found it',
  leaverEvent: 'Slack sent a user_change event',
  leaverAlert: ':wave: *<@{userId}> was deactivated in Slack* ({how}); offboarded automatically:',
} as const;
