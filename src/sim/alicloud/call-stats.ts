// Counts over the simulator's call log, for tests and benchmarks that check an account-wide rate limit.
import type { SimCall } from './types.js';

/** CAS (Certificate Management Service, API 2020-06-30) calls, in arrival order. */
export const casCalls = (calls: readonly SimCall[]): SimCall[] => calls.filter((c) => c.version === '2020-06-30');

/**
 * The most calls whose arrival times fall within one rolling window of `windowMs`, both ends included (so
 * two calls exactly `windowMs` apart count as one window: the stricter reading of "any rolling second").
 */
export function busiestWindow(calls: readonly SimCall[], windowMs = 1000): { count: number; startAt: number | undefined } {
  const times = calls.map((c) => c.at).sort((a, b) => a - b);
  let best = { count: 0, startAt: undefined as number | undefined };
  let end = 0;
  for (let start = 0; start < times.length; start++) {
    while (end < times.length && times[end]! - times[start]! <= windowMs) end++;
    if (end - start > best.count) best = { count: end - start, startAt: times[start] };
  }
  return best;
}
