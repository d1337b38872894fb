// A model of the black-box check of issue #9, in simulated time (nothing waits): 3 gateways whose updates
// take 30 s ± 30 % (uniform), 6 approvals, fresh memory, run many times with different random update times.
// It drives the real estimate and schedule (chooseBasis, estimateFor, nextPollDelay, the pre-check rule) as
// GatewayWaiter does, so a change to them shows here in seconds what bench/gateway-wait.ts measures in
// minutes, and over thousands of runs instead of a handful.
// MODEL_DELIVERY_MS (default 200) is the time from the poll that sees `active` to the profile in Slack;
// MODEL_DEBUG=1 prints each run's changes as calls:active→DM ms.
//   npx tsx bench/gateway-wait-model.ts [runs=2000]
import { pathToFileURL } from 'node:url';
import {
  chooseBasis, estimateFor, HISTORY, nextPollDelay, OWN_ENOUGH, precheckNeeded, RELEARN_MS, type PeerHistory, type UpdateBasis, type UpdateObservation,
} from '../src/jobs/gateway-wait.js';

/** From a poll seeing `active` to the profile landing in Slack (DescribeSslVpnClientCert, the upload, bookkeeping). */
const DELIVERY_MS = Number(process.env.MODEL_DELIVERY_MS ?? 200);
/** One API call's round trip. */
const CALL_MS = 15;
const GATEWAYS = ['hangzhou', 'frankfurt', 'qingdao'];

/** A small deterministic generator, so a run can be repeated (mulberry32). */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Memory { own: Map<string, UpdateObservation[]>; lastActiveAt: Map<string, number> }

const peersOf = (memory: Memory, gateway: string): PeerHistory[] =>
  [...memory.own.entries()].filter(([g]) => g !== gateway).map(([g, observations]) => ({ gateway: g, regionId: 'cn-hangzhou', observations }));
const basisOf = (memory: Memory, gateway: string): { basis: UpdateBasis; settled: boolean } => {
  const own = memory.own.get(gateway) ?? [];
  return own.length >= OWN_ENOUGH ? { basis: { source: 'own', observations: own }, settled: true } : { basis: chooseBasis(own, peersOf(memory, gateway), 'cn-hangzhou'), settled: false };
};

/**
 * One change on a lane, from the job's start at `t0`: the pre-check, the create, the wait and the delivery.
 * A generator that yields the simulated times it sleeps until, so several lanes interleave as in the product.
 */
function* change(memory: Memory, gateway: string, updateMs: number, t0: number, result: { describes: number; activeToDm: number; doneAt: number }): Generator<number, void, number> {
  let now = t0;
  if (precheckNeeded(memory.lastActiveAt.get(gateway), now)) {
    result.describes++;
    now = yield now + CALL_MS;
  }
  now = yield now + CALL_MS; // the create
  const start = now;
  const activeAt = start + updateMs;
  let { basis, settled } = basisOf(memory, gateway);
  let estimate = estimateFor(basis);
  let lastBusy = 0;
  let lastPoll: number | undefined;
  let dueAt = start + estimate.fromMs;
  for (;;) {
    while (now < dueAt) {
      now = yield settled ? dueAt : Math.min(dueAt, now + RELEARN_MS);
      if (settled || now >= dueAt) continue;
      const next = basisOf(memory, gateway);
      if (JSON.stringify(next.basis) === JSON.stringify(basis)) continue;
      ({ basis, settled } = next);
      estimate = estimateFor(basis);
      const planned = lastPoll === undefined ? estimate.fromMs : lastPoll + nextPollDelay({ elapsedMs: lastPoll, estimate, afterOwnChange: true, attempt: 0 });
      dueAt = Math.max(now, start + planned);
    }
    result.describes++;
    now = yield now + CALL_MS;
    const elapsed = now - start;
    if (now >= activeAt) {
      const list = memory.own.get(gateway) ?? [];
      list.unshift({ loMs: lastBusy, hiMs: elapsed });
      list.length = Math.min(list.length, HISTORY);
      memory.own.set(gateway, list);
      memory.lastActiveAt.set(gateway, now);
      result.activeToDm = now + DELIVERY_MS - activeAt;
      result.doneAt = now + DELIVERY_MS;
      return;
    }
    lastBusy = elapsed;
    lastPoll = elapsed;
    dueAt = now + nextPollDelay({ elapsedMs: elapsed, estimate, afterOwnChange: true, attempt: 0 });
  }
}

type Scenario = 'at-once' | 'one-by-one' | 'learn';

/**
 * One run: 6 approvals, 2 per gateway (at-once, one-by-one: the black-box check), or 8 per gateway at once
 * measured after the first 3 of each (learn); returns the median active → DM and the describes per change.
 */
export function runOnce(scenario: Scenario, random: () => number): { medianMs: number; describesPerChange: number } {
  const memory: Memory = { own: new Map(), lastActiveAt: new Map() };
  const results: { describes: number; activeToDm: number; doneAt: number }[] = [];
  const update = () => 21_000 + random() * 18_000;
  if (scenario === 'one-by-one') {
    let t = 0;
    for (let i = 0; i < 6; i++) {
      const r = { describes: 0, activeToDm: 0, doneAt: 0 };
      const gen = change(memory, GATEWAYS[i % 3]!, update(), t, r);
      for (let step = gen.next(t); !step.done; step = gen.next(step.value));
      results.push(r);
      t = r.doneAt + 500; // the next click
    }
  } else {
    // Three lanes at once, each two changes back to back; the earliest pending wake-up runs first.
    const perGateway = scenario === 'learn' ? 8 : 2;
    const lanes = GATEWAYS.map((gateway) => ({ gateway, left: perGateway, gen: undefined as Generator<number, void, number> | undefined, r: undefined as { describes: number; activeToDm: number; doneAt: number } | undefined, wake: 0 }));
    for (;;) {
      const live = lanes.filter((l) => l.gen || l.left > 0);
      if (live.length === 0) break;
      const lane = live.reduce((a, b) => (b.wake < a.wake ? b : a));
      if (!lane.gen) {
        lane.r = { describes: 0, activeToDm: 0, doneAt: 0 };
        lane.gen = change(memory, lane.gateway, update(), lane.wake, lane.r);
        lane.left--;
      }
      const step = lane.gen.next(lane.wake);
      if (step.done) {
        if (scenario !== 'learn' || lane.left < perGateway - 3) results.push(lane.r!);
        lane.wake = lane.r!.doneAt;
        lane.gen = undefined;
      } else lane.wake = step.value;
    }
  }
  const delays = results.map((r) => r.activeToDm).sort((a, b) => a - b);
  if (process.env.MODEL_DEBUG) process.stdout.write(`${results.map((r) => `${r.describes}:${Math.round(r.activeToDm)}`).join(' ')}\n`);
  const mid = delays.length / 2;
  return { medianMs: delays.length % 2 ? delays[Math.floor(mid)]! : (delays[mid - 1]! + delays[mid]!) / 2, describesPerChange: results.reduce((n, r) => n + r.describes, 0) / results.length };
}

export function model(runs: number, seed = 1) {
  const random = rng(seed);
  return (['at-once', 'one-by-one', 'learn'] as const).map((scenario) => {
    const all = Array.from({ length: runs }, () => runOnce(scenario, random));
    const share = (pass: (r: { medianMs: number; describesPerChange: number }) => boolean) => Math.round((all.filter(pass).length / runs) * 1000) / 10;
    const sorted = (v: number[]) => v.sort((a, b) => a - b);
    const calls = sorted(all.map((r) => r.describesPerChange));
    const medians = sorted(all.map((r) => r.medianMs));
    return {
      scenario, runs,
      describesPerChange: { mean: Math.round((calls.reduce((a, b) => a + b, 0) / runs) * 100) / 100, p90: calls[Math.floor(runs * 0.9)]!, max: calls[runs - 1]! },
      medianActiveToDmMs: { p50: Math.round(medians[Math.floor(runs / 2)]!), p90: Math.round(medians[Math.floor(runs * 0.9)]!) },
      passCallsPct: share((r) => r.describesPerChange <= 10),
      passMedianPct: share((r) => r.medianMs <= 1000),
      passBothPct: share((r) => r.describesPerChange <= 10 && r.medianMs <= 1000),
    };
  });
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  for (const row of model(Number(process.argv[2] ?? 2000))) process.stdout.write(`${JSON.stringify(row)}\n`);
}
