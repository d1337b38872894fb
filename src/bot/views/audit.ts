// Texts about the audit log: the witnessed head posted to the audit channel (and read back by
// `/vpn admin audit verify`), and the verify answer.
import type { AuditCheck, AuditHead, AuditProblem, WitnessedHead } from '../../core/audit.js';
import type { AuditVerifyReport } from '../../core/admin.js';
import { EN, localDate, messagesOf, type Lang } from '../i18n/index.js';

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

/** Entry numbers are names, not amounts: never grouped (#1234, not #1,234). */
const n = (seq: number) => String(seq);

/** What is wrong with the log, for the admin who asked. */
export function auditProblemText(p: AuditProblem, lang: Lang = EN): string {
  // English keeps the exact instant as written since the log was first checked; other languages the reader's date.
  const at = (ms: number) => (lang.locale === 'en' ? new Date(ms).toISOString() : localDate(lang, ms));
  switch (p.code) {
    case 'inserted': return m(lang, 'problemInserted', { id: p.id });
    case 'legacy-mismatch': return m(lang, 'problemLegacyMismatch', { id: p.id });
    case 'missing': {
      const common = { seq: n(p.seq), before: n(p.seq - 1), next: n(p.nextSeq), id: p.id };
      return p.lastMissing > p.seq ? m(lang, 'problemMissingRange', { ...common, lastMissing: n(p.lastMissing) }) : m(lang, 'problemMissing', common);
    }
    case 'repeated': return m(lang, 'problemRepeated', { seq: n(p.seq), id: p.id });
    case 'downgraded': return m(lang, 'problemDowngraded', { seq: n(p.seq), id: p.id });
    case 'no-key': return m(lang, 'problemNoKey', { seq: n(p.seq), id: p.id });
    case 'other-key': return m(lang, 'problemOtherKey', { seq: n(p.seq), id: p.id, keyId: p.keyId, ourKeyId: p.ourKeyId });
    case 'unknown-scheme': return m(lang, 'problemUnknownScheme', { seq: n(p.seq), id: p.id });
    case 'not-following': return m(lang, 'problemNotFollowing', { seq: n(p.seq), id: p.id });
    case 'hash-mismatch': return m(lang, p.keyed ? 'problemHmacMismatch' : 'problemHashMismatch', { seq: n(p.seq), id: p.id });
    case 'tail-deleted': return m(lang, 'problemTailDeleted', { lastSeq: n(p.lastSeq), headSeq: n(p.headSeq), count: p.headSeq - p.lastSeq });
    case 'head-changed': return m(lang, 'problemHeadChanged', { lastSeq: n(p.lastSeq), headSeq: n(p.headSeq) });
    case 'emptied': return m(lang, 'problemEmptied', { headSeq: n(p.headSeq) });
    case 'witness-beyond': return m(lang, 'problemWitnessBeyond', { lastSeq: n(p.lastSeq), witnessSeq: n(p.witnessSeq), at: at(p.witnessedAt) });
    case 'witness-differs': return m(lang, 'problemWitnessDiffers', { witnessSeq: n(p.witnessSeq), at: at(p.witnessedAt) });
  }
}

function checkLine(check: AuditCheck, lang: Lang): string {
  if (!check.ok) return m(lang, 'notIntact', { detail: auditProblemText(check.problem, lang), count: check.entries });
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
