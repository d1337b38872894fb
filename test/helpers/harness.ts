// Starts the real product (start() from src/main.ts) against the in-repo Alibaba Cloud simulator and fake
// Slack, on its own Redis database, and gives tests a signed-request driver.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/load.js';
import { start, type Running } from '../../src/main.js';
import { startAlibabaSim, type AlibabaSim, type SimSeed } from '../../src/sim/alicloud/index.js';
import { SlackDriver, startFakeSlack, type FakeSlack } from '../../src/sim/slack/index.js';

export const SIGNING_SECRET = 'test-signing-secret';
export const ACCESS_KEY = { id: 'LTAItest', secret: 'test-access-key-secret-0123456789' };
export const APPROVALS = 'C0APPROVALS';

export const GATEWAYS = [
  { name: 'hangzhou', regionId: 'cn-hangzhou', vpnGatewayId: 'vpn-bp1aaaaaaaaaaaaaaaaaaaa', sslVpnServerId: 'vss-bp1aaaaaaaaaaaaaaaaaaaa', ip: '203.0.113.10' },
  { name: 'frankfurt', regionId: 'eu-central-1', vpnGatewayId: 'vpn-gw8bbbbbbbbbbbbbbbbbbbb', sslVpnServerId: 'vss-gw8bbbbbbbbbbbbbbbbbbbb', ip: '203.0.113.20' },
];

export function simSeed(): SimSeed {
  return {
    accessKeys: [{ id: ACCESS_KEY.id, secret: ACCESS_KEY.secret }],
    gateways: GATEWAYS.map((g) => ({
      vpnGatewayId: g.vpnGatewayId, regionId: g.regionId, name: g.name, internetIp: g.ip, sslMaxConnections: 50,
      sslVpnServer: { sslVpnServerId: g.sslVpnServerId, clientIpPool: '10.99.0.0/24', localSubnet: '172.16.0.0/16', proto: 'UDP', port: 1194 },
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
};

export function configYaml(extra = '', options: { adminsExtra?: readonly string[] } = {}): string {
  return `
slack:
  approvalsChannel: ${APPROVALS}
roles:
  approvers: [U0BOB, S0APPROVERS]
  admins: [${['U0ADMIN', ...(options.adminsExtra ?? [])].join(', ')}]
gateways:
${GATEWAYS.map((g) => `  - name: ${g.name}\n    regionId: ${g.regionId}\n    vpnGatewayId: ${g.vpnGatewayId}\n    sslVpnServerId: ${g.sslVpnServerId}`).join('\n')}
access:
  defaultDuration: 8h
  maxDuration: 30d
${extra}`;
}

export interface Harness {
  sim: AlibabaSim;
  slack: FakeSlack;
  driver: SlackDriver;
  redis: Redis;
  env: Record<string, string>;
  bot: Running;
  close(): Promise<void>;
}

/** Each test file passes its own Redis database number so files can run in parallel. */
export async function startHarness(options: {
  db: number; updateMs?: number; env?: Record<string, string>; logDestination?: NodeJS.WritableStream; redisBase?: string;
  /** More admins besides U0ADMIN (e.g. a second admin to approve server changes). */
  adminsExtra?: readonly string[];
  /** Run the product on a Redis Cluster (seed nodes host:port,…); the harness's own client then only talks to the first node. */
  clusterNodes?: string;
  /** The whole config file, instead of configYaml(). */
  configText?: string;
}): Promise<Harness> {
  const base = options.redisBase ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
  const redisUrl = options.clusterNodes ? `redis://${options.clusterNodes.split(',')[0]}` : `${base.replace(/\/\d+$/, '')}/${options.db}`;
  const redis = new Redis(redisUrl);
  redis.on('error', () => undefined); // an outage test kills its Redis on purpose
  if (!options.clusterNodes) await redis.flushdb();
  const sim = await startAlibabaSim({ seed: simSeed(), updateMs: options.updateMs ?? 300 });
  const slack = await startFakeSlack({ botToken: 'xoxb-test', users: USERS, usergroups: { S0APPROVERS: ['U0CAROL'] } });
  const dir = mkdtempSync(join(tmpdir(), 'vpnbot-'));
  const configPath = join(dir, 'vpn-bot.yaml');
  writeFileSync(configPath, options.configText ?? configYaml('', options.adminsExtra ? { adminsExtra: options.adminsExtra } : {}));
  const env: Record<string, string> = {
    PORT: '0',
    LOG_LEVEL: 'silent',
    REDIS_URL: redisUrl,
    SLACK_BOT_TOKEN: 'xoxb-test',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.url,
    ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY.id,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: ACCESS_KEY.secret,
    ALIBABA_CLOUD_VPC_ENDPOINT: sim.url,
    ALIBABA_CLOUD_CAS_ENDPOINT: sim.url,
    VPN_BOT_CONFIG: configPath,
    ...(options.clusterNodes ? { REDIS_CLUSTER_NODES: options.clusterNodes } : {}),
    ...options.env,
  };
  const bot = await start(loadConfig(env), options.logDestination ? { logDestination: options.logDestination } : {});
  const driver = new SlackDriver({ botUrl: `http://127.0.0.1:${bot.port}/slack/events`, signingSecret: SIGNING_SECRET, fake: slack });
  return {
    sim, slack, driver, redis, env, bot,
    async close() {
      await bot.stop();
      await slack.close();
      await sim.close();
      if (!options.clusterNodes) await redis.flushdb();
      redis.disconnect();
    },
  };
}

/** Every string value stored in the database (strings, hashes, lists, sets, zsets, streams), for secret scans. */
export async function dumpRedis(redis: Redis): Promise<string> {
  const parts: string[] = [];
  for (const key of await redis.keys('*')) {
    const type = await redis.type(key);
    if (type === 'string') parts.push((await redis.get(key)) ?? '');
    else if (type === 'hash') parts.push(JSON.stringify(await redis.hgetall(key)));
    else if (type === 'list') parts.push(JSON.stringify(await redis.lrange(key, 0, -1)));
    else if (type === 'set') parts.push(JSON.stringify(await redis.smembers(key)));
    else if (type === 'zset') parts.push(JSON.stringify(await redis.zrange(key, 0, -1)));
    else if (type === 'stream') parts.push(JSON.stringify(await redis.xrange(key, '-', '+')));
  }
  return parts.join('\n');
}
