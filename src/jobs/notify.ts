// Slack side effects that must not be lost (approval cards, decision notices) go through a BullMQ queue:
// the listener acks at once, and the job is retried with backoff through Slack 429s/500s and restarts.
import { Worker, type ConnectionOptions, type Queue } from 'bullmq';
import { openQueue, queuePrefix, retriedJob } from './queues.js';
import { notifyJobId } from '../core/ids.js';
import type { Messenger, Notifications, RequesterEvent } from '../core/ports.js';
import type { AccessRequest } from '../core/requests.js';
import type { ProfileKey } from '../core/server-changes.js';
import type { RequestStore } from '../core/store.js';
import type { Logger } from 'pino';
import type { RedisClient } from '../core/redis-client.js';

export type NotifyJobData =
  | { kind: 'card'; requestId: string }
  | { kind: 'requester'; requestId: string; event: RequesterEvent }
  | { kind: 'reminder'; requestId: string; expiresAt: number }
  /** Server change `proposalId` (its gateway back at `changedAt`) made the grant's delivered profile stale. */
  | { kind: 'profile-outdated'; requestId: string; proposalId: string; changed: ProfileKey[]; changedAt: number };

export const NOTIFY_QUEUE = 'notify';
const JOB_OPTIONS = retriedJob(10, 1000, { done: 86_400, count: 10_000, failed: 7 * 86_400 });

export class NotifyQueue implements Notifications {
  readonly queue: Queue<NotifyJobData>;

  constructor(connection: ConnectionOptions, prefix = 'vpnbot', private readonly warningMs = 0) {
    this.queue = openQueue<NotifyJobData>(NOTIFY_QUEUE, connection, prefix);
  }

  async syncCard(request: AccessRequest): Promise<void> {
    // One job per version of the request, so each state change updates the card once.
    await this.queue.add('card', { kind: 'card', requestId: request.id }, { ...JOB_OPTIONS, jobId: notifyJobId.card(request.id, request.version) });
  }

  async tellRequester(request: AccessRequest, event: RequesterEvent): Promise<void> {
    await this.queue.add('requester', { kind: 'requester', requestId: request.id, event }, { ...JOB_OPTIONS, jobId: notifyJobId.tell(request.id, event) });
  }

  async scheduleReminder(request: AccessRequest): Promise<void> {
    if (!this.warningMs || !request.expiresAt || request.durationMs <= this.warningMs) return;
    const at = request.expiresAt - this.warningMs;
    if (at < Date.now()) return;
    await this.queue.add('reminder', { kind: 'reminder', requestId: request.id, expiresAt: request.expiresAt }, {
      ...JOB_OPTIONS, jobId: notifyJobId.reminder(request.id, request.expiresAt), delay: at - Date.now(),
    });
  }

  async tellProfileOutdated(proposalId: string, holders: readonly AccessRequest[], changed: readonly ProfileKey[], changedAt: number): Promise<void> {
    // In bulk (a gateway may have thousands of holders); an id already queued or recently done is skipped.
    for (let i = 0; i < holders.length; i += 500) {
      await this.queue.addBulk(holders.slice(i, i + 500).map((request) => ({
        name: 'profile-outdated',
        data: { kind: 'profile-outdated' as const, requestId: request.id, proposalId, changed: [...changed], changedAt },
        opts: { ...JOB_OPTIONS, jobId: notifyJobId.profileOutdated(proposalId, request.id) },
      })));
    }
  }

  close() { return this.queue.close(); }
}

export function startNotifyWorker(deps: { connection: ConnectionOptions; redis: RedisClient; prefix?: string; store: RequestStore; messenger: Messenger; logger: Logger; lockDurationMs?: number }): Worker<NotifyJobData> {
  const { store, messenger, redis } = deps;
  const worker = new Worker<NotifyJobData>(NOTIFY_QUEUE, async (job) => {
    const request = await store.get(job.data.requestId);
    if (!request) return;
    if (job.data.kind === 'card') {
      // Two card jobs of one request may run at once (request, then an instant decision): only one may post.
      const lock = `${store.prefix}:cardlock:${request.id}`;
      if ((await redis.set(lock, job.id ?? '1', 'PX', 15_000, 'NX')) !== 'OK') throw new Error('card busy; retrying');
      try {
        const fresh = (await store.get(request.id)) ?? request;
        if (fresh.card) {
          await messenger.updateApprovalCard(fresh);
        } else {
          // A crash between posting and recording the card would post it twice: an earlier attempt leaves a
          // mark, and a retry after one first looks for the card it may have posted.
          const mark = `${store.prefix}:cardposting:${fresh.id}`;
          const earlier = (await redis.exists(mark)) ? await messenger.findApprovalCard(fresh) : undefined;
          if (earlier) {
            const adopted = await store.update(fresh.id, { card: earlier });
            if (adopted.ok) await messenger.updateApprovalCard(adopted.request);
          } else {
            await redis.set(mark, '1', 'EX', 86_400);
            await store.update(fresh.id, { card: await messenger.postApprovalCard(fresh) });
          }
        }
        // A break-glass alert's copies in the admins' DMs say the same as the card (acknowledged, revoked…);
        // a Slack failure here retries the job, and updating the card again is harmless.
        const current = (await store.get(request.id)) ?? fresh;
        if (current.kind === 'breakglass' && current.alertCopies?.length) await messenger.updateAlertCopies(current);
      } finally {
        await redis.del(lock);
      }
      return;
    }
    if (job.data.kind === 'reminder') {
      // An extension moved the expiry: this reminder is for the old one.
      if (request.status === 'active' && request.expiresAt === job.data.expiresAt) await messenger.remindExpiring(request);
      return;
    }
    if (job.data.kind === 'profile-outdated') {
      // Ended meanwhile, or a fresh profile delivered since the change: nothing stale to tell about.
      if (request.status === 'active' && (request.deliveredAt ?? 0) < job.data.changedAt) await messenger.publish({ type: 'ProfileOutdated', request, changed: job.data.changed });
      return;
    }
    await messenger.notifyRequester(request, job.data.event);
  }, {
    connection: deps.connection, prefix: queuePrefix(deps.prefix ?? 'vpnbot', NOTIFY_QUEUE), concurrency: 8,
    // Like the lanes: a notification held by a crashed worker resumes within ~1.5 lock durations.
    lockDuration: deps.lockDurationMs ?? 30_000, stalledInterval: Math.round((deps.lockDurationMs ?? 30_000) / 2),
  });
  worker.on('failed', (job, err) => deps.logger.warn({ jobId: job?.id, err: err.message }, 'notification failed; will retry'));
  worker.on('error', (err) => deps.logger.error({ err: err.message }, 'notify worker error'));
  return worker;
}
