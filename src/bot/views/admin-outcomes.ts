// How the admin services' typed failures and notes read: audit arguments, private-CA lookups, gateway
// health errors, the note on an audit export. Pure functions; src/bot/views/admin.ts composes the replies.
import type { AuditArgsError, CasLookupError, GatewayHealth } from '../../core/admin.js';
import type { AuditExportAbout } from '../../core/ports.js';
import { EN, messagesOf, type Lang } from '../i18n/index.js';
import { cloudFailureText, shown } from './refusals.js';

const m = messagesOf('adminOutcomes');
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);

export function auditArgsErrorText(e: AuditArgsError, lang: Lang = EN): string {
  switch (e.code) {
    case 'not-understood': return m(lang, 'auditNotUnderstood', { word: shown(e.word) });
    case 'bad-date': return m(lang, 'auditBadDate', { label: shown(e.label) });
    case 'future-date': return m(lang, 'auditFutureDate', { label: shown(e.label) });
    case 'before-epoch': return m(lang, 'auditBeforeEpoch', { label: shown(e.label), epoch: day(e.epoch), maxWeeks: String(e.maxWeeks) });
  }
}

export function casLookupErrorText(e: CasLookupError, lang: Lang = EN): string {
  switch (e.kind) {
    case 'directory-failed': return m(lang, 'casDirectoryFailed');
    case 'no-identity': return m(lang, 'casNoIdentity');
    case 'cas-list-failed': return m(lang, 'casListFailed', { failure: cloudFailureText(e.failure, lang) });
  }
}

export function connectionsErrorText(e: NonNullable<GatewayHealth['connectionsError']>, lang: Lang = EN): string {
  return e.kind === 'ssl-server-missing' ? m(lang, 'sslServerMissing', { sslVpnServerId: e.sslVpnServerId }) : cloudFailureText(e, lang);
}

export function csvUploadFailed(lang: Lang = EN): string {
  return m(lang, 'csvUploadFailed');
}

/** The message that goes with an audit export in the admin's DM. */
export function auditExportComment(about: AuditExportAbout, lang: Lang = EN): string {
  return m(lang, 'auditExport', { count: about.entries, since: about.sinceLabel, scope: about.userId ? m(lang, 'auditExportScope', { userId: about.userId }) : '' });
}
