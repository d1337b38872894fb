// `/vpn admin audit [@user] [since]` and `/vpn admin audit verify`: the audit log for admins. The entries go
// back as data (the bot shows the newest) and, all of them, as a CSV file in the admin's DM; verify checks
// the whole hash chain and the heads witnessed in Slack.
import type { AdminContext } from './admin-context.js';
import type { AuditCheck, AuditLog, AuditWitnesses, StoredAuditEntry } from './audit.js';
import { parseDuration } from './duration.js';
import type { AuditExportDelivery } from './ports.js';
import { parseUserRef } from './ids.js';

export interface AuditQuery {
  userId?: string;
  sinceMs: number;
  /** As typed, for the reply (e.g. "7d"). */
  sinceLabel: string;
}

export const DEFAULT_AUDIT_SINCE = '7d';

/** No audit entry predates this product; `since` before it is a typo (e.g. `9999w`), not a query. */
export const AUDIT_EPOCH = Date.UTC(2000, 0, 1);

/** What is wrong with the words of `/vpn admin audit` (src/bot/views/admin-outcomes.ts words it). */
export type AuditArgsError =
  | { code: 'not-understood'; word: string }
  | { code: 'bad-date'; label: string }
  | { code: 'future-date'; label: string }
  /** Before AUDIT_EPOCH; `maxWeeks` is the longest duration that still fits. */
  | { code: 'before-epoch'; label: string; epoch: number; maxWeeks: number };

/** `[@user] [since]` in either order; since is a duration (`7d`, `12h`) or a date (`2024-05-01`). */
export function parseAuditArgs(words: readonly string[], now: number): { ok: true; value: AuditQuery } | { ok: false; error: AuditArgsError } {
  let userId: string | undefined;
  let since: string | undefined;
  for (const word of words) {
    const user = parseUserRef(word);
    if (user && !userId) { userId = user; continue; }
    if (!since && (parseDuration(word) !== undefined || /^\d{4}-\d{2}-\d{2}$/.test(word))) { since = word; continue; }
    return { ok: false, error: { code: 'not-understood', word } };
  }
  const label = since ?? DEFAULT_AUDIT_SINCE;
  let sinceMs: number;
  if (/^\d{4}-\d{2}-\d{2}$/.test(label)) {
    sinceMs = Date.parse(`${label}T00:00:00Z`);
    // Date.parse rolls 2024-02-31 over to March: only a date that prints back the same is real.
    if (Number.isNaN(sinceMs) || new Date(sinceMs).toISOString().slice(0, 10) !== label) return { ok: false, error: { code: 'bad-date', label } };
    if (sinceMs > now) return { ok: false, error: { code: 'future-date', label } };
  } else {
    sinceMs = now - parseDuration(label)!;
  }
  if (sinceMs < AUDIT_EPOCH) return { ok: false, error: { code: 'before-epoch', label, epoch: AUDIT_EPOCH, maxWeeks: Math.floor((now - AUDIT_EPOCH) / 604_800_000) } };
  return { ok: true, value: { ...(userId ? { userId } : {}), sinceMs, sinceLabel: label } };
}

const CSV_COLUMNS = ['time', 'actor', 'action', 'subject', 'requestId', 'gateway', 'detail', 'cloudRequestId', 'entryId', 'hash'] as const;

/** One CSV cell: quoted when needed, and never read as a formula by a spreadsheet (CSV injection). */
export function csvCell(value: string | number | undefined): string {
  let text = value === undefined ? '' : String(value);
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** RFC 4180 CSV with a header row, in the order given. */
export function auditCsv(entries: readonly StoredAuditEntry[]): string {
  const rows = entries.map((e) => [
    new Date(e.at).toISOString(), e.actor, e.action, e.subject, e.requestId, e.gateway, e.detail, e.cloudRequestId, e.id, e.hash,
  ].map(csvCell).join(','));
  return [CSV_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}

export interface AuditReport {
  query: AuditQuery;
  /** Newest first. */
  entries: StoredAuditEntry[];
  /** Where the CSV went, or that it did not. */
  csv: { ok: true; filename: string; fileId: string } | { ok: false; error: 'upload-failed' };
}

export interface AuditVerifyReport {
  check: AuditCheck;
  /** The witnessed heads could not be read from Slack (the chain alone was checked). */
  witnessesUnreadable?: true;
}

export interface AuditExportDeps {
  audit: AuditLog;
  exports: AuditExportDelivery;
  /** The audit heads witnessed in Slack, for verify. */
  witnesses?: AuditWitnesses | undefined;
  onError?: ((what: string, err: unknown) => void) | undefined;
  now?: (() => number) | undefined;
}

export class AuditExport {
  constructor(private readonly deps: AuditExportDeps) {}

  /** Audit entries matching the query, newest first; all of them go to the admin's DM as CSV. */
  async report(ctx: AdminContext, query: AuditQuery): Promise<AuditReport> {
    const { audit, exports } = this.deps;
    const oldestFirst = await audit.list({ sinceMs: query.sinceMs, ...(query.userId ? { userId: query.userId } : {}) });
    const stamp = new Date(this.deps.now?.() ?? Date.now()).toISOString().slice(0, 19).replace(/[:T]/g, '-');
    const filename = `vpn-audit-${query.userId ? `${query.userId}-` : ''}${stamp}.csv`;
    let csv: AuditReport['csv'];
    try {
      const { fileId } = await exports.sendAuditExport(ctx.actorId, { filename, content: auditCsv(oldestFirst) }, { ...(query.userId ? { userId: query.userId } : {}), sinceLabel: query.sinceLabel, entries: oldestFirst.length });
      csv = { ok: true, filename, fileId };
    } catch (err) {
      this.deps.onError?.('audit CSV upload', err);
      csv = { ok: false, error: 'upload-failed' };
    }
    await audit.append({
      actor: ctx.actorId, action: 'admin.audit.exported', ...(query.userId ? { subject: query.userId } : {}),
      detail: `${oldestFirst.length} entries since ${query.sinceLabel}${csv.ok ? ` as ${filename}` : ' (CSV upload failed)'}`,
    });
    return { query, entries: [...oldestFirst].reverse(), csv };
  }

  /** Checks the whole chain and the latest heads witnessed in Slack. */
  async verify(ctx: AdminContext): Promise<AuditVerifyReport> {
    const report: Partial<AuditVerifyReport> = {};
    let witnessed: Awaited<ReturnType<AuditWitnesses['recent']>> = [];
    if (this.deps.witnesses) {
      try {
        witnessed = await this.deps.witnesses.recent(20);
      } catch (err) {
        this.deps.onError?.('reading witnessed audit heads', err);
        report.witnessesUnreadable = true;
      }
    }
    const check = await this.deps.audit.check(witnessed);
    await this.deps.audit.append({
      actor: ctx.actorId, action: check.ok ? 'admin.audit.verified' : 'admin.audit.tampered',
      detail: check.ok ? `intact: ${check.entries} entries, head #${check.head?.seq ?? 0}` : `${check.problem.code} at #${check.seq ?? '?'}${check.id ? ` (${check.id})` : ''}`,
    });
    return { ...report, check };
  }
}
