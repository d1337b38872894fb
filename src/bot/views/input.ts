// How bad input to `/vpn request`, `/vpn extend` and `/vpn breakglass` is answered: what was wrong and how
// to write it (the parsers in src/core/policy.ts return typed errors).
import { formatDuration } from '../../core/duration.js';
import type { RequestInputError } from '../../core/policy.js';

export const REQUEST_USAGE = '`/vpn request [gateway] [duration] <reason…>`, e.g. `/vpn request 1d deploy the payments hotfix`';
export const EXTEND_USAGE = '`/vpn extend [gateway] [duration]`, e.g. `/vpn extend 4h`';
export const BREAKGLASS_USAGE = '`/vpn breakglass [gateway] <reason…>`, e.g. `/vpn breakglass frankfurt payments outage, INC-1234`';

/** The answer to a word in the duration position that is not a valid duration. */
export function durationError(word: string, usage: string): string {
  return `\`${word.slice(0, 20).replace(/[`<>&]/g, '')}\` is not a duration I understand: use a whole positive number and m, h, d or w (e.g. 30m, 8h, 1d, 2w). Usage: ${usage}`;
}

/** The answer to bad input of `/vpn request` (or its form) or `/vpn breakglass`. */
export function requestInputText(error: RequestInputError, command: 'request' | 'breakglass'): string {
  const usage = command === 'request' ? REQUEST_USAGE : BREAKGLASS_USAGE;
  switch (error.code) {
    case 'bad-duration': return durationError(error.word, usage);
    case 'too-long': return `Access can be granted for at most ${formatDuration(error.maxMs)}; you asked for ${formatDuration(error.askedMs)}.`;
    case 'which-gateway': return `Which gateway? Name one of: ${error.gateways.map((g) => `\`${g}\``).join(', ')}. Usage: ${usage}`;
    case 'no-reason': return command === 'request' ? `Please say why you need access. Usage: ${usage}` : `Break-glass needs a reason; it is recorded and shown to the admins. Usage: ${usage}`;
    case 'reason-too-long': return 'Please keep the reason under 500 characters.';
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
