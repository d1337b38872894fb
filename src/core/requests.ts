// Access requests and the grants they become. A request moves only through the transitions in
// TRANSITIONS; the store applies each as an atomic compare-and-set, so a double click, a retry or a
// second process can never apply a decision twice.
import type { AdviceKey } from '../api/errors.js';
export type RequestStatus =
  | 'pending'       // waiting for an approver
  | 'approved'      // approved, provisioning job enqueued
  | 'provisioning'  // the job is creating the certificate / delivering the profile
  | 'active'        // profile delivered; the grant runs until expiresAt
  | 'denied'
  | 'cancelled'
  | 'failed'
  | 'expired'
  | 'revoked'
  | 'lapsed'        // pending past access.pendingTtl without a decision
  | 'applied';      // an extension request, approved and applied to its grant

/** access: a request for a grant; extension: more time on an active grant; breakglass: access without approval. */
export type RequestKind = 'access' | 'extension' | 'breakglass';

export const TRANSITIONS: Readonly<Record<RequestStatus, readonly RequestStatus[]>> = {
  pending: ['approved', 'denied', 'cancelled', 'lapsed', 'applied'],
  approved: ['provisioning', 'failed', 'cancelled'],
  provisioning: ['active', 'failed'],
  active: ['expired', 'revoked'],
  denied: [],
  cancelled: [],
  failed: [],
  expired: [],
  revoked: [],
  lapsed: [],
  applied: [],
};

/** Statuses in which a request still holds or is about to hold a certificate. */
export const OPEN_STATUSES: readonly RequestStatus[] = ['pending', 'approved', 'provisioning', 'active'];

export function canTransition(from: RequestStatus, to: RequestStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export interface SlackMessageRef {
  channel: string;
  ts: string;
}

/** A copy of a break-glass alert in an admin's DM (whose language it is in): refs only, kept up to date with the card. */
export interface AlertCopyRef extends SlackMessageRef {
  userId: string;
}

export interface AccessRequest {
  id: string;
  requesterId: string;
  /** Gateway label from the config (`gateways[].name`). */
  gateway: string;
  durationMs: number;
  reason: string;
  status: RequestStatus;
  createdAt: number;
  updatedAt: number;
  approverId?: string;
  decidedAt?: number;
  denyReason?: string;
  /** The approval card; progress goes into its thread. */
  card?: SlackMessageRef;
  /** SSL-VPN client certificate name and id (ids only: no key material is ever stored). */
  certName?: string;
  certId?: string;
  deliveredAt?: number;
  /** Slack file ids of delivered profiles not yet deleted (access.profileRetention); ids only, never content. */
  profileFiles?: string[];
  expiresAt?: number;
  /** Who revoked the grant (the requester, or an admin). */
  revokedBy?: string;
  /** Who cancelled the request before it was provisioned (the requester, or an admin). */
  cancelledBy?: string;
  /** Why provisioning failed (one line), and what to do about it. */
  failure?: string;
  /** Undefined means 'access'. */
  kind?: RequestKind;
  /** Distinct approvers so far (N-of-M); the request is approved at the Nth. */
  approvals?: string[];
  /** extension: the grant it extends (its durationMs is the time to add). */
  grantId?: string;
  /** grant: time added by extensions, in all and without approval (`access.selfExtension`). */
  extendedMs?: number;
  selfExtendedMs?: number;
  /** grant: its extension request waiting for approvers, and those already applied (idempotence). */
  pendingExtensionId?: string;
  appliedExtensions?: string[];
  /** Approvals needed when last counted (shown on the card as "1 of 2 approvals"). */
  approvalsRequired?: number;
  /** extension: its grant's expiry and approved total (original + extensions) when asked, then once applied. */
  grantEndsAt?: number;
  grantTotalMs?: number;
  /** lapsed: how long it waited (access.pendingTtl). */
  lapsedAfterMs?: number;
  /** breakglass: the admin who clicked Revoke now before the profile was delivered (revoked once active). */
  revokeRequestedBy?: string;
  /** breakglass: the admin who reviewed it. */
  acknowledgedBy?: string;
  acknowledgedAt?: number;
  /** breakglass: the alert's copies in the admins' DMs (the channel's copy is `card`); each card update updates them too. */
  alertCopies?: AlertCopyRef[];
  failureAdvice?: AdviceKey;
  /** Bumped on every write; the compare-and-set token. */
  version: number;
}
