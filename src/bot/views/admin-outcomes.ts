// How the admin services' typed failures and notes read: audit arguments, private-CA lookups, gateway
// health errors, the note on an audit export. Pure functions; src/bot/views/admin.ts composes the replies.
import type { AuditArgsError, CasLookupError, GatewayHealth } from '../../core/admin.js';
import type { AuditExportAbout } from '../../core/ports.js';
import { cloudFailureText, shown } from './refusals.js';

const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function auditArgsErrorText(e: AuditArgsError): string {
  switch (e.code) {
    case 'not-understood': return `I don't understand \`${shown(e.word)}\`. Usage: \`/vpn admin audit [@user] [since]\`, where since is a duration like \`7d\` or \`12h\`, or a date like \`2024-05-01\`.`;
    case 'bad-date': return `\`${shown(e.label)}\` is not a valid date; write it as YYYY-MM-DD, e.g. \`2024-05-01\`.`;
    case 'future-date': return `\`${shown(e.label)}\` is in the future, so there is nothing to show yet. Give a past date, or a duration like \`7d\`.`;
    case 'before-epoch': return `\`${shown(e.label)}\` reaches back before ${day(e.epoch)}, earlier than any audit entry can be. Use a shorter duration (at most \`${e.maxWeeks}w\`) or a date from ${day(e.epoch)} on.`;
  }
}

export function casLookupErrorText(e: CasLookupError): string {
  switch (e.kind) {
    case 'directory-failed': return 'could not look the user up in Slack (users.info), so their private-CA certificates were not checked';
    case 'no-identity': return 'Slack shares no email or handle for this user, so their private-CA certificates could not be matched';
    case 'cas-list-failed': return `could not list private-CA certificates: ${cloudFailureText(e.failure)}`;
  }
}

export function connectionsErrorText(e: NonNullable<GatewayHealth['connectionsError']>): string {
  return e.kind === 'ssl-server-missing' ? `SSL server \`${e.sslVpnServerId}\` not found on this gateway: fix gateways[].sslVpnServerId` : cloudFailureText(e);
}

export const CSV_UPLOAD_FAILED = 'the CSV could not be uploaded to your DM; try again in a minute';

/** The message that goes with an audit export in the admin's DM. */
export function auditExportComment(about: AuditExportAbout): string {
  return `:page_facing_up: VPN audit log${about.userId ? ` for <@${about.userId}>` : ''} since ${about.sinceLabel}: ${about.entries} entr${about.entries === 1 ? 'y' : 'ies'}, oldest first.`;
}
