// src/bot/views/admin-outcomes.ts: /vpn admin audit arguments, private-CA lookups, gateway health errors, the audit export note.
export default {
  auditNotUnderstood: 'I don\'t understand `{word}`. Usage: `/vpn admin audit [@user] [since]`, where since is a duration like `7d` or `12h`, or a date like `2024-05-01`.',
  auditBadDate: '`{label}` is not a valid date; write it as YYYY-MM-DD, e.g. `2024-05-01`.',
  auditFutureDate: '`{label}` is in the future, so there is nothing to show yet. Give a past date, or a duration like `7d`.',
  auditBeforeEpoch: '`{label}` reaches back before {epoch}, earlier than any audit entry can be. Use a shorter duration (at most `{maxWeeks}w`) or a date from {epoch} on.',
  casDirectoryFailed: 'could not look the user up in Slack (users.info), so their private-CA certificates were not checked',
  casNoIdentity: 'Slack shares no email or handle for this user, so their private-CA certificates could not be matched',
  casListFailed: 'could not list private-CA certificates: {failure}',
  sslServerMissing: 'SSL server `{sslVpnServerId}` not found on this gateway: fix gateways[].sslVpnServerId',
  csvUploadFailed: 'the CSV could not be uploaded to your DM; try again in a minute',
  auditExport: { one: ':page_facing_up: VPN audit log{scope} since {since}: {count} entry, oldest first.', other: ':page_facing_up: VPN audit log{scope} since {since}: {count} entries, oldest first.' },
  auditExportScope: ' for <@{userId}>',
} as const;
