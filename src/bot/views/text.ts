// User-supplied text in Slack: escaped so it cannot ping (<!channel>) or forge links, then cut to the
// field's limit, so Slack never rejects a message for its length (escaping can grow a text fivefold).
export const SLACK_LIMITS = {
  /** A section's text, a context element. */
  text: 3000,
  /** One of a section's fields. */
  field: 2000,
  /** A message's top-level `text` (Slack truncates beyond 40,000; keep notifications readable). */
  message: 4000,
} as const;

/** Escapes user text for mrkdwn: &, < and > only, as Slack documents. */
export function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Escapes, then cuts to `limit` characters with "…", never through an entity. */
export function fitText(text: string, limit: number): string {
  const escaped = escapeMrkdwn(text);
  if (escaped.length <= limit) return escaped;
  return `${escaped.slice(0, Math.max(0, limit - 1)).replace(/&[a-z]*$/, '')}…`;
}

/** `prefix` (our own mrkdwn) followed by user text, the whole within `limit`. */
export function withUserText(prefix: string, userText: string, limit: number): string {
  return `${prefix}${fitText(userText, Math.max(1, limit - prefix.length))}`;
}

/** A word the user typed, echoed back in a code span: no mrkdwn specials, no backticks, at most `max` characters. */
export function codeSpan(text: string, max = 40): string {
  return `\`${text.replace(/[`<>&]/g, '').slice(0, max)}\``;
}
