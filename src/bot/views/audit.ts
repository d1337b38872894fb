// Texts about the audit log: the witnessed head posted to the audit channel (and read back by
// `/vpn admin audit verify`), and the verify answer.
import type { AuditCheck, AuditHead, WitnessedHead } from '../../core/audit.js';
import type { AuditVerifyReport } from '../../core/admin.js';
import { EN, messagesOf, type Lang } from '../i18n/index.js';

const m = messagesOf('audit');

const HEAD_RE = /^:receipt: Audit log head #(\d+) `([0-9a-f]{40,64})`/;

/**
 * The witness post: the full hash, so that anyone can compare it with the log later. Its head stays in one
 * fixed form whatever the language (`/vpn admin audit verify` reads it back with HEAD_RE).
 */
export function auditHeadText(head: AuditHead, lang: Lang = EN): string {
  return `:receipt: Audit log head #${head.seq} \`${head.hash}\`${m(lang, 'witnessed', { at: new Date().toISOString() })}`;
}

/** The head a witness post names, or undefined when the text is not one. */
export function parseAuditHeadText(text: string, at: number): WitnessedHead | undefined {
  const match = HEAD_RE.exec(text);
  return match ? { seq: Number(match[1]), hash: match[2]!, at } : undefined;
}

const short = (hash: string) => `\`${hash.slice(0, 16)}…\``;

function checkLine(check: AuditCheck, lang: Lang): string {
  if (!check.ok) return m(lang, 'notIntact', { detail: check.detail, count: check.entries });
  const head = check.head ? m(lang, 'head', { seq: String(check.head.seq), hash: short(check.head.hash) }) : m(lang, 'noEntries');
  const key = check.keyed ? m(lang, 'keyed') : m(lang, 'unkeyed');
  const witness = check.lastWitness ? m(lang, 'witnessMatches', { count: check.witnessesChecked, seq: String(check.lastWitness.seq) }) : m(lang, 'noWitness');
  const unkeyed = check.keyed && check.unkeyedEntries ? m(lang, 'unkeyedEntries', { count: check.unkeyedEntries }) : '';
  return m(lang, 'intact', { count: check.entries, head, key, witness, unkeyed });
}

export function auditVerifyReply(report: AuditVerifyReport, lang: Lang = EN): string {
  const lines = [checkLine(report.check, lang)];
  if (report.witnessesUnreadable) lines.push(m(lang, 'witnessesUnreadable'));
  return lines.join('\n');
}
