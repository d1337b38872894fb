// Waits for a VPN gateway to finish applying a change (DescribeVpnGateway until `active`). Each gateway's
// update time is learnt as a distribution (its recent durations, kept in Redis for every worker); the wait
// sleeps until the update can first be expected to finish, polls across the range where it is likely to
// finish, closer together towards its end (a poll is paid only while the update still runs, and the later
// it still runs the likelier it is about to end), then backs off if it runs long. A gateway with
// few updates of its own borrows those of the account's other gateways (its region's first), also while it
// waits; only when nothing at all is known does it start from a prior of seconds to half an hour, polled by
// the same rule (priorStep).
import { setTimeout as delay } from 'node:timers/promises';
import type { RedisClient } from '../core/redis-client.js';
import type { VpcApi, VpnGateway } from '../api/types.js';
import { CloudError } from '../api/errors.js';

/** One update of ours: it finished after `loMs` (last poll still updating) and by `hiMs` (first poll active). */
export interface UpdateObservation {
  loMs: number;
  hiMs: number;
}

/** Another gateway of the account and its recent observations, newest first. */
export interface PeerHistory {
  gateway: string;
  regionId: string;
  observations: UpdateObservation[];
}

export interface UpdateTimeMemory {
  /** Recent observations, newest first. */
  recent(gateway: string): Promise<UpdateObservation[]>;
  /** The recent observations of every other gateway the bot has changed. */
  peers(gateway: string): Promise<PeerHistory[]>;
  /** Keeps one update of ours and the moment it was seen `active` again (the sighting a pre-check may trust). */
  record(gateway: string, regionId: string, observation: UpdateObservation, seenActiveAt?: number): Promise<void>;
  /** When a change of ours was last seen finished, unless one of ours started since. */
  seenActiveAt(gateway: string): Promise<number | undefined>;
  /** A change of ours is in flight: the last sighting no longer says the gateway is idle. */
  changeStarted(gateway: string): Promise<void>;
}

/**
 * What an estimate rests on: the gateway's own updates; its own few plus those of other gateways in its
 * region ('region') or, with none there, of the account's other gateways ('account'); or nothing ('prior').
 */
export type UpdateBasis = { source: 'own' | 'region' | 'account'; observations: UpdateObservation[] } | { source: 'prior' };

export interface WaitOptions {
  regionId: string;
  vpnGatewayId: string;
  gateway: string;
  /** When the change was accepted (ms); undefined for a pre-check with no change of ours in flight. */
  changedAt?: number;
  deadline: number;
  signal?: AbortSignal;
  onPoll?: (gw: VpnGateway) => void;
  /** Each estimate the wait plans from: the first, and each one learnt from other gateways during the wait. */
  onEstimate?: (basis: UpdateBasis['source'], estimate: UpdateTimeEstimate) => void;
}

/**
 * Where an update is likely to finish, in ms after the change was accepted. `learnt`: evenly likely across
 * [fromMs, toMs]. `prior` (no history): anywhere from seconds to half an hour, evenly on a log scale.
 */
export interface UpdateTimeEstimate {
  shape: 'learnt' | 'prior';
  fromMs: number;
  toMs: number;
  /** Polls that would cover a learnt range (POLLS_ACROSS_RANGE unless said). */
  polls?: number;
}

/** Observations kept per gateway: recent enough to follow a gateway that changes, enough to see its spread. */
export const HISTORY = 12;
/**
 * Polls that would cover the whole likely range of a gateway's own updates. They crowd towards its end
 * (see nextPollDelay), and an update stops the polling when seen, so a change costs about a third of them.
 */
export const POLLS_ACROSS_RANGE = 22;
/**
 * The same for a range borrowed from other gateways: wider and less sure, so fewer polls, which keeps a
 * gateway's first changes within the calls budget (bench/gateway-wait-model.ts compares the two).
 */
export const POLLS_ACROSS_BORROWED_RANGE = 18;
/** The closest two polls of a learnt range come: 3 % of the expected update time (0.9 s for 30 s, 60 ms for 2 s). */
export const MIN_STEP_SHARE = 0.03;
/**
 * Nothing known at all (no update of any gateway of the account yet): anywhere from 2 s to half an hour,
 * evenly on a log scale. One look at 2 s, what a simulated or test gateway takes (a real one costs a call
 * there), the next at PRIOR_SCALE_FROM_MS, then the same rule as a learnt range (priorStep). Only the
 * account's very first changes wait on it (every later one borrows), so it is tuned for few calls rather
 * than promptness: a 20 s update costs 5 polls, 30 s 7, 10 minutes 23.
 */
export const PRIOR: UpdateTimeEstimate = { shape: 'prior', fromMs: 2000, toMs: 30 * 60_000 };
export const PRIOR_SCALE_FROM_MS = 5000;
/** The prior's step at 30 s, as a share of the time waited (its scale); and the least share at any time. */
export const PRIOR_STEP_AT_30S = 0.3;
export const PRIOR_MIN_STEP = 0.2;
const PRIOR_SCALE = (PRIOR_STEP_AT_30S * 30_000) / Math.sqrt(30_000 * Math.log(PRIOR.toMs / 30_000));

/**
 * The prior's step after `t` ms: polls spaced in proportion to 1/√hazard, as across a learnt range, for
 * an update evenly likely on a log scale up to `toMs` (hazard 1 / (t·ln(toMs / t))). Relative to the
 * time waited the steps are wide early (a real gateway rarely takes seconds: 4.4 s at 5 s) and narrow
 * with time (30 % at 30 s), never below PRIOR_MIN_STEP of it, so a long update stays cheap.
 */
export function priorStep(t: number, toMs: number): number {
  if (t < PRIOR_SCALE_FROM_MS) return PRIOR_SCALE_FROM_MS - t;
  return Math.max(PRIOR_MIN_STEP * t, PRIOR_SCALE * Math.sqrt(t * Math.log(Math.max(Math.E, toMs / t))));
}
const MIN_POLL_MS = 100;
/** Own updates from which a gateway is judged alone; with fewer, the account's other gateways fill in. */
export const OWN_ENOUGH = 3;
/** While an estimate borrows (or is the prior), how often the wait re-reads what other gateways taught meanwhile (Redis, not the cloud). */
export const RELEARN_MS = 250;
const OUTSIDE_CHANGE_MAX_POLL_MS = 5000;

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * Chooses what to estimate from: the gateway's own updates once there are OWN_ENOUGH; before, its own few
 * followed by the newest of its region's other gateways (in turn, one of each), else of the account's
 * other gateways; nothing known at all is the prior. Gateways of one account and kind update alike far
 * more often than a 2 s-or-30-minutes prior suggests, and a gateway's own updates take over after three.
 */
export function chooseBasis(own: readonly UpdateObservation[], peers: readonly PeerHistory[], regionId: string): UpdateBasis {
  if (own.length >= OWN_ENOUGH) return { source: 'own', observations: [...own] };
  const known = peers.filter((p) => p.observations.length > 0);
  const sameRegion = known.filter((p) => p.regionId === regionId);
  const lenders = sameRegion.length > 0 ? sameRegion : known;
  if (lenders.length === 0) return own.length > 0 ? { source: 'own', observations: [...own] } : { source: 'prior' };
  const borrowed: UpdateObservation[] = [];
  for (let i = 0; borrowed.length < HISTORY - own.length && lenders.some((p) => i < p.observations.length); i++) {
    for (const p of lenders) if (i < p.observations.length && borrowed.length < HISTORY - own.length) borrowed.push(p.observations[i]!);
  }
  return { source: sameRegion.length > 0 ? 'region' : 'account', observations: [...own, ...borrowed] };
}

export const estimateFor = (basis: UpdateBasis): UpdateTimeEstimate => {
  if (basis.source === 'prior') return PRIOR;
  const estimate = estimateUpdateTime(basis.observations);
  return basis.source === 'own' ? estimate : { ...estimate, polls: POLLS_ACROSS_BORROWED_RANGE };
};

/**
 * The likely range from recent observations: from the shortest to the longest, widened for few of them (n
 * samples see about (n-1)/(n+1) of the true range; one or two cannot show the spread, so at least ±30 % /
 * ±20 % of their median, later ±10 %), plus how precisely they were seen. An update outside the range is
 * still found (the steps past it grow), so the floors favour a tight range: wider ones cost every change
 * calls or promptness (bench/gateway-wait.ts, docs/BENCHMARKS.md).
 */
export function estimateUpdateTime(observations: readonly UpdateObservation[]): UpdateTimeEstimate {
  if (observations.length === 0) return PRIOR;
  const halfWidth = (o: UpdateObservation) => (o.hiMs - o.loMs) / 2;
  const precision = median(observations.map(halfWidth));
  // An update seen only roughly (the prior's first change, a surprise) says little about the ends of the range.
  const precise = observations.filter((o) => halfWidth(o) <= 2 * precision);
  const n = precise.length;
  const mids = precise.map((o) => (o.loMs + o.hiMs) / 2);
  const low = Math.min(...mids);
  const high = Math.max(...mids);
  const center = median(mids);
  // n samples of a spread fall short of each end by about range / (n - 1); half of that is added, as the
  // polls crowd towards the end of the range and an update past it is still found by the growing steps.
  const beyond = n >= 2 ? (high - low) / (n - 1) / 2 : 0;
  const floor = (n === 1 ? 0.3 : n === 2 ? 0.2 : 0.1) * center;
  const from = Math.min(low - beyond, center - floor) - precision;
  const to = Math.max(high + beyond, center + floor) + precision;
  return { shape: 'learnt', fromMs: Math.max(MIN_POLL_MS, Math.round(from)), toMs: Math.round(to) };
}

/**
 * How long to wait before the next DescribeVpnGateway. After our own change: nothing before the range
 * starts; across it, steps that shrink towards its end (the prior's: priorStep); past it, steps growing to 15 % of the time already waited (a long update costs few calls and is
 * seen at most ~15 % late). Otherwise (a change made outside the bot, or the API failing): a plain backoff.
 *
 * Why the steps shrink: for an update evenly likely anywhere in [from, to], the chance that it ends in the
 * next moment, given it has not yet, grows as `to` approaches, and a poll costs a call only while the
 * update still runs. Polls spaced in proportion to sqrt(to - t) (density ~ the square root of that
 * chance) minimise calls plus lateness: for the same calls an update is seen sooner than with even steps.
 */
export function nextPollDelay(input: { elapsedMs: number; estimate: UpdateTimeEstimate; afterOwnChange: boolean; attempt: number }): number {
  const { elapsedMs, estimate, afterOwnChange, attempt } = input;
  if (!afterOwnChange) return Math.min(OUTSIDE_CHANGE_MAX_POLL_MS, 1000 * 1.5 ** Math.max(0, attempt - 1));
  if (elapsedMs < estimate.fromMs) return Math.max(MIN_POLL_MS, estimate.fromMs - elapsedMs);
  const width = estimate.toMs - estimate.fromMs;
  const minStep = MIN_STEP_SHARE * ((estimate.fromMs + estimate.toMs) / 2);
  const polls = estimate.polls ?? POLLS_ACROSS_RANGE;
  const evenStep = Math.max(minStep, width / polls);
  if (elapsedMs < estimate.toMs) {
    const step = estimate.shape === 'prior' ? priorStep(elapsedMs, estimate.toMs) : Math.max(minStep, (2 * Math.sqrt(width * (estimate.toMs - elapsedMs))) / polls);
    return Math.round(Math.min(60_000, Math.max(MIN_POLL_MS, step)));
  }
  // Past the range: the steps grow from an even step of the range (just past it the update is still
  // likely) up to 15 % of the time already waited.
  const step = estimate.shape === 'prior' ? elapsedMs * PRIOR_MIN_STEP : evenStep;
  const overdue = step + (elapsedMs - estimate.toMs) * 0.5;
  return Math.round(Math.min(60_000, Math.max(MIN_POLL_MS, Math.min(overdue, elapsedMs * 0.15))));
}

export class GatewayTimeoutError extends Error {}

/** Node's own timer: it removes its abort listener when it fires (a long wait sleeps many times on one signal). */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> => delay(ms, undefined, signal ? { signal } : undefined);

/**
 * How long the bot trusts its own sighting of a gateway finishing a change of ours, for the pre-check of
 * the next change (every change goes through the gateway's lane, one at a time, so none of ours can have
 * started since). Only a change made outside the bot, in the console say, can make it wrong; the create
 * is then refused with VpnGateway.Configuring, and that retry waits with real polls: one refused call
 * instead of a DescribeVpnGateway before every change.
 */
export const TRUST_SIGHTING_MS = 10 * 60_000;

/** Whether a pre-check must ask the gateway, given when a change of ours was last seen finished on it. */
export const precheckNeeded = (seenActiveAt: number | undefined, now: number): boolean =>
  seenActiveAt === undefined || now - seenActiveAt > TRUST_SIGHTING_MS;

export class GatewayWaiter {
  constructor(private readonly vpc: VpcApi, private readonly memory: UpdateTimeMemory) {}

  /**
   * Before a change: resolves once the gateway can take it. A recent sighting of our own last change
   * finishing (any process's, in Redis) stands for the gateway; otherwise it is asked (untilActive).
   */
  async beforeChange(options: Omit<WaitOptions, 'changedAt' | 'onEstimate'>): Promise<void> {
    if (!precheckNeeded(await this.memory.seenActiveAt(options.gateway), Date.now())) return;
    await this.untilActive(options);
  }

  /** Resolves with the gateway once it reports `active`; rethrows permanent errors; throws GatewayTimeoutError past the deadline. */
  async untilActive(options: WaitOptions): Promise<VpnGateway> {
    const own = options.changedAt !== undefined;
    if (own) await this.memory.changeStarted(options.gateway);
    let { basis, settled } = own ? await this.basisFor(options.gateway, options.regionId) : { basis: { source: 'prior' } as UpdateBasis, settled: true };
    let estimate = estimateFor(basis);
    if (own) options.onEstimate?.(basis.source, estimate);
    const start = options.changedAt ?? Date.now();
    let polls = 0;
    let failures = 0;
    /** Elapsed time of the last poll that saw our update still running. */
    let lastBusyMs = 0;
    /** Elapsed time of the last poll that answered (undefined before), from which a new estimate re-plans. */
    let lastPollMs: number | undefined;
    // Nothing before the update can first be expected to finish; the gateway will not be back before then.
    let dueAt = Math.min(options.deadline, own ? start + estimate.fromMs : Date.now());
    for (;;) {
      while (Date.now() < dueAt) {
        const left = dueAt - Date.now();
        await sleep(settled ? left : Math.min(left, RELEARN_MS), options.signal);
        if (settled || Date.now() >= dueAt) continue;
        // Borrowing (or nothing known): another gateway that finished meanwhile teaches this wait at once.
        const next = await this.basisFor(options.gateway, options.regionId);
        if (JSON.stringify(next.basis) === JSON.stringify(basis)) continue;
        ({ basis, settled } = next);
        estimate = estimateFor(basis);
        options.onEstimate?.(basis.source, estimate);
        if (lastPollMs === undefined && polls > 0) continue; // the API is failing: its backoff stands
        const plannedMs = lastPollMs === undefined ? estimate.fromMs : lastPollMs + nextPollDelay({ elapsedMs: lastPollMs, estimate, afterOwnChange: true, attempt: 0 });
        dueAt = Math.min(options.deadline, Math.max(Date.now(), start + plannedMs));
      }
      polls++;
      let gw: VpnGateway | undefined;
      try {
        gw = await this.vpc.describeVpnGateway(options.regionId, options.vpnGatewayId);
        options.onPoll?.(gw);
      } catch (err) {
        if (!(err instanceof CloudError) || (err.kind !== 'transient' && err.kind !== 'ambiguous')) throw err;
        failures++;
      }
      const elapsed = Date.now() - start;
      if (gw?.status === 'active') {
        if (own) await this.memory.record(options.gateway, options.regionId, { loMs: lastBusyMs, hiMs: elapsed }, Date.now());
        return gw;
      }
      if (gw) lastBusyMs = elapsed;
      lastPollMs = gw ? elapsed : undefined;
      const now = Date.now();
      if (now >= options.deadline) throw new GatewayTimeoutError(`gateway ${options.gateway} did not return to active in time (last status: ${gw?.status ?? 'unknown'})`);
      const wait = nextPollDelay({
        elapsedMs: now - start,
        estimate,
        afterOwnChange: own && gw !== undefined,
        attempt: own ? failures : polls,
      });
      dueAt = Math.min(now + wait, options.deadline);
    }
  }

  /** What a wait on this gateway rests on now; `settled` once its own updates suffice (nothing to re-read). */
  async basisFor(gateway: string, regionId: string): Promise<{ basis: UpdateBasis; settled: boolean }> {
    const own = await this.memory.recent(gateway);
    if (own.length >= OWN_ENOUGH) return { basis: { source: 'own', observations: own }, settled: true };
    return { basis: chooseBasis(own, await this.memory.peers(gateway), regionId), settled: false };
  }
}

/**
 * Each gateway's recent update observations, a capped list in Redis, so every worker learns from every
 * change; plus each gateway's region, so a gateway with few updates can borrow its neighbours'.
 */
export class RedisUpdateTimeMemory implements UpdateTimeMemory {
  constructor(private readonly redis: RedisClient, private readonly prefix = '{vpnbot}') {}
  private key(gateway: string) { return `${this.prefix}:gw:${gateway}:updates`; }
  private sightingKey(gateway: string) { return `${this.prefix}:gw:${gateway}:active-at`; }
  private get regionsKey() { return `${this.prefix}:gw:regions`; }
  async recent(gateway: string): Promise<UpdateObservation[]> {
    return parseObservations(await this.redis.lrange(this.key(gateway), 0, HISTORY - 1));
  }
  async peers(gateway: string): Promise<PeerHistory[]> {
    const regions = Object.entries(await this.redis.hgetall(this.regionsKey)).filter(([name]) => name !== gateway);
    if (regions.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const [name] of regions) pipeline.lrange(this.key(name), 0, HISTORY - 1);
    const lists = (await pipeline.exec()) ?? [];
    return regions.map(([name, regionId], i) => ({ gateway: name, regionId, observations: parseObservations((lists[i]?.[1] ?? []) as string[]) }));
  }
  async record(gateway: string, regionId: string, o: UpdateObservation, seenActiveAt?: number): Promise<void> {
    const tx = this.redis.multi().lpush(this.key(gateway), `${Math.round(o.loMs)},${Math.round(o.hiMs)}`).ltrim(this.key(gateway), 0, HISTORY - 1)
      .hset(this.regionsKey, gateway, regionId);
    if (seenActiveAt !== undefined) tx.set(this.sightingKey(gateway), String(seenActiveAt), 'PX', TRUST_SIGHTING_MS);
    await tx.exec();
  }
  async seenActiveAt(gateway: string): Promise<number | undefined> {
    const at = Number(await this.redis.get(this.sightingKey(gateway)));
    return at > 0 ? at : undefined;
  }
  async changeStarted(gateway: string): Promise<void> {
    await this.redis.del(this.sightingKey(gateway));
  }
}

const parseObservations = (raw: readonly string[]): UpdateObservation[] => raw.map((entry) => entry.split(',').map(Number))
  .filter(([lo, hi]) => Number.isFinite(lo) && Number.isFinite(hi) && hi! >= lo!)
  .map(([loMs, hiMs]) => ({ loMs: loMs!, hiMs: hiMs! }));
