// The provisioning processor: approved request → certificate on the gateway → gateway active again →
// profile in the requester's DM → grant recorded. It runs as resumable steps: job.data records the step
// reached and the certificate id, every step is safe to run again, and the ClientToken is derived from the
// request id, so a retry after a timeout or a crash never makes a second certificate.
import type { Job } from 'bullmq';
import type { Logger } from 'pino';
import type { Called, VpcApi } from '../api/types.js';
import type { GatewayConfig } from '../config/schema.js';
import type { AuditLog } from '../core/audit.js';
import type { AccessEvent, Failure } from '../core/events.js';
import { certificateName, clientToken } from '../core/ids.js';
import type { Messenger, Notifications } from '../core/ports.js';
import { buildProfile, ProfileError } from '../core/profile.js';
import type { AccessRequest } from '../core/requests.js';
import type { ProfileService } from '../core/profiles.js';
import type { PoolStore } from '../core/pool.js';
import type { RequestStore } from '../core/store.js';
import type { GatewayWaiter } from './gateway-wait.js';
import type { ProvisionJobData } from './lanes.js';
import { bestEffort, cloudCall, describeFailure, gatewayGate, isPermanent, runSteps, StepFailure } from './steps.js';

/** What the jobs on a grant need: provisioning it, and removing it (removal.ts). */
export interface GrantJobDeps {
  store: RequestStore;
  audit: AuditLog;
  vpc: VpcApi;
  messenger: Messenger;
  waiter: GatewayWaiter;
  gateways: ReadonlyMap<string, GatewayConfig>;
  gatewayTimeoutMs: number;
  /** A readable handle for certificate names (e.g. the Slack username); falls back to the user id. */
  userHandle: (userId: string) => Promise<string>;
  /** Schedules the removal of the certificate when the grant expires (idempotent). */
  scheduleExpiry: (request: AccessRequest) => Promise<number>;
  /** Deletes delivered profile files from Slack at their retention, and when the grant ends. */
  profiles?: Pick<ProfileService, 'delivered' | 'grantEnded'>;
  logger: Logger;
  /** The warm pool's records, when any gateway has one (src/core/pool.ts). */
  pool?: PoolStore;
  /** Card jobs (notify queue, retried), for the break-glass alert's DM copies (see syncAlertCopies). */
  cardJobs?: Pick<Notifications, 'syncCard'>;
}

/**
 * The card itself is updated here best effort, as ever; a break-glass alert's copies in the admins' DMs
 * follow it through a card job (it updates the card and every copy, retried until Slack takes it).
 */
export function syncAlertCopies(deps: Pick<GrantJobDeps, 'cardJobs'>, request: AccessRequest): Promise<void> {
  return request.kind === 'breakglass' && request.alertCopies?.length && deps.cardJobs ? deps.cardJobs.syncCard(request) : Promise.resolve();
}

export function createProvisionProcessor(deps: GrantJobDeps) {
  return async (job: Job<ProvisionJobData>, _token?: string, signal?: AbortSignal): Promise<string> => {
    const { store } = deps;
    const request = await store.get(job.data.requestId);
    if (!request) return 'missing';
    if (request.deliveredAt) return 'already-delivered';
    if (['denied', 'cancelled', 'failed', 'expired', 'revoked'].includes(request.status)) return `skipped-${request.status}`;
    // The request is marked failed and everyone concerned is told.
    return runSteps(job, {
      logger: deps.logger,
      subject: { requestId: request.id },
      permanent: (err) => isPermanent(err) || err instanceof ProfileError,
      onFailure: (failure, line) => fail(deps, request.id, failure, line),
    }, () => provision(deps, job, request, signal), signal);
  };
}

/**
 * Thread notes are best effort and must not hold the gateway lane: they are sent in order on a chain the
 * job does not wait for (a Slack outage or 429 then delays notes, never certificates).
 */
export class ProgressNotes {
  private chain: Promise<void> = Promise.resolve();
  constructor(private readonly deps: GrantJobDeps) {}
  post(event: AccessEvent & { request: AccessRequest }): void {
    const { request } = event;
    this.chain = this.chain.then(() => this.deps.messenger.publish(event)).catch((err: Error) => {
      this.deps.logger.warn({ requestId: request.id, err: err.message }, 'progress post failed');
    });
  }
  card(request: AccessRequest): void {
    this.chain = this.chain.then(() => this.deps.messenger.updateApprovalCard(request)).catch((err: Error) => {
      this.deps.logger.warn({ requestId: request.id, err: err.message }, 'card update failed');
    });
  }
}

async function provision(deps: GrantJobDeps, job: Job<ProvisionJobData>, initial: AccessRequest, signal?: AbortSignal): Promise<string> {
  const { store, vpc, audit } = deps;
  const notes = new ProgressNotes(deps);
  const gw = deps.gateways.get(initial.gateway);
  if (!gw) throw new StepFailure(`gateway "${initial.gateway}" is no longer configured`);
  const gate = gatewayGate(deps.waiter, gw, deps.gatewayTimeoutMs, signal);

  let request = initial;
  // A request handed a pooled certificate is served by the pool-deliver job; from here on it never will be.
  if (deps.pool) {
    const holder = gw.warmPool > 0 ? await deps.pool.optOut(request.id) : await deps.pool.holderOf(request.id);
    if (holder && holder !== '-') return 'pooled';
  }
  if (request.status === 'approved') {
    const moved = await store.transition(request.id, 'provisioning', {}, ['approved']);
    if (!moved.ok) return 'not-approved';
    request = moved.request;
  }
  // The name is fixed once, before any create: a resumed job must look up and re-send exactly the same
  // name (a changed Slack handle would otherwise miss the certificate and collide on the ClientToken).
  if (!request.certName) {
    const named = await store.update(request.id, { certName: certificateName(await deps.userHandle(request.requesterId), request.id) });
    if (named.ok) request = named.request;
  }
  const certName = request.certName!;
  let { certId, changedAt } = job.data;
  certId ??= request.certId;

  if (!certId) {
    notes.post({ type: 'CertificateCreating', request });
    await gate.beforeChange();
    const cert = await cloudCall<{ certId: string; changedAt: number; created?: Called }>(async () => {
      const created = await vpc.createSslVpnClientCert({ regionId: gw.regionId, sslVpnServerId: gw.sslVpnServerId, name: certName, clientToken: clientToken.createCertificate(request.id) });
      return { certId: created.sslVpnClientCertId, changedAt: Date.now(), created };
    }, {
      attempts: 8, gate, signal,
      // An earlier run (or an ambiguous try) may have created it and crashed before recording the id.
      reread: async () => {
        const existing = (await vpc.describeSslVpnClientCerts(gw.regionId, { sslVpnServerId: gw.sslVpnServerId, name: certName })).find((c) => c.name === certName);
        return existing && { certId: existing.sslVpnClientCertId, changedAt: existing.createTime || Date.now() };
      },
    });
    ({ certId, changedAt } = cert);
    if (cert.created) {
      await audit.append({ actor: 'system', action: 'cert.created', requestId: request.id, subject: request.requesterId, gateway: gw.name, detail: `${certId} ${certName}`, cloudRequestId: cert.created.requestId });
    }
    await job.updateData({ ...job.data, step: 'await-active', certId, changedAt });
    const saved = await store.update(request.id, { certId, certName });
    if (saved.ok) request = saved.request;
    notes.post({ type: 'GatewayUpdating', request, certId });
  }

  let staged: StagedProfile | undefined;
  if (job.data.step !== 'deliver') {
    // The update takes seconds to minutes: the profile is fetched and uploaded meanwhile, so that once the
    // gateway is active only the share is left. Nothing of it is recorded before then (a crash here must
    // resume into the wait), and an upload never shared is discarded by Slack.
    const preparing = prepareDelivery(deps, request.id, { gw, certId: certId!, certName, signal });
    await gate.untilActive(changedAt ?? Date.now());
    await job.updateData({ ...job.data, step: 'deliver', certId, changedAt });
    staged = await preparing;
  }

  notes.post({ type: 'GatewayActive', request });
  return deliverProfile(deps, request, {
    gw, certId: certId!, certName, notes, signal,
    ...(job.data.fileId ? { fileId: job.data.fileId } : {}),
    ...(staged ? { staged } : {}),
    saveFileId: async (fileId) => { await job.updateData({ ...job.data, step: 'deliver', certId, changedAt, fileId }); },
  });
}

/** A profile uploaded to Slack but not shared yet: only its file id is kept (the content went with the upload). */
export interface StagedProfile {
  fileId: string;
  /** The DescribeSslVpnClientCert call it was built from, for the audit entry. */
  cloudRequestId: string;
}

/**
 * Fetches the key material and uploads the profile without sharing it, while the gateway applies the
 * change. Never rejects (the wait it runs beside may throw or be aborted, and nothing awaits it then): a
 * failure only means nothing was staged, and the delivery does it all once the gateway is active.
 */
function prepareDelivery(deps: GrantJobDeps, requestId: string, o: { gw: GatewayConfig; certId: string; certName: string; signal?: AbortSignal | undefined }): Promise<StagedProfile | undefined> {
  const stage = async (): Promise<StagedProfile> => {
    const detail = await cloudCall(() => deps.vpc.describeSslVpnClientCert(o.gw.regionId, o.certId), { attempts: 5, signal: o.signal });
    const { fileId } = await deps.messenger.stageProfile({ filename: `${o.certName}.ovpn`, content: buildProfile(detail) });
    return { fileId, cloudRequestId: detail.requestId };
  };
  return stage().catch((err: unknown) => {
    deps.logger.info({ requestId, err: describeFailure(err) }, 'profile not staged during the gateway update; it is fetched once the gateway is active');
    return undefined;
  });
}

/**
 * The last step of every grant, pooled or not: the key material is fetched (or was staged, see
 * prepareDelivery), sent only to the DM, and never stored; then the grant is recorded active, audited and
 * its expiry scheduled.
 */
export async function deliverProfile(deps: GrantJobDeps, request: AccessRequest, o: {
  gw: GatewayConfig; certId: string; certName: string; notes: ProgressNotes; signal?: AbortSignal | undefined;
  /** A started upload (from an earlier run), to check whether it was already shared. */
  fileId?: string;
  /** Uploaded by this run while the gateway was updating: only the share is left. */
  staged?: StagedProfile;
  saveFileId: (fileId: string) => Promise<void>;
}): Promise<'delivered' | 'already-delivered'> {
  const { store, vpc, audit } = deps;
  const { gw, certId, certName, notes } = o;
  const filename = `${certName}.ovpn`;
  const fresh = (await store.get(request.id)) ?? request;
  if (fresh.deliveredAt) return 'already-delivered';
  let sent: { fileId?: string | undefined; cloudRequestId: string } | undefined;
  if (o.staged) {
    // Recorded before the share, like any upload: a crash after the share is then never repeated.
    await o.saveFileId(o.staged.fileId);
    if (await deps.messenger.shareProfile(fresh, o.staged.fileId, filename) === 'shared') sent = o.staged;
    // Slack dropped the unshared upload (its URL can lapse during a long wait): fetched and uploaded afresh.
    else deps.logger.info({ requestId: request.id }, 'staged profile upload lapsed; uploading it again');
  }
  if (!sent) {
    const detail = await cloudCall(() => vpc.describeSslVpnClientCert(gw.regionId, certId), { attempts: 5, signal: o.signal });
    const content = buildProfile(detail);
    let fileId = o.fileId;
    const alreadyShared = fileId ? await deps.messenger.profileDelivered(fresh, fileId) : false;
    if (!alreadyShared) fileId = (await deps.messenger.deliverProfile(fresh, { filename, content }, o.saveFileId)).fileId;
    sent = { fileId, cloudRequestId: detail.requestId };
  }
  const { fileId } = sent;
  const now = Date.now();
  // The file id is kept so the file can be deleted from Slack at access.profileRetention (see profiles.ts).
  const done = await store.transition(request.id, 'active', { deliveredAt: now, expiresAt: now + request.durationMs, certId, certName, ...(fileId ? { profileFiles: [fileId] } : {}) }, ['provisioning']);
  await audit.append({ actor: 'system', action: 'profile.delivered', requestId: request.id, subject: request.requesterId, gateway: gw.name, detail: certId, cloudRequestId: sent.cloudRequestId });
  const granted = done.ok ? done.request : fresh;
  // Recovery at start-up and the periodic sweep schedule it too, should this process die right here.
  await deps.scheduleExpiry(granted);
  notes.post({ type: 'ProfileDelivered', request: { ...granted, expiresAt: granted.expiresAt ?? now } });
  notes.card(granted);
  await syncAlertCopies(deps, granted).catch((err: Error) => deps.logger.warn({ requestId: granted.id, err: err.message }, 'alert copies update not queued'));
  return 'delivered';
}

export async function fail(deps: GrantJobDeps, requestId: string, failure: Failure, reason: string): Promise<void> {
  const moved = await deps.store.transition(requestId, 'failed', { failure: failure.detail, ...(failure.adviceKey ? { failureAdvice: failure.adviceKey } : {}) }, ['approved', 'provisioning']);
  if (!moved.ok) return;
  const request = moved.request;
  deps.logger.error({ requestId, reason }, 'provisioning failed');
  await deps.audit.append({ actor: 'system', action: 'request.failed', requestId, subject: request.requesterId, gateway: request.gateway, detail: reason });
  await bestEffort(deps.logger, { requestId }, 'failure notice not sent', [
    deps.messenger.publish({ type: 'RequestFailed', request, failure }),
    deps.messenger.notifyRequester(request, 'failed'),
    deps.messenger.updateApprovalCard(request),
    syncAlertCopies(deps, request),
  ]);
}
