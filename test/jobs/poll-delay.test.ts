// The poll schedule after a change, as counts: how many DescribeVpnGateway calls an update of a given length
// costs, and how far behind it the poll that sees it lands (simulated time; nothing here waits).
import { describe, expect, it } from 'vitest';
import { estimateUpdateTime, nextPollDelay, PRIOR, type UpdateObservation, type UpdateTimeEstimate } from '../../src/jobs/gateway-wait.js';

/** Polls a gateway whose update takes `actualMs`, as GatewayWaiter does; returns the calls and the observation. */
function simulate(actualMs: number, estimate: UpdateTimeEstimate): { calls: number; lateMs: number; observation: UpdateObservation } {
  let t = estimate.fromMs;
  let calls = 0;
  let lastBusy = 0;
  for (;;) {
    calls++;
    if (t >= actualMs) return { calls, lateMs: t - actualMs, observation: { loMs: lastBusy, hiMs: t } };
    lastBusy = t;
    t += nextPollDelay({ elapsedMs: t, estimate, afterOwnChange: true, attempt: 0 });
  }
}

/** Update times spread evenly over 30 s ± 30 % (the jittered simulator gateway), deterministic. */
const jittered = (count: number) => Array.from({ length: count }, (_, i) => 21_000 + (18_000 * (i + 0.5)) / count);
/** The same values in a scrambled order, as a real gateway would deliver them. */
const scrambled = (values: number[]) => values.map((_, i) => values[(i * 7) % values.length]!);
const medianOf = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

/** Runs `changes` updates one after another on one gateway, learning as the waiter does (newest first, 12 kept). */
function learn(durations: number[]): { calls: number[]; late: number[]; history: UpdateObservation[] } {
  const history: UpdateObservation[] = [];
  const calls: number[] = [];
  const late: number[] = [];
  for (const actual of durations) {
    const r = simulate(actual, estimateUpdateTime(history));
    calls.push(r.calls);
    late.push(r.lateMs);
    history.unshift(r.observation);
    history.length = Math.min(history.length, 12);
  }
  return { calls, late, history };
}

describe('estimateUpdateTime', () => {
  it('starts a gateway never seen from the prior: seconds to half an hour, not 2 s', () => {
    expect(estimateUpdateTime([])).toEqual(PRIOR);
    expect(PRIOR.toMs).toBeGreaterThanOrEqual(10 * 60_000);
  });

  it('centres on the observed updates and covers their spread, wider while there are few', () => {
    const one = estimateUpdateTime([{ loMs: 29_000, hiMs: 31_000 }]);
    expect(one.fromMs).toBeLessThanOrEqual(15_000);
    expect(one.toMs).toBeGreaterThanOrEqual(45_000);
    const many = estimateUpdateTime(jittered(12).map((t) => ({ loMs: t - 500, hiMs: t + 500 })));
    expect(many.fromMs).toBeLessThanOrEqual(21_000);
    expect(many.toMs).toBeGreaterThanOrEqual(39_000);
    expect(many.toMs - many.fromMs).toBeLessThan(one.toMs - one.fromMs);
  });
});

describe('nextPollDelay after our own change', () => {
  it('a gateway of 30 s ± 30 %, once learnt: at most 9 polls per change on average, seen within 1 s in the median', () => {
    const warm = learn(scrambled(jittered(12)));
    // Measure on a different set of durations, each from the learnt history (as the next changes would).
    const estimate = estimateUpdateTime(warm.history);
    const runs = jittered(37).map((t) => simulate(t, estimate));
    expect(mean(runs.map((r) => r.calls))).toBeLessThanOrEqual(9);
    expect(Math.max(...runs.map((r) => r.calls))).toBeLessThanOrEqual(16);
    expect(medianOf(runs.map((r) => r.lateMs))).toBeLessThanOrEqual(1000);
  });

  it('learns from the first changes: the first one costs the prior, the last six at most 9 polls on average', () => {
    const { calls } = learn(scrambled(jittered(12)));
    expect(calls[0]).toBeLessThanOrEqual(16);
    expect(mean(calls.slice(6))).toBeLessThanOrEqual(9);
  });

  it('a gateway never seen: long updates stay cheap and are seen at most 25 % late', () => {
    for (const actual of [2_000, 30_000, 120_000, 600_000]) {
      const r = simulate(actual, PRIOR);
      expect(r.calls, `${actual} ms`).toBeLessThanOrEqual(actual <= 2_000 ? 1 : 30);
      expect(r.lateMs / actual, `${actual} ms`).toBeLessThanOrEqual(0.26);
    }
  });

  it('a fast gateway (the 2 s sandbox one) is learnt to within a few polls', () => {
    const { calls, late } = learn(Array.from({ length: 8 }, () => 2000));
    expect(calls[0]).toBe(1);
    expect(Math.max(...calls.slice(4))).toBeLessThanOrEqual(5);
    expect(Math.max(...late.slice(4))).toBeLessThanOrEqual(100);
  });

  it('an update slower than anything seen is still found, with few extra calls', () => {
    const estimate = estimateUpdateTime(jittered(12).map((t) => ({ loMs: t - 500, hiMs: t + 500 })));
    const r = simulate(120_000, estimate);
    expect(r.calls).toBeLessThanOrEqual(26);
    expect(r.lateMs / 120_000).toBeLessThanOrEqual(0.16);
  });
});

describe('nextPollDelay otherwise', () => {
  it('backs off when the change is not ours', () => {
    expect(nextPollDelay({ elapsedMs: 0, estimate: PRIOR, afterOwnChange: false, attempt: 1 })).toBe(1000);
    expect(nextPollDelay({ elapsedMs: 0, estimate: PRIOR, afterOwnChange: false, attempt: 10 })).toBe(5000);
  });
});
