// Finds English left in text meant for a Chinese reader. What may stay Latin: Slack markup (mentions,
// dates, channels, links), code spans, `/vpn …` commands, emoji names, URLs, ids and names the caller
// passes, and product or protocol names. Every other run of three or more Latin letters is English.
const PRODUCT_WORDS = ['VPN', 'SSL', 'OpenVPN', 'Tunnelblick', 'Connect', 'Slack', 'Alibaba', 'Cloud', 'HMAC', 'SHA', 'CSV', 'CAS', 'IDaaS',
  'RequestId', 'ClientToken', 'HTTP', 'ovpn', 'RAM', 'AccessKey', 'ModifySslVpnServer', 'Redis'];

export function englishWords(text: string, allowed: readonly string[] = []): string[] {
  let rest = text
    .replace(/`[^`]*`/g, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/https?:\/\/\S+/g, ' ')
    .replace(/:[a-z0-9_+-]+:/g, ' ')
    .replace(/\/vpn(?: [a-z-]+)*/g, ' ')
    .replace(/\{[A-Za-z0-9]+\}/g, ' ');
  for (const word of [...allowed, ...PRODUCT_WORDS].sort((a, b) => b.length - a.length)) rest = rest.split(word).join(' ');
  return rest.match(/[A-Za-z]{3,}/g) ?? [];
}

/** Every human-readable string in a Slack payload (text, titles, labels, placeholders, fields), walked recursively. */
export function slackTexts(payload: unknown): string[] {
  if (typeof payload === 'string') return [payload];
  if (Array.isArray(payload)) return payload.flatMap(slackTexts);
  if (!payload || typeof payload !== 'object') return [];
  const out: string[] = [];
  for (const [key, value] of Object.entries(payload)) {
    if (['text', 'title', 'label', 'placeholder', 'submit', 'close', 'confirm', 'deny', 'fields', 'elements', 'blocks', 'accessory', 'options', 'initial_option', 'element'].includes(key)) out.push(...slackTexts(value));
  }
  return out;
}
