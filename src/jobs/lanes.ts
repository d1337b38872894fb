// One BullMQ queue ("lane") per VPN gateway with global concurrency 1: BullMQ enforces in Redis that only
// one change runs against a gateway at a time, across every worker process. Each queue's prefix carries
// a hash tag so all of its keys share one Redis Cluster slot.
import type { ConnectionOptions, Queue } from 'bullmq';
import { openQueue, queuePrefix, retriedJob } from './queues.js';
import { laneJobId } from '../core/ids.js';
import type { AccessRequest } from '../core/requests.js';
import type { ProvisioningQueue } from '../core/ports.js';
import type { ServerChangeLane } from '../core/server-admin.js';
import type { ServerChangeProposal } from '../core/server-change-store.js';
import type { Finding } from '../core/findings.js';

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

/** Removing a grant's certificate: on expiry (coalesced, scheduled) or on revocation (at once). */
export interface RemovalJobData {
  requestId: string;
  reason: 'expired' | 'revoked';
  /** Who revoked (Slack user id); 'system' for expiry. */
  actor: string;
  step: 'start' | 'await-active';
  changedAt?: number;
}

/** An approved SSL-VPN server change (ModifySslVpnServer), see server-change.ts. */
export interface ServerChangeJobData {
  proposalId: string;
  step: 'start' | 'await-active';
  changedAt?: number;
  cloudRequestId?: string;
}

/** Creating one warm-pool certificate (src/jobs/pool.ts). */
export interface PoolFillJobData {
  gateway: string;
  poolId: string;
  step: 'start' | 'await-active';
  certId?: string;
  changedAt?: number;
}

/** Deleting one unassigned warm-pool certificate: aged, surplus, or the gateway's warmPool removed. */
export interface PoolDeleteJobData {
  gateway: string;
  poolId: string;
  certId: string;
  step: 'start' | 'await-active';
  changedAt?: number;
}

/** Deleting a certificate reconcile found (core/reconcile.ts), see cert-delete.ts. */
export interface CertDeleteJobData {
  certId: string;
  gateway: string;
}

export type LaneJobData = ProvisionJobData | RemovalJobData | ServerChangeJobData | PoolFillJobData | PoolDeleteJobData | CertDeleteJobData;

export const laneName = (gateway: string) => `lane-${gateway}`;
export const lanePrefix = (base: string, gateway: string) => queuePrefix(base, laneName(gateway));

/**
 * When a grant's certificate is deleted: its expiry rounded up to the next multiple of the coalescing
 * window, so that routine expiries on a gateway happen together and its clients are disconnected once
 * per window rather than once per expiry (deleting any certificate drops every client of the server).
 */
export function removalTime(expiresAt: number, coalesceWindowMs: number): number {
  if (coalesceWindowMs <= 0) return expiresAt;
  return Math.ceil(expiresAt / coalesceWindowMs) * coalesceWindowMs;
}

/** Provisioning is prioritised so break-glass can go first; jobs without a priority (revocations, expiries) still run before both. */
export const BREAKGLASS_PRIORITY = 1;
export const PROVISION_PRIORITY = 10;

/** Every lane job (provisioning, expiry, revocation, server change); each kind may raise `attempts`. */
export const LANE_JOB_OPTIONS = retriedJob(6, 2000, { done: 7 * 86_400, count: 10_000, failed: 30 * 86_400 });

export class Lanes implements ProvisioningQueue, ServerChangeLane {
  private readonly queues = new Map<string, Queue<LaneJobData>>();

  constructor(connection: ConnectionOptions, gateways: readonly string[], private readonly prefix = 'vpnbot', private readonly coalesceWindowMs = 0) {
    for (const gateway of gateways) {
      this.queues.set(gateway, openQueue<LaneJobData>(laneName(gateway), connection, prefix));
    }
  }

  /** Whether the gateway is configured (has a lane). */
  has(gateway: string): boolean {
    return this.queues.has(gateway);
  }

  queue(gateway: string): Queue<LaneJobData> {
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
    // BullMQ priority: break-glass goes ahead of every queued provisioning (lower runs first).
    await queue.add('provision', { requestId: request.id, step: 'start' }, { ...LANE_JOB_OPTIONS, jobId: laneJobId.provision(request.id), priority: request.kind === 'breakglass' ? BREAKGLASS_PRIORITY : PROVISION_PRIORITY });
    if (request.kind === 'breakglass') {
      // Ahead of it: what runs now, unprioritised work (revocations, due expiries) and earlier break-glass.
      const [counts, prioritized] = await Promise.all([queue.getJobCounts('active', 'waiting'), queue.getPrioritized(0, 1000)]);
      const before = prioritized.findIndex((j) => j.id === laneJobId.provision(request.id));
      return { position: (counts.active ?? 0) + (counts.waiting ?? 0) + Math.max(0, before) + 1 };
    }
    // Everything running or waiting on the lane, this job included (it was just added, last in line).
    const counts = await queue.getJobCounts('active', 'waiting', 'prioritized');
    return { position: Math.max(1, (counts.active ?? 0) + (counts.waiting ?? 0) + (counts.prioritized ?? 0)) };
  }

  /** Schedules the routine removal of an active grant at its (coalesced) expiry; idempotent. */
  async scheduleExpiry(request: AccessRequest): Promise<number> {
    const at = removalTime(request.expiresAt ?? Date.now(), this.coalesceWindowMs);
    await this.queue(request.gateway).add('expire', { requestId: request.id, reason: 'expired', actor: 'system', step: 'start' }, {
      ...LANE_JOB_OPTIONS, attempts: 20, jobId: laneJobId.expiry(request.id), delay: Math.max(0, at - Date.now()),
    });
    return at;
  }

  async rescheduleExpiry(request: AccessRequest): Promise<boolean> {
    const job = await this.queue(request.gateway).getJob(laneJobId.expiry(request.id));
    if (!job) {
      await this.scheduleExpiry(request);
      return true;
    }
    const state = await job.getState();
    if (state !== 'delayed' && state !== 'waiting' && state !== 'prioritized') return false;
    const at = removalTime(request.expiresAt ?? Date.now(), this.coalesceWindowMs);
    // A waiting job finds the later expiry when it runs and delays itself (see removal.ts).
    if (state === 'delayed') await job.changeDelay(Math.max(0, at - Date.now()));
    return true;
  }

  /** A security revocation: the certificate goes at once, not at the coalesced time. Idempotent. */
  async enqueueRevoke(request: AccessRequest, actor: string): Promise<void> {
    await this.queue(request.gateway).add('revoke', { requestId: request.id, reason: 'revoked', actor, step: 'start' }, {
      // lifo: to the front of the lane, ahead of queued provisioning.
      ...LANE_JOB_OPTIONS, attempts: 20, jobId: laneJobId.revoke(request.id), lifo: true,
    });
  }

  /** An approved server change: one job per proposal (idempotent), in line behind the lane's current work. */
  async enqueueServerChange(proposal: ServerChangeProposal): Promise<void> {
    await this.queue(proposal.gateway).add('server-change', { proposalId: proposal.id, step: 'start' }, {
      ...LANE_JOB_OPTIONS, attempts: 10, jobId: laneJobId.serverChange(proposal.id),
    });
  }

  /** A certificate delete agreed by two admins (or a leftover of an ended grant): at once, ahead of queued work. */
  async enqueueCertificateDelete(finding: Finding): Promise<void> {
    await this.queue(finding.gateway).add('cert-delete', { certId: finding.id, gateway: finding.gateway }, {
      ...LANE_JOB_OPTIONS, attempts: 10, jobId: laneJobId.certDelete(finding.id), lifo: true,
    });
  }

  /** Whether the grant's removal (revocation or expiry) is queued to run now or running. */
  async removalUnderway(request: AccessRequest): Promise<boolean> {
    const queue = this.queue(request.gateway);
    for (const id of [laneJobId.revoke(request.id), laneJobId.expiry(request.id)]) {
      const job = await queue.getJob(id);
      const state = job ? await job.getState() : undefined;
      if (state === 'active' || state === 'waiting' || state === 'prioritized' || (state === 'delayed' && (request.expiresAt ?? Infinity) <= Date.now())) return true;
    }
    return false;
  }

  /** Where a request's job stands on its lane: 0 when running, n when n-1 jobs are ahead, undefined when not queued. */
  async positionOf(request: AccessRequest): Promise<number | undefined> {
    const queue = this.queue(request.gateway);
    const job = await queue.getJob(laneJobId.provision(request.id));
    if (!job) return undefined;
    const state = await job.getState();
    if (state === 'active') return 0;
    if (state !== 'waiting' && state !== 'prioritized') return undefined;
    // Unprioritised waiting jobs run first, then prioritised ones in priority order; both lists start with the next to run.
    const [waiting, prioritized, active] = await Promise.all([queue.getWaiting(0, 1000), queue.getPrioritized(0, 1000), queue.getActiveCount()]);
    const order = [...waiting, ...prioritized];
    const index = order.findIndex((j) => j.id === job.id);
    return index < 0 ? undefined : index + 1 + active;
  }

  /** queued: running or waiting to run now; scheduled: delayed jobs (routine expiries, retries). */
  async depth(gateway: string): Promise<{ queued: number; scheduled: number }> {
    const c = await this.queue(gateway).getJobCounts('active', 'waiting', 'prioritized', 'delayed');
    return { queued: (c.active ?? 0) + (c.waiting ?? 0) + (c.prioritized ?? 0), scheduled: c.delayed ?? 0 };
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
