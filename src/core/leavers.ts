// Leavers lose access by themselves: Slack's `user_change` event with `deleted: true`, and, because events
// are missed while the bot is down, a periodic sweep over the holders of active grants (users.info), both
// offboard the person exactly like `/vpn admin offboard`, audited with actor `slack`.
import type { Offboarding, OffboardSummary } from './offboarding.js';
import type { AuditLog } from './audit.js';
import type { RedisClient } from './redis-client.js';
import type { RequestStore } from './store.js';

export type LeaverSource = 'user_change event' | 'sweep';

/** What Slack says about an account. */
export interface SlackAccounts {
  /** true when deactivated, false when active; throws when Slack cannot say. */
  isDeactivated(userId: string): Promise<boolean>;
}

/** Tells the admins (approvals channel) that a leaver was offboarded. */
export interface LeaverAlerts {
  leaverOffboarded(summary: OffboardSummary, source: LeaverSource): Promise<void>;
}

export interface LeaverDeps {
  offboarding: Pick<Offboarding, 'offboardLeaver'>;
  store: RequestStore;
  audit: AuditLog;
  redis: RedisClient;
  accounts: SlackAccounts;
  alerts: LeaverAlerts;
  /** offboarding.onSlackDeactivation */
  enabled: boolean;
  onError?: (what: string, err: unknown) => void;
  prefix?: string;
}

export type UserChangeOutcome = 'ignored' | 'disabled' | 'already-offboarded' | 'offboarded';

export interface SweepResult {
  checked: number;
  offboarded: string[];
  /** Users Slack could not tell us about (checked again next time). */
  unknown: string[];
}

/** Anything to tell the admins about: something ended or failed. */
export function offboardingDidSomething(s: OffboardSummary): boolean {
  return s.revoked.length + s.cancelled.length + s.inFlight.length + s.cas.length > 0 || Boolean(s.casLookupError);
}

export class Leavers {
  constructor(private readonly deps: LeaverDeps) {}

  private claimKey(userId: string) { return `${this.deps.prefix ?? '{vpnbot}'}:leaver:${userId}`; }

  /** A `user_change` event. Slack repeats it on every later profile change: each leaver is offboarded once per deactivation. */
  async userChanged(user: { id: string; deleted: boolean }): Promise<UserChangeOutcome> {
    if (!user.deleted) {
      // Reactivated: a later deactivation must offboard again.
      await this.deps.redis.del(this.claimKey(user.id));
      return 'ignored';
    }
    if (!this.deps.enabled) return 'disabled';
    if ((await this.deps.redis.set(this.claimKey(user.id), String(Date.now()), 'EX', 90 * 86_400, 'NX')) !== 'OK') return 'already-offboarded';
    try {
      await this.offboard(user.id, 'user_change event');
    } catch (err) {
      // Not done: let the next event (or the sweep) try again.
      await this.deps.redis.del(this.claimKey(user.id));
      throw err;
    }
    return 'offboarded';
  }

  /** Checks every holder of an active grant with Slack and offboards the deactivated ones. */
  async sweep(): Promise<SweepResult> {
    const result: SweepResult = { checked: 0, offboarded: [], unknown: [] };
    if (!this.deps.enabled) return result;
    const holders = [...new Set((await this.deps.store.listByStatus('active')).filter((g) => g.status === 'active').map((g) => g.requesterId))];
    for (const userId of holders) {
      result.checked++;
      let deactivated: boolean;
      try {
        deactivated = await this.deps.accounts.isDeactivated(userId);
      } catch (err) {
        this.deps.onError?.('users.info during the leaver sweep', err);
        result.unknown.push(userId);
        continue;
      }
      if (!deactivated) continue;
      await this.deps.redis.set(this.claimKey(userId), String(Date.now()), 'EX', 90 * 86_400);
      await this.offboard(userId, 'sweep');
      result.offboarded.push(userId);
    }
    return result;
  }

  private async offboard(userId: string, source: LeaverSource): Promise<void> {
    await this.deps.audit.append({ actor: 'slack', action: 'leaver.deactivated', subject: userId, detail: `Slack reports the account deactivated (${source}); offboarding` });
    const summary = await this.deps.offboarding.offboardLeaver(userId, source);
    if (!offboardingDidSomething(summary)) return;
    try {
      await this.deps.alerts.leaverOffboarded(summary, source);
    } catch (err) {
      this.deps.onError?.('leaver alert', err);
    }
  }
}
