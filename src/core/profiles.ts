// Profiles do not linger: the delivered .ovpn (it holds the private key) is deleted from Slack after
// access.profileRetention, and at the latest when the grant ends. `/vpn resend` uploads a fresh copy of
// the caller's active profile, fetched again from the gateway and never stored. The request record keeps
// only the Slack file ids still to delete.
import { CloudError } from '../api/errors.js';
import type { VpcApi } from '../api/types.js';
import type { AuditLog } from './audit.js';
import type { Messenger } from './ports.js';
import { buildProfile } from './profile.js';
import type { AccessRequest } from './requests.js';
import { refuse, type Outcome } from './refusals.js';
import type { RequestStore } from './store.js';

/** The profile file in Slack: upload into the requester's DM, delete for everyone. */
export interface ProfileFiles {
  deliverProfile: Messenger['deliverProfile'];
  /** 'gone' when Slack no longer has it (deleted by hand, or by an earlier try). */
  deleteFile(fileId: string): Promise<'deleted' | 'gone'>;
}

/** Durable deletion times (BullMQ delayed jobs): idempotent per file. */
export interface ProfileDeletions {
  deleteAt(requestId: string, fileId: string, at: number): Promise<void>;
  /** Now: the grant ended. Brings a scheduled deletion forward. */
  deleteNow(requestId: string, fileId: string): Promise<void>;
}

export interface ProfileServiceDeps {
  store: RequestStore;
  audit: AuditLog;
  vpc: VpcApi;
  gateways: ReadonlyMap<string, { name: string; regionId: string }>;
  files: ProfileFiles;
  deletions: ProfileDeletions;
  retentionMs: number;
  onError?: (what: string, err: unknown) => void;
}

export interface Resent {
  request: AccessRequest;
  fileId: string;
  /** When the file is deleted from Slack. */
  removeAt: number;
}

/** When a file delivered at `at` goes: after the retention, or when the grant ends if sooner. */
export function profileRemovalTime(at: number, retentionMs: number, expiresAt?: number): number {
  return Math.min(at + retentionMs, expiresAt ?? Number.POSITIVE_INFINITY);
}

export class ProfileService {
  constructor(private readonly deps: ProfileServiceDeps) {}

  get retentionMs(): number {
    return this.deps.retentionMs;
  }

  /** After a delivery: schedules the deletion of each file the grant holds (idempotent). */
  async delivered(request: AccessRequest): Promise<void> {
    const at = (request.deliveredAt ?? Date.now()) + this.deps.retentionMs;
    for (const fileId of request.profileFiles ?? []) await this.deps.deletions.deleteAt(request.id, fileId, at);
  }

  /** The grant ended (expired, revoked, vanished): every file still in Slack goes now. */
  async grantEnded(request: AccessRequest): Promise<void> {
    for (const fileId of request.profileFiles ?? []) await this.deps.deletions.deleteNow(request.id, fileId);
  }

  /** The deletion job: files.delete, then the id is forgotten. Safe to run twice. */
  async deleteFile(requestId: string, fileId: string): Promise<'deleted' | 'gone'> {
    const result = await this.deps.files.deleteFile(fileId);
    const updated = await this.deps.store.mutate(requestId, (current) => (current.profileFiles?.includes(fileId) ? { patch: { profileFiles: current.profileFiles.filter((f) => f !== fileId) } } : null));
    const request = updated.ok ? updated.request : updated.reason === 'not-allowed' ? updated.request : undefined;
    if (updated.ok || result === 'deleted') {
      await this.deps.audit.append({
        actor: 'system', action: 'profile.file-deleted', requestId, ...(request ? { subject: request.requesterId, gateway: request.gateway } : {}),
        detail: `${fileId}${result === 'gone' ? ' (already gone from Slack)' : ''}${request && request.status !== 'active' ? ` (access ${request.status})` : ''}`,
      });
    }
    return result;
  }

  /** A fresh copy of the caller's active profile, fetched again from the gateway, into their DM. */
  async resend(userId: string, filter: { requestId?: string; gateway?: string } = {}): Promise<Outcome<Resent>> {
    const { store, vpc, audit } = this.deps;
    const active = (await store.listByUser(userId, 50)).filter((r) => r.status === 'active' && (!filter.requestId || r.id === filter.requestId) && (!filter.gateway || r.gateway === filter.gateway));
    if (active.length === 0) return refuse({ code: 'nothing-to-resend', filtered: Boolean(filter.requestId || filter.gateway) });
    if (active.length > 1) return refuse({ code: 'several-grants', command: 'resend', gateways: active.map((r) => r.gateway) });
    const grant = active[0]!;
    const gw = this.deps.gateways.get(grant.gateway);
    if (!gw || !grant.certId || !grant.certName) return refuse({ code: 'no-readable-certificate', gateway: grant.gateway });
    let detail;
    try {
      detail = await vpc.describeSslVpnClientCert(gw.regionId, grant.certId);
    } catch (err) {
      if (!(err instanceof CloudError)) this.deps.onError?.('DescribeSslVpnClientCert for resend', err);
      return refuse({ code: 'profile-unreadable', gateway: grant.gateway, cause: err instanceof CloudError && err.kind === 'not-found' ? 'certificate-gone' : 'no-answer' });
    }
    const content = buildProfile(detail);
    // The file id is recorded (and its deletion scheduled) before the file is shared: a crash between the
    // two must not leave a key in Slack that nothing will delete.
    const removeAt = profileRemovalTime(Date.now(), this.deps.retentionMs, grant.expiresAt);
    const { fileId } = await this.deps.files.deliverProfile(grant, { filename: `${grant.certName}.ovpn`, content }, async (id) => {
      await store.mutate(grant.id, (current) => ({ patch: { profileFiles: [...(current.profileFiles ?? []), id] } }));
      await this.deps.deletions.deleteAt(grant.id, id, removeAt);
    });
    await audit.append({ actor: userId, action: 'profile.resent', requestId: grant.id, subject: userId, gateway: grant.gateway, detail: `${grant.certId} as file ${fileId}`, cloudRequestId: detail.requestId });
    return { ok: true, value: { request: grant, fileId, removeAt } };
  }
}
