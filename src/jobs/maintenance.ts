// Periodic and delayed housekeeping on one BullMQ queue, so it survives restarts and runs once however many
// workers there are: job schedulers for the audit witness, the leaver sweep and reconcile, and one delayed
// job per delivered profile file (deleted from Slack at access.profileRetention). None of it changes a
// gateway, so it stays off the lanes.
import { Worker, type ConnectionOptions, type Queue } from 'bullmq';
import { openQueue, queuePrefix, retriedJob } from './queues.js';
import type { Logger } from 'pino';
import type { ProfileDeletions } from '../core/profiles.js';

export type MaintenanceJobData =
  | { kind: 'audit-witness' }
  | { kind: 'leaver-sweep' }
  | { kind: 'reconcile' }
  | { kind: 'profile-delete'; requestId: string; fileId: string };

export type MaintenanceKind = MaintenanceJobData['kind'];

export const MAINTENANCE_QUEUE = 'maintenance';
const JOB_OPTIONS = retriedJob(8, 5000, { done: 86_400, count: 1000, failed: 7 * 86_400 });

/** Scheduler ids: one per periodic task, so re-running `schedule` at every start replaces rather than adds. */
const PERIODIC = ['audit-witness', 'leaver-sweep', 'reconcile'] as const;

export const profileDeleteJobId = (requestId: string, fileId: string) => `profile-delete-${requestId}-${fileId}`;

export class MaintenanceQueue implements ProfileDeletions {
  readonly queue: Queue<MaintenanceJobData>;

  constructor(connection: ConnectionOptions, prefix = 'vpnbot') {
    this.queue = openQueue<MaintenanceJobData>(MAINTENANCE_QUEUE, connection, prefix);
  }

  /** Upserts (or, at 0, removes) each periodic task's job scheduler; idempotent, so it runs at every start. */
  async schedule(every: Record<(typeof PERIODIC)[number], number>): Promise<void> {
    for (const kind of PERIODIC) {
      const ms = every[kind];
      // The first run one period after start, not at start: a start is not the moment to post to Slack.
      if (ms > 0) await this.queue.upsertJobScheduler(kind, { every: ms, startDate: Date.now() + ms }, { name: kind, data: { kind }, opts: JOB_OPTIONS });
      else await this.queue.removeJobScheduler(kind);
    }
  }

  /** Runs a periodic task now (e.g. the witness after an admin-relevant event); coalesces with one already waiting. */
  async runSoon(kind: (typeof PERIODIC)[number]): Promise<void> {
    await this.queue.add(kind, { kind } as MaintenanceJobData, { ...JOB_OPTIONS, jobId: `${kind}-soon`, removeOnComplete: true, removeOnFail: true });
  }

  /** Deletes the profile file from Slack at `at` (idempotent per file). */
  async scheduleProfileDeletion(requestId: string, fileId: string, at: number): Promise<void> {
    await this.queue.add('profile-delete', { kind: 'profile-delete', requestId, fileId }, {
      ...JOB_OPTIONS, jobId: profileDeleteJobId(requestId, fileId), delay: Math.max(0, at - Date.now()),
    });
  }

  deleteAt(requestId: string, fileId: string, at: number): Promise<void> {
    return this.scheduleProfileDeletion(requestId, fileId, at);
  }

  /** The grant ended: its scheduled deletion runs now (or is added, when none was scheduled). */
  async deleteNow(requestId: string, fileId: string): Promise<void> {
    const job = await this.queue.getJob(profileDeleteJobId(requestId, fileId));
    if (!job) return this.scheduleProfileDeletion(requestId, fileId, Date.now());
    const state = await job.getState();
    if (state === 'delayed') await job.promote().catch(() => undefined); // it may have just started
    else if (state === 'failed') await job.retry();
  }

  close() { return this.queue.close(); }
}

export type MaintenanceHandlers = { [K in MaintenanceKind]: (data: Extract<MaintenanceJobData, { kind: K }>) => Promise<unknown> };

export function startMaintenanceWorker(deps: { connection: ConnectionOptions; prefix?: string; handlers: MaintenanceHandlers; logger: Logger }): Worker<MaintenanceJobData> {
  const worker = new Worker<MaintenanceJobData>(MAINTENANCE_QUEUE, async (job) => {
    const handler = deps.handlers[job.data.kind] as (data: MaintenanceJobData) => Promise<unknown>;
    return handler(job.data);
  }, { connection: deps.connection, prefix: queuePrefix(deps.prefix ?? 'vpnbot', MAINTENANCE_QUEUE), concurrency: 2 });
  worker.on('failed', (job, err) => deps.logger.warn({ jobId: job?.id, kind: job?.data.kind, err: err.message }, 'maintenance job failed'));
  worker.on('error', (err) => deps.logger.error({ err: err.message }, 'maintenance worker error'));
  return worker;
}
