// Starts the real product (start() from src/main.ts) against the in-repo Alibaba Cloud simulator and fake
// Slack, on its own Redis database, and gives tests a signed-request driver.
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { loadConfig } from '../../src/config/load.js';
import { laneName } from '../../src/jobs/lanes.js';
import { queuePrefix } from '../../src/jobs/queues.js';
import { start, type Running } from '../../src/main.js';
import { startAlibabaSim, type AlibabaSim, type SimSeed } from '../../src/sim/alicloud/index.js';
import { SlackDriver, startFakeSlack, type FakeSlack } from '../../src/sim/slack/index.js';
import { freePort, testRedisBase } from './process.js';
import { APP_TOKEN, BOT_TOKEN, configYaml, productEnv, SIGNING_SECRET, simSeed, USERS, writeConfigFile } from './fixtures.js';

export { ACCESS_KEY, APPROVALS, configYaml, GATEWAYS, SIGNING_SECRET, simSeed, USERS } from './fixtures.js';

export interface Harness {
  sim: AlibabaSim;
  slack: FakeSlack;
  driver: SlackDriver;
  redis: Redis;
  env: Record<string, string>;
  bot: Running;
  /** Stops the bot and starts it again on the same config, Redis and fakes (a deploy or a crash); `whileDown` runs in between. */
  restart(whileDown?: () => Promise<void>): Promise<void>;
  close(): Promise<void>;
}

/** Each test file passes its own Redis database number so files can run in parallel. */
export async function startHarness(options: {
  db: number; updateMs?: number; env?: Record<string, string>; logDestination?: NodeJS.WritableStream; redisBase?: string;
  /** More admins besides U0ADMIN (e.g. a second admin to approve server changes). */
  adminsExtra?: readonly string[];
  /** More YAML appended to the config file (top-level sections such as `offboarding:`). */
  configExtra?: string;
  /** Run the product on a Redis Cluster (seed nodes host:port,…); the harness's own client then only talks to the first node. */
  clusterNodes?: string;
  /** The whole config file, instead of configYaml(). */
  configText?: string;
  /** Runs once the simulators are up, before the product starts (e.g. a stand-in credential source). */
  beforeStart?: (sim: AlibabaSim) => Promise<void>;
  /** Slack in Socket Mode (SLACK_APP_TOKEN): the driver sends envelopes over the fake's WebSocket. */
  socketMode?: boolean;
  /** The simulator's seed, instead of simSeed() (e.g. a certificate quota). */
  simSeed?: SimSeed;
  /**
   * Real OpenVPN servers behind the simulated SSL servers (when openvpn is installed), each on a free port
   * (the seed's ports are replaced). Off by default: only the files proving real connections pay for it.
   */
  openvpn?: boolean;
}): Promise<Harness> {
  const base = options.redisBase ?? testRedisBase();
  const redisUrl = options.clusterNodes ? `redis://${options.clusterNodes.split(',')[0]}` : `${base.replace(/\/\d+$/, '')}/${options.db}`;
  const redis = new Redis(redisUrl);
  redis.on('error', () => undefined); // an outage test kills its Redis on purpose
  if (!options.clusterNodes) await redis.flushdb();
  let seed = options.simSeed ?? simSeed();
  if (options.openvpn) {
    const gateways = [];
    for (const g of seed.gateways) gateways.push(g.sslVpnServer ? { ...g, sslVpnServer: { ...g.sslVpnServer, port: await freePort() } } : g);
    seed = { ...seed, gateways };
  }
  const sim = await startAlibabaSim({ seed, updateMs: options.updateMs ?? 300, ...(options.openvpn ? { openvpn: true } : {}) });
  const slack = await startFakeSlack({ botToken: BOT_TOKEN, users: USERS, usergroups: { S0APPROVERS: ['U0CAROL'] } });
  const configPath = writeConfigFile(options.configText ?? configYaml(options.configExtra ?? '', options.adminsExtra ? { adminsExtra: options.adminsExtra } : {}));
  const env: Record<string, string> = {
    PORT: '0',
    LOG_LEVEL: 'silent',
    ...productEnv({ redisUrl, slackUrl: slack.url, simUrl: sim.url, configPath }),
    ...(options.clusterNodes ? { REDIS_CLUSTER_NODES: options.clusterNodes } : {}),
    ...(options.socketMode ? { SLACK_APP_TOKEN: APP_TOKEN, SLACK_SIGNING_SECRET: '' } : {}),
    ...options.env,
  };
  await options.beforeStart?.(sim);
  const bot = await start(loadConfig(env), options.logDestination ? { logDestination: options.logDestination } : {});
  const driverFor = (running: Running) => new SlackDriver({
    botUrl: `http://127.0.0.1:${running.port}/slack/events`, signingSecret: SIGNING_SECRET, fake: slack, ...(options.socketMode ? { transport: 'socket' as const } : {}),
  });
  // In Socket Mode the bot is reachable once its WebSocket is open.
  if (options.socketMode) await slack.socketMode.waitForConnection();
  const driver = driverFor(bot);
  const harness: Harness = {
    sim, slack, driver, redis, env, bot,
    async restart(whileDown) {
      await harness.bot.stop();
      await whileDown?.();
      harness.bot = await start(loadConfig(env), options.logDestination ? { logDestination: options.logDestination } : {});
      if (options.socketMode) await slack.socketMode.waitForConnection();
      harness.driver = driverFor(harness.bot);
    },
    async close() {
      await harness.bot.stop(); // the current instance (a test may have restarted it)
      await slack.close();
      await sim.close();
      if (!options.clusterNodes) await redis.flushdb();
      redis.disconnect();
    },
  };
  return harness;
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

/** One of the product's queues on the test's Redis, named as src/jobs names it: to see what is queued. */
export function productQueue(h: Pick<Harness, 'redis'>, name: string): Queue {
  return new Queue(name, { connection: h.redis, prefix: queuePrefix('vpnbot', name) });
}

/** A gateway's lane (src/jobs/lanes.ts). */
export const laneQueue = (h: Pick<Harness, 'redis'>, gateway: string): Queue => productQueue(h, laneName(gateway));

/** The audit log's entries as stored (each one's JSON text), oldest first. */
export async function auditEntries(h: Pick<Harness, 'redis'>): Promise<string[]> {
  return (await h.redis.xrange('{vpnbot}:audit', '-', '+')).map(([, f]) => f[1] ?? '');
}
