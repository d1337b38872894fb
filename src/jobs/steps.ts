// The moves every lane job (provisioning, removal, server change) makes: wait for its gateway, call the
// cloud with retries chosen by the error's class, and end the job cleanly when retrying cannot help.
import { UnrecoverableError, type Job } from 'bullmq';
import type { Logger } from 'pino';
import { adviceKeyFor, CloudError } from '../api/errors.js';
import type { VpnGateway } from '../api/types.js';
import type { GatewayConfig } from '../config/schema.js';
import type { Failure } from '../core/events.js';
import { GatewayTimeoutError, sleep, type GatewayWaiter } from './gateway-wait.js';

/** A waiter bound to one job's gateway: each wait gets a fresh deadline and the job's abort signal. */
export interface GatewayGate {
  readonly gateway: GatewayConfig;
  readonly signal: AbortSignal | undefined;
  /** Until the gateway is `active`; `changedAt` when a change of ours is in flight (the adaptive wait). */
  untilActive(changedAt?: number): Promise<VpnGateway>;
  /** The pre-check before a change: trusts a recent sighting of our own last change finishing, else asks. */
  beforeChange(): Promise<void>;
}

export function gatewayGate(waiter: GatewayWaiter, gw: GatewayConfig, timeoutMs: number, signal?: AbortSignal): GatewayGate {
  const target = () => ({ regionId: gw.regionId, vpnGatewayId: gw.vpnGatewayId, gateway: gw.name, deadline: Date.now() + timeoutMs, ...(signal ? { signal } : {}) });
  return {
    gateway: gw,
    signal,
    untilActive: (changedAt) => waiter.untilActive({ ...target(), ...(changedAt !== undefined ? { changedAt } : {}) }),
    beforeChange: () => waiter.beforeChange(target()),
  };
}

export interface CloudCallOptions<T> {
  /** Tries in all, the first included. */
  attempts: number;
  /** Busy gateway (someone else is changing it): wait for it to be active, then try again. Without one, busy is final. */
  gate?: GatewayGate;
  signal?: AbortSignal | undefined;
  /**
   * Re-reads the cloud state before the first call: a value means an earlier run of the job already did
   * the work, and it is returned instead. (Later tries rely on the ClientToken to replay, not repeat.)
   */
  reread?: () => Promise<T | undefined>;
}

/**
 * One cloud call with retries by error class: busy → wait for the gateway; transient or ambiguous →
 * back off (the call carries the same ClientToken, so a retry of an applied call replays it); anything
 * else, or the last try, is thrown to the job.
 */
export async function cloudCall<T>(call: () => Promise<T>, options: CloudCallOptions<T>): Promise<T> {
  let reread = options.reread;
  for (let attempt = 1; ; attempt++) {
    try {
      if (reread) {
        const done = await reread();
        if (done !== undefined) return done;
        reread = undefined;
      }
      return await call();
    } catch (err) {
      if (!(err instanceof CloudError) || attempt >= options.attempts) throw err;
      if (err.kind === 'busy' && options.gate) await options.gate.untilActive();
      else if (err.kind === 'transient' || err.kind === 'ambiguous') await sleep(Math.min(8000, 250 * 2 ** attempt), options.signal);
      else throw err;
    }
  }
}

/** Refused for a reason retrying will not fix; the message says what to do. */
export class StepFailure extends Error {}

/** Failures a human must act on: our own refusals, a gateway that never came back, a cloud refusal. */
export function isPermanent(err: unknown): boolean {
  return err instanceof StepFailure || err instanceof GatewayTimeoutError || (err instanceof CloudError && (err.kind === 'permanent' || err.kind === 'not-found'));
}

/** The failure a job records and announces: the detail line, the cloud error class and the advice for it. */
export function toFailure(err: unknown): Failure {
  if (err instanceof CloudError) {
    const adviceKey = adviceKeyFor(err.code);
    return { detail: err.describe(), errorClass: err.kind, ...(adviceKey ? { adviceKey } : {}) };
  }
  return { detail: err instanceof Error ? err.message : String(err) };
}

/** One line for the log and the audit log (what to do is worded by the bot, from the Failure's advice key). */
export function describeFailure(err: unknown): string {
  if (err instanceof CloudError) return err.describe();
  return err instanceof Error ? err.message : String(err);
}

export interface FailurePolicy {
  logger: Logger;
  /** Log fields naming the subject (request or proposal id). */
  subject: Record<string, string>;
  /** Which failures end the job at once; the rest are retried by BullMQ until the last attempt. */
  permanent?: (err: unknown) => boolean;
  /** Records and announces the failure; runs once, when the job gives up. `line` is describeFailure's. */
  onFailure: (failure: Failure, line: string, err: unknown) => Promise<void>;
}

/**
 * Runs a lane job's steps. A permanent failure, or any failure on the job's last attempt, is recorded
 * (onFailure) and ends the job without further retries; any other is rethrown for BullMQ's backoff.
 * Once `signal` is aborted (the process is stopping) every failure is rethrown untouched.
 */
export async function runSteps<T>(job: Job, policy: FailurePolicy, steps: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  try {
    return await steps();
  } catch (err) {
    if (signal?.aborted) throw err; // stopping: the worker hands the job back (workers.ts); nothing failed
    const lastAttempt = job.attemptsMade + 1 >= (job.opts.attempts ?? 1);
    const reason = describeFailure(err);
    if ((policy.permanent ?? isPermanent)(err) || lastAttempt) {
      await policy.onFailure(toFailure(err), reason, err);
      throw new UnrecoverableError(reason);
    }
    policy.logger.warn({ ...policy.subject, err: reason, attempt: job.attemptsMade + 1 }, `${job.name} will retry`);
    throw err;
  }
}

/** Notices that must not fail the job: each one that fails is logged, none is retried. */
export async function bestEffort(logger: Logger, subject: Record<string, string>, what: string, notices: Promise<unknown>[]): Promise<void> {
  for (const result of await Promise.allSettled(notices)) {
    if (result.status === 'rejected') logger.warn({ ...subject, err: result.reason instanceof Error ? result.reason.message : String(result.reason) }, what);
  }
}
