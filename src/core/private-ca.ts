// Private-CA client certificates (Certificate Management Service): `/vpn admin cert revoke <identifier>`,
// and the person's certificates when they are offboarded, matched by CommonName.
import { CloudError } from '../api/errors.js';
import type { CasApi, CasCertificate } from '../api/types.js';
import type { AdminContext } from './admin-context.js';
import type { AuditLog } from './audit.js';
import { auditFailure, cloudFailureOf, refuse, type CloudFailure, type Outcome } from './refusals.js';

/** A CAS client certificate identifier: 32 hex digits (normalised to lower case), or undefined. */
export function parseCasIdentifier(text: string): string | undefined {
  const t = text.trim();
  return /^[0-9a-fA-F]{32}$/.test(t) ? t.toLowerCase() : undefined;
}

/**
 * Whether a private-CA certificate's CommonName names this person: equal (ignoring case and surrounding
 * space) to their Slack email or their Slack handle. Nothing looser: a shared local part on another
 * domain, or a name that merely contains the handle, is someone else's certificate.
 */
export function certificateBelongsTo(commonName: string, person: { email?: string | undefined; handle?: string | undefined }): boolean {
  const cn = commonName.trim().toLowerCase();
  if (!cn) return false;
  const candidates = [person.email, person.handle?.replace(/^@/, '')]
    .map((v) => v?.trim().toLowerCase())
    .filter((v): v is string => Boolean(v));
  return candidates.includes(cn);
}

export interface CasRevocation {
  certificate: CasCertificate;
  outcome: 'revoked' | 'already-revoked' | 'failed';
  cloudRequestId?: string;
  error?: CloudFailure;
}

export interface CasRevokeResult {
  certificate: CasCertificate;
  alreadyRevoked: boolean;
  cloudRequestId?: string;
}

export interface PrivateCaDeps {
  cas: CasApi;
  audit: AuditLog;
  onError?: ((what: string, err: unknown) => void) | undefined;
}

export class PrivateCa {
  constructor(private readonly deps: PrivateCaDeps) {}

  /** CAS CreateRevokeClientCertificate for one private-CA client certificate, named by its identifier. */
  async revoke(ctx: AdminContext, identifierText: string): Promise<Outcome<CasRevokeResult>> {
    const identifier = parseCasIdentifier(identifierText);
    if (!identifier) return refuse({ code: 'bad-cas-identifier', text: identifierText });
    let certificate: CasCertificate;
    try {
      certificate = await this.deps.cas.describeClientCertificate(identifier);
    } catch (err) {
      if (err instanceof CloudError && err.kind === 'not-found') return refuse({ code: 'cas-certificate-not-found', identifier, cloudCode: err.code });
      if (!(err instanceof CloudError)) this.deps.onError?.('CAS certificate revoke', err);
      return refuse({ code: 'cas-revoke-failed', identifier, failure: cloudFailureOf(err) });
    }
    if (certificate.status === 'REVOKE') return { ok: true, value: { certificate, alreadyRevoked: true } };
    const done = await this.revokeOne(ctx.actorId, certificate);
    if (done.outcome === 'failed') return refuse({ code: 'cas-revoke-failed', identifier, failure: done.error ?? { kind: 'unexpected' } });
    return { ok: true, value: { certificate, alreadyRevoked: false, ...(done.cloudRequestId ? { cloudRequestId: done.cloudRequestId } : {}) } };
  }

  /**
   * Revokes every certificate whose CommonName is the person's email or handle (see certificateBelongsTo).
   * Throws a CloudError when the certificates cannot be listed.
   */
  async revokeAllOf(actorId: string, userId: string, person: { handle?: string; email?: string }, why: string): Promise<CasRevocation[]> {
    const certs = (await this.deps.cas.listClientCertificates()).filter((c) => certificateBelongsTo(c.commonName, person));
    const revocations: CasRevocation[] = [];
    for (const certificate of certs) {
      revocations.push(certificate.status === 'REVOKE' ? { certificate, outcome: 'already-revoked' } : await this.revokeOne(actorId, certificate, { userId, why }));
    }
    return revocations;
  }

  /** One revocation, audited either way (with the cloud's RequestId). */
  private async revokeOne(actorId: string, certificate: CasCertificate, of?: { userId: string; why: string }): Promise<CasRevocation> {
    const name = `${certificate.identifier} CN=${certificate.commonName}`;
    const subject = of ? { subject: of.userId } : {};
    try {
      const { requestId } = await this.deps.cas.createRevokeClientCertificate(certificate.identifier);
      await this.deps.audit.append({ actor: actorId, action: 'admin.cas-cert.revoked', ...subject, detail: of ? `${name} (${of.why})` : name, cloudRequestId: requestId });
      return { certificate, outcome: 'revoked', cloudRequestId: requestId };
    } catch (err) {
      if (!(err instanceof CloudError)) this.deps.onError?.('CreateRevokeClientCertificate', err);
      await this.deps.audit.append({
        actor: actorId, action: 'admin.cas-cert.revoke-failed', ...subject, detail: `${name}: ${auditFailure(err)}`,
        ...(err instanceof CloudError && err.requestId ? { cloudRequestId: err.requestId } : {}),
      });
      return { certificate, outcome: 'failed', error: cloudFailureOf(err) };
    }
  }
}
