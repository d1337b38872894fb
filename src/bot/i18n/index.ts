// Messages in the reader's language. Views call `messagesOf(area)` for a typed lookup into the catalogue
// (./en, ./zh-CN), and the formatters below for numbers, dates and durations. A DM, an ephemeral reply, a
// modal or the App Home is in the recipient's Slack locale (users.info, see ../directory.ts); channel
// messages are in `slack.locale`.
import { SLACK_LOCALES } from '../../config/schema.js';
import { formatDuration } from '../../core/duration.js';
import { en, type Catalogue } from './en/index.js';
import type { Area, Entry, ParamArgs, Plural } from './types.js';
import { zhCN } from './zh-CN/index.js';

export const LOCALES = SLACK_LOCALES;
export type Locale = (typeof LOCALES)[number];

/** Who reads a message: their language, and (for a person) their time zone from Slack. */
export interface Lang {
  readonly locale: Locale;
  /** An IANA zone (users.info `tz`); dates in other languages than English are shown in it, else in UTC. */
  readonly timeZone?: string | undefined;
}

export const EN: Lang = { locale: 'en' };

/** The language a person reads (directory.ts: their Slack locale, else slack.locale). */
export type LangOf = (userId: string) => Promise<Lang>;

const CATALOGUES: Readonly<Record<Locale, { readonly [A in keyof Catalogue]: Readonly<Record<string, Entry>> }>> = { en, 'zh-CN': zhCN };

/** Our language for a Slack locale (`zh-CN`, `en-US`, `zh-Hans`…), or undefined when we have none for it. */
export function toLocale(slackLocale: string | undefined): Locale | undefined {
  if (!slackLocale) return undefined;
  const lower = slackLocale.toLowerCase().replace('_', '-');
  if (lower === 'zh-cn' || lower === 'zh-hans' || lower === 'zh-sg' || lower === 'zh') return 'zh-CN';
  if (lower === 'en' || lower.startsWith('en-')) return 'en';
  return undefined;
}

const cache = new Map<string, Intl.NumberFormat | Intl.PluralRules | Intl.DateTimeFormat>();
function intl<T extends Intl.NumberFormat | Intl.PluralRules | Intl.DateTimeFormat>(key: string, make: () => T): T {
  let hit = cache.get(key) as T | undefined;
  if (!hit) {
    hit = make();
    cache.set(key, hit);
  }
  return hit;
}

/** A count for the reader (grouping per locale). Identifiers such as ports are passed as text instead. */
export function localNumber(lang: Lang, n: number): string {
  return intl(`n:${lang.locale}`, () => new Intl.NumberFormat(lang.locale)).format(n);
}

function fill(lang: Lang, template: string, params: Readonly<Record<string, unknown>>): string {
  return template.replace(/\{([A-Za-z][A-Za-z0-9]*)\}/g, (whole, name: string) => {
    const value = params[name];
    if (value === undefined) return whole;
    return typeof value === 'number' ? localNumber(lang, value) : String(value);
  });
}

function pick(lang: Lang, entry: Plural, count: number): string {
  const rule = intl(`p:${lang.locale}`, () => new Intl.PluralRules(lang.locale)).select(count);
  return rule === 'one' && entry.one !== undefined ? entry.one : entry.other;
}

/** The text of one entry with its placeholders filled. */
export function render(lang: Lang, entry: Entry, params: Readonly<Record<string, unknown>> = {}): string {
  const template = typeof entry === 'string' ? entry : pick(lang, entry, Number(params.count));
  return fill(lang, template, params);
}

/**
 * The typed lookup for one area: `const m = messagesOf('modals'); m(lang, 'title')`. A key's parameters
 * are its placeholders; a key missing from a translation falls back to English (the compiler forbids it).
 */
export function messagesOf<A extends keyof Catalogue>(area: A) {
  return <K extends keyof Catalogue[A] & string>(lang: Lang, key: K, ...params: ParamArgs<Catalogue[A][K]>): string => {
    const entry = (CATALOGUES[lang.locale][area] as Area)[key] ?? (en[area] as Area)[key]!;
    return render(lang, entry, params[0] as Readonly<Record<string, unknown>> | undefined);
  };
}

/** Every area, key and entry of a language (for the catalogue test). */
export function catalogueOf(locale: Locale): Readonly<Record<string, Readonly<Record<string, Entry>>>> {
  return CATALOGUES[locale];
}

const UNITS = [['w', 604_800_000, 'week'], ['d', 86_400_000, 'day'], ['h', 3_600_000, 'hour'], ['m', 60_000, 'minute']] as const;

/** A duration in its shortest exact unit: English keeps the `/vpn` syntax (8h, 1d), other languages Intl's units. */
export function localDuration(lang: Lang, ms: number): string {
  if (lang.locale === 'en') return formatDuration(ms);
  for (const [, size, unit] of UNITS) {
    if (ms % size === 0) return intl(`u:${lang.locale}:${unit}`, () => new Intl.NumberFormat(lang.locale, { style: 'unit', unit, unitDisplay: 'long' })).format(ms / size);
  }
  return intl(`u:${lang.locale}:second`, () => new Intl.NumberFormat(lang.locale, { style: 'unit', unit: 'second', unitDisplay: 'long' })).format(Math.round(ms / 1000));
}

/** Slack's date token: each reader's client shows it in their own time zone; the fallback is UTC. */
export function slackDate(ms: number | undefined): string {
  if (!ms) return 'unknown';
  return `<!date^${Math.floor(ms / 1000)}^{date_short_pretty} {time}|${new Date(ms).toISOString()}>`;
}

/**
 * A point in time. English keeps Slack's date token (shown in the reader's zone by their client); other
 * languages get Intl's date and time in the reader's zone with the zone's name, e.g.
 * "2026年11月30日 16:50（中国标准时间）".
 */
export function localDate(lang: Lang, ms: number | undefined): string {
  if (lang.locale === 'en') return slackDate(ms);
  if (!ms) return messagesOf('common')(lang, 'unknownDate');
  const timeZone = lang.timeZone ?? 'UTC';
  const day = intl(`d:${lang.locale}:${timeZone}`, () => new Intl.DateTimeFormat(lang.locale, { dateStyle: 'long', timeZone }));
  const clock = intl(`t:${lang.locale}:${timeZone}`, () => new Intl.DateTimeFormat(lang.locale, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone, timeZoneName: 'long' }));
  const parts = clock.formatToParts(ms);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((p) => p.type === type)?.value ?? '';
  const date = day.format(ms);
  const time = `${part('hour')}:${part('minute')}`;
  const zone = part('timeZoneName') || timeZone;
  return messagesOf('common')(lang, 'dateTime', { date, time, zone });
}

/** Items joined for the reader: "a, b" in English (as the bot always wrote), "a、b" in Chinese. */
export function localList(lang: Lang, items: readonly string[]): string {
  return items.join(messagesOf('common')(lang, 'listSeparator'));
}
