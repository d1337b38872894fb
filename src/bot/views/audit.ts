// Texts about the audit log: the witnessed head posted to the audit channel (and read back by
// `/vpn admin audit verify`), and the verify answer.
import type { AuditCheck, AuditHead, WitnessedHead } from '../../core/audit.js';
import type { AuditVerifyReport } from '../../core/admin.js';

const HEAD_RE = /^:receipt: Audit log head #(\d+) `([0-9a-f]{40,64})`/;

/** The witness post: the full hash, so that anyone can compare it with the log later. */
export function auditHeadText(head: AuditHead): string {
  return `:receipt: Audit log head #${head.seq} \`${head.hash}\` (witnessed ${new Date().toISOString()}). If a later \`/vpn admin audit verify\` disagrees with this, the log in Redis was tampered with.`;
}

/** The head a witness post names, or undefined when the text is not one. */
export function parseAuditHeadText(text: string, at: number): WitnessedHead | undefined {
  const match = HEAD_RE.exec(text);
  return match ? { seq: Number(match[1]), hash: match[2]!, at } : undefined;
}

const short = (hash: string) => `\`${hash.slice(0, 16)}…\``;

function checkLine(check: AuditCheck): string {
  if (!check.ok) return `:rotating_light: *Audit log NOT intact*: ${check.detail}. Checked ${check.entries} entr${check.entries === 1 ? 'y' : 'ies'} up to there.`;
  const head = check.head ? `head #${check.head.seq} ${short(check.head.hash)}` : 'no entries yet';
  const key = check.keyed ? 'HMAC-SHA-256 under VPN_BOT_AUDIT_KEY' : ':warning: unkeyed SHA-256 (set VPN_BOT_AUDIT_KEY: without it anyone who can write Redis can rewrite the log undetected)';
  const witness = check.lastWitness ? `matches the ${check.witnessesChecked} latest head${check.witnessesChecked === 1 ? '' : 's'} witnessed in Slack (newest #${check.lastWitness.seq})` : 'no witnessed head found in the audit channel yet';
  const unkeyed = check.keyed && check.unkeyedEntries ? ` The first ${check.unkeyedEntries} entr${check.unkeyedEntries === 1 ? 'y was' : 'ies were'} written before the key was set.` : '';
  return `:white_check_mark: *Audit log intact* (${check.entries} entr${check.entries === 1 ? 'y' : 'ies'}, ${head}); chain: ${key}; ${witness}.${unkeyed}`;
}

export function auditVerifyReply(report: AuditVerifyReport): string {
  const lines = [checkLine(report.check)];
  if (report.witnessesUnreadable) lines.push(`:warning: Could not read the witnessed heads from the audit channel (Slack did not answer); only the chain itself was checked.`);
  return lines.join('\n');
}
