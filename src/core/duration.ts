// Durations as users and admins write them: a positive whole number and one unit, m|h|d|w.
const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;
const DURATION_RE = /^(\d{1,6})([mhdw])$/;

export type DurationUnit = keyof typeof UNIT_MS;

/** Milliseconds for `<n>m|h|d|w`, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  const match = DURATION_RE.exec(text.trim().toLowerCase());
  if (!match) return undefined;
  const amount = Number(match[1]);
  if (amount <= 0) return undefined;
  return amount * UNIT_MS[match[2] as DurationUnit];
}

export function looksLikeDuration(text: string): boolean {
  return DURATION_RE.test(text.trim().toLowerCase());
}

/**
 * A word that starts like a number (`-1d`, `1.5h`, `1d1h`, `8hours`, `0m`, `8`): in the duration position
 * it is a duration attempt, valid or not, and never the start of the reason.
 */
export function isDurationAttempt(text: string): boolean {
  return /^[-+]?\.?\d/.test(text.trim());
}

/** The shortest exact form: 90m → "90m", 86400000 → "1d". */
export function formatDuration(ms: number): string {
  for (const unit of ['w', 'd', 'h', 'm'] as const) {
    if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${Math.round(ms / 1000)}s`;
}
