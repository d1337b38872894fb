// The message catalogue (src/bot/i18n): every key of every area exists in every language with the same
// placeholders, plural forms are complete, and the formatters read as each language expects.
import { describe, expect, it } from 'vitest';
import { catalogueOf, localDate, localDuration, LOCALES, messagesOf, toLocale } from '../../src/bot/i18n/index.js';
import type { Entry } from '../../src/bot/i18n/types.js';
import { englishWords } from '../helpers/language.js';

const holes = (entry: Entry): string[] => {
  const texts = typeof entry === 'string' ? [entry] : [entry.other, ...(entry.one === undefined ? [] : [entry.one])];
  const names = new Set(texts.flatMap((t) => [...t.matchAll(/\{([A-Za-z][A-Za-z0-9]*)\}/g)].map((m) => m[1]!)));
  if (typeof entry !== 'string') names.add('count');
  return [...names].sort();
};

describe('message catalogue', () => {
  const en = catalogueOf('en');

  it('has every area and key in every language, with the same placeholders', () => {
    expect(Object.keys(en).length).toBeGreaterThan(0);
    for (const locale of LOCALES) {
      const other = catalogueOf(locale);
      expect(Object.keys(other).sort(), locale).toEqual(Object.keys(en).sort());
      for (const [area, entries] of Object.entries(en)) {
        expect(Object.keys(other[area]!).sort(), `${locale} ${area}`).toEqual(Object.keys(entries).sort());
        for (const [key, entry] of Object.entries(entries)) {
          expect(holes(other[area]![key]!), `${locale} ${area}.${key}`).toEqual(holes(entry));
        }
      }
    }
  });

  it('has no English left in the Chinese catalogue apart from commands, ids and product names', () => {
    const zh = catalogueOf('zh-CN');
    const english: string[] = [];
    for (const [area, entries] of Object.entries(zh)) {
      for (const [key, entry] of Object.entries(entries)) {
        const texts = typeof entry === 'string' ? [entry] : [entry.other, entry.one ?? ''];
        for (const text of texts) if (englishWords(text).length) english.push(`${area}.${key}: ${englishWords(text).join(' ')}`);
      }
    }
    expect(english).toEqual([]);
  });

  it('fills placeholders and picks plural forms per language', () => {
    const m = messagesOf('modals');
    expect(m({ locale: 'en' }, 'duration', { max: '30d' })).toBe('Duration (max 30d)');
    expect(m({ locale: 'zh-CN' }, 'duration', { max: '30天' })).toBe('时长（最长 30天）');
  });

  it('formats durations and dates for the reader, with the time zone', () => {
    expect(localDuration({ locale: 'en' }, 8 * 3_600_000)).toBe('8h');
    expect(localDuration({ locale: 'zh-CN' }, 8 * 3_600_000)).toBe('8小时');
    expect(localDuration({ locale: 'zh-CN' }, 90 * 60_000)).toBe('90分钟');
    expect(localDuration({ locale: 'zh-CN' }, 14 * 86_400_000)).toBe('2周');
    const at = Date.UTC(2026, 10, 30, 8, 50);
    expect(localDate({ locale: 'en' }, at)).toBe('<!date^1796028600^{date_short_pretty} {time}|2026-11-30T08:50:00.000Z>');
    expect(localDate({ locale: 'zh-CN', timeZone: 'Asia/Shanghai' }, at)).toBe('2026年11月30日 16:50（中国标准时间）');
    expect(localDate({ locale: 'zh-CN' }, at)).toBe('2026年11月30日 08:50（协调世界时）');
  });

  it('maps Slack locales to catalogue languages', () => {
    expect(toLocale('zh-CN')).toBe('zh-CN');
    expect(toLocale('en-US')).toBe('en');
    expect(toLocale('ja-JP')).toBeUndefined();
    expect(toLocale(undefined)).toBeUndefined();
  });
});
