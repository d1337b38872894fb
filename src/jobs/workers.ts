// Starts the workers of one process: one per gateway lane (local concurrency 1; the lane's global
// concurrency 1 keeps the gateway to one change across all processes) and the notification worker.
// On start it re-enqueues approved work whose job was lost (e.g. a crash between approve and enqueue).
import { Worker, type ConnectionOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { RequestStore } from '../core/store.js';
import { laneName, lanePrefix, type Lanes, type ProvisionJobData } from './lanes.js';
import { createProvisionProcessor, type ProvisionDeps } from './provision.js';
import { startNotifyWorker, type NotifyQueue } from './notify.js';
import type { Messenger } from '../core/ports.js';

export interface WorkerSet {
  close(): Promise<void>;
}

export async function startWorkers(deps: ProvisionDeps & {
  connection: ConnectionOptions;
  redis: Redis;
  prefix?: string;
  lanes: Lanes;
  notify: NotifyQueue;
  messenger: Messenger;
  logger: Logger;
  onProvisioned?: (outcome: string) => void;
  lockDurationMs?: number;
}): Promise<WorkerSet> {
  const prefix = deps.prefix ?? 'vpnbot';
  await deps.lanes.init();
  const processor = createProvisionProcessor(deps);
  const workers: Worker[] = [];
  for (const gateway of deps.gateways.keys()) {
    const worker = new Worker<ProvisionJobData>(laneName(gateway), processor, {
      connection: deps.connection,
      prefix: lanePrefix(prefix, gateway),
      concurrency: 1,
      // A deploy can interrupt a long gateway wait; let the job resume from its checkpoint a few times.
      maxStalledCount: 3,
      lockDuration: deps.lockDurationMs ?? 30_000,
      stalledInterval: deps.lockDurationMs ?? 30_000,
    });
    worker.on('completed', (_job, result: string) => deps.onProvisioned?.(result));
    worker.on('failed', (job, err) => {
      deps.onProvisioned?.('failed');
      deps.logger.warn({ jobId: job?.id, err: err.message }, 'provisioning attempt failed');
    });
    worker.on('error', (err) => deps.logger.error({ err: err.message, gateway }, 'lane worker error'));
    workers.push(worker);
  }
  workers.push(startNotifyWorker({ connection: deps.connection, redis: deps.redis, prefix, store: deps.store, messenger: deps.messenger, logger: deps.logger }));
  await recover(deps.store, deps.lanes, deps.notify, deps.logger);
  return {
    async close() {
      await Promise.all(workers.map((w) => w.close()));
    },
  };
}

/** Approved or in-flight requests get their job back; pending requests without a card get one. Idempotent. */
export async function recover(store: RequestStore, lanes: Lanes, notify: NotifyQueue, logger: Logger): Promise<void> {
  let requeued = 0;
  for (const status of ['approved', 'provisioning'] as const) {
    for (const request of await store.listByStatus(status)) {
      if (request.deliveredAt) continue;
      await lanes.enqueueProvision(request);
      requeued++;
    }
  }
  for (const request of await store.listByStatus('pending')) {
    if (!request.card) await notify.syncCard(request);
  }
  if (requeued) logger.info({ requeued }, 'recovery: provisioning jobs ensured');
}
