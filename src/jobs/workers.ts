// Starts the workers of one process: one per gateway lane (local concurrency 1; the lane's global
// concurrency 1 keeps the gateway to one change across all processes) and the notification worker.
// On start it re-enqueues approved work whose job was lost (e.g. a crash between approve and enqueue).
import { WaitingError, Worker, type ConnectionOptions, type Job } from 'bullmq';
import type { RedisClient } from '../core/redis-client.js';
import type { Logger } from 'pino';
import type { RequestStore } from '../core/store.js';
import type { AccessRequest } from '../core/requests.js';
import { laneName, lanePrefix, type Lanes, type LaneJobData, type ProvisionJobData, type RemovalJobData, type ServerChangeJobData, type CertDeleteJobData } from './lanes.js';
import { createCertDeleteProcessor, type CertDeleteDeps } from './cert-delete.js';
import { createServerChangeProcessor } from './server-change.js';
import type { ServerChangeCards } from '../core/server-admin.js';
import type { ServerChangeStore } from '../core/server-change-store.js';
import { createRemovalProcessor } from './removal.js';
import { createProvisionProcessor, type GrantJobDeps } from './provision.js';
import { startNotifyWorker, type NotifyQueue } from './notify.js';
import type { Messenger, ProvisioningQueue } from '../core/ports.js';
import { createPoolDeleteProcessor, createPoolFillProcessor, retireRemovedGateways, startPoolDeliverWorker, type WarmPool } from './pool.js';
import type { PoolDeleteJobData, PoolFillJobData } from './lanes.js';

/** The abort reason given to jobs in flight when the process stops. */
const SHUTDOWN = 'shutting down';

export interface WorkerSet {
  close(): Promise<void>;
}

export async function startWorkers(deps: Omit<GrantJobDeps, 'scheduleExpiry'> & {
  connection: ConnectionOptions;
  redis: RedisClient;
  prefix?: string;
  lanes: Lanes;
  notify: NotifyQueue;
  messenger: Messenger;
  logger: Logger;
  onLaneJobDone?: (outcome: string) => void;
  lockDurationMs?: number;
  coalesceWindowMs?: number;
  sweepIntervalMs?: number;
  /** Approved SSL-VPN server changes (`/vpn admin server set`). */
  serverChanges: { proposals: ServerChangeStore; cards: ServerChangeCards };
  /** The warm certificate pool, when configured (src/jobs/pool.ts). */
  warm?: WarmPool;
  /** Deleting certificates reconcile found (cert-delete.ts). */
  certDeletes?: Pick<CertDeleteDeps, 'findings' | 'reconcile'>;
}): Promise<WorkerSet> {
  const prefix = deps.prefix ?? 'vpnbot';
  await deps.lanes.init();
  const full: GrantJobDeps = {
    ...deps,
    ...(deps.warm ? { pool: deps.warm.store } : {}),
    cardJobs: deps.notify,
    scheduleExpiry: async (request) => {
      await deps.notify.scheduleReminder(request);
      await deps.profiles?.delivered(request);
      return deps.lanes.scheduleExpiry(request);
    },
  };
  const provision = createProvisionProcessor(full);
  const removal = createRemovalProcessor(full, {
    coalesceWindowMs: deps.coalesceWindowMs ?? 0,
    claimOnce: async (key) => (await deps.redis.set(`${deps.store.prefix}:${key}`, '1', 'EX', 86_400, 'NX')) === 'OK',
  });
  const serverChange = createServerChangeProcessor({ ...deps, ...deps.serverChanges, notifications: deps.notify });
  const warm = deps.warm;
  const poolDeps = warm ? { ...full, pool: warm.store, warm } : undefined;
  const poolFill = poolDeps ? createPoolFillProcessor(poolDeps) : undefined;
  const poolDelete = poolDeps ? createPoolDeleteProcessor(poolDeps) : undefined;
  const certDelete = deps.certDeletes ? createCertDeleteProcessor({ ...deps, ...deps.certDeletes }) : undefined;
  // One lane carries every change to its gateway: provisioning, expiry, revocation and server changes alike.
  const route = (job: Job<LaneJobData>, token?: string, signal?: AbortSignal) => {
    if (job.name === 'provision') return provision(job as Job<ProvisionJobData>, token, signal);
    if (job.name === 'server-change') return serverChange(job as Job<ServerChangeJobData>, token, signal);
    if (job.name === 'pool-fill') return poolFill ? poolFill(job as Job<PoolFillJobData>, token, signal) : Promise.resolve('no-pool');
    if (job.name === 'pool-delete') return poolDelete ? poolDelete(job as Job<PoolDeleteJobData>, token, signal) : Promise.resolve('no-pool');
    if (job.name === 'cert-delete') return certDelete ? certDelete(job as Job<CertDeleteJobData>, token, signal) : Promise.resolve('no-cert-deletes');
    return removal(job as Job<RemovalJobData>, token, signal);
  };
  const processor = async (job: Job<LaneJobData>, token?: string, signal?: AbortSignal) => {
    try {
      return await route(job, token, signal);
    } catch (err) {
      // Shutting down (close() aborted the signal): hand the job back at its last checkpoint, without
      // spending an attempt, so another process (or the next start) resumes it at once, not after the lock lapses.
      if (signal?.aborted && token) {
        await job.moveToWait(token);
        throw new WaitingError();
      }
      throw err;
    }
  };
  const workers: Worker[] = [];
  for (const gateway of deps.gateways.keys()) {
    const worker = new Worker<LaneJobData>(laneName(gateway), processor, {
      connection: deps.connection,
      prefix: lanePrefix(prefix, gateway),
      concurrency: 1,
      // A deploy can interrupt a long gateway wait; let the job resume from its checkpoint a few times.
      maxStalledCount: 3,
      lockDuration: deps.lockDurationMs ?? 30_000,
      // Checked twice per lock period, so a crashed worker's job resumes within ~1.5 lock durations.
      stalledInterval: Math.round((deps.lockDurationMs ?? 30_000) / 2),
    });
    worker.on('completed', (_job, result: string) => deps.onLaneJobDone?.(result));
    worker.on('failed', (job, err) => {
      deps.onLaneJobDone?.('failed');
      deps.logger.warn({ jobId: job?.id, err: err.message }, 'lane job attempt failed');
    });
    worker.on('error', (err) => deps.logger.error({ err: err.message, gateway }, 'lane worker error'));
    workers.push(worker);
  }
  if (poolDeps) {
    const deliver = startPoolDeliverWorker({ ...poolDeps, connection: deps.connection, prefix, ...(deps.lockDurationMs ? { lockDurationMs: deps.lockDurationMs } : {}) });
    deliver.on('completed', (_job, result: string) => deps.onLaneJobDone?.(result));
    workers.push(deliver);
  }
  workers.push(startNotifyWorker({ connection: deps.connection, redis: deps.redis, prefix, store: deps.store, messenger: deps.messenger, logger: deps.logger, ...(deps.lockDurationMs ? { lockDurationMs: deps.lockDurationMs } : {}) }));
  // In the background: with many grants it takes seconds, and the Slack side must answer meanwhile.
  void (async () => {
    await recover(deps.store, deps.lanes, deps.notify, deps.logger, warm);
    await warm?.maintain();
    if (poolDeps) void retireRemovedGateways(poolDeps).catch((err: Error) => deps.logger.warn({ err: err.message }, 'removed gateways: pool cleanup failed'));
    // An approval whose job was lost (crash between the decision and the enqueue) gets it back.
    for (const proposal of await deps.serverChanges.proposals.listByStatus('approved')) {
      if (deps.gateways.has(proposal.gateway)) await deps.lanes.enqueueServerChange(proposal);
    }
  })().catch((err: Error) => deps.logger.error({ err: err.message }, 'recovery failed; it runs again at the next start'));
  // No expiry may be missed: every minute, make sure each grant due soon has its removal job.
  const sweep = setInterval(() => {
    void sweepExpiries(deps.store, deps.lanes, Date.now() + 5 * 60_000).catch((err: Error) => deps.logger.warn({ err: err.message }, 'expiry sweep failed'));
    void warm?.maintain().catch((err: Error) => deps.logger.warn({ err: err.message }, 'warm pool upkeep failed'));
    if (poolDeps) void retireRemovedGateways(poolDeps).catch((err: Error) => deps.logger.warn({ err: err.message }, 'removed gateways: pool cleanup failed'));
  }, deps.sweepIntervalMs ?? 60_000);
  sweep.unref();
  return {
    async close() {
      clearInterval(sweep);
      // close() first, so no worker fetches another job, then interrupt the jobs in flight (see processor).
      const closing = workers.map((w) => w.close());
      for (const w of workers) w.cancelAllJobs(SHUTDOWN);
      await Promise.all(closing);
    },
  };
}

/** Runs `fn` over the items, 50 at a time: Redis round trips overlap instead of adding up. */
async function inBatches<T>(items: readonly T[], fn: (item: T) => Promise<unknown>, size = 50): Promise<void> {
  for (let i = 0; i < items.length; i += size) await Promise.all(items.slice(i, i + size).map(fn));
}

/** Ensures a removal job for every active grant expiring by `until` (idempotent: job ids are per request). */
export async function sweepExpiries(store: RequestStore, lanes: Lanes, until: number): Promise<number> {
  const due = await store.grantsExpiringBy(until);
  await inBatches(due, (request) => lanes.scheduleExpiry(request));
  return due.length;
}

/** Approved or in-flight requests get their job back; pending requests without a card get one. Idempotent. */
export async function recover(store: RequestStore, lanes: Lanes, notify: NotifyQueue, logger: Logger, provisioning: ProvisioningQueue = lanes): Promise<void> {
  let requeued = 0;
  // A gateway removed from the configuration has no lane: its requests and grants are skipped (and
  // counted in the log), not allowed to stop the recovery of every other gateway.
  const unconfigured = new Map<string, number>();
  const onLane = (request: AccessRequest) => {
    if (lanes.has(request.gateway)) return true;
    unconfigured.set(request.gateway, (unconfigured.get(request.gateway) ?? 0) + 1);
    return false;
  };
  for (const status of ['approved', 'provisioning'] as const) {
    for (const request of await store.listByStatus(status)) {
      if (request.deliveredAt || !onLane(request)) continue;
      await provisioning.enqueueProvision(request);
      requeued++;
    }
  }
  for (const request of await store.listByStatus('pending')) {
    if (!request.card) await notify.syncCard(request);
  }
  await inBatches((await store.listByStatus('active')).filter(onLane), async (request) => {
    await lanes.scheduleExpiry(request);
    await notify.scheduleReminder(request);
  });
  if (requeued) logger.info({ requeued }, 'recovery: provisioning jobs ensured');
  for (const [gateway, count] of unconfigured) {
    logger.warn({ gateway, count }, 'recovery: requests and grants on a gateway that is no longer configured are skipped; their certificates are not removed by the bot');
  }
}
