// Builds the Bolt app: HTTP receiver on POST /slack/events (signature-checked by Bolt) plus the health
// and metrics routes, or Socket Mode when SLACK_APP_TOKEN is set. Listeners are registered here.
import { createServer } from 'node:http';
import { App, LogLevel, SocketModeReceiver, type CustomRoute, type ReceiverEvent } from '@slack/bolt';
import type { Logger } from 'pino';
import { boltLogger } from '../infra/logger.js';
import type { AccessService } from '../core/service.js';
import type { AdminService } from '../core/admin.js';
import type { Messenger } from '../core/ports.js';
import { registerVpnCommand } from './commands/vpn.js';
import { registerApprovalActions } from './actions/approval.js';
import { registerReminderActions } from './actions/reminder.js';
import { registerBreakGlassActions } from './actions/breakglass.js';
import { registerServerChangeActions } from './actions/server-change.js';
import { registerHome } from './home.js';
import { registerUserChange } from './events.js';
import type { Leavers } from '../core/leavers.js';
import type { ProfileService } from '../core/profiles.js';
import type { ReconcileService } from '../core/reconcile.js';
import { registerFindingActions } from './actions/findings.js';
import { EN, type Lang, type LangOf } from './i18n/index.js';

export interface HealthChecks {
  /** Everything this process needs to do its work answers (Redis, Slack auth). */
  ready(): Promise<{ ok: boolean; detail: Record<string, string> }>;
  metrics(): Promise<{ contentType: string; body: string }>;
}

export interface SlackAppOptions {
  botToken: string;
  signingSecret?: string;
  appToken?: string;
  slackApiUrl?: string;
  /**
   * Routes served beside POST /slack/events in HTTP mode (health, metrics, the sandbox page); default: the
   * health routes. Socket Mode has no HTTP server of Bolt's: main.ts serves them.
   */
  routes?: CustomRoute[];
  /**
   * The bot's identity from our own auth.test at start. Given to Bolt so it does not call auth.test in its
   * constructor, where a failure is an unhandled rejection that leaves every later request answered 401.
   */
  identity?: { botId: string; botUserId: string };
  logger: Logger;
  service: AccessService;
  messenger: Messenger;
  positionOf: (requestId: string, gateway: string) => Promise<number | undefined>;
  health: HealthChecks;
  onHandled?: (kind: string, outcome: string) => void;
  /** Serves `/vpn admin …`. */
  admin?: AdminService;
  /** Offboards users Slack reports deactivated (`user_change`). */
  leavers?: Leavers;
  /** `/vpn resend` and the App Home's resend button. */
  profiles?: ProfileService;
  /** Delete / Keep on the findings post. */
  reconcile?: ReconcileService;
  /** The language a person reads (their Slack locale, else slack.locale); English when not given. */
  langOf?: (userId: string) => Promise<Lang>;
}

/** Reading Slack's locale must never fail an answer: English then. */
const safeLangOf = (langOf: LangOf | undefined): LangOf => async (userId) => (langOf ? langOf(userId).catch(() => EN) : EN);

/** GET /healthz and /readyz, plus /metrics unless it has a port of its own (METRICS_PORT). */
export function healthRoutes(health: HealthChecks, options: { metrics: boolean } = { metrics: true }): CustomRoute[] {
  return [
    { path: '/healthz', method: ['GET'], handler: (_req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end('{"ok":true}'); } },
    {
      path: '/readyz', method: ['GET'], handler: (_req, res) => {
        void health.ready().then(({ ok, detail }) => {
          res.writeHead(ok ? 200 : 503, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ ok, ...detail }));
        });
      },
    },
    ...(options.metrics ? metricsRoutes(health) : []),
  ];
}

/**
 * Bolt leaves a request it cannot route (`payload={}`, an unknown action_id, a click without a user)
 * unacknowledged, and Slack then sees a 3 s timeout or an error. Here every request is acknowledged
 * once handling ends, nothing is done for it, and a warning is logged.
 */
class GuardedApp extends App {
  warn: (detail: Record<string, unknown>, message: string) => void = () => undefined;

  override async processEvent(event: ReceiverEvent): Promise<void> {
    let acked = false;
    const ack = event.ack;
    const guarded: ReceiverEvent = { ...event, ack: async (response?: unknown) => { acked = true; await ack(response); } };
    const body = event.body as { type?: unknown; command?: unknown; user?: { id?: unknown }; actions?: unknown } | undefined;
    const interaction = body?.type === 'block_actions' || body?.type === 'view_submission';
    // Slash commands carry `command`; interactions and events carry `type`.
    const malformed = !body || (typeof body.type !== 'string' && typeof body.command !== 'string') || (interaction && typeof body.user?.id !== 'string') || (body.type === 'block_actions' && !Array.isArray(body.actions));
    try {
      if (!malformed) await super.processEvent(guarded);
    } catch (err) {
      this.warn({ err: (err as Error).message }, 'malformed Slack request; acknowledged, nothing done');
    } finally {
      if (!acked) {
        if (!malformed) this.warn({ type: body?.type, action: (body?.actions as { action_id?: unknown }[] | undefined)?.[0]?.action_id }, 'malformed Slack request (no handler acknowledged it); acknowledged, nothing done');
        else this.warn({ type: typeof body?.type === 'string' ? body.type : undefined }, 'malformed Slack request; acknowledged, nothing done');
        await ack().catch(() => undefined);
      }
    }
  }
}

export function metricsRoutes(health: HealthChecks): CustomRoute[] {
  return [{
    path: '/metrics', method: ['GET'], handler: (_req, res) => {
      void health.metrics().then(({ contentType, body }) => { res.writeHead(200, { 'content-type': contentType }); res.end(body); });
    },
  }];
}

/** A plain HTTP server for routes outside Bolt's (a worker's health, Socket Mode's health, METRICS_PORT). */
export async function serveRoutes(routes: CustomRoute[], port: number, host: string | undefined): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const route = routes.find((r) => r.path === req.url?.split('?')[0] && [r.method].flat().includes(req.method ?? ''));
    if (route) void route.handler(req as never, res as never);
    else { res.writeHead(404); res.end(); }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const address = server.address();
  return {
    port: address && typeof address === 'object' ? address.port : port,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export function createSlackApp(options: SlackAppOptions): App {
  const clientOptions = {
    ...(options.slackApiUrl ? { slackApiUrl: options.slackApiUrl } : {}),
    // Listener calls must not hang an interaction for minutes; notification jobs retry on their own.
    retryConfig: { retries: 2, factor: 2, minTimeout: 200, maxTimeout: 1000 },
    timeout: 10_000,
  };
  const common = {
    token: options.botToken,
    logger: boltLogger(options.logger),
    logLevel: LogLevel.INFO,
    clientOptions,
    ...(options.identity ?? {}),
  };
  // Socket Mode: our own receiver, so apps.connections.open goes to SLACK_API_URL like every other call.
  const app = options.appToken
    ? new GuardedApp({ ...common, receiver: new SocketModeReceiver({ appToken: options.appToken, logger: common.logger, logLevel: LogLevel.INFO, installerOptions: { clientOptions } }) })
    : new GuardedApp({ ...common, signingSecret: options.signingSecret ?? '', customRoutes: options.routes ?? healthRoutes(options.health) });
  app.warn = (detail, message) => options.logger.warn(detail, message);
  // Logged, not rethrown: the listeners reply to users themselves, and Bolt would answer 500 otherwise.
  app.error(async (error) => {
    options.logger.error({ err: error.message, code: (error as { code?: string }).code }, 'unhandled Slack listener error');
  });
  const langOf = safeLangOf(options.langOf);
  registerVpnCommand(app, { langOf, service: options.service, positionOf: options.positionOf, logger: options.logger, onHandled: options.onHandled, ...(options.admin ? { admin: options.admin } : {}), profiles: options.profiles });
  registerApprovalActions(app, { langOf, service: options.service, messenger: options.messenger, logger: options.logger, onHandled: options.onHandled });
  registerReminderActions(app, { langOf, service: options.service, logger: options.logger, onHandled: options.onHandled });
  registerBreakGlassActions(app, { langOf, service: options.service, logger: options.logger, onHandled: options.onHandled });
  if (options.admin) registerServerChangeActions(app, { langOf, admin: options.admin, logger: options.logger, onHandled: options.onHandled });
  if (options.reconcile) registerFindingActions(app, { langOf, reconcile: options.reconcile, logger: options.logger, onHandled: options.onHandled });
  if (options.leavers) registerUserChange(app, { leavers: options.leavers, logger: options.logger, onHandled: options.onHandled });
  registerHome(app, { langOf, service: options.service, positionOf: options.positionOf, logger: options.logger, onHandled: options.onHandled, admin: options.admin, profiles: options.profiles });
  return app;
}
