// `/vpn admin status` and the admins' App Home: per gateway, its state and SSL connections (from the cloud),
// its lane's depth, active grants and failures in the last 24 h (from the store's indexes), its warm pool.
import { CloudError } from '../api/errors.js';
import type { VpcApi } from '../api/types.js';
import type { AdminContext } from './admin-context.js';
import type { AuditLog } from './audit.js';
import type { LaneStats } from './ports.js';
import { cloudFailureOf, type CloudFailure } from './refusals.js';
import type { RequestStore } from './store.js';

export interface GatewayHealth {
  gateway: string;
  status?: string;
  businessStatus?: string;
  statusError?: CloudFailure;
  connections?: number;
  maxConnections?: number;
  connectionsError?: CloudFailure | { kind: 'ssl-server-missing'; sslVpnServerId: string };
  depth?: { queued: number; scheduled: number };
  activeGrants: number;
  failedLast24h: number;
  /** The gateway's warm pool, when it has one. */
  pool?: { target: number; ready: number; filling: number; paused: boolean };
}

export interface GatewayHealthDeps {
  store: RequestStore;
  audit: AuditLog;
  vpc: VpcApi;
  lanes: LaneStats;
  gateways: readonly { name: string; regionId: string; vpnGatewayId: string; sslVpnServerId: string }[];
  /** The warm certificate pool's counts. */
  pool?: { counts(gateway: string): Promise<{ target: number; ready: number; filling: number; paused: boolean }> } | undefined;
  onError?: ((what: string, err: unknown) => void) | undefined;
  now?: (() => number) | undefined;
}

export class GatewayHealthCheck {
  constructor(private readonly deps: GatewayHealthDeps) {}

  async status(ctx: AdminContext, options: { audit?: boolean } = {}): Promise<GatewayHealth[]> {
    const { store, audit, vpc, lanes } = this.deps;
    const since = (this.deps.now?.() ?? Date.now()) - 86_400_000;
    // Counted from the store's per-gateway indexes: reading the day's audit log grows with its volume.
    const [counts, failures] = await Promise.all([
      Promise.all(this.deps.gateways.map((gw) => store.countActiveOnGateway(gw.name))),
      Promise.all(this.deps.gateways.map((gw) => store.countFailuresSince(gw.name, since))),
    ]);
    const cloudRequestIds: string[] = [];
    const rows = await Promise.all(this.deps.gateways.map(async (gw, index): Promise<GatewayHealth> => {
      const row: GatewayHealth = {
        gateway: gw.name,
        activeGrants: counts[index] ?? 0,
        failedLast24h: failures[index] ?? 0,
      };
      const [gateway, servers, depth, pool] = await Promise.allSettled([
        vpc.describeVpnGateway(gw.regionId, gw.vpnGatewayId),
        vpc.describeSslVpnServers(gw.regionId, { sslVpnServerId: gw.sslVpnServerId }),
        lanes.depth(gw.name),
        this.deps.pool?.counts(gw.name),
      ]);
      if (pool.status === 'fulfilled' && pool.value && pool.value.target + pool.value.ready + pool.value.filling > 0) row.pool = pool.value;
      if (gateway.status === 'fulfilled') {
        row.status = gateway.value.status;
        row.businessStatus = gateway.value.businessStatus;
        cloudRequestIds.push(gateway.value.requestId);
      } else {
        if (!(gateway.reason instanceof CloudError)) this.deps.onError?.('DescribeVpnGateway', gateway.reason);
        row.statusError = cloudFailureOf(gateway.reason);
      }
      if (servers.status === 'fulfilled') {
        const server = servers.value.find((s) => s.sslVpnServerId === gw.sslVpnServerId);
        if (server) {
          row.connections = server.connections;
          row.maxConnections = server.maxConnections;
        } else {
          row.connectionsError = { kind: 'ssl-server-missing', sslVpnServerId: gw.sslVpnServerId };
        }
      } else {
        if (!(servers.reason instanceof CloudError)) this.deps.onError?.('DescribeSslVpnServers', servers.reason);
        row.connectionsError = cloudFailureOf(servers.reason);
      }
      if (depth.status === 'fulfilled') row.depth = depth.value;
      else this.deps.onError?.('lane depth', depth.reason);
      return row;
    }));
    if (options.audit !== false) await audit.append({
      actor: ctx.actorId, action: 'admin.status', detail: rows.map((r) => `${r.gateway}=${r.status ?? 'unknown'}`).join(' '),
      ...(cloudRequestIds.length ? { cloudRequestId: cloudRequestIds.join(',') } : {}),
    });
    return rows;
  }
}
