// What happens to requests, grants and server changes, as typed events. The domain and the jobs emit
// them; only the bot (src/bot/views) decides how each one reads and where it is posted.
import type { AdviceKey, CloudErrorKind } from '../api/errors.js';
import type { AccessRequest } from './requests.js';
import type { ServerChangeProposal } from './server-change-store.js';
import type { ProfileKey } from './server-changes.js';

/** Why something failed: a one-line detail (a cloud code and message, or our own reason), its class, and what to do. */
export interface Failure {
  detail: string;
  /** The class of a cloud failure; absent for our own refusals. */
  errorClass?: CloudErrorKind;
  adviceKey?: AdviceKey;
}

export type AccessEvent =
  /** Approved and put on the gateway's lane; `position` 1 is next in line. */
  | { type: 'RequestQueued'; request: AccessRequest; approverId: string; position: number }
  /** One more of the N approvals a request needs (N-of-M). */
  | { type: 'ApprovalCounted'; request: AccessRequest; approverId: string; count: number; required: number }
  /** An extension request got its last approval and was applied to `grant`. */
  | { type: 'ExtensionApplied'; request: AccessRequest; grant: AccessRequest; approverId: string }
  | { type: 'CertificateCreating'; request: AccessRequest }
  /** The certificate exists; the gateway is applying it. */
  | { type: 'GatewayUpdating'; request: AccessRequest; certId: string }
  /** The gateway is active again; the profile is being delivered. */
  | { type: 'GatewayActive'; request: AccessRequest }
  | { type: 'ProfileDelivered'; request: AccessRequest }
  /** The certificate was removed: at expiry, or revoked (by `request.revokedBy`). */
  | { type: 'AccessEnded'; request: AccessRequest; reason: 'expired' | 'revoked' }
  /** Provisioning gave up; `request.failure` holds the same failure. */
  | { type: 'RequestFailed'; request: AccessRequest; failure: Failure }
  /** A certificate could not be removed and still grants access. */
  | { type: 'RemovalFailed'; request: AccessRequest; reason: 'expired' | 'revoked'; gateway: string; failure: Failure }
  /** A coalesced batch of expired certificates is about to be removed (clients reconnect). */
  | { type: 'ExpiriesStarting'; gateway: string; count: number }
  /** A server change altered settings written into the grant's delivered profile: it no longer connects; the holder needs a new one. */
  | { type: 'ProfileOutdated'; request: AccessRequest; changed: readonly ProfileKey[] };

export type ServerChangeEvent =
  | { type: 'ChangeApproved'; proposal: ServerChangeProposal; actorId: string }
  /** Rejected by another admin, or withdrawn by the proposer (actorId === proposal.proposedBy). */
  | { type: 'ChangeRejected'; proposal: ServerChangeProposal; actorId: string }
  /** On the lane: waiting for the gateway to be free. */
  | { type: 'ChangeApplying'; proposal: ServerChangeProposal; gateway: string }
  /** ModifySslVpnServer accepted; the gateway is updating. */
  | { type: 'ChangeSent'; proposal: ServerChangeProposal; cloudRequestId: string }
  /** `holdersTold`: how many holders of a profile the change made stale were told to get a new one. */
  | { type: 'ChangeApplied'; proposal: ServerChangeProposal; gateway: string; cloudRequestId?: string; holdersTold?: number }
  | { type: 'ChangeFailed'; proposal: ServerChangeProposal; failure: Failure };
