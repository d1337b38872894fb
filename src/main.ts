// Entry point: read config, start the roles asked for (VPN_BOT_ROLE=bot|worker|all), and, with no
// credentials, the simulators of sandbox mode.
import { randomBytes } from 'node:crypto';
import { WebClient } from '@slack/web-api';
import { CasClient } from './api/cas.js';
import { casCallLimiter } from './infra/call-limiter.js';
import { credentialSource } from './api/credentials.js';
import { VpcClient } from './api/vpc.js';
import { createSlackApp, healthRoutes, metricsRoutes, serveRoutes, type HealthChecks } from './bot/app.js';
import { SlackDirectory } from './bot/directory.js';
import { SlackMessenger } from './bot/messenger.js';
import { slackAuditExports } from './bot/audit-exports.js';
import { SlackServerChangeCards } from './bot/server-change-cards.js';
import { ConfigError, listenHost, loadConfig, type AppConfig } from './config/load.js';
import { AdminService } from './core/admin.js';
import { AuditLog, isAdminRelevant } from './core/audit.js';
import { Leavers } from './core/leavers.js';
import { ProfileService } from './core/profiles.js';
import { FindingStore } from './core/findings.js';
import { ReconcileService } from './core/reconcile.js';
import { SlackFindingPosts } from './bot/findings.js';
import { SlackAuditWitness } from './bot/witness.js';
import { leaverAlert } from './bot/views/endings.js';
import { MaintenanceQueue, startMaintenanceWorker } from './jobs/maintenance.js';
import { AccessService } from './core/service.js';
import { RequestStore } from './core/store.js';
import { ServerChangeStore } from './core/server-change-store.js';
import { producerConnection, redisDurabilityWarnings, workerConnection } from './infra/connection.js';
import { GatewayWaiter, RedisUpdateTimeMemory } from './jobs/gateway-wait.js';
import { Lanes } from './jobs/lanes.js';
import { PoolStore } from './core/pool.js';
import { WarmPool } from './jobs/pool.js';
import { NotifyQueue } from './jobs/notify.js';
import { FollowUpQueue, startFollowUpWorker } from './jobs/follow-ups.js';
import { startWorkers, type WorkerSet } from './jobs/workers.js';
import { createLogger, redactText } from './infra/logger.js';
import { Metrics } from './infra/metrics.js';
import { sandboxUrl, startSandbox } from './sandbox.js';

export interface Running {
  port: number;
  /** Set when METRICS_PORT moved /metrics to a port of its own. */
  metricsPort?: number;
  stop(): Promise<void>;
}

export async function start(config: AppConfig, options: { logDestination?: NodeJS.WritableStream } = {}): Promise<Running> {
  const { env, file } = config;
  const logger = createLogger(env.LOG_LEVEL, options.logDestination);
  const sandbox = await startSandbox(config, logger);
  const metrics = new Metrics();

  const botToken = sandbox.slack?.botToken ?? env.SLACK_BOT_TOKEN!;
  const signingSecret = sandbox.slack?.signingSecret ?? env.SLACK_SIGNING_SECRET;
  const slackApiUrl = sandbox.slack?.fake.url ?? env.SLACK_API_URL;
  // One source for every cloud client: the simulator's key in the sandbox, the AccessKey variables exactly as
  // given, or else @alicloud/credentials' default chain (OIDC/RRSA, profile file, ECS RAM role, URI).
  const credentials = credentialSource(sandbox.cloud
    ? { accessKeyId: sandbox.cloud.accessKeyId, accessKeySecret: sandbox.cloud.accessKeySecret }
    : env.ALIBABA_CLOUD_ACCESS_KEY_ID
      ? { accessKeyId: env.ALIBABA_CLOUD_ACCESS_KEY_ID, accessKeySecret: env.ALIBABA_CLOUD_ACCESS_KEY_SECRET!, ...(env.ALIBABA_CLOUD_SECURITY_TOKEN ? { securityToken: env.ALIBABA_CLOUD_SECURITY_TOKEN } : {}) }
      : undefined);
  // Fail at start, naming the problem, rather than at the first approval.
  await credentials.getCredentials().catch(async (err: Error) => {
    await sandbox.close();
    throw new Error(`no Alibaba Cloud credentials: ${redactText(err.message)}`);
  });
  logger.info({ source: credentials.describe() }, 'Alibaba Cloud credentials found');
  const vpcEndpoint = sandbox.cloud?.sim.url ?? env.ALIBABA_CLOUD_VPC_ENDPOINT;
  const casEndpoint = sandbox.cloud?.sim.url ?? env.ALIBABA_CLOUD_CAS_ENDPOINT;

  // Producers fail fast (a Slack ack must not wait out a Redis outage); workers wait for Redis to return.
  const redisTarget = {
    url: env.REDIS_URL,
    ...(env.REDIS_CLUSTER_NODES ? { clusterNodes: env.REDIS_CLUSTER_NODES } : {}),
    ...(env.REDIS_SENTINELS ? { sentinels: env.REDIS_SENTINELS, sentinelName: env.REDIS_SENTINEL_NAME } : {}),
  };
  const redis = producerConnection(redisTarget);
  const bullConnection = workerConnection(redisTarget);
  for (const r of [redis, bullConnection]) r.on('error', (err) => logger.warn({ err: err.message }, 'redis connection error'));
  for (const warning of await redisDurabilityWarnings(redis)) logger.warn(`redis: ${warning}`);

  const store = new RequestStore(redis);
  let auditKey = env.VPN_BOT_AUDIT_KEY;
  if (!auditKey && (config.slackSandbox || config.cloudSandbox)) {
    auditKey = randomBytes(32).toString('hex');
    logger.warn('sandbox: VPN_BOT_AUDIT_KEY is not set; generated a random audit key for this run (entries written under it will not verify after a restart)');
  } else if (!auditKey) {
    logger.warn('VPN_BOT_AUDIT_KEY is not set: the audit log is chained with plain SHA-256, so anyone who can write Redis can rewrite it undetected. Set a key of at least 32 characters (openssl rand -hex 32).');
  }
  // Each entry is also a JSON log line for a log pipeline, and admin-relevant ones are witnessed in Slack at once.
  // Set once the Slack client exists; entries appended before that are witnessed by the next one.
  const witnessRef: { current?: SlackAuditWitness } = {};
  const audit: AuditLog = new AuditLog(redis, '{vpnbot}', {
    ...(auditKey ? { key: auditKey } : {}),
    onAppend: (entry) => {
      // The hash stays out of the line (the witness carries it); seq lets a pipeline spot gaps.
      const { hash: _hash, ...line } = entry;
      logger.info({ audit: true, ...line }, `audit ${entry.action}`);
      if (isAdminRelevant(entry.action)) witnessRef.current?.witnessSoon();
    },
  });
  const gateways = new Map(file.gateways.map((g) => [g.name, g]));
  // Queues only add jobs: they share the fail-fast connection; workers get the patient one.
  const lanes = new Lanes(redis, [...gateways.keys()], 'vpnbot', file.access.expiryCoalesceWindow);
  const notify = new NotifyQueue(redis, 'vpnbot', file.access.expiryWarning);
  // The provisioning queue with the warm pool in front (gateways[].warmPool); with no pool it is the lanes.
  const warm = new WarmPool({ pool: new PoolStore(redis), lanes, gateways, connection: redis, maxAgeMs: file.provisioning.warmPoolMaxAge, coalesceWindowMs: file.access.expiryCoalesceWindow });
  const slackClient = new WebClient(botToken, {
    ...(slackApiUrl ? { slackApiUrl } : {}),
    retryConfig: { retries: 5, factor: 2, minTimeout: 500, maxTimeout: 10_000 },
    timeout: 10_000,
  });
  const directory = new SlackDirectory(slackClient, undefined, file.slack.locale);
  const messenger = new SlackMessenger(slackClient, file.slack.approvalsChannel, { profileRetentionMs: file.access.profileRetention, locale: file.slack.locale, langOf: directory.langOf });
  let identity: { botId: string; botUserId: string } | undefined;
  const witness = new SlackAuditWitness(slackClient, file.slack.auditChannel ?? file.slack.approvalsChannel, () => audit, logger, () => identity?.botUserId, messenger.channelLang);
  witnessRef.current = witness;
  const maintenance = new MaintenanceQueue(redis);
  // `/vpn admin server set`: proposals in Redis, their cards in the approvals channel, applied on the lanes.
  const serverChanges = { proposals: new ServerChangeStore(redis), cards: new SlackServerChangeCards(slackClient, file.slack.approvalsChannel, messenger.channelLang) };
  const policy = {
    gateways: [...gateways.keys()], defaultDurationMs: file.access.defaultDuration, maxDurationMs: file.access.maxDuration,
    approvers: file.roles.approvers, admins: file.roles.admins,
    ...gatePolicy(file),
  };
  const followUps = new FollowUpQueue(redis, 'vpnbot');
  const service = new AccessService({ store, audit, policy, members: directory.groupMembers, provisioning: warm, notifications: notify, followUps, messenger,
    onWarning: (what, err) => logger.warn({ err: (err as Error)?.message ?? String(err), what }, 'request check skipped'),
  });
  const vpc = new VpcClient({ credentials, timeoutMs: file.provisioning.apiTimeoutMs, observe: metrics.observeCloudCall, ...(vpcEndpoint ? { endpointOverride: vpcEndpoint } : {}) });
  // Private-CA client certificates (admin offboarding and cert revoke); CAS 2020-06-30, at most 10 calls in any
  // rolling second across all processes (the limiter lives in Redis).
  const cas = new CasClient({ credentials, timeoutMs: file.provisioning.apiTimeoutMs, observe: metrics.observeCloudCall, limiter: casCallLimiter(redis), ...(casEndpoint ? { endpointOverride: casEndpoint } : {}) });
  const admin = new AdminService({
    store, audit, policy, members: directory.groupMembers, provisioning: warm, notifications: notify, vpc, cas, pool: warm,
    people: directory, exports: slackAuditExports(messenger, directory.langOf), gateways: file.gateways,
    serverChanges: { ...serverChanges, lane: lanes },
    lanes, witnesses: witness, reconciler: { run: (actor) => reconcile.run(actor) },
    onError: (what, err) => logger.error({ err: (err as Error)?.message ?? String(err), what }, 'admin command step failed'),
  });
  const profiles = new ProfileService({
    store, audit, vpc, gateways, files: messenger, deletions: maintenance, retentionMs: file.access.profileRetention,
    onError: (what, err) => logger.error({ err: (err as Error)?.message ?? String(err), what }, 'profile step failed'),
  });
  const findings = new FindingStore(redis);
  const reconcile: ReconcileService = new ReconcileService({
    store, audit, vpc, redis, findings, gateways: file.gateways, lane: lanes, notifications: notify,
    posts: new SlackFindingPosts(slackClient, file.slack.approvalsChannel, messenger.channelLang),
    grantEnded: async (request) => {
      await profiles.grantEnded(request);
      await warm.store.grantEnded(request);
    },
    isAdmin: async (userId) => (await admin.authorize(userId)).ok,
    onError: (what, err) => logger.error({ err: (err as Error)?.message ?? String(err), what }, 'reconcile step failed'),
  });
  const leavers = new Leavers({
    offboarding: admin.offboarding, store, audit, redis, accounts: directory, enabled: file.offboarding.onSlackDeactivation,
    alerts: { leaverOffboarded: (summary, source) => messenger.notifyAdmins(leaverAlert(summary, source, messenger.channelLang)) },
    onError: (what, err) => logger.error({ err: (err as Error)?.message ?? String(err), what }, 'offboarding a leaver: step failed'),
  });

  // Readiness re-checks Slack auth at most once a minute, with a client that does not retry.
  const authProbe = new WebClient(botToken, { ...(slackApiUrl ? { slackApiUrl } : {}), retryConfig: { retries: 0 }, timeout: 3000 });
  let slackAuth = { ok: false, at: 0 };
  let authError = '';
  const checkSlackAuth = async () => {
    const ok = await authProbe.auth.test().then((r) => {
      if (r.bot_id && r.user_id) identity = { botId: r.bot_id, botUserId: r.user_id };
      return true;
    }, (err: Error & { data?: { error?: string } }) => {
      authError = err.data?.error ?? err.message;
      logger.error({ err: authError }, 'Slack auth.test failed: check SLACK_BOT_TOKEN');
      return false;
    });
    slackAuth = { ok, at: Date.now() };
    return ok;
  };
  const health: HealthChecks = {
    async ready() {
      const [redisOk, slackOk] = await Promise.all([
        redis.ping().then(() => true, () => false),
        Date.now() - slackAuth.at > 60_000 ? checkSlackAuth() : slackAuth.ok,
      ]);
      return { ok: redisOk && slackOk, detail: { redis: redisOk ? 'ok' : 'down', slack: slackOk ? 'ok' : 'not authenticated' } };
    },
    async metrics() {
      return { contentType: metrics.registry.contentType, body: await metrics.registry.metrics() };
    },
  };
  if (!(await checkSlackAuth()) && env.VPN_BOT_ROLE !== 'worker') {
    // Without a working token the bot can answer nobody; say so plainly and let the supervisor restart it.
    await Promise.all([lanes.close(), notify.close(), maintenance.close(), followUps.close(), warm.close()]);
    redis.disconnect();
    bullConnection.disconnect();
    await sandbox.close();
    throw new Error(`Slack did not accept SLACK_BOT_TOKEN (auth.test: ${authError}); check the token and that the app is installed`);
  }

  const runBot = env.VPN_BOT_ROLE !== 'worker';
  const runWorker = env.VPN_BOT_ROLE !== 'bot';
  const onHandled = (kind: string, outcome: string) => metrics.slackRequests.inc({ kind, outcome });

  let workers: WorkerSet | undefined;
  let maintenanceWorker: ReturnType<typeof startMaintenanceWorker> | undefined;
  let followUpWorker: ReturnType<typeof startFollowUpWorker> | undefined;
  if (runWorker) {
    followUpWorker = startFollowUpWorker({ connection: bullConnection, run: (kind, id) => service.runFollowUp(kind, id), logger });
    // In the background, like the provisioning recovery: lost follow-up jobs are scheduled again.
    void service.recoverFollowUps().catch((err: Error) => logger.error({ err: err.message }, 'follow-up recovery failed; it runs again at the next start'));
    await maintenance.schedule({ 'audit-witness': file.audit.witnessEvery, 'leaver-sweep': file.offboarding.sweepEvery, reconcile: file.reconcile.every });
    maintenanceWorker = startMaintenanceWorker({
      connection: bullConnection, logger,
      handlers: {
        'audit-witness': () => witness.witness(),
        'leaver-sweep': () => leavers.sweep(),
        reconcile: () => reconcile.run('system'),
        'profile-delete': (data) => profiles.deleteFile(data.requestId, data.fileId),
      },
    });
    workers = await startWorkers({
      connection: bullConnection, redis, lanes, notify, store, audit, vpc, messenger, gateways, logger, profiles,
      certDeletes: { findings, reconcile },
      waiter: new GatewayWaiter(vpc, new RedisUpdateTimeMemory(redis)),
      gatewayTimeoutMs: file.provisioning.gatewayTimeout,
      lockDurationMs: file.provisioning.lockDurationMs,
      coalesceWindowMs: file.access.expiryCoalesceWindow,
      userHandle: directory.userHandle,
      serverChanges, warm,
      onLaneJobDone: (outcome) => metrics.provisioned.inc({ outcome }),
    });
  }

  // The sandbox's fake Slack lets anyone who reaches the page act as an admin: loopback unless HOST says otherwise.
  const host = listenHost(config);
  // With METRICS_PORT, /metrics leaves the public port for a port of its own (scraped inside the network only).
  const routes = healthRoutes(health, { metrics: env.METRICS_PORT === undefined });
  const metricsServer = env.METRICS_PORT === undefined ? undefined : await serveRoutes(metricsRoutes(health), env.METRICS_PORT, host);
  let port = env.PORT;
  let stopFront: () => Promise<void>;
  if (runBot) {
    const app = createSlackApp({
      botToken, ...(signingSecret ? { signingSecret } : {}), ...(env.SLACK_APP_TOKEN ? { appToken: env.SLACK_APP_TOKEN } : {}),
      ...(slackApiUrl ? { slackApiUrl } : {}),
      routes: [...routes, ...(sandbox.web ? sandbox.web.routes() : [])], logger, service, messenger, health, onHandled, admin, leavers, profiles, reconcile, ...(identity ? { identity } : {}),
      langOf: directory.langOf,
      positionOf: async (requestId, gateway) => {
        const request = await store.get(requestId);
        return request && gateways.has(gateway) ? lanes.positionOf(request) : undefined;
      },
    });
    if (env.SLACK_APP_TOKEN) {
      // Socket Mode: events come over the WebSocket; health (and metrics) get a server of ours on PORT.
      const server = await serveRoutes([...routes, ...(sandbox.web ? sandbox.web.routes() : [])], env.PORT, host);
      await app.start();
      port = server.port;
      stopFront = () => app.stop().then(() => server.close());
    } else {
      const server = (await app.start({ port: env.PORT, ...(host ? { host } : {}) })) as unknown;
      const address = (server as { address?: () => { port: number } | string | null }).address?.();
      if (address && typeof address === 'object') port = address.port;
      stopFront = () => app.stop().then(() => undefined);
    }
  } else {
    // A worker still answers health checks and metrics.
    const server = await serveRoutes(routes, env.PORT, host);
    port = server.port;
    stopFront = () => server.close();
  }
  if (sandbox.web && runBot && env.PORT === 0) logger.info(`sandbox: open ${sandboxUrl(host, port)} in a browser`);
  logger.info({ port, ...(metricsServer ? { metricsPort: metricsServer.port } : {}), host: host ?? 'all interfaces', role: env.VPN_BOT_ROLE, pid: process.pid, gateways: [...gateways.keys()] }, 'vpn-access-bot started');

  return {
    port,
    ...(metricsServer ? { metricsPort: metricsServer.port } : {}),
    async stop() {
      // Graceful, but bounded: with Redis unreachable, closing queues and workers would wait forever.
      const bounded = (p: Promise<unknown> | undefined) => Promise.race([p, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);
      sandbox.web?.close();
      await stopFront();
      await metricsServer?.close();
      await bounded(Promise.all([workers?.close(), maintenanceWorker?.close(), followUpWorker?.close()]));
      await bounded(Promise.all([lanes.close(), notify.close(), maintenance.close(), followUps.close(), warm.close()]));
      redis.disconnect();
      bullConnection.disconnect();
      await sandbox.close();
    },
  };
}

/** The approval gate's part of the policy: per-gateway approvers, N-of-M, extensions, TTLs, break-glass. */
function gatePolicy(file: AppConfig['file']) {
  return {
    gatewayApprovers: Object.fromEntries(file.gateways.filter((g) => g.approvers).map((g) => [g.name, g.approvers!])),
    gatewayApprovalsRequired: Object.fromEntries(file.gateways.filter((g) => g.approvalsRequired).map((g) => [g.name, g.approvalsRequired!])),
    approvalsRequired: file.approvals.required,
    selfExtensionMs: file.access.selfExtension,
    breakGlass: file.roles.breakGlass,
    breakGlassDurationMs: file.access.breakGlassDuration,
    pendingTtlMs: file.access.pendingTtl,
    approverReminderMs: file.access.approverReminder,
    breakGlassReviewWithinMs: file.access.breakGlassReviewWithin,
  };
}

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  process.on('unhandledRejection', (reason) => {
    process.stderr.write(`unhandled rejection: ${redactText(reason instanceof Error ? reason.message : String(reason))}\n`);
  });
  const running = await start(config);
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`received ${signal}; shutting down\n`);
    const force = setTimeout(() => process.exit(1), 20_000);
    force.unref();
    void running.stop().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: Error) => {
    process.stderr.write(`vpn-access-bot failed to start: ${err.message}\n`);
    process.exit(1);
  });
}
