// Access requests and the grants they become. A request moves only through the transitions in
// TRANSITIONS; the store applies each as an atomic compare-and-set, so a double click, a retry or a
// second process can never apply a decision twice.
import { randomBytes } from 'node:crypto';

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

/** Request ids appear in Slack button values, BullMQ job ids and ClientTokens: no ':' and never all digits. */
export function newRequestId(now = Date.now()): string {
  return `r${now.toString(36)}${randomBytes(4).toString('hex')}`;
}

export function isRequestId(text: string): boolean {
  return /^r[a-z0-9]{8,24}$/.test(text);
}

/**
 * The certificate name for a request: 2–100 chars, starts with a letter, only [A-Za-z0-9._-] — valid
 * under both versions of Alibaba's name rules — and unique per request so a lookup by name finds it.
 */
export function certificateName(userHandle: string, requestId: string): string {
  const slug = userHandle.normalize('NFKD').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z]+/, '').replace(/-+$/, '').slice(0, 60);
  return `${slug || 'user'}-${requestId}`;
}

const CERT_NAME_RE = /^[A-Za-z][A-Za-z0-9._-]{1,99}$/;

export function isValidCertificateName(name: string): boolean {
  return CERT_NAME_RE.test(name) && !/^https?:\/\//i.test(name);
}
