// Waits for a VPN gateway to finish applying a change (DescribeVpnGateway until `active`). Polling is
// adaptive: it sleeps through most of the expected update time (learnt per gateway), then polls closely
// so the profile goes out soon after the gateway is back, then backs off if the update runs long.
import { setTimeout as delay } from 'node:timers/promises';
import type { RedisClient } from '../core/redis-client.js';
import type { VpcApi, VpnGateway } from '../api/types.js';
import { CloudError } from '../api/errors.js';

export interface UpdateTimeMemory {
  get(gateway: string): Promise<number | undefined>;
  /** `measured`: observed within one close poll; `upper-bound`: the update finished somewhere before `ms`. */
  record(gateway: string, ms: number, kind: 'measured' | 'upper-bound'): Promise<void>;
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

const DEFAULT_UPDATE_MS = 2000;
const MIN_POLL_MS = 100;
const OUTSIDE_CHANGE_MAX_POLL_MS = 5000;

/**
 * How long to wait before the next DescribeVpnGateway. After our own change: close polls (1/40 of the
 * expected update time, at least 100 ms) while the update is due, then polls spaced in proportion to the
 * time already waited, so a long update costs few calls and is noticed at most ~15 % late. Otherwise (a
 * change made outside the bot, or the API failing): a plain backoff.
 */
export function nextPollDelay(input: { elapsedMs: number; expectedMs: number; afterOwnChange: boolean; attempt: number }): number {
  const { elapsedMs, expectedMs, afterOwnChange, attempt } = input;
  if (!afterOwnChange) return Math.min(OUTSIDE_CHANGE_MAX_POLL_MS, 1000 * 1.5 ** Math.max(0, attempt - 1));
  if (elapsedMs < expectedMs * 1.5) return Math.min(30_000, Math.max(MIN_POLL_MS, expectedMs / 40));
  return Math.min(60_000, Math.max(MIN_POLL_MS, elapsedMs * 0.15));
}

export class GatewayTimeoutError extends Error {}

/** Node's own timer: it removes its abort listener when it fires (a long wait sleeps many times on one signal). */
export const sleep = (ms: number, signal?: AbortSignal): Promise<void> => delay(ms, undefined, signal ? { signal } : undefined);

export class GatewayWaiter {
  constructor(private readonly vpc: VpcApi, private readonly memory: UpdateTimeMemory) {}

  /** Resolves with the gateway once it reports `active`; rethrows permanent errors; throws GatewayTimeoutError past the deadline. */
  async untilActive(options: WaitOptions): Promise<VpnGateway> {
    const expected = (await this.memory.get(options.gateway)) ?? DEFAULT_UPDATE_MS;
    const start = options.changedAt ?? Date.now();
    if (options.changedAt !== undefined) {
      // Sleep through most of the expected update; the gateway will not be back before then.
      const firstPollAt = start + Math.max(MIN_POLL_MS, expected * 0.85);
      await sleep(Math.max(0, firstPollAt - Date.now()), options.signal);
    }
    let polls = 0;
    let failures = 0;
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
      if (gw?.status === 'active') {
        if (options.changedAt !== undefined) {
          // Active at the first look means we slept too long: the update took at most that, likely less.
          const elapsed = Date.now() - start;
          await this.memory.record(options.gateway, polls === 1 ? Math.round(elapsed * 0.8) : elapsed, polls === 1 ? 'upper-bound' : 'measured');
        }
        return gw;
      }
      const now = Date.now();
      if (now >= options.deadline) throw new GatewayTimeoutError(`gateway ${options.gateway} did not return to active in time (last status: ${gw?.status ?? 'unknown'})`);
      const delay = nextPollDelay({
        elapsedMs: now - start,
        expectedMs: expected,
        afterOwnChange: options.changedAt !== undefined && gw !== undefined,
        attempt: options.changedAt === undefined ? polls : failures,
      });
      await sleep(Math.min(delay, Math.max(0, options.deadline - now)), options.signal);
    }
  }
}

/** Per-gateway update time, an exponentially weighted average kept in Redis so every worker learns it. */
export class RedisUpdateTimeMemory implements UpdateTimeMemory {
  constructor(private readonly redis: RedisClient, private readonly prefix = '{vpnbot}') {}
  private key(gateway: string) { return `${this.prefix}:gw:${gateway}:updateMs`; }
  async get(gateway: string): Promise<number | undefined> {
    const v = await this.redis.get(this.key(gateway));
    return v ? Number(v) : undefined;
  }
  async record(gateway: string, ms: number, kind: 'measured' | 'upper-bound'): Promise<void> {
    const previous = await this.get(gateway);
    let next: number;
    if (previous === undefined) next = ms;
    else if (kind === 'upper-bound') next = Math.min(previous, ms);
    else next = Math.round(previous * 0.5 + ms * 0.5);
    await this.redis.set(this.key(gateway), String(next));
  }
}
