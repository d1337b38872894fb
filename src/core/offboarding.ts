// `/vpn admin offboard @user`, and leavers (src/core/leavers.ts): everything the person holds on every
// gateway is ended at once (src/core/ending.ts), and their private-CA client certificates are revoked.
import { CloudError } from '../api/errors.js';
import type { AdminContext } from './admin-context.js';
import { endRequests, type EndingDeps, type RevokeSummary } from './ending.js';
import { openRequestsOf } from './grant-admin.js';
import type { PeopleDirectory } from './ports.js';
import type { CasRevocation, PrivateCa } from './private-ca.js';
import { cloudFailureOf, type CloudFailure } from './refusals.js';

export interface OffboardSummary extends RevokeSummary {
  userId: string;
  person?: { handle?: string; email?: string };
  /** Why the private-CA certificates could not be checked, if so. */
  casLookupError?: CasLookupError;
  cas: CasRevocation[];
}

export type CasLookupError =
  /** users.info failed. */
  | { kind: 'directory-failed' }
  /** Slack shares neither an email nor a handle for the user. */
  | { kind: 'no-identity' }
  | { kind: 'cas-list-failed'; failure: CloudFailure };

export interface OffboardingDeps extends EndingDeps {
  people: PeopleDirectory;
  privateCa: PrivateCa;
  onError?: ((what: string, err: unknown) => void) | undefined;
}

export class Offboarding {
  constructor(private readonly deps: OffboardingDeps) {}

  /** Everything the person holds on every gateway, plus their private-CA client certificates. */
  offboard(ctx: AdminContext, userId: string): Promise<OffboardSummary> {
    return this.offboardUser(ctx.actorId, userId, 'offboarding');
  }

  /**
   * Exactly what `/vpn admin offboard` does, for a user Slack reports as deactivated; audited with actor
   * `slack`. No admin is involved, so there is no authorisation step.
   */
  offboardLeaver(userId: string, source: 'user_change event' | 'sweep'): Promise<OffboardSummary> {
    return this.offboardUser('slack', userId, `Slack account deactivated (${source})`);
  }

  private async offboardUser(actorId: string, userId: string, why: string): Promise<OffboardSummary> {
    const { audit, people } = this.deps;
    const ended = await endRequests(this.deps, { by: 'admin', actorId, why }, await openRequestsOf(this.deps.store, userId));
    const summary: OffboardSummary = { ...ended, userId, cas: [] };

    let person: { handle?: string; email?: string } | undefined;
    try {
      person = await people.profile(userId);
      summary.person = person;
    } catch (err) {
      this.deps.onError?.('users.info during offboarding', err);
      summary.casLookupError = { kind: 'directory-failed' };
    }
    if (person && !person.email && !person.handle) summary.casLookupError = { kind: 'no-identity' };
    if (person && !summary.casLookupError) {
      try {
        summary.cas = await this.deps.privateCa.revokeAllOf(actorId, userId, person, why);
      } catch (err) {
        if (!(err instanceof CloudError)) this.deps.onError?.('ListClientCertificate', err);
        summary.casLookupError = { kind: 'cas-list-failed', failure: cloudFailureOf(err) };
      }
    }
    const casRevoked = summary.cas.filter((c) => c.outcome === 'revoked').length;
    await audit.append({
      actor: actorId, action: 'admin.offboard', subject: userId,
      detail: `${why}: grants revoked ${ended.revoked.length}, requests cancelled ${ended.cancelled.length}, in flight ${ended.inFlight.length}, private-CA certificates revoked ${casRevoked}${summary.casLookupError ? `; private-CA certificates not checked (${summary.casLookupError.kind})` : ''}`,
    });
    return summary;
  }
}
