// One BullMQ queue ("lane") per VPN gateway with global concurrency 1: BullMQ enforces in Redis that only
// one change runs against a gateway at a time, across every worker process. Each queue's prefix carries
// a hash tag so all of its keys share one Redis Cluster slot.
import { Queue, type ConnectionOptions } from 'bullmq';
import type { AccessRequest } from '../core/requests.js';
import type { ProvisioningQueue } from '../core/ports.js';

export interface ProvisionJobData {
  requestId: string;
  /** The step reached; each step is safe to run again. */
  step: 'start' | 'await-active' | 'deliver';
  /** Ids only: never key material. */
  certId?: string;
  /** When the gateway accepted our change, for the adaptive wait. */
  changedAt?: number;
  /** Slack file id of a started profile upload, to check on resume whether it was already shared. */
  fileId?: string;
}

export const laneName = (gateway: string) => `lane-${gateway}`;
export const lanePrefix = (base: string, gateway: string) => `${base}:{${laneName(gateway)}}`;
export const provisionJobId = (requestId: string) => `provision-${requestId}`;

export const PROVISION_JOB_OPTIONS = {
  attempts: 6,
  backoff: { type: 'exponential', delay: 2000 },
  removeOnComplete: { age: 7 * 86_400, count: 10_000 },
  removeOnFail: { age: 30 * 86_400 },
} as const;

export class Lanes implements ProvisioningQueue {
  private readonly queues = new Map<string, Queue<ProvisionJobData>>();

  constructor(connection: ConnectionOptions, gateways: readonly string[], private readonly prefix = 'vpnbot') {
    for (const gateway of gateways) {
      this.queues.set(gateway, new Queue<ProvisionJobData>(laneName(gateway), { connection, prefix: lanePrefix(prefix, gateway) }));
    }
  }

  queue(gateway: string): Queue<ProvisionJobData> {
    const queue = this.queues.get(gateway);
    if (!queue) throw new Error(`no lane for gateway ${gateway}`);
    return queue;
  }

  /** (Re)asserts global concurrency 1 on every lane; cheap and idempotent, so it runs at every start. */
  async init(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.setGlobalConcurrency(1)));
  }

  async enqueueProvision(request: AccessRequest): Promise<{ position: number }> {
    const queue = this.queue(request.gateway);
    const job = await queue.add('provision', { requestId: request.id, step: 'start' }, { ...PROVISION_JOB_OPTIONS, jobId: provisionJobId(request.id) });
    const counts = await queue.getJobCounts('active', 'waiting', 'prioritized', 'delayed');
    const ahead = (counts.active ?? 0) + (counts.waiting ?? 0) + (counts.prioritized ?? 0) - 1;
    void job;
    return { position: Math.max(1, ahead + 1) };
  }

  /** Where a request's job stands on its lane: 0 when running, n when n-1 jobs are ahead, undefined when not queued. */
  async positionOf(request: AccessRequest): Promise<number | undefined> {
    const queue = this.queue(request.gateway);
    const job = await queue.getJob(provisionJobId(request.id));
    if (!job) return undefined;
    const state = await job.getState();
    if (state === 'active') return 0;
    if (state !== 'waiting' && state !== 'prioritized') return undefined;
    const waiting = await queue.getWaiting(0, 1000);
    // getWaiting lists the next job to run first.
    const index = waiting.findIndex((j) => j.id === job.id);
    const active = await queue.getActiveCount();
    return index < 0 ? undefined : index + 1 + active;
  }

  async depth(gateway: string): Promise<number> {
    const counts = await this.queue(gateway).getJobCounts('active', 'waiting', 'prioritized', 'delayed');
    return Object.values(counts).reduce((a, b) => a + b, 0);
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
