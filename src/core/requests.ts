// Access requests and the grants they become. A request moves only through the transitions in
// TRANSITIONS; the store applies each as an atomic compare-and-set, so a double click, a retry or a
// second process can never apply a decision twice.
export type RequestStatus =
  | 'pending'       // waiting for an approver
  | 'approved'      // approved, provisioning job enqueued
  | 'provisioning'  // the job is creating the certificate / delivering the profile
  | 'active'        // profile delivered; the grant runs until expiresAt
  | 'denied'
  | 'cancelled'
  | 'failed'
  | 'expired'
  | 'revoked';

export const TRANSITIONS: Readonly<Record<RequestStatus, readonly RequestStatus[]>> = {
  pending: ['approved', 'denied', 'cancelled'],
  approved: ['provisioning', 'failed', 'cancelled'],
  provisioning: ['active', 'failed'],
  active: ['expired', 'revoked'],
  denied: [],
  cancelled: [],
  failed: [],
  expired: [],
  revoked: [],
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
  expiresAt?: number;
  /** Who revoked the grant (the requester, or an admin). */
  revokedBy?: string;
  /** Who cancelled the request before it was provisioned (the requester, or an admin). */
  cancelledBy?: string;
  failure?: string;
  /** Bumped on every write; the compare-and-set token. */
  version: number;
}
