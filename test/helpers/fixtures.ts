// The world the product runs in for tests and benchmarks: gateways, the simulator seed, Slack users, the
// config file and the environment pointing the product at the simulators. Light on purpose (no product
// import), so bench/ scripts share it with the test harness.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SimSeed } from '../../src/sim/alicloud/index.js';

export const SIGNING_SECRET = 'test-signing-secret';
export const BOT_TOKEN = 'xoxb-test';
export const APP_TOKEN = 'xapp-1-A0APP-test';
export const ACCESS_KEY = { id: 'LTAItest', secret: 'test-access-key-secret-0123456789' };
export const APPROVALS = 'C0APPROVALS';
export const APPROVER = 'U0BOB';

export interface GatewayDef {
  name: string;
  regionId: string;
  vpnGatewayId: string;
  sslVpnServerId: string;
  ip: string;
}

export const ALL_GATEWAYS: readonly GatewayDef[] = [
  { name: 'hangzhou', regionId: 'cn-hangzhou', vpnGatewayId: 'vpn-bp1aaaaaaaaaaaaaaaaaaaa', sslVpnServerId: 'vss-bp1aaaaaaaaaaaaaaaaaaaa', ip: '127.0.0.1' },
  { name: 'frankfurt', regionId: 'eu-central-1', vpnGatewayId: 'vpn-gw8bbbbbbbbbbbbbbbbbbbb', sslVpnServerId: 'vss-gw8bbbbbbbbbbbbbbbbbbbb', ip: '127.0.0.1' },
  { name: 'qingdao', regionId: 'cn-qingdao', vpnGatewayId: 'vpn-m5ecccccccccccccccccccc', sslVpnServerId: 'vss-m5ecccccccccccccccccccc', ip: '127.0.0.1' },
];

/** The two gateways the tests use. */
export const GATEWAYS = ALL_GATEWAYS.slice(0, 2);

/** Each SSL server on its own port (1194, 1195, … unless `ports` says), as two real OpenVPN gateways on one host need. */
export function simSeed(gateways: readonly GatewayDef[] = GATEWAYS, ports: readonly number[] = []): SimSeed {
  return {
    accessKeys: [{ id: ACCESS_KEY.id, secret: ACCESS_KEY.secret }],
    gateways: gateways.map((g, i) => ({
      vpnGatewayId: g.vpnGatewayId, regionId: g.regionId, name: g.name, internetIp: g.ip, sslMaxConnections: 50,
      sslVpnServer: { sslVpnServerId: g.sslVpnServerId, clientIpPool: '10.99.0.0/24', localSubnet: '172.16.0.0/16', proto: 'UDP', port: ports[i] ?? 1194 + i },
    })),
    casCertificates: [{ identifier: 'a'.repeat(32), commonName: 'alice@example.com' }],
  };
}

export const USERS = {
  U0ALICE: { name: 'alice' },
  U0BOB: { name: 'bob' },
  U0CAROL: { name: 'carol' },
  U0EVE: { name: 'eve' },
  U0ADMIN: { name: 'admin' },
  // Reads Slack in Simplified Chinese (users.info locale), in Beijing time.
  U0LIN: { name: 'lin', locale: 'zh-CN', tz: 'Asia/Shanghai' },
};

export function configYaml(extra = '', options: { adminsExtra?: readonly string[]; gateways?: readonly GatewayDef[] } = {}): string {
  return `
slack:
  approvalsChannel: ${APPROVALS}
roles:
  approvers: [${APPROVER}, S0APPROVERS]
  admins: [${['U0ADMIN', ...(options.adminsExtra ?? [])].join(', ')}]
gateways:
${(options.gateways ?? GATEWAYS).map((g) => `  - name: ${g.name}\n    regionId: ${g.regionId}\n    vpnGatewayId: ${g.vpnGatewayId}\n    sslVpnServerId: ${g.sslVpnServerId}`).join('\n')}
access:
  defaultDuration: 8h
  maxDuration: 30d
${extra}`;
}

/** Writes a config file into a fresh temporary directory; returns its path. */
export function writeConfigFile(text: string, prefix = 'vpnbot-'): string {
  const path = join(mkdtempSync(join(tmpdir(), prefix)), 'vpn-bot.yaml');
  writeFileSync(path, text);
  return path;
}

/** The environment that points the product at the simulators, a Redis database and a config file. */
export function productEnv(o: { redisUrl: string; slackUrl: string; simUrl: string; configPath: string }): Record<string, string> {
  return {
    REDIS_URL: o.redisUrl,
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: o.slackUrl,
    ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY.id,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY.secret,
    ALIBABA_CLOUD_VPC_ENDPOINT: o.simUrl,
    ALIBABA_CLOUD_CAS_ENDPOINT: o.simUrl,
    VPN_BOT_CONFIG: o.configPath,
  };
}
