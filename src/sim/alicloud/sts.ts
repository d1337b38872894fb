// Temporary (STS) credentials: an AccessKey pair that is valid only with its SecurityToken, until it expires.
// Issued by the test's stand-ins for the credential sources (a fake ECS metadata service, a fake STS), checked
// on every request after the signature, with the codes the real gateway answers.
import { randomBytes } from 'node:crypto';
import { SimError } from './errors.js';

export interface StsCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
  /** ISO 8601 UTC, as the metadata service and STS write it. */
  expiration: string;
}

const expired = () => new SimError('InvalidSecurityToken.Expired', 400, 'Specified SecurityToken is expired.');
const mismatch = () => new SimError('InvalidSecurityToken.MismatchWithAccessKey', 400, 'Specified SecurityToken mismatch with the AccessKey.');

export class StsTokens {
  /** AccessKeyId → its token and expiry. */
  private readonly byKey = new Map<string, { token: string; expiresAt: number }>();

  issue(ttlMs: number, register: (id: string, secret: string) => void): StsCredentials {
    const accessKeyId = `STS.${randomBytes(12).toString('hex')}`;
    const accessKeySecret = randomBytes(20).toString('base64url');
    const securityToken = `CAIS${randomBytes(48).toString('base64url')}`;
    const expiresAt = Date.now() + ttlMs;
    this.byKey.set(accessKeyId, { token: securityToken, expiresAt });
    register(accessKeyId, accessKeySecret);
    return { accessKeyId, accessKeySecret, securityToken, expiration: new Date(expiresAt).toISOString().replace(/\.\d{3}Z$/, 'Z') };
  }

  /** Ends a token now (revoked, or a clock that ran ahead of the issuer's). */
  expire(securityToken: string): void {
    for (const entry of this.byKey.values()) if (entry.token === securityToken) entry.expiresAt = Date.now();
  }

  /** A temporary key needs its own token, unexpired. (A token sent with a seeded, permanent key is ignored.) */
  check(accessKeyId: string, securityToken: string | undefined, now: number): void {
    const entry = this.byKey.get(accessKeyId);
    if (!entry) return;
    if (securityToken !== entry.token) throw mismatch();
    if (now >= entry.expiresAt) throw expired();
  }

  clear(): void {
    this.byKey.clear();
  }
}
