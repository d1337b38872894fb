// The configuration contract: environment variables and the YAML file of PRODUCT §3.
// The schemas are the reference for every option and its default (docs/configuration.md mirrors them).
// Every object of the file is strict: an unknown (misspelt, or newer) key is an error, never ignored.
import { z } from 'zod';
import { parseDuration } from '../core/duration.js';

const duration = (what: string) =>
  z.string().refine((v) => parseDuration(v) !== undefined, { message: `${what}: expected <n>m|h|d|w, e.g. 8h or 30d` })
    .transform((v) => parseDuration(v) as number);

/** A duration where `0m` means "off". */
const durationOrOff = (what: string) =>
  z.string().refine((v) => /^0[mhdw]?$/.test(v) || parseDuration(v) !== undefined, { message: `${what}: expected <n>m|h|d|w, or 0m` })
    .transform((v) => parseDuration(v) ?? 0);

const channelId = z.string().regex(/^[CG][A-Z0-9]{2,}$/, 'expected a channel id, C… or G…');

/** The languages of the message catalogue (src/bot/i18n). */
export const SLACK_LOCALES = ['en', 'zh-CN'] as const;

const slackUserOrGroup = z.string().regex(/^[UWS][A-Z0-9]{2,}$/, 'expected a Slack user id (U…/W…) or user-group id (S…)');

export const gatewaySchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,31}$/, 'expected a short lower-case label users type, e.g. hangzhou'),
  regionId: z.string().regex(/^[a-z]{2}-[a-z0-9-]+$/, 'expected an Alibaba Cloud region id, e.g. cn-hangzhou'),
  vpnGatewayId: z.string().regex(/^vpn-[a-z0-9]+$/, 'expected a VPN gateway id, vpn-…'),
  sslVpnServerId: z.string().regex(/^vss-[a-z0-9]+$/, 'expected an SSL-VPN server id, vss-…'),
  /** Replaces roles.approvers for this gateway. */
  approvers: z.array(slackUserOrGroup).min(1, 'name at least one approver, or leave the key out to use roles.approvers').optional(),
  /** Replaces approvals.required for this gateway. */
  approvalsRequired: z.number().int().min(1).max(10).optional(),
  /** Unassigned certificates kept ready on the gateway so an approval is served at once; 0 = off. */
  warmPool: z.number().int().min(0).max(20).default(0),
});

export const fileConfigSchema = z.strictObject({
  slack: z.strictObject({
    approvalsChannel: channelId,
    /** Where the audit log's head is witnessed; defaults to the approvals channel. */
    auditChannel: channelId.optional(),
    /** Language of channel messages (cards, threads, alerts), and of DMs to people whose Slack locale the bot has no catalogue for. */
    locale: z.enum(SLACK_LOCALES, { message: `expected one of ${SLACK_LOCALES.join(', ')}` }).default('en'),
  }),
  roles: z.strictObject({
    approvers: z.array(slackUserOrGroup).min(1, 'name at least one approver'),
    admins: z.array(slackUserOrGroup).default([]),
    /** Who may use `/vpn breakglass` (access without approval, reviewed afterwards). */
    breakGlass: z.array(slackUserOrGroup).default([]),
  }),
  approvals: z.strictObject({
    /** How many distinct eligible approvers must approve a request (or an extension). */
    required: z.number().int().min(1).max(10).default(1),
  }).prefault({}),
  gateways: z.array(gatewaySchema).min(1, 'configure at least one gateway')
    .refine((gws) => new Set(gws.map((g) => g.name)).size === gws.length, 'gateway names must be unique')
    .refine((gws) => new Set(gws.map((g) => g.vpnGatewayId)).size === gws.length, 'each vpnGatewayId may appear once'),
  access: z.strictObject({
    /** Used when `/vpn request` names no duration. */
    defaultDuration: duration('access.defaultDuration').default(8 * 3_600_000),
    /** Longest grant anyone can request or extend to. */
    maxDuration: duration('access.maxDuration').default(30 * 86_400_000),
    /**
     * Routine expiries are rounded up to the next multiple of this window and removed together, because
     * deleting any certificate disconnects every client of the gateway. `0m` removes each at its expiry.
     */
    expiryCoalesceWindow: durationOrOff('access.expiryCoalesceWindow').default(15 * 60_000),
    /** How long before expiry the requester gets an "expiring soon" DM with Extend / I'm done; `0m` sends none. */
    expiryWarning: durationOrOff('access.expiryWarning').default(60 * 60_000),
    /** Total time a holder may add to one grant without approval, over all its extensions. */
    selfExtension: durationOrOff('access.selfExtension').default(0),
    /** An undecided request expires after this. */
    pendingTtl: duration('access.pendingTtl').default(24 * 3_600_000),
    /** When a pending request's thread mentions its eligible approvers, once; `0m` never. */
    approverReminder: durationOrOff('access.approverReminder').default(2 * 3_600_000),
    /** Length of a break-glass grant. */
    breakGlassDuration: duration('access.breakGlassDuration').default(3_600_000),
    /** Admins are reminded once when a break-glass use is not acknowledged within this. */
    breakGlassReviewWithin: duration('access.breakGlassReviewWithin').default(24 * 3_600_000),
    /** How long a delivered profile (.ovpn, with the private key) stays in Slack; it goes at the latest when the grant ends. */
    profileRetention: duration('access.profileRetention').default(24 * 3_600_000),
  }).prefault({}),
  offboarding: z.strictObject({
    /** A `user_change` event with `deleted: true` offboards the user like `/vpn admin offboard`. */
    onSlackDeactivation: z.boolean().default(true),
    /** How often every holder of an active grant is checked with users.info (events are missed while the bot is down); `0m` off. */
    sweepEvery: durationOrOff('offboarding.sweepEvery').default(3_600_000),
  }).prefault({}),
  reconcile: z.strictObject({
    /** How often the certificates on each gateway are compared with the grants; `0m` only on demand. */
    every: durationOrOff('reconcile.every').default(3_600_000),
  }).prefault({}),
  audit: z.strictObject({
    /** How often the audit log's head is posted to slack.auditChannel (also at once on admin-relevant events); `0m` off. */
    witnessEvery: durationOrOff('audit.witnessEvery').default(3_600_000),
  }).prefault({}),
  provisioning: z.strictObject({
    /** How long a job waits for the gateway to return to `active` before failing the request. */
    gatewayTimeout: duration('provisioning.gatewayTimeout').default(15 * 60_000),
    /** Per-call timeout for Alibaba Cloud API calls, in milliseconds. */
    apiTimeoutMs: z.number().int().min(1000).max(120_000).default(10_000),
    /** How long a worker's hold on a job lasts without renewal; after a crash the job resumes elsewhere once it lapses. */
    lockDurationMs: z.number().int().min(1000).max(600_000).default(30_000),
    /** A warm-pool certificate older than this is replaced (deleted, coalesced like expiries, and made anew). */
    warmPoolMaxAge: duration('provisioning.warmPoolMaxAge').default(7 * 86_400_000),
  }).prefault({}),
}).superRefine((cfg, ctx) => {
  if (cfg.access.defaultDuration > cfg.access.maxDuration) {
    ctx.addIssue({ code: 'custom', path: ['access', 'defaultDuration'], message: 'must not exceed access.maxDuration' });
  }
  if (cfg.access.breakGlassDuration > cfg.access.maxDuration) {
    ctx.addIssue({ code: 'custom', path: ['access', 'breakGlassDuration'], message: 'must not exceed access.maxDuration' });
  }
  // N distinct approvers must be possible: with users listed directly (no groups, whose size is only known
  // at click time), fewer users than required could never approve anything. Worded like the refusal of a
  // request that could never be approved (src/bot/i18n/en/refusals.ts cannotBeApproved), which covers the
  // rest at request time: groups, and a requester who is one of the approvers (they never count).
  cfg.gateways.forEach((gw, i) => {
    const approvers = gw.approvers ?? cfg.roles.approvers;
    const required = gw.approvalsRequired ?? cfg.approvals.required;
    const users = [...new Set(approvers.filter((id) => !id.startsWith('S')))];
    if (users.length === new Set(approvers).size && users.length < required) {
      const where = gw.approvalsRequired ? ['gateways', i, 'approvalsRequired'] : gw.approvers ? ['gateways', i, 'approvers'] : ['approvals', 'required'];
      const approversKey = gw.approvers ? 'gateways[].approvers' : 'roles.approvers';
      const requiredKey = gw.approvalsRequired ? 'gateways[].approvalsRequired' : 'approvals.required';
      const only = `only ${users.length} approver${users.length === 1 ? '' : 's'} can give one (${users.join(', ')})`;
      ctx.addIssue({ code: 'custom', path: where, message: `gateway ${gw.name} needs ${required} approvals, but ${only}: no request for it could ever be approved. Add an approver to ${approversKey} or lower ${requiredKey}` });
    }
  });
});

const optionalNonEmpty = z.string().optional().transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

export const envSchema = z.object({
  PORT: z.coerce.number({ error: 'expected a port number, 0–65535' }).int().min(0).max(65535).default(3000),
  /** Interface the HTTP server binds; unset: 127.0.0.1 in the sandbox (fake Slack), every interface otherwise. */
  HOST: optionalNonEmpty,
  /** Serves GET /metrics on this port instead of PORT. Default: unset (/metrics on PORT). */
  METRICS_PORT: z.coerce.number({ error: 'expected a port number, 0–65535' }).int().min(0).max(65535).optional(),
  SLACK_BOT_TOKEN: optionalNonEmpty.refine((v) => v === undefined || v.startsWith('xoxb-'), 'expected a bot token, xoxb-…'),
  SLACK_SIGNING_SECRET: optionalNonEmpty,
  SLACK_APP_TOKEN: optionalNonEmpty.refine((v) => v === undefined || v.startsWith('xapp-'), 'expected an app-level token, xapp-…'),
  SLACK_API_URL: optionalNonEmpty.refine((v) => v === undefined || /^https?:\/\//.test(v), 'expected an http(s) URL'),
  REDIS_URL: z.string().regex(/^rediss?:\/\//, 'expected redis://host:port').default('redis://127.0.0.1:6379'),
  REDIS_CLUSTER_NODES: optionalNonEmpty.refine((v) => v === undefined || /^[^\s,:]+:\d+(,[^\s,:]+:\d+)*$/.test(v), 'expected host:port,host:port,… (Redis Cluster seed nodes)'),
  REDIS_SENTINELS: optionalNonEmpty.refine((v) => v === undefined || /^[^\s,:]+:\d+(,[^\s,:]+:\d+)*$/.test(v), 'expected host:port,host:port,… (Redis Sentinel nodes)'),
  REDIS_SENTINEL_NAME: optionalNonEmpty,
  ALIBABA_CLOUD_ACCESS_KEY_ID: optionalNonEmpty,
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: optionalNonEmpty,
  ALIBABA_CLOUD_SECURITY_TOKEN: optionalNonEmpty,
  // Credential sources of @alicloud/credentials' default chain (used when no AccessKey variables are set).
  // Any one of them means "a real cloud": the simulator stands in only when none is configured.
  /** RRSA/OIDC on ACK: the RAM role to assume, with ALIBABA_CLOUD_OIDC_PROVIDER_ARN and ALIBABA_CLOUD_OIDC_TOKEN_FILE. */
  ALIBABA_CLOUD_ROLE_ARN: optionalNonEmpty.refine((v) => v === undefined || v.startsWith('acs:ram::'), 'expected a RAM role ARN, acs:ram::<account>:role/<name>'),
  ALIBABA_CLOUD_OIDC_PROVIDER_ARN: optionalNonEmpty.refine((v) => v === undefined || v.startsWith('acs:ram::'), 'expected an OIDC provider ARN, acs:ram::<account>:oidc-provider/<name>'),
  ALIBABA_CLOUD_OIDC_TOKEN_FILE: optionalNonEmpty,
  /** ECS: name of the instance's RAM role; credentials come from the instance metadata service. */
  ALIBABA_CLOUD_ECS_METADATA: optionalNonEmpty,
  /** A credentials file (ini, profile ALIBABA_CLOUD_PROFILE or `default`). */
  ALIBABA_CLOUD_CREDENTIALS_FILE: optionalNonEmpty,
  ALIBABA_CLOUD_PROFILE: optionalNonEmpty,
  /** An HTTP endpoint answering temporary credentials (a sidecar). */
  ALIBABA_CLOUD_CREDENTIALS_URI: optionalNonEmpty.refine((v) => v === undefined || /^https?:\/\//.test(v), 'expected an http(s) URL'),
  ALIBABA_CLOUD_VPC_ENDPOINT: optionalNonEmpty.refine((v) => v === undefined || /^https?:\/\//.test(v), 'expected an http(s) URL'),
  ALIBABA_CLOUD_CAS_ENDPOINT: optionalNonEmpty.refine((v) => v === undefined || /^https?:\/\//.test(v), 'expected an http(s) URL'),
  VPN_BOT_CONFIG: optionalNonEmpty,
  VPN_BOT_AUDIT_KEY: optionalNonEmpty.refine((v) => v === undefined || v.length >= 32, 'expected at least 32 characters (e.g. openssl rand -hex 32)'),
  VPN_BOT_ROLE: z.enum(['bot', 'worker', 'all']).default('all'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/**
 * Checks between variables. Run on the raw environment, always, so they are reported together with
 * per-field problems (a schema refinement would be skipped while any field is invalid).
 */
export function envCrossFieldProblems(raw: Record<string, string | undefined>): string[] {
  const set = (name: string) => Boolean(raw[name]?.trim());
  const problems: string[] = [];
  if (set('ALIBABA_CLOUD_ACCESS_KEY_ID') !== set('ALIBABA_CLOUD_ACCESS_KEY_SECRET')) {
    const missing = set('ALIBABA_CLOUD_ACCESS_KEY_ID') ? 'ALIBABA_CLOUD_ACCESS_KEY_SECRET' : 'ALIBABA_CLOUD_ACCESS_KEY_ID';
    problems.push(`${missing}: set both ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, or neither (sandbox)`);
  }
  const oidc = ['ALIBABA_CLOUD_ROLE_ARN', 'ALIBABA_CLOUD_OIDC_PROVIDER_ARN', 'ALIBABA_CLOUD_OIDC_TOKEN_FILE'];
  if ((set('ALIBABA_CLOUD_OIDC_PROVIDER_ARN') || set('ALIBABA_CLOUD_OIDC_TOKEN_FILE')) && !oidc.every(set)) {
    const missing = oidc.find((name) => !set(name))!;
    problems.push(`${missing}: OIDC/RRSA needs ${oidc.join(', ')} together`);
  }
  if (set('SLACK_BOT_TOKEN') && !set('SLACK_SIGNING_SECRET') && !set('SLACK_APP_TOKEN')) {
    problems.push('SLACK_SIGNING_SECRET: required with SLACK_BOT_TOKEN in HTTP mode (or set SLACK_APP_TOKEN for Socket Mode)');
  }
  if (set('REDIS_CLUSTER_NODES') && set('REDIS_SENTINELS')) {
    problems.push('REDIS_SENTINELS: use either REDIS_CLUSTER_NODES (Redis Cluster) or REDIS_SENTINELS (Sentinel), not both');
  }
  if (set('REDIS_SENTINELS') && !set('REDIS_SENTINEL_NAME')) {
    problems.push('REDIS_SENTINEL_NAME: required with REDIS_SENTINELS (the monitored master\'s name, e.g. mymaster)');
  }
  if (!set('SLACK_BOT_TOKEN') && (set('SLACK_SIGNING_SECRET') || set('SLACK_APP_TOKEN'))) {
    problems.push('SLACK_BOT_TOKEN: required when SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set');
  }
  return problems;
}

export type FileConfig = z.output<typeof fileConfigSchema>;
export type GatewayConfig = z.output<typeof gatewaySchema>;
export type Env = z.output<typeof envSchema>;

/** Variables that each select a source of real Alibaba Cloud credentials; with none set, the simulator stands in. */
export const CLOUD_CREDENTIAL_SOURCES = [
  'ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_OIDC_TOKEN_FILE', 'ALIBABA_CLOUD_ECS_METADATA',
  'ALIBABA_CLOUD_CREDENTIALS_FILE', 'ALIBABA_CLOUD_PROFILE', 'ALIBABA_CLOUD_CREDENTIALS_URI',
] as const;
