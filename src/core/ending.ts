// Ending requests at once, the one way both the holder ("I'm done", `/vpn revoke`) and an admin (`/vpn admin
// revoke`, offboarding, leavers) do it: an active grant's certificate removal goes to the front of its
// lane; a request not yet being set up is cancelled (its card updated, its extension slot freed); one being
// provisioned right now is reported, to be revoked once active.
import type { AuditLog } from './audit.js';
import type { Notifications, ProvisioningQueue } from './ports.js';
import type { AccessRequest, RequestStatus } from './requests.js';
import type { RequestStore } from './store.js';

export interface EndingDeps {
  store: RequestStore;
  audit: AuditLog;
  notifications: Notifications;
  provisioning: ProvisioningQueue;
}

/** Who ends the requests. A holder cancels only pending requests; an admin also approved (still queued) ones. */
export type EndedBy = { by: 'holder'; actorId: string } | { by: 'admin'; actorId: string; why: string };

export interface RevokeSummary {
  /** Active grants whose certificate removal was enqueued at once. */
  revoked: AccessRequest[];
  /** Pending (or, by an admin, approved) requests that were cancelled. */
  cancelled: AccessRequest[];
  /** Being provisioned right now: they can only be revoked once active. */
  inFlight: AccessRequest[];
}

export async function endRequests(deps: EndingDeps, ender: EndedBy, requests: readonly AccessRequest[]): Promise<RevokeSummary> {
  const { store, audit, notifications, provisioning } = deps;
  const { actorId } = ender;
  const admin = ender.by === 'admin';
  // A queued provisioning job finds the request cancelled and stops before creating anything.
  const cancellable: readonly RequestStatus[] = admin ? ['pending', 'approved'] : ['pending'];
  const summary: RevokeSummary = { revoked: [], cancelled: [], inFlight: [] };
  for (const request of requests) {
    const about = { requestId: request.id, subject: request.requesterId, gateway: request.gateway };
    if (request.status === 'active') {
      await provisioning.enqueueRevoke(request, actorId);
      await audit.append({ actor: actorId, action: admin ? 'admin.grant.revoke-requested' : 'grant.revoke-requested', ...about, ...(admin ? { detail: `${request.certId ?? 'no certificate id'} (${ender.why})` } : {}) });
      summary.revoked.push(request);
    } else if (cancellable.includes(request.status)) {
      const moved = await store.transition(request.id, 'cancelled', { cancelledBy: actorId }, cancellable);
      if (!moved.ok) {
        if (moved.reason === 'not-allowed' && moved.request.status === 'provisioning') summary.inFlight.push(moved.request);
        continue;
      }
      await audit.append({ actor: actorId, action: admin ? 'admin.request.cancelled' : 'request.cancelled', ...about, ...(admin ? { detail: ender.why } : {}) });
      await releaseExtension(deps, moved.request);
      await notifications.syncCard(moved.request);
      if (moved.request.requesterId !== actorId) await notifications.tellRequester(moved.request, 'cancelled');
      summary.cancelled.push(moved.request);
    } else if (request.status === 'approved' || request.status === 'provisioning') {
      summary.inFlight.push(request);
    }
  }
  return summary;
}

/** A closed extension request no longer blocks a new one on its grant. */
export async function releaseExtension(deps: Pick<EndingDeps, 'store' | 'notifications'>, extension: AccessRequest): Promise<void> {
  if (extension.kind !== 'extension' || !extension.grantId) return;
  const grant = await deps.store.mutate(extension.grantId, (g) => (g.pendingExtensionId === extension.id ? { patch: { pendingExtensionId: undefined } } : null));
  if (grant.ok) await deps.notifications.syncCard(grant.request);
}
