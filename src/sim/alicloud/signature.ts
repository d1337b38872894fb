// Signature v1 (HMAC-SHA1) exactly as pop-core computes it (reference §2.1–2.3). The sim recomputes the
// signature from the decoded parameters it received, so any byte of difference is a mismatch.
import { createHmac, timingSafeEqual } from 'node:crypto';

/** RFC 3986 percent-encoding with upper-case hex: pop-core's encodeURIComponent plus !'()*. */
export function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Sorted (by UTF-16 code unit, like pop-core's Array.sort) and encoded `k=v&k=v`, Signature excluded. */
export function canonicalQuery(params: Record<string, string>): string {
  return Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k] ?? '')}`)
    .join('&');
}

export function stringToSign(method: string, params: Record<string, string>): string {
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonicalQuery(params))}`;
}

export function sign(method: string, params: Record<string, string>, accessKeySecret: string): string {
  return createHmac('sha1', `${accessKeySecret}&`).update(stringToSign(method, params), 'utf8').digest('base64');
}

/** Constant-time comparison, so the sim does not teach bad habits. */
export function signatureMatches(expected: string, received: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(received);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Decodes an `application/x-www-form-urlencoded` string (also used for the query string): `+` is a
 * space, `%XX` is a UTF-8 byte. Throws URIError on malformed escapes.
 */
export function parseFormEncoded(text: string, into: Record<string, string> = {}): Record<string, string> {
  if (!text) return into;
  for (const part of text.split('&')) {
    if (!part) continue;
    const eq = part.indexOf('=');
    const rawKey = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    into[decodeURIComponent(rawKey.replace(/\+/g, ' '))] = decodeURIComponent(rawValue.replace(/\+/g, ' '));
  }
  return into;
}
