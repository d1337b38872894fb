import { describe, expect, it } from 'vitest';
import { nextPollDelay } from '../../src/jobs/gateway-wait.js';

/** Polls a gateway whose update takes `actualMs`, as GatewayWaiter would; returns calls and lateness. */
function simulate(actualMs: number, expectedMs: number): { calls: number; lateMs: number } {
  let t = Math.max(100, expectedMs * 0.85);
  let calls = 0;
  for (;;) {
    calls++;
    if (t >= actualMs) return { calls, lateMs: t - actualMs };
    t += nextPollDelay({ elapsedMs: t, expectedMs, afterOwnChange: true, attempt: 0 });
  }
}

describe('nextPollDelay', () => {
  it('stays within 10 DescribeVpnGateway calls and ~100 ms late when the update time is known', () => {
    const r = simulate(2000, 2000);
    expect(r.calls).toBeLessThanOrEqual(10);
    expect(r.lateMs).toBeLessThanOrEqual(100);
  });

  it('keeps long updates cheap: few calls, noticed at most ~15 % late', () => {
    for (const actual of [30_000, 120_000, 600_000]) {
      const known = simulate(actual, actual);
      expect(known.calls, `known ${actual}`).toBeLessThanOrEqual(10);
      const unknown = simulate(actual, 2000);
      expect(unknown.calls, `unknown ${actual}`).toBeLessThanOrEqual(55);
      expect(unknown.lateMs / actual, `unknown ${actual}`).toBeLessThanOrEqual(0.16);
    }
  });

  it('backs off when the change is not ours', () => {
    expect(nextPollDelay({ elapsedMs: 0, expectedMs: 2000, afterOwnChange: false, attempt: 1 })).toBe(1000);
    expect(nextPollDelay({ elapsedMs: 0, expectedMs: 2000, afterOwnChange: false, attempt: 10 })).toBe(5000);
  });
});
