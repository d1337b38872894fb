// How bad input to `/vpn request`, `/vpn extend` and `/vpn breakglass` is answered: what was wrong and how
// to write it (the parsers in src/core/policy.ts return typed errors), in the reader's language.
import type { RequestInputError } from '../../core/policy.js';
import { EN, localDuration, localList, messagesOf, type Lang } from '../i18n/index.js';

const m = messagesOf('input');

export type UsageOf = 'request' | 'extend' | 'breakglass';

/** How to write the command, with an example. */
export function usage(lang: Lang, command: UsageOf): string {
  return m(lang, command === 'request' ? 'requestUsage' : command === 'extend' ? 'extendUsage' : 'breakGlassUsage');
}

/** The English usage of `/vpn request` (the help text). */
export const REQUEST_USAGE = usage(EN, 'request');

/** The answer to a word in the duration position that is not a valid duration. */
export function durationError(word: string, command: UsageOf, lang: Lang = EN): string {
  return m(lang, 'badDuration', { word: word.slice(0, 20).replace(/[`<>&]/g, ''), usage: usage(lang, command) });
}

/** The answer to bad input of `/vpn request` (or its form) or `/vpn breakglass`. */
export function requestInputText(error: RequestInputError, command: 'request' | 'breakglass', lang: Lang = EN): string {
  switch (error.code) {
    case 'bad-duration': return durationError(error.word, command, lang);
    case 'too-long': return m(lang, 'tooLong', { max: localDuration(lang, error.maxMs), asked: localDuration(lang, error.askedMs) });
    case 'which-gateway': return m(lang, 'whichGateway', { gateways: localList(lang, error.gateways.map((g) => `\`${g}\``)), usage: usage(lang, command) });
    case 'no-reason': return m(lang, command === 'request' ? 'noReason' : 'breakGlassNoReason', { usage: usage(lang, command) });
    case 'reason-too-long': return m(lang, 'reasonTooLong');
  }
}

/** The request form's field an input error belongs to. */
export function requestFormField(error: RequestInputError): 'duration' | 'gateway' | 'reason' {
  switch (error.code) {
    case 'bad-duration':
    case 'too-long': return 'duration';
    case 'which-gateway': return 'gateway';
    default: return 'reason';
  }
}
