// One rate limit for all CAS (Certificate Management Service) calls of the account, shared by every process
// through Redis with rate-limiter-flexible.
//
// CAS allows 10 calls in any rolling second per account. rate-limiter-flexible's Redis limiter counts in
// windows: the first call after a window ends opens a new one of exactly `duration`, so windows never
// overlap. Any rolling second therefore meets at most two windows, and 5 calls per 1-second window can never
// put more than 10 into one rolling second, wherever the windows fall (10 per window could put 20 across a
// boundary). The price is a steady 5 calls/s, enough for offboarding, the only bulk user.
import { setTimeout as sleep } from 'node:timers/promises';
import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { CallLimiter } from '../api/types.js';
import type { RedisClient } from '../core/redis-client.js';

/** The account's CAS limit per rolling second (seed 003: CreateRevokeClientCertificate, 10 calls/s). */
export const CAS_CALLS_PER_ROLLING_SECOND = 10;

export interface SharedLimiterOptions {
  /** Redis key (one hash tag, so it lives in one Cluster slot). */
  key: string;
  /** Calls allowed in any rolling second. */
  perRollingSecond: number;
  /** Give up after waiting this long for a turn (ms). */
  maxWaitMs?: number;
}

export class SharedCallLimiter implements CallLimiter {
  private readonly limiter: RateLimiterRedis;
  private readonly maxWaitMs: number;

  constructor(redis: RedisClient, private readonly options: SharedLimiterOptions) {
    // Half per window: two adjacent windows then hold at most the rolling-second limit.
    const points = Math.floor(options.perRollingSecond / 2);
    if (points < 1) throw new Error('perRollingSecond must be at least 2');
    this.limiter = new RateLimiterRedis({ storeClient: redis, keyPrefix: '', points, duration: 1 });
    this.maxWaitMs = options.maxWaitMs ?? 60_000;
  }

  async acquire(): Promise<void> {
    const giveUpAt = Date.now() + this.maxWaitMs;
    for (;;) {
      try {
        await this.limiter.consume(this.options.key, 1);
        return;
      } catch (err) {
        // A RateLimiterRes means "not now": wait until the window ends. Anything else is Redis failing.
        if (!(err instanceof RateLimiterRes)) throw err;
        if (Date.now() + err.msBeforeNext > giveUpAt) throw new Error(`no turn within ${this.maxWaitMs} ms`);
        // A few ms past the window's end, with jitter, so waiting processes do not all ask at the same instant.
        await sleep(err.msBeforeNext + 2 + Math.floor(Math.random() * 20));
      }
    }
  }
}

/** The limiter every CAS client of this deployment uses. */
export function casCallLimiter(redis: RedisClient): CallLimiter {
  return new SharedCallLimiter(redis, { key: '{vpnbot}:ratelimit:cas', perRollingSecond: CAS_CALLS_PER_ROLLING_SECOND });
}
