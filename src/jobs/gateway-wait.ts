// Waits for a VPN gateway to finish applying a change (DescribeVpnGateway until `active`). Each gateway's
// update time is learnt as a distribution (its recent durations, kept in Redis for every worker); the wait
// sleeps until the update can first be expected to finish, polls evenly across the range where it is likely
// to finish (so most polls land where the probability is), then backs off if it runs long. A gateway never
// seen starts from a prior of seconds to half an hour, polled on a geometric scale.
import { setTimeout as delay } from 'node:timers/promises';
import type { RedisClient } from '../core/redis-client.js';
import type { VpcApi, VpnGateway } from '../api/types.js';
import { CloudError } from '../api/errors.js';

/** One update of ours: it finished after `loMs` (last poll still updating) and by `hiMs` (first poll active). */
export interface UpdateObservation {
  loMs: number;
  hiMs: number;
}

export interface UpdateTimeMemory {
  /** Recent observations, newest first. */
  recent(gateway: string): Promise<UpdateObservation[]>;
  record(gateway: string, observation: UpdateObservation): Promise<void>;
}

export interface WaitOptions {
  regionId: string;
  vpnGatewayId: string;
  gateway: string;
  /** When the change was accepted (ms); undefined for a pre-check with no change of ours in flight. */
  changedAt?: number;
  deadline: number;
  signal?: AbortSignal;
  onPoll?: (gw: VpnGateway) => void;
}

/**
 * Where an update is likely to finish, in ms after the change was accepted. `learnt`: evenly likely across
 * [fromMs, toMs]. `prior` (no history): anywhere from seconds to half an hour, evenly on a log scale.
 */
export interface UpdateTimeEstimate {
  shape: 'learnt' | 'prior';
  fromMs: number;
  toMs: number;
}

/** Observations kept per gateway: recent enough to follow a gateway that changes, enough to see its spread. */
export const HISTORY = 12;
/** Polls across the likely range. An update stops the polling when seen, so it costs about half of them. */
export const POLLS_ACROSS_RANGE = 14;
export const PRIOR: UpdateTimeEstimate = { shape: 'prior', fromMs: 2000, toMs: 30 * 60_000 };
/** Geometric step of the prior's polls: an update is seen at most 25 % late. */
const PRIOR_STEP = 0.25;
const MIN_POLL_MS = 100;
const OUTSIDE_CHANGE_MAX_POLL_MS = 5000;

const median = (values: readonly number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/**
 * The likely range from recent observations: from the shortest to the longest, widened for few of them (n
 * samples see about (n-1)/(n+1) of the true range; one or two cannot show the spread, so at least ±50 % /
 * ±30 % of their median, later ±10 %), plus how precisely they were seen.
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
  // n samples of a spread fall short of each end by about range / (n - 1).
  const beyond = n >= 2 ? (high - low) / (n - 1) : 0;
  const floor = (n === 1 ? 0.5 : n === 2 ? 0.3 : 0.1) * center;
  const from = Math.min(low - beyond, center - floor) - precision;
  const to = Math.max(high + beyond, center + floor) + precision;
  return { shape: 'learnt', fromMs: Math.max(MIN_POLL_MS, Math.round(from)), toMs: Math.round(to) };
}

/**
 * How long to wait before the next DescribeVpnGateway. After our own change: nothing before the range
 * starts, even steps across it (POLLS_ACROSS_RANGE of them; a prior's range on a log scale), then steps of
 * 15 % of the time already waited (a long update costs few calls and is seen at most ~15 % late).
 * Otherwise (a change made outside the bot, or the API failing): a plain backoff.
 */
export function nextPollDelay(input: { elapsedMs: number; estimate: UpdateTimeEstimate; afterOwnChange: boolean; attempt: number }): number {
  const { elapsedMs, estimate, afterOwnChange, attempt } = input;
  if (!afterOwnChange) return Math.min(OUTSIDE_CHANGE_MAX_POLL_MS, 1000 * 1.5 ** Math.max(0, attempt - 1));
  if (elapsedMs < estimate.fromMs) return Math.max(MIN_POLL_MS, estimate.fromMs - elapsedMs);
  const step = estimate.shape === 'prior' ? elapsedMs * PRIOR_STEP : (estimate.toMs - estimate.fromMs) / POLLS_ACROSS_RANGE;
  if (elapsedMs < estimate.toMs) return Math.round(Math.min(60_000, Math.max(MIN_POLL_MS, step)));
  // Past the range: the steps grow from the range's step (just past it the update is still likely) up to
  // 15 % of the time already waited.
  const overdue = step + (elapsedMs - estimate.toMs) * 0.5;
  return Math.round(Math.min(60_000, Math.max(MIN_POLL_MS, Math.min(overdue, elapsedMs * 0.15))));
}

export class GatewayTimeoutError extends Error {}

/** Node's own timer: it removes its abort listener when it fires (a long wait sleeps many times on one signal). */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> => delay(ms, undefined, signal ? { signal } : undefined);

/**
 * A gateway this process just saw finish its own change is still `active` for the pre-check of the next
 * change on its lane (the lane runs one change at a time). Used once, and only for a few seconds: a change
 * made meanwhile outside the bot is refused with VpnGateway.Configuring, whose retry waits with real polls.
 */
const JUST_SEEN_MS = 5000;

export class GatewayWaiter {
  private readonly justActive = new Map<string, { at: number; gw: VpnGateway }>();

  constructor(private readonly vpc: VpcApi, private readonly memory: UpdateTimeMemory) {}

  /** Resolves with the gateway once it reports `active`; rethrows permanent errors; throws GatewayTimeoutError past the deadline. */
  async untilActive(options: WaitOptions): Promise<VpnGateway> {
    const own = options.changedAt !== undefined;
    const seen = this.justActive.get(options.vpnGatewayId);
    this.justActive.delete(options.vpnGatewayId);
    if (!own && seen && Date.now() - seen.at <= JUST_SEEN_MS) return seen.gw;
    const estimate = own ? estimateUpdateTime(await this.memory.recent(options.gateway)) : PRIOR;
    const start = options.changedAt ?? Date.now();
    // Sleep until the update can first be expected to finish; the gateway will not be back before then.
    if (own) await sleep(Math.max(0, start + estimate.fromMs - Date.now()), options.signal);
    let polls = 0;
    let failures = 0;
    /** Elapsed time of the last poll that saw our update still running. */
    let lastBusyMs = 0;
    for (;;) {
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
        if (own) {
          await this.memory.record(options.gateway, { loMs: lastBusyMs, hiMs: elapsed });
          this.justActive.set(options.vpnGatewayId, { at: Date.now(), gw });
        }
        return gw;
      }
      if (gw) lastBusyMs = elapsed;
      const now = Date.now();
      if (now >= options.deadline) throw new GatewayTimeoutError(`gateway ${options.gateway} did not return to active in time (last status: ${gw?.status ?? 'unknown'})`);
      const wait = nextPollDelay({
        elapsedMs: now - start,
        estimate,
        afterOwnChange: own && gw !== undefined,
        attempt: own ? failures : polls,
      });
      await sleep(Math.min(wait, Math.max(0, options.deadline - now)), options.signal);
    }
  }
}

/** Each gateway's recent update observations, a capped list in Redis, so every worker learns from every change. */
export class RedisUpdateTimeMemory implements UpdateTimeMemory {
  constructor(private readonly redis: RedisClient, private readonly prefix = '{vpnbot}') {}
  private key(gateway: string) { return `${this.prefix}:gw:${gateway}:updates`; }
  async recent(gateway: string): Promise<UpdateObservation[]> {
    const raw = await this.redis.lrange(this.key(gateway), 0, HISTORY - 1);
    return raw.map((entry) => entry.split(',').map(Number)).filter(([lo, hi]) => Number.isFinite(lo) && Number.isFinite(hi) && hi! >= lo!)
      .map(([loMs, hiMs]) => ({ loMs: loMs!, hiMs: hiMs! }));
  }
  async record(gateway: string, o: UpdateObservation): Promise<void> {
    await this.redis.multi().lpush(this.key(gateway), `${Math.round(o.loMs)},${Math.round(o.hiMs)}`).ltrim(this.key(gateway), 0, HISTORY - 1).exec();
  }
}
