// `/vpn admin audit verify`'s findings read in both languages: one example of every problem the chain
// check can report (the Record makes the compiler ask for each), English as the bot always wrote it, and
// no English left in the Chinese apart from ids, key names and product names.
import { describe, expect, it } from 'vitest';
import type { AuditProblem } from '../../src/core/audit.js';
import { auditProblemText } from '../../src/bot/views/audit.js';
import type { Lang } from '../../src/bot/i18n/index.js';
import { englishWords } from '../helpers/language.js';

const EN: Lang = { locale: 'en' };
const ZH: Lang = { locale: 'zh-CN', timeZone: 'Asia/Shanghai' };
const ID = '1764489600000-0';
const AT = Date.UTC(2026, 10, 30, 8, 50);

const EXAMPLES: { readonly [C in AuditProblem['code']]: Extract<AuditProblem, { code: C }> } = {
  inserted: { code: 'inserted', id: ID },
  'legacy-mismatch': { code: 'legacy-mismatch', id: ID },
  missing: { code: 'missing', seq: 3, lastMissing: 3, nextSeq: 4, id: ID },
  repeated: { code: 'repeated', seq: 3, id: ID },
  downgraded: { code: 'downgraded', seq: 3, id: ID },
  'no-key': { code: 'no-key', seq: 3, id: ID },
  'other-key': { code: 'other-key', seq: 3, id: ID, keyId: 'a1b2c3d4', ourKeyId: 'e5f6a7b8' },
  'unknown-scheme': { code: 'unknown-scheme', seq: 3, id: ID },
  'not-following': { code: 'not-following', seq: 3, id: ID },
  'hash-mismatch': { code: 'hash-mismatch', seq: 3, id: ID, keyed: true },
  'tail-deleted': { code: 'tail-deleted', lastSeq: 1998, headSeq: 2000 },
  'head-changed': { code: 'head-changed', lastSeq: 12, headSeq: 14 },
  emptied: { code: 'emptied', headSeq: 14 },
  'witness-beyond': { code: 'witness-beyond', lastSeq: 12, witnessSeq: 14, witnessedAt: AT },
  'witness-differs': { code: 'witness-differs', witnessSeq: 14, witnessedAt: AT },
};

describe('audit problems', () => {
  it('English reads as the bot always wrote it (entry numbers never grouped, plurals, ranges, HMAC or hash)', () => {
    expect(auditProblemText({ code: 'missing', seq: 3, lastMissing: 5, nextSeq: 6, id: ID }, EN)).toBe(`entry #3–#5 is missing: the log jumps from #2 to #6 (${ID}); entries were deleted`);
    expect(auditProblemText(EXAMPLES.missing, EN)).toBe(`entry #3 is missing: the log jumps from #2 to #4 (${ID}); entries were deleted`);
    expect(auditProblemText(EXAMPLES['tail-deleted'], EN)).toBe('the log ends at #1998 but its head says #2000: the newest 2 entries were deleted');
    expect(auditProblemText({ code: 'tail-deleted', lastSeq: 1999, headSeq: 2000 }, EN)).toBe('the log ends at #1999 but its head says #2000: the newest 1 entry was deleted');
    expect(auditProblemText(EXAMPLES['hash-mismatch'], EN)).toBe(`entry #3 (${ID}) does not match its HMAC: its content was changed`);
    expect(auditProblemText({ ...EXAMPLES['hash-mismatch'], keyed: false }, EN)).toBe(`entry #3 (${ID}) does not match its hash: its content was changed`);
    expect(auditProblemText(EXAMPLES['witness-beyond'], EN)).toBe('the log ends at #12, but entry #14 was witnessed in Slack at 2026-11-30T08:50:00.000Z: the newest entries were deleted');
  });

  it('Chinese: every problem, no English apart from ids, key names and product names; the reader\'s date and zone', () => {
    for (const example of Object.values(EXAMPLES)) {
      const text = auditProblemText(example, ZH);
      expect(text, example.code).not.toBe(auditProblemText(example, EN));
      expect(englishWords(text, ['VPN_BOT_AUDIT_KEY', 'HMAC-SHA-256', 'HMAC', 'Slack', 'Redis']), `${example.code}: ${text}`).toEqual([]);
    }
    expect(auditProblemText(EXAMPLES['witness-differs'], ZH)).toContain('2026年11月30日 16:50');
    expect(auditProblemText(EXAMPLES['tail-deleted'], ZH)).toContain('#2000');
  });
});
