// Follow-ups of a request that must happen later even across restarts: the pending TTL, the one approver
// reminder, the break-glass alert and its review reminder. Each is a delayed BullMQ job with a
// deterministic id (one per request and kind), so scheduling twice, or again at start, adds nothing.
import { Worker, type ConnectionOptions, type Queue } from 'bullmq';
import { openQueue, queuePrefix, retriedJob } from './queues.js';
import type { Logger } from 'pino';
import type { FollowUpKind, FollowUps } from '../core/ports.js';

export interface FollowUpJobData {
  kind: FollowUpKind;
  requestId: string;
}

export const FOLLOW_UP_QUEUE = 'follow-ups';
export const followUpJobId = (kind: FollowUpKind, requestId: string) => `${kind}-${requestId}`;

// Kept a while after completion: the id then also stops a re-schedule at start from running it twice.
const JOB_OPTIONS = retriedJob(10, 2000, { done: 7 * 86_400, failed: 30 * 86_400 });

export class FollowUpQueue implements FollowUps {
  readonly queue: Queue<FollowUpJobData>;

  constructor(connection: ConnectionOptions, prefix = 'vpnbot') {
    this.queue = openQueue<FollowUpJobData>(FOLLOW_UP_QUEUE, connection, prefix);
  }

  async schedule(kind: FollowUpKind, requestId: string, at: number): Promise<void> {
    await this.queue.add(kind, { kind, requestId }, { ...JOB_OPTIONS, jobId: followUpJobId(kind, requestId), delay: Math.max(0, at - Date.now()) });
  }

  close() { return this.queue.close(); }
}

export function startFollowUpWorker(deps: {
  connection: ConnectionOptions;
  prefix?: string;
  run: (kind: FollowUpKind, requestId: string) => Promise<void>;
  logger: Logger;
}): Worker<FollowUpJobData> {
  const worker = new Worker<FollowUpJobData>(FOLLOW_UP_QUEUE, (job) => deps.run(job.data.kind, job.data.requestId), {
    connection: deps.connection, prefix: queuePrefix(deps.prefix ?? 'vpnbot', FOLLOW_UP_QUEUE), concurrency: 4,
  });
  worker.on('failed', (job, err) => deps.logger.warn({ jobId: job?.id, err: err.message }, 'follow-up failed; will retry'));
  worker.on('error', (err) => deps.logger.error({ err: err.message }, 'follow-up worker error'));
  return worker;
}
