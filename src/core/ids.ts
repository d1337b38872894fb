// Every id the bot derives, in one place: request and proposal ids, the BullMQ job ids and the Alibaba
// ClientTokens made from them, and certificate names. Deriving (rather than drawing) job ids and tokens
// is what makes a retry or a crash replay a step instead of doing it twice: a second enqueue finds the
// same job, a second cloud call carries the same ClientToken.
import { randomBytes } from 'node:crypto';

/** Request ids appear in Slack button values, BullMQ job ids and ClientTokens: no ':' and never all digits. */
export function newRequestId(now = Date.now()): string {
  return `r${now.toString(36)}${randomBytes(4).toString('hex')}`;
}

export function isRequestId(text: string): boolean {
  return /^r[a-z0-9]{8,24}$/.test(text);
}

/** Proposal ids appear in button values, job ids and ClientTokens: `s…`, no ':' and never all digits. */
export function newProposalId(now = Date.now()): string {
  return `s${now.toString(36)}${randomBytes(4).toString('hex')}`;
}

export function isProposalId(text: string): boolean {
  return /^s[a-z0-9]{8,24}$/.test(text);
}

/** A Slack user from `<@U123|name>`, `<@U123>` or a bare `U123` / `W123`; undefined otherwise. */
export function parseUserRef(text: string): string | undefined {
  const match = /^<@([UW][A-Z0-9]{2,})(?:\|[^>]*)?>$/.exec(text.trim()) ?? /^([UW][A-Z0-9]{2,})$/.exec(text.trim());
  return match?.[1];
}

/** An SSL-VPN client certificate id, `vsc-…`. */
export function isClientCertId(text: string): boolean {
  return /^vsc-[a-z0-9]{4,64}$/.test(text);
}

/**
 * The certificate name for a request: 2–100 chars, starts with a letter, only [A-Za-z0-9._-] — valid
 * under both versions of Alibaba's name rules — and unique per request so a lookup by name finds it.
 */
export function certificateName(userHandle: string, requestId: string): string {
  const slug = userHandle.normalize('NFKD').replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[^A-Za-z]+/, '').replace(/-+$/, '').slice(0, 60);
  return `${slug || 'user'}-${requestId}`;
}

/** Certificates the bot creates are named `<handle>-<request id>` (certificateName); group 1 is the request id. */
export const BOT_CERT_NAME = /^[A-Za-z][A-Za-z0-9._-]*-(r[a-z0-9]{8,24})$/;

const CERT_NAME_RE = /^[A-Za-z][A-Za-z0-9._-]{1,99}$/;

export function isValidCertificateName(name: string): boolean {
  return CERT_NAME_RE.test(name) && !/^https?:\/\//i.test(name);
}

/** Warm-pool certificate ids (`p…`): in the certificate name, job ids and ClientTokens. */
export function newPoolId(now = Date.now()): string {
  return `p${now.toString(36)}${randomBytes(4).toString('hex')}`;
}

/** An unassigned warm-pool certificate is named `vpnbot-pool-<pool id>`: it names nobody (docs/security.md). */
export const poolCertificateName = (poolId: string) => `vpnbot-pool-${poolId}`;

/** Names of warm-pool certificates; group 1 is the pool id. */
export const POOL_CERT_NAME = /^vpnbot-pool-(p[a-z0-9]{8,24})$/;

/** Jobs on a gateway's lane: one per request and purpose (or per proposal), so enqueueing twice is a no-op. */
export const laneJobId = {
  provision: (requestId: string) => `provision-${requestId}`,
  expiry: (requestId: string) => `expire-${requestId}`,
  revoke: (requestId: string) => `revoke-${requestId}`,
  serverChange: (proposalId: string) => `server-change-${proposalId}`,
  poolFill: (poolId: string) => `pool-fill-${poolId}`,
  poolDelete: (poolId: string) => `pool-delete-${poolId}`,
  /** On the pool-deliver queue (not a lane): handing a ready pooled certificate to a request. */
  poolDeliver: (requestId: string) => `pool-deliver-${requestId}`,
  certDelete: (certId: string) => `cert-delete-${certId}`,
};

/** Slack side effects on the notify queue: one per request version, event, expiry reminded of, or server change. */
export const notifyJobId = {
  card: (requestId: string, version: number) => `card-${requestId}-v${version}`,
  tell: (requestId: string, event: string) => `tell-${requestId}-${event}`,
  reminder: (requestId: string, expiresAt: number) => `remind-${requestId}-${expiresAt}`,
  /** The DM telling a grant's holder that server change `proposalId` made their profile stale. */
  profileOutdated: (proposalId: string, requestId: string) => `stale-${proposalId}-${requestId}`,
};

/** Alibaba ClientTokens (idempotency keys, at most 64 characters): a replayed call returns the first result. */
export const clientToken = {
  createCertificate: (requestId: string) => `vpnbot-create-${requestId}`,
  deleteCertificate: (requestId: string) => `vpnbot-delete-${requestId}`,
  modifyServer: (proposalId: string) => `vpnbot-modify-${proposalId}`,
  createPoolCertificate: (poolId: string) => `vpnbot-create-${poolId}`,
  deletePoolCertificate: (poolId: string) => `vpnbot-delete-${poolId}`,
  /** A certificate reconcile found (foreign or orphan), deleted after two admins agreed or its grant ended. */
  deleteFoundCertificate: (certId: string) => `vpnbot-delete-${certId}`,
};
