// What `/vpn admin …` does, behind the Slack listener, split by concern: grants (grant-admin.ts), gateway
// health (gateway-health.ts), the audit log (audit-export.ts), private-CA certificates (private-ca.ts),
// offboarding (offboarding.ts), SSL-VPN server settings and reconcile (server-admin.ts). The caller is
// authorised once per command or click (`authorize`, yielding an AdminContext that every admin method
// takes); each service audits what it did and returns data for the bot to word. They talk to the outside
// only through ports: the store and audit log, the lanes, the cloud APIs, the Slack directory and DMs.
import type { CasApi, VpcApi } from '../api/types.js';
import { authorizeAdmin, type AdminContext } from './admin-context.js';
import type { AuditWitnesses } from './audit.js';
import { AuditExport } from './audit-export.js';
import { GatewayHealthCheck } from './gateway-health.js';
import { GrantAdmin } from './grant-admin.js';
import { Offboarding } from './offboarding.js';
import type { AccessPolicy } from './policy.js';
import type { AuditExportDelivery, LaneStats, PeopleDirectory } from './ports.js';
import { PrivateCa } from './private-ca.js';
import type { ReconcileReport } from './reconcile.js';
import type { AdminAction, Outcome } from './refusals.js';
import { ServerAdmin, type ServerChangeCards, type ServerChangeLane } from './server-admin.js';
import type { ServerChangeStore } from './server-change-store.js';
import type { ServiceDeps } from './service.js';

export type { AdminContext } from './admin-context.js';
export type { AuditArgsError, AuditQuery, AuditReport, AuditVerifyReport } from './audit-export.js';
export type { RevokeSummary } from './ending.js';
export type { GatewayHealth } from './gateway-health.js';
export type { CasLookupError, OffboardSummary } from './offboarding.js';
export type { CasRevocation, CasRevokeResult } from './private-ca.js';

export interface AdminGateway {
  name: string;
  regionId: string;
  vpnGatewayId: string;
  sslVpnServerId: string;
}

export interface AdminDeps extends ServiceDeps {
  lanes: LaneStats;
  vpc: VpcApi;
  cas: CasApi;
  people: PeopleDirectory;
  exports: AuditExportDelivery;
  gateways: readonly AdminGateway[];
  /** Unexpected (non-cloud) failures; the reply shows only a short line. */
  onError?: (what: string, err: unknown) => void;
  now?: () => number;
  /** The warm certificate pool: counts for status, holders for reconcile. */
  pool?: {
    counts(gateway: string): Promise<{ target: number; ready: number; filling: number; paused: boolean }>;
    store: { assignedTo(gateway: string, certId: string): Promise<string | undefined> };
  };
  /** `/vpn admin server set`: proposals, their approval cards and the lane; without it only `server show` and `reconcile` work. */
  serverChanges?: { proposals: ServerChangeStore; cards: ServerChangeCards; lane: ServerChangeLane };
  /** `/vpn admin reconcile` beyond the read-only scan: closes vanished grants, lists and posts findings. */
  reconciler?: { run(actorId: string): Promise<ReconcileReport> };
  /** The audit heads witnessed in Slack, for `/vpn admin audit verify`. */
  witnesses?: AuditWitnesses;
}

export class AdminService {
  readonly grants: GrantAdmin;
  readonly health: GatewayHealthCheck;
  readonly auditLog: AuditExport;
  readonly privateCa: PrivateCa;
  readonly offboarding: Offboarding;
  readonly server: ServerAdmin;

  constructor(private readonly deps: AdminDeps) {
    const { onError } = deps;
    this.grants = new GrantAdmin(deps);
    this.health = new GatewayHealthCheck({ ...deps, pool: deps.pool });
    this.auditLog = new AuditExport({ audit: deps.audit, exports: deps.exports, witnesses: deps.witnesses, onError, now: deps.now });
    this.privateCa = new PrivateCa({ cas: deps.cas, audit: deps.audit, onError });
    this.offboarding = new Offboarding({ ...deps, privateCa: this.privateCa });
    this.server = new ServerAdmin({
      store: deps.store, audit: deps.audit, vpc: deps.vpc, gateways: deps.gateways,
      ...(onError ? { onError } : {}), ...(deps.serverChanges ? { changes: deps.serverChanges } : {}),
      ...(deps.pool ? { pool: deps.pool.store } : {}),
    });
  }

  get policy(): AccessPolicy {
    return this.deps.policy;
  }

  /** Whether the user is an admin right now: the context every admin method takes, or the refusal. */
  authorize(actorId: string, action?: AdminAction): Promise<Outcome<AdminContext>> {
    return authorizeAdmin(this.deps.policy, this.deps.members, actorId, action);
  }

  /** Closes vanished grants, lists and posts findings; without a reconciler, the read-only scan. */
  async reconcile(ctx: AdminContext): Promise<ReconcileReport> {
    if (this.deps.reconciler) return this.deps.reconciler.run(ctx.actorId);
    const rows = await this.server.reconcile(ctx);
    return { rows, findings: [], closed: [], leftovers: [], kept: 0, posted: false };
  }

}
