// The warm certificate pool (issue #9, docs/architecture.md "Warm pool"): per gateway, `warmPool`
// unassigned certificates are kept ready, so an approval is served without waiting for a gateway update.
// - Fills and deletions are lane jobs like any change (ClientToken, one at a time, gateway active first);
//   fills run at a lower priority than people's requests, so a refill never delays someone in line.
// - An approval claims a ready certificate with one compare-and-set (src/core/pool.ts) and is delivered
//   by the pool-deliver queue, which is not a lane: it reads the certificate and uploads the profile only.
// - Aged, surplus and no-longer-wanted certificates are deleted at the coalesced removal time.
import { Worker, type ConnectionOptions, type Job, type Queue } from 'bullmq';
import { openQueue, queuePrefix } from './queues.js';
import { CloudError } from '../api/errors.js';
import { gatewaySchema, type GatewayConfig } from '../config/schema.js';
import { clientToken, laneJobId, newPoolId, poolCertificateName } from '../core/ids.js';
import type { PoolCert, PoolStore } from '../core/pool.js';
import type { ProvisioningQueue } from '../core/ports.js';
import type { AccessRequest } from '../core/requests.js';
import { LANE_JOB_OPTIONS, removalTime, type Lanes, type PoolDeleteJobData, type PoolFillJobData } from './lanes.js';
import { deliverProfile, fail, ProgressNotes, type GrantJobDeps } from './provision.js';
import { cloudCall, gatewayGate, isPermanent, runSteps, toFailure, type GatewayGate } from './steps.js';
import { deleteVerified, DeleteNotVerified } from './verified-delete.js';

export const POOL_DELIVER_QUEUE = 'pool-deliver';

export interface PoolDeliverJobData {
  requestId: string;
  gateway: string;
  /** Slack file id of a started profile upload, to check on resume whether it was already shared. */
  fileId?: string;
  audited?: boolean;
}

/** Refills wait behind every request already in line (BullMQ runs jobs without a priority first). */
const FILL_PRIORITY = 100;
/** After Resource.QuotaFull, refilling pauses this long before one more try. */
const QUOTA_PAUSE_MS = 60 * 60_000;

const isQuotaFull = (err: unknown) => err instanceof CloudError && /QuotaFull/.test(err.code);

export interface WarmPoolOptions {
  pool: PoolStore;
  lanes: Lanes;
  gateways: ReadonlyMap<string, GatewayConfig>;
  connection: ConnectionOptions;
  prefix?: string;
  maxAgeMs: number;
  coalesceWindowMs: number;
}

/**
 * The provisioning queue with a pool in front: a request on a gateway with a ready pooled certificate is
 * handed it; any other takes its lane as before. Also keeps each gateway's pool at its target.
 */
export class WarmPool implements ProvisioningQueue {
  readonly deliveries: Queue<PoolDeliverJobData>;

  constructor(private readonly o: WarmPoolOptions) {
    this.deliveries = openQueue<PoolDeliverJobData>(POOL_DELIVER_QUEUE, o.connection, o.prefix ?? 'vpnbot');
  }

  get store(): PoolStore {
    return this.o.pool;
  }

  target(gateway: string): number {
    return this.o.gateways.get(gateway)?.warmPool ?? 0;
  }

  async enqueueProvision(request: AccessRequest): Promise<{ position: number }> {
    // Only an approval not yet started may be served from the pool; the claim fixes its path for good.
    if (request.status === 'approved' && this.target(request.gateway) > 0) {
      const holder = await this.o.pool.claim(request.gateway, request.id, Date.now() - this.o.maxAgeMs);
      if (holder !== '-') {
        await this.deliveries.add('pool-deliver', { requestId: request.id, gateway: request.gateway }, { ...LANE_JOB_OPTIONS, jobId: laneJobId.poolDeliver(request.id) });
        return { position: 0 };
      }
    } else if (request.status === 'provisioning') {
      // Recovery: a pooled delivery interrupted by a crash resumes on the pool-deliver queue.
      const holder = await this.o.pool.holderOf(request.id);
      if (holder && holder !== '-') {
        await this.deliveries.add('pool-deliver', { requestId: request.id, gateway: request.gateway }, { ...LANE_JOB_OPTIONS, jobId: laneJobId.poolDeliver(request.id) });
        return { position: 0 };
      }
    }
    return this.o.lanes.enqueueProvision(request);
  }

  enqueueRevoke(request: AccessRequest, actor: string): Promise<void> {
    return this.o.lanes.enqueueRevoke(request, actor);
  }

  rescheduleExpiry(request: AccessRequest): Promise<boolean> {
    return this.o.lanes.rescheduleExpiry(request);
  }

  /** Reserves and enqueues fills until ready + filling reaches the gateway's target (none while paused). */
  async topUp(gateway: string): Promise<number> {
    const target = this.target(gateway);
    let added = 0;
    for (let i = 0; i < target; i++) {
      const poolId = await this.o.pool.reserve(gateway, target, newPoolId());
      if (!poolId) break;
      await this.enqueueFill(gateway, poolId);
      added++;
    }
    return added;
  }

  private enqueueFill(gateway: string, poolId: string) {
    return this.o.lanes.queue(gateway).add('pool-fill', { gateway, poolId, step: 'start' } as PoolFillJobData, {
      ...LANE_JOB_OPTIONS, jobId: laneJobId.poolFill(poolId), priority: FILL_PRIORITY,
    });
  }

  /** Deletes a retired certificate at the next coalesced removal time (idempotent per certificate). */
  async enqueueDelete(cert: PoolCert): Promise<void> {
    const at = removalTime(Date.now(), this.o.coalesceWindowMs);
    await this.o.lanes.queue(cert.gateway).add('pool-delete', { gateway: cert.gateway, poolId: cert.poolId, certId: cert.certId, step: 'start' } as PoolDeleteJobData, {
      ...LANE_JOB_OPTIONS, attempts: 20, jobId: laneJobId.poolDelete(cert.poolId), delay: Math.max(0, at - Date.now()),
    });
  }

  /**
   * At start and on every sweep, per gateway: record where it is (see retireRemovedGateways), stop fills no longer wanted (setting removed), retire aged
   * and surplus certificates, make sure every reservation and retirement has its job (a crash between the
   * record and the enqueue), and top up. Idempotent.
   */
  async maintain(): Promise<void> {
    for (const [gateway, gw] of this.o.gateways) {
      await this.o.pool.register(gw);
      const target = this.target(gateway);
      if (target === 0) await this.o.pool.abandonAll(gateway);
      await this.o.pool.retire(gateway, Date.now() - this.o.maxAgeMs, target);
      for (const cert of await this.o.pool.retiring(gateway)) await this.enqueueDelete(cert);
      for (const poolId of await this.o.pool.pending(gateway)) await this.enqueueFill(gateway, poolId);
      await this.topUp(gateway);
    }
  }

  /** For `/vpn admin status`. */
  async counts(gateway: string): Promise<{ target: number; ready: number; filling: number; paused: boolean }> {
    const c = await this.o.pool.counts(gateway);
    return { target: this.target(gateway), ready: c.ready, filling: c.filling, paused: c.paused };
  }

  async close(): Promise<void> {
    await this.deliveries.close();
  }
}

export interface PoolJobDeps extends GrantJobDeps {
  pool: PoolStore;
  warm: WarmPool;
}

/** Creates one pool certificate on the lane: gateway active → create (ClientToken) → active again → listed → ready. */
export function createPoolFillProcessor(deps: PoolJobDeps) {
  return async (job: Job<PoolFillJobData>, _token?: string, signal?: AbortSignal): Promise<string> => {
    const { pool, vpc, audit } = deps;
    const { gateway, poolId } = job.data;
    const gw = deps.gateways.get(gateway);
    if (!gw) return 'gateway-gone';
    const name = poolCertificateName(poolId);
    let { certId, changedAt } = job.data;
    if (!certId && !(await pool.isPending(gateway, poolId))) return 'not-wanted';
    const gate = gatewayGate(deps.waiter, gw, deps.gatewayTimeoutMs, signal);
    return runSteps(job, {
      logger: deps.logger,
      subject: { poolId, gateway },
      onFailure: async (reason) => {
        deps.logger.warn({ poolId, gateway, reason }, 'pool fill failed');
        await pool.abandon(gateway, poolId);
        if (certId) {
          const cert: PoolCert = { certId, poolId, name, gateway, createdAt: changedAt ?? Date.now() };
          await pool.retireCert(cert);
          await deps.warm.enqueueDelete(cert);
        }
      },
    }, async () => {
      if (!certId) {
        await gate.beforeChange();
        let created;
        try {
          created = await cloudCall<{ certId: string; changedAt: number; cloudRequestId?: string }>(async () => {
            const r = await vpc.createSslVpnClientCert({ regionId: gw.regionId, sslVpnServerId: gw.sslVpnServerId, name, clientToken: clientToken.createPoolCertificate(poolId) });
            return { certId: r.sslVpnClientCertId, changedAt: Date.now(), cloudRequestId: r.requestId };
          }, {
            attempts: 8, gate, signal,
            reread: async () => {
              const existing = (await vpc.describeSslVpnClientCerts(gw.regionId, { sslVpnServerId: gw.sslVpnServerId, name })).find((c) => c.name === name);
              return existing && { certId: existing.sslVpnClientCertId, changedAt: existing.createTime || Date.now() };
            },
          });
        } catch (err) {
          if (!isQuotaFull(err)) throw err;
          await pool.abandon(gateway, poolId);
          const counts = await pool.counts(gateway);
          if (await pool.pauseForQuota(gateway, QUOTA_PAUSE_MS)) {
            await audit.append({ actor: 'system', action: 'pool.quota-full', gateway, detail: `${counts.ready} of ${deps.warm.target(gateway)} ready; refilling paused` });
            await deps.messenger.poolNotice({ kind: 'quota-full', gateway, ready: counts.ready, target: deps.warm.target(gateway) })
              .catch((e: Error) => deps.logger.warn({ gateway, err: e.message }, 'quota notice not sent'));
          }
          return 'quota-full';
        }
        ({ certId, changedAt } = created);
        await audit.append({ actor: 'system', action: 'pool.cert.created', gateway, detail: `${certId} ${name}`, ...(created.cloudRequestId ? { cloudRequestId: created.cloudRequestId } : {}) });
        await job.updateData({ ...job.data, step: 'await-active', certId, changedAt });
      }
      await gate.untilActive(changedAt ?? Date.now());
      // Ready means listed too: the certificate is handed out without looking at the gateway again.
      const listed = (await cloudCall(() => vpc.describeSslVpnClientCerts(gw.regionId, { sslVpnServerId: gw.sslVpnServerId, name }), { attempts: 5, signal }))
        .some((c) => c.sslVpnClientCertId === certId);
      if (!listed) throw new Error(`pool certificate ${certId} is not listed on ${gateway} yet`);
      const cert: PoolCert = { certId: certId!, poolId, name, gateway, createdAt: changedAt ?? Date.now() };
      if (!(await pool.filled(cert))) {
        await deps.warm.enqueueDelete(cert);
        return 'not-wanted';
      }
      await pool.quotaEpisodeOver(gateway);
      await deps.warm.topUp(gateway);
      return 'pool-ready';
    });
  };
}

/** Deletes one retired (never assigned) pool certificate on the lane, verified gone like every delete. */
export function createPoolDeleteProcessor(deps: PoolJobDeps) {
  return async (job: Job<PoolDeleteJobData>, _token?: string, signal?: AbortSignal): Promise<string> => {
    const { pool } = deps;
    const { gateway, certId, poolId } = job.data;
    const gw = deps.gateways.get(gateway);
    // Removed from the configuration: retireRemovedGateways deletes its pool, off the lanes.
    if (!gw) return 'gateway-gone';
    // Belt and braces: a certificate someone holds is never deleted here (their grant's removal does it).
    if (await pool.assignedTo(gateway, certId)) return 'assigned';
    const gate = gatewayGate(deps.waiter, gw, deps.gatewayTimeoutMs, signal);
    await runSteps(job, {
      logger: deps.logger,
      subject: { poolId, gateway },
      permanent: (err) => (err instanceof CloudError && err.kind === 'permanent') || err instanceof DeleteNotVerified,
      onFailure: async (failure, reason) => {
        deps.logger.error({ certId, gateway, reason }, 'pool certificate removal failed');
        await deps.messenger.poolNotice({ kind: 'delete-failed', gateway, certId, failure }).catch(() => undefined);
      },
    }, async () => {
      // Also after a crash mid-way: the same ClientToken replays a delete already sent, and absence is checked anyway.
      await gate.beforeChange();
      await deletePoolCert(deps, gate, { gateway, certId, poolId }, 'retired');
    });
    await pool.deleted(gateway, certId);
    return 'pool-deleted';
  };
}

/** One unassigned pool certificate deleted and verified gone (verified-delete.ts), audited as such. */
async function deletePoolCert(deps: PoolJobDeps, gate: GatewayGate, cert: { gateway: string; certId: string; poolId: string }, why: string): Promise<void> {
  const { certId, gateway } = cert;
  const result = await deleteVerified({
    vpc: deps.vpc, gate, certId, clientToken: clientToken.deletePoolCertificate(cert.poolId), deadline: Date.now() + deps.gatewayTimeoutMs,
    onRetry: (attempt) => deps.audit.append({ actor: 'system', action: 'cert.delete-not-applied', gateway, detail: `${certId} still listed after delete #${attempt}; deleting again` }).then(() => undefined),
  });
  await deps.audit.append({
    actor: 'system', action: 'pool.cert.deleted', gateway, detail: `${certId} (${why}): removed and verified${result.attempts > 1 ? ` after ${result.attempts} deletes` : ''}`,
    ...(result.cloudRequestId ? { cloudRequestId: result.cloudRequestId } : {}),
  });
}

/**
 * A gateway removed from the configuration keeps nobody's certificates: its unassigned pool certificates
 * (valid credentials nobody holds) are deleted and verified gone, reaching the gateway by the coordinates
 * recorded while it was configured, and then its pool records are dropped. It has no lane any more, so
 * nothing else of the bot changes it; one process at a time does this (a lock in Redis). Certificates
 * someone holds stay with their grants. Runs with the pool upkeep; whatever fails is retried next time.
 */
export async function retireRemovedGateways(deps: PoolJobDeps): Promise<void> {
  for (const [name, stored] of await deps.pool.registered()) {
    if (deps.gateways.has(name)) continue;
    const parsed = gatewaySchema.safeParse(stored);
    if (!parsed.success) {
      deps.logger.error({ gateway: name }, 'removed gateway: its recorded coordinates are not valid; delete its pool certificates by hand');
      continue;
    }
    if (!(await deps.pool.lockCleanup(name, 2 * deps.gatewayTimeoutMs))) continue;
    try {
      await deps.pool.abandonAll(name);
      await deps.pool.retire(name, Number.MAX_SAFE_INTEGER, 0);
      const gate = gatewayGate(deps.waiter, parsed.data, deps.gatewayTimeoutMs);
      for (const cert of await deps.pool.retiring(name)) {
        if (await deps.pool.assignedTo(name, cert.certId)) continue;
        try {
          await gate.beforeChange();
          await deletePoolCert(deps, gate, cert, 'gateway removed from the configuration');
          await deps.pool.deleted(name, cert.certId);
        } catch (err) {
          const failure = toFailure(err);
          deps.logger.error({ certId: cert.certId, gateway: name, reason: failure.detail }, 'pool certificate of a removed gateway not deleted; retried at the next upkeep');
          await deps.messenger.poolNotice({ kind: 'delete-failed', gateway: name, certId: cert.certId, failure }).catch(() => undefined);
        }
      }
      if (await deps.pool.forgetGateway(name)) {
        await deps.audit.append({ actor: 'system', action: 'pool.gateway-forgotten', gateway: name, detail: 'removed from the configuration; its pool is deleted' });
      }
    } finally {
      await deps.pool.unlockCleanup(name);
    }
  }
}

/** Hands a claimed pool certificate to its request: profile fetched fresh, DM, grant active, refill queued. */
export function createPoolDeliverProcessor(deps: PoolJobDeps) {
  return async (job: Job<PoolDeliverJobData>, _token?: string, signal?: AbortSignal): Promise<string> => {
    const { store, pool, audit } = deps;
    const { requestId, gateway } = job.data;
    let request = await store.get(requestId);
    if (!request) return 'missing';
    if (request.deliveredAt) return 'already-delivered';
    const certId = await pool.holderOf(requestId);
    if (!certId || certId === '-') return 'not-pooled';
    const cert = await pool.cert(gateway, certId);
    if (request.status === 'approved') {
      // The ids go on the request now, so a failure notice, revoke or reconcile names the certificate.
      const moved = await store.transition(requestId, 'provisioning', cert ? { certId, certName: cert.name } : {}, ['approved']);
      if (moved.ok) request = moved.request;
      else if (moved.reason === 'not-allowed') request = moved.request;
    }
    if (request.status === 'cancelled') {
      // Nothing was delivered: the certificate goes back to the pool for the next approval.
      await pool.release(gateway, requestId, 'ready');
      return 'released';
    }
    if (request.status !== 'provisioning') return `skipped-${request.status}`;
    const gw = deps.gateways.get(gateway);
    if (!gw || !cert) return fallBack(deps, request, 'the pooled certificate is no longer known');
    if (!job.data.audited) {
      await audit.append({ actor: 'system', action: 'pool.assigned', requestId, subject: request.requesterId, gateway, detail: `${certId} ${cert.name}` });
      await job.updateData({ ...job.data, audited: true });
      void deps.messenger.poolNotice({ kind: 'assigned', request, certId }).catch((e: Error) => deps.logger.warn({ requestId, err: e.message }, 'progress post failed'));
    }
    const current = request;
    try {
      return await runSteps(job, {
        logger: deps.logger,
        subject: { requestId },
        // A certificate missing on the gateway is handled below, by the ordinary path.
        permanent: (err) => isPermanent(err) && !(err instanceof CloudError && err.kind === 'not-found'),
        onFailure: (failure, reason) => fail(deps, requestId, failure, reason),
      }, async () => {
        const outcome = await deliverProfile(deps, current, {
          gw, certId, certName: cert.name, notes: new ProgressNotes(deps), signal,
          ...(job.data.fileId ? { fileId: job.data.fileId } : {}),
          saveFileId: async (fileId) => { await job.updateData({ ...job.data, fileId }); },
        });
        await deps.warm.topUp(gateway);
        return outcome;
      });
    } catch (err) {
      // Deleted on the gateway behind our back (and nothing delivered): the request takes the ordinary path.
      if (err instanceof CloudError && err.kind === 'not-found' && !job.data.fileId) return fallBack(deps, current, `certificate ${certId} is missing on the gateway`);
      throw err;
    }
  };
}

async function fallBack(deps: PoolJobDeps, request: AccessRequest, why: string): Promise<string> {
  deps.logger.warn({ requestId: request.id, why }, 'pooled delivery falls back to the ordinary path');
  await deps.pool.release(request.gateway, request.id, 'gone');
  const cleared = await deps.store.update(request.id, { certId: undefined, certName: undefined });
  await deps.warm.enqueueProvision(cleared.ok ? cleared.request : request);
  return 'pool-fallback';
}

export function startPoolDeliverWorker(deps: PoolJobDeps & { connection: ConnectionOptions; prefix?: string; lockDurationMs?: number }): Worker<PoolDeliverJobData> {
  const processor = createPoolDeliverProcessor(deps);
  const worker = new Worker<PoolDeliverJobData>(POOL_DELIVER_QUEUE, processor, {
    connection: deps.connection, prefix: queuePrefix(deps.prefix ?? 'vpnbot', POOL_DELIVER_QUEUE),
    // Deliveries only read the gateway and talk to Slack: several at once, on every gateway.
    concurrency: 8, maxStalledCount: 3,
    lockDuration: deps.lockDurationMs ?? 30_000, stalledInterval: Math.round((deps.lockDurationMs ?? 30_000) / 2),
  });
  worker.on('error', (err) => deps.logger.error({ err: err.message }, 'pool-deliver worker error'));
  worker.on('failed', (job, err) => deps.logger.warn({ jobId: job?.id, err: err.message }, 'pool delivery attempt failed'));
  return worker;
}
