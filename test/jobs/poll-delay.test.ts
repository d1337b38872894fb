// The poll schedule after a change, as counts: how many DescribeVpnGateway calls an update of a given length
// costs, and how far behind it the poll that sees it lands (simulated time; nothing here waits).
import { describe, expect, it } from 'vitest';
import { chooseBasis, estimateUpdateTime, HISTORY, MIN_STEP_SHARE, nextPollDelay, OWN_ENOUGH, POLLS_ACROSS_RANGE, PRIOR, PRIOR_MIN_STEP, PRIOR_SCALE_FROM_MS, PRIOR_STEP_AT_30S, priorStep, type UpdateObservation, type UpdateTimeEstimate } from '../../src/jobs/gateway-wait.js';

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
    expect(one.fromMs).toBeLessThanOrEqual(21_000);
    expect(one.toMs).toBeGreaterThanOrEqual(39_000);
    const many = estimateUpdateTime(jittered(12).map((t) => ({ loMs: t - 500, hiMs: t + 500 })));
    expect(many.fromMs).toBeLessThanOrEqual(21_000);
    expect(many.toMs).toBeGreaterThanOrEqual(39_000);
    // Two that agree still cover ±20 %: two samples cannot show the spread.
    const two = estimateUpdateTime([{ loMs: 29_900, hiMs: 30_100 }, { loMs: 29_900, hiMs: 30_100 }]);
    expect(two.fromMs).toBeLessThanOrEqual(24_000);
    expect(two.toMs).toBeGreaterThanOrEqual(36_000);
  });
});

describe('nextPollDelay after our own change', () => {
  it('across a learnt range the polls crowd towards its end, never closer than MIN_STEP_SHARE of the expected time', () => {
    const estimate: UpdateTimeEstimate = { shape: 'learnt', fromMs: 21_000, toMs: 39_000 };
    const steps: number[] = [];
    for (let t = estimate.fromMs; t < estimate.toMs; t += steps.at(-1)!) steps.push(nextPollDelay({ elapsedMs: t, estimate, afterOwnChange: true, attempt: 0 }));
    expect(steps.length).toBeLessThanOrEqual(POLLS_ACROSS_RANGE);
    for (let i = 1; i < steps.length; i++) expect(steps[i]).toBeLessThanOrEqual(steps[i - 1]!);
    expect(steps[0]).toBeGreaterThan(1.5 * steps.at(-1)!);
    expect(Math.min(...steps)).toBeGreaterThanOrEqual(Math.floor(MIN_STEP_SHARE * 30_000));
  });

  it('a gateway of 30 s ± 30 %, once learnt: at most 8 polls per change on average, seen within 0.7 s in the median', () => {
    const warm = learn(scrambled(jittered(12)));
    // Measure on a different set of durations, each from the learnt history (as the next changes would).
    const estimate = estimateUpdateTime(warm.history);
    const runs = jittered(37).map((t) => simulate(t, estimate));
    expect(mean(runs.map((r) => r.calls))).toBeLessThanOrEqual(8);
    expect(Math.max(...runs.map((r) => r.calls))).toBeLessThanOrEqual(16);
    expect(medianOf(runs.map((r) => r.lateMs))).toBeLessThanOrEqual(700);
  });

  it('learns from the first changes: the first one costs the prior, the last six at most 9 polls on average', () => {
    const { calls } = learn(scrambled(jittered(12)));
    expect(calls[0]).toBeLessThanOrEqual(16);
    expect(mean(calls.slice(6))).toBeLessThanOrEqual(9);
  });

  it('nothing known at all: one look at 2 s, the next at 5 s, then steps narrowing with time; long updates stay cheap', () => {
    expect(PRIOR.fromMs).toBe(2000);
    expect(simulate(2_000, PRIOR)).toMatchObject({ calls: 1, observation: { loMs: 0, hiMs: PRIOR.fromMs } });
    expect(simulate(4_000, PRIOR)).toMatchObject({ calls: 2, observation: { loMs: 2000, hiMs: PRIOR_SCALE_FROM_MS } });
    // The calls a first change costs, and how late it is seen, by update length (the old 35 % geometric
    // scale from 5 s cost 7, 8, 13 and 21 calls for 20 s, 30 s, 2 and 10 minutes).
    const expected: [number, number, number][] = [[20_000, 5, 0.4], [30_000, 7, 0.4], [120_000, 13, 0.25], [600_000, 23, 0.25]];
    for (const [actual, calls, late] of expected) {
      const r = simulate(actual, PRIOR);
      expect(r.calls, `${actual} ms`).toBeLessThanOrEqual(calls);
      expect(r.lateMs / actual, `${actual} ms`).toBeLessThanOrEqual(late);
    }
    // Relative to the time waited the steps narrow: 30 % at 30 s, never below PRIOR_MIN_STEP.
    expect(priorStep(30_000, PRIOR.toMs) / 30_000).toBeCloseTo(PRIOR_STEP_AT_30S, 5);
    const shares = [5_000, 10_000, 30_000, 60_000, 300_000, 1_200_000].map((t) => priorStep(t, PRIOR.toMs) / t);
    for (let i = 1; i < shares.length; i++) expect(shares[i]).toBeLessThanOrEqual(shares[i - 1]!);
    expect(Math.min(...shares)).toBeGreaterThanOrEqual(PRIOR_MIN_STEP);
  });

  it('a fast gateway (the 2 s sandbox one) is learnt to within a few polls', () => {
    const { calls, late } = learn(Array.from({ length: 8 }, () => 2000));
    expect(calls[0]).toBe(1);
    expect(Math.max(...calls.slice(5))).toBeLessThanOrEqual(5);
    expect(Math.max(...late.slice(4))).toBeLessThanOrEqual(100);
  });

  it('an update slower than anything seen is still found, with few extra calls', () => {
    const estimate = estimateUpdateTime(jittered(12).map((t) => ({ loMs: t - 500, hiMs: t + 500 })));
    const r = simulate(120_000, estimate);
    expect(r.calls).toBeLessThanOrEqual(30);
    expect(r.lateMs / 120_000).toBeLessThanOrEqual(0.16);
  });
});

describe('chooseBasis: what a gateway with few updates of its own starts from', () => {
  const seen = (ms: number): UpdateObservation => ({ loMs: ms - 500, hiMs: ms + 500 });
  const peer = (gateway: string, regionId: string, ...ms: number[]) => ({ gateway, regionId, observations: ms.map(seen) });

  it('nothing known anywhere: the prior; its own few alone when no other gateway has updated', () => {
    expect(chooseBasis([], [], 'cn-hangzhou')).toEqual({ source: 'prior' });
    expect(chooseBasis([], [peer('idle', 'cn-hangzhou')], 'cn-hangzhou')).toEqual({ source: 'prior' });
    expect(chooseBasis([seen(30_000)], [], 'cn-hangzhou')).toEqual({ source: 'own', observations: [seen(30_000)] });
  });

  it('borrows its region\'s gateways before the account\'s others, the newest of each in turn, after its own few', () => {
    const peers = [peer('far', 'eu-central-1', 2_000), peer('near-a', 'cn-hangzhou', 30_000, 31_000), peer('near-b', 'cn-hangzhou', 29_000)];
    expect(chooseBasis([], peers, 'cn-hangzhou')).toEqual({ source: 'region', observations: [seen(30_000), seen(29_000), seen(31_000)] });
    expect(chooseBasis([seen(28_000)], peers, 'cn-hangzhou')).toEqual({ source: 'region', observations: [seen(28_000), seen(30_000), seen(29_000), seen(31_000)] });
    expect(chooseBasis([], peers, 'cn-qingdao')).toEqual({ source: 'account', observations: [seen(2_000), seen(30_000), seen(29_000), seen(31_000)] });
    const many = [peer('near-a', 'cn-hangzhou', ...Array.from({ length: HISTORY }, (_, i) => 20_000 + i)), peer('near-b', 'cn-hangzhou', ...Array.from({ length: HISTORY }, (_, i) => 40_000 + i))];
    const capped = chooseBasis([seen(1)], many, 'cn-hangzhou');
    expect(capped.source === 'region' && capped.observations).toHaveLength(HISTORY);
  });

  it('its own updates alone once there are OWN_ENOUGH of them', () => {
    const own = Array.from({ length: OWN_ENOUGH }, (_, i) => seen(10_000 + i));
    expect(chooseBasis(own, [peer('near', 'cn-hangzhou', 30_000)], 'cn-hangzhou')).toEqual({ source: 'own', observations: own });
  });

  it('a 30 s gateway whose first change borrows a 30 s neighbour is polled from about 20 s and seen within 1.5 s (the prior: 5 s or more)', () => {
    const borrowed = chooseBasis([], [peer('near', 'cn-hangzhou', 30_000)], 'cn-hangzhou');
    const estimate = estimateUpdateTime(borrowed.source === 'prior' ? [] : borrowed.observations);
    const [r, cold] = [simulate(33_000, estimate), simulate(33_000, PRIOR)];
    expect(estimate.fromMs).toBeGreaterThan(15_000);
    expect(r.calls).toBeLessThanOrEqual(14);
    expect(r.lateMs).toBeLessThanOrEqual(1_500);
    expect(cold.lateMs).toBeGreaterThan(5_000);
  });
});

describe('nextPollDelay otherwise', () => {
  it('backs off when the change is not ours', () => {
    expect(nextPollDelay({ elapsedMs: 0, estimate: PRIOR, afterOwnChange: false, attempt: 1 })).toBe(1000);
    expect(nextPollDelay({ elapsedMs: 0, estimate: PRIOR, afterOwnChange: false, attempt: 10 })).toBe(5000);
  });
});
