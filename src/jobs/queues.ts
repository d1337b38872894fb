// What every BullMQ queue of the bot repeats: its prefix (the queue's own hash slot `{name}`, so all its
// keys live on one Redis Cluster node), the queue opened on it, and job options that retry with backoff
// and keep finished jobs a while (their ids then also stop a duplicate from running).
import { Queue, type ConnectionOptions } from 'bullmq';

export const queuePrefix = (base: string, name: string) => `${base}:{${name}}`;

export function openQueue<T>(name: string, connection: ConnectionOptions, base: string): Queue<T> {
  const queue = new Queue<T>(name, { connection, prefix: queuePrefix(base, name) });
  // Connection errors surface where the calls fail; without a listener they would crash the process.
  queue.on('error', () => undefined);
  return queue;
}

/** Retried `attempts` times, backing off exponentially from `firstRetryMs`; done jobs kept `keep.done` s (at most `keep.count`), failed ones `keep.failed` s. */
export function retriedJob(attempts: number, firstRetryMs: number, keep: { done: number; count?: number; failed: number }) {
  return {
    attempts,
    backoff: { type: 'exponential' as const, delay: firstRetryMs },
    removeOnComplete: { age: keep.done, ...(keep.count ? { count: keep.count } : {}) },
    removeOnFail: { age: keep.failed },
  };
}
