// Reads and validates configuration once, at start-up. Every problem is collected into one ConfigError
// naming each bad field, so an operator fixes them all in one go; the rest of the code trusts typed values.
import { readFileSync } from 'node:fs';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { closest, distance } from 'fastest-levenshtein';
import type { z } from 'zod';
import { CLOUD_CREDENTIAL_SOURCES, envCrossFieldProblems, envSchema, fileConfigSchema, type Env, type FileConfig } from './schema.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export interface AppConfig {
  env: Env;
  file: FileConfig;
  configPath: string | undefined;
  /** No Slack credentials: the in-process fake Slack stands in. */
  slackSandbox: boolean;
  /** No Alibaba Cloud credential source configured (CLOUD_CREDENTIAL_SOURCES): the in-process simulator stands in. */
  cloudSandbox: boolean;
}

// Zod keeps a schema's structure in `_zod.def`; walking it gives the keys allowed at a path, for hints.
type SchemaNode = { _zod: { def: { type: string; innerType?: SchemaNode; in?: SchemaNode; element?: SchemaNode; shape?: Record<string, SchemaNode> } } };

function keysAt(schema: z.ZodType, path: readonly PropertyKey[]): string[] {
  const unwrap = (node: SchemaNode | undefined): SchemaNode | undefined => {
    while (node) {
      const def = node._zod.def;
      if (def.innerType) node = def.innerType;
      else if (def.type === 'pipe' && def.in) node = def.in;
      else break;
    }
    return node;
  };
  let node = unwrap(schema as unknown as SchemaNode);
  for (const step of path) {
    const def = node?._zod.def;
    node = unwrap(def?.type === 'array' ? def.element : def?.shape?.[String(step)]);
  }
  return Object.keys(node?._zod.def.shape ?? {});
}

/** "did you mean …" for a misspelt key: the nearest known key, when it is near enough to be a typo. */
function unknownKeyMessage(key: string, known: readonly string[]): string {
  if (known.length === 0) return 'unknown key';
  const nearest = closest(key, known as string[]);
  if (distance(key.toLowerCase(), nearest.toLowerCase()) <= Math.max(2, Math.floor(nearest.length / 3))) return `unknown key; did you mean ${nearest}?`;
  return `unknown key (known here: ${known.join(', ')})`;
}

function describeIssues(prefix: string, error: z.ZodError, schema?: z.ZodType): string[] {
  const field = (path: string) => (prefix ? (path ? `${prefix}${path}` : prefix.replace(/\.$/, '')) : path || '(root)');
  return error.issues.flatMap((issue) => {
    const path = issue.path.map(String).join('.');
    if (issue.code === 'unrecognized_keys' && schema) {
      const known = keysAt(schema, issue.path);
      return issue.keys.map((key) => `${field(path ? `${path}.${key}` : key)}: ${unknownKeyMessage(key, known)}`);
    }
    return [`${field(path)}: ${issue.message}`];
  });
}

export function parseEnv(raw: NodeJS.ProcessEnv): Env {
  // An empty variable (PORT= in an env file) means "not set", for every variable alike.
  const present = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const result = envSchema.safeParse(present);
  const problems = [...(result.success ? [] : describeIssues('', result.error)), ...envCrossFieldProblems(present)];
  if (problems.length || !result.success) throw new ConfigError(problems);
  return result.data;
}

export function parseFileConfig(text: string, source: string): FileConfig {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    const where = err instanceof YAMLParseError && err.linePos ? ` (line ${err.linePos[0].line})` : '';
    throw new ConfigError([`${source}: not valid YAML${where}: ${(err as Error).message.split('\n')[0]}`]);
  }
  const result = fileConfigSchema.safeParse(doc ?? {});
  if (!result.success) throw new ConfigError(describeIssues(`${source}: `, result.error, fileConfigSchema));
  return result.data;
}

/** The configuration a sandbox run uses when no VPN_BOT_CONFIG is given: two simulated gateways. */
export const SANDBOX_CONFIG_YAML = `
slack:
  approvalsChannel: C0APPROVALS
roles:
  approvers: [U0APPROVER, U0APPROVER2]
  admins: [U0ADMIN, U0ADMIN2]
  breakGlass: [U0BREAKGLASS]
gateways:
  - name: hangzhou
    regionId: cn-hangzhou
    vpnGatewayId: vpn-bp1sandbox0000000000001
    sslVpnServerId: vss-bp1sandbox0000000000001
    warmPool: 2
  - name: frankfurt
    regionId: eu-central-1
    vpnGatewayId: vpn-gw8sandbox0000000000002
    sslVpnServerId: vss-gw8sandbox0000000000002
    warmPool: 2
access:
  defaultDuration: 8h
  maxDuration: 30d
`;

export function loadConfig(rawEnv: NodeJS.ProcessEnv = process.env): AppConfig {
  // Collect the environment's and the file's problems together, so one run names all of them.
  const problems: string[] = [];
  const collect = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
      return undefined;
    }
  };
  const env = collect(() => parseEnv(rawEnv));
  const configPath = rawEnv.VPN_BOT_CONFIG?.trim() || undefined;
  const cloudSandbox = !CLOUD_CREDENTIAL_SOURCES.some((name) => rawEnv[name]?.trim());
  let text: string | undefined;
  if (configPath) {
    try {
      text = readFileSync(configPath, 'utf8');
    } catch (err) {
      problems.push(`VPN_BOT_CONFIG: cannot read ${configPath} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
    }
  } else if (cloudSandbox) {
    text = SANDBOX_CONFIG_YAML;
  } else {
    problems.push('VPN_BOT_CONFIG: required when Alibaba Cloud credentials are set (path to the YAML config file)');
  }
  const file = text === undefined ? undefined : collect(() => parseFileConfig(text, configPath ?? 'sandbox config'));
  if (problems.length || !env || !file) throw new ConfigError(problems);
  return { env, file, configPath, slackSandbox: !env.SLACK_BOT_TOKEN, cloudSandbox };
}

/**
 * Where the HTTP servers listen: HOST when set; otherwise loopback while the fake Slack stands in (its signing
 * secret is printed, so anyone who could reach the port could act as any user), and every interface otherwise.
 */
export function listenHost(config: AppConfig): string | undefined {
  return config.env.HOST ?? (config.slackSandbox ? '127.0.0.1' : undefined);
}
