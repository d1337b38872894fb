// `/vpn admin server set [gateway] key=value…`: parsing and validation of the requested SSL-VPN server
// changes (ModifySslVpnServer, alicloud-api.md §7.2–7.3), pure. Everything is checked before any call,
// with one clear line per bad key saying what is allowed. Checks that need the server's current values
// (pool vs local subnet overlap, MFA needing an IDaaS instance, pool size vs max connections) use the
// current value of every key that was not given.
import type { SslVpnServer, SslVpnServerChanges } from '../api/types.js';
import { cidrText, hasHostBits, overlaps, parseCidr, POOL_RESERVED, SUBNET_RESERVED } from './cidr.js';

export const FORBIDDEN_PORTS: readonly number[] = [22, 2222, 22222, 9000, 9001, 9002, 7505, 80, 443, 53, 68, 123, 4510, 4560, 500, 4500];
export const CIPHERS = ['AES-128-CBC', 'AES-192-CBC', 'AES-256-CBC', 'none'] as const;
export const PROTOS = ['TCP', 'UDP'] as const;

export type ServerKey = keyof SslVpnServerChanges;

/** The keys, in display order, with the label admins type (what is allowed is worded by the bot). */
export const SERVER_KEYS: readonly { key: ServerKey; label: string }[] = [
  { key: 'name', label: 'name' },
  { key: 'port', label: 'port' },
  { key: 'proto', label: 'proto' },
  { key: 'cipher', label: 'cipher' },
  { key: 'clientIpPool', label: 'clientIpPool' },
  { key: 'localSubnet', label: 'localSubnet' },
  { key: 'compress', label: 'compress' },
  { key: 'enableMultiFactorAuth', label: 'mfa' },
  { key: 'idaasInstanceId', label: 'idaasInstanceId' },
  { key: 'idaasRegionId', label: 'idaasRegionId' },
];

export const SERVER_KEY_ORDER: readonly ServerKey[] = SERVER_KEYS.map((k) => k.key);

const ALIASES: Record<string, ServerKey> = {
  name: 'name',
  port: 'port',
  proto: 'proto', protocol: 'proto',
  cipher: 'cipher',
  clientippool: 'clientIpPool', pool: 'clientIpPool',
  localsubnet: 'localSubnet', subnet: 'localSubnet',
  compress: 'compress',
  mfa: 'enableMultiFactorAuth', enablemultifactorauth: 'enableMultiFactorAuth',
  idaasinstanceid: 'idaasInstanceId',
  idaasregionid: 'idaasRegionId',
};

export const labelOf = (key: ServerKey): string => SERVER_KEYS.find((k) => k.key === key)?.label ?? key;

// ------------------------------------------------------------------------------------ tokens

/** `key=value` words; a value may be quoted ("…", '…' or Slack's curly quotes) to hold spaces. */
export function splitPairs(text: string): string[] {
  const normalised = text.replace(/[\u201c\u201d]/g, '"').replace(/[\u2018\u2019]/g, '\'');
  const out: string[] = [];
  const re = /(?:[^\s"']+|"[^"]*"?|'[^']*'?)+/g;
  for (const m of normalised.matchAll(re)) out.push(m[0]);
  return out;
}

function unquote(value: string): string {
  return value.replace(/"([^"]*)"?|'([^']*)'?/g, (_m, a: string | undefined, b: string | undefined) => a ?? b ?? '');
}

function parseBool(text: string): boolean | undefined {
  const t = text.toLowerCase();
  if (['true', 'yes', 'on', '1', 'enable', 'enabled'].includes(t)) return true;
  if (['false', 'no', 'off', '0', 'disable', 'disabled'].includes(t)) return false;
  return undefined;
}

// ------------------------------------------------------------------------------------ parsing

/** Why a value is refused (src/bot/views/server-change-problems.ts words it, with what is allowed). */
export type ValueProblem =
  | { kind: 'name-length'; length: number }
  | { kind: 'name-url' }
  | { kind: 'name-characters' }
  | { kind: 'port-not-integer' }
  | { kind: 'port-range' }
  | { kind: 'port-reserved'; port: number }
  | { kind: 'proto' }
  | { kind: 'cipher' }
  | { kind: 'pool-not-network' }
  | { kind: 'pool-netmask'; prefix: number }
  | { kind: 'host-bits'; value: string; suggestion: string }
  | { kind: 'pool-reserved'; value: string }
  | { kind: 'subnet-empty' }
  | { kind: 'subnet-too-many'; count: number }
  | { kind: 'subnet-not-network'; part: string }
  | { kind: 'subnet-netmask'; part: string }
  | { kind: 'subnet-reserved'; part: string }
  | { kind: 'boolean' }
  | { kind: 'idaas-instance' }
  | { kind: 'idaas-region' };

/** One thing wrong with a requested change; `word`, `key` and `value` are as typed (the bot echoes them safely). */
export type ServerChangeProblem =
  | { code: 'no-changes' }
  | { code: 'not-key-value'; word: string }
  | { code: 'unknown-key'; key: string }
  | { code: 'repeated'; key: ServerKey }
  | { code: 'bad-value'; key: ServerKey; value: string; problem: ValueProblem }
  /** The resulting client pool overlaps a resulting local subnet; `…Current` when that side was not changed. */
  | { code: 'pool-overlaps'; which: 'clientIpPool' | 'localSubnet'; pool: string; poolCurrent: boolean; subnet: string; subnetCurrent: boolean }
  | { code: 'pool-too-small'; prefix: number; connections: number; needed: number }
  | { code: 'mfa-needs-idaas' };

export type ParsedChanges = { ok: true; changes: SslVpnServerChanges } | { ok: false; problems: ServerChangeProblem[] };

/** Validates one value on its own; returns the normalised value or the reason it is refused. */
function parseValue(key: ServerKey, raw: string): { value: SslVpnServerChanges[ServerKey] } | { error: ValueProblem } {
  const v = raw.trim();
  switch (key) {
    case 'name': {
      const length = [...v].length;
      if (length < 1 || length > 100) return { error: { kind: 'name-length', length } };
      if (/^https?:\/\//i.test(v)) return { error: { kind: 'name-url' } };
      if ([...v].some((ch) => ch.charCodeAt(0) < 32) || /[<>`]/.test(v)) return { error: { kind: 'name-characters' } };
      return { value: v };
    }
    case 'port': {
      if (!/^\d{1,5}$/.test(v)) return { error: { kind: 'port-not-integer' } };
      const port = Number(v);
      if (port < 1 || port > 65535) return { error: { kind: 'port-range' } };
      if (FORBIDDEN_PORTS.includes(port)) return { error: { kind: 'port-reserved', port } };
      return { value: port };
    }
    case 'proto': {
      const p = v.toUpperCase();
      return (PROTOS as readonly string[]).includes(p) ? { value: p as 'TCP' | 'UDP' } : { error: { kind: 'proto' } };
    }
    case 'cipher': {
      const c = v.toLowerCase() === 'none' ? 'none' : v.toUpperCase();
      return (CIPHERS as readonly string[]).includes(c) ? { value: c as SslVpnServerChanges['cipher'] } : { error: { kind: 'cipher' } };
    }
    case 'clientIpPool': {
      const c = parseCidr(v);
      if (!c) return { error: { kind: 'pool-not-network' } };
      if (c.prefix < 16 || c.prefix > 29) return { error: { kind: 'pool-netmask', prefix: c.prefix } };
      if (hasHostBits(c)) return { error: { kind: 'host-bits', value: v, suggestion: cidrText(c) } };
      if (POOL_RESERVED.some((r) => overlaps(c, r))) return { error: { kind: 'pool-reserved', value: v } };
      return { value: cidrText(c) };
    }
    case 'localSubnet': {
      const parts = v.split(',').map((s) => s.trim()).filter(Boolean);
      if (parts.length === 0) return { error: { kind: 'subnet-empty' } };
      if (parts.length > 5) return { error: { kind: 'subnet-too-many', count: parts.length } };
      const normalised: string[] = [];
      for (const part of parts) {
        const c = parseCidr(part);
        if (!c) return { error: { kind: 'subnet-not-network', part } };
        if (c.prefix < 8) return { error: { kind: 'subnet-netmask', part } };
        if (hasHostBits(c)) return { error: { kind: 'host-bits', value: part, suggestion: cidrText(c) } };
        if (SUBNET_RESERVED.some((r) => overlaps(c, r))) return { error: { kind: 'subnet-reserved', part } };
        normalised.push(cidrText(c));
      }
      return { value: normalised.join(',') };
    }
    case 'compress':
    case 'enableMultiFactorAuth': {
      const b = parseBool(v);
      return b === undefined ? { error: { kind: 'boolean' } } : { value: b };
    }
    case 'idaasInstanceId':
      return /^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/.test(v) ? { value: v } : { error: { kind: 'idaas-instance' } };
    case 'idaasRegionId':
      return /^[a-z]{2,}(-[a-z0-9]+)+$/.test(v) ? { value: v } : { error: { kind: 'idaas-region' } };
  }
}

/**
 * Parses `key=value` words (already split by splitPairs) into changes. Every bad word gets its own line:
 * an unknown key, a repeated key, a missing `=`, or a value that is not allowed (saying what is).
 */
export function parseServerChanges(words: readonly string[]): ParsedChanges {
  const problems: ServerChangeProblem[] = [];
  const changes: SslVpnServerChanges = {};
  const seen = new Set<ServerKey>();
  if (words.length === 0) return { ok: false, problems: [{ code: 'no-changes' }] };
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq <= 0) {
      problems.push({ code: 'not-key-value', word });
      continue;
    }
    const rawKey = word.slice(0, eq).trim();
    const key = ALIASES[rawKey.toLowerCase()];
    if (!key) {
      problems.push({ code: 'unknown-key', key: rawKey });
      continue;
    }
    if (seen.has(key)) {
      problems.push({ code: 'repeated', key });
      continue;
    }
    seen.add(key);
    const value = unquote(word.slice(eq + 1));
    const parsed = parseValue(key, value);
    if ('error' in parsed) problems.push({ code: 'bad-value', key, value, problem: parsed.error });
    else (changes as Record<string, unknown>)[key] = parsed.value;
  }
  return problems.length ? { ok: false, problems } : { ok: true, changes };
}

/** The server's settings a change can touch, as shown before → after. */
export type ServerSettings = Required<Omit<SslVpnServerChanges, 'idaasInstanceId' | 'idaasRegionId'>> & { idaasInstanceId?: string; idaasRegionId?: string };

export function settingsOf(server: SslVpnServer): ServerSettings {
  return {
    name: server.name,
    port: server.port,
    proto: (server.proto.toUpperCase() === 'TCP' ? 'TCP' : 'UDP'),
    cipher: server.cipher as ServerSettings['cipher'],
    clientIpPool: server.clientIpPool,
    localSubnet: server.localSubnet,
    compress: server.compress,
    enableMultiFactorAuth: server.enableMultiFactorAuth,
    ...(server.idaasInstanceId ? { idaasInstanceId: server.idaasInstanceId } : {}),
    ...(server.idaasRegionId ? { idaasRegionId: server.idaasRegionId } : {}),
  };
}

/**
 * Checks the change against the server as it is now: the resulting pool must not overlap the resulting
 * local subnets, MFA needs an IDaaS instance, the pool must hold 4 addresses per allowed connection.
 * Drops keys whose value is already current; `changes` empty afterwards means there is nothing to do.
 */
export function checkAgainstCurrent(changes: SslVpnServerChanges, current: SslVpnServer): { ok: true; changes: SslVpnServerChanges } | { ok: false; problems: ServerChangeProblem[] } {
  const problems: ServerChangeProblem[] = [];
  const now = settingsOf(current);
  const effective: SslVpnServerChanges = {};
  for (const [key, value] of Object.entries(changes) as [ServerKey, unknown][]) {
    if (value !== undefined && (now as Record<string, unknown>)[key] !== value) (effective as Record<string, unknown>)[key] = value;
  }
  const pool = parseCidr(changes.clientIpPool ?? now.clientIpPool);
  const subnets = (changes.localSubnet ?? now.localSubnet).split(',').map((s) => s.trim()).filter(Boolean);
  if (pool && (changes.clientIpPool !== undefined || changes.localSubnet !== undefined)) {
    const clash = subnets.find((s) => {
      const c = parseCidr(s);
      return c !== undefined && overlaps(pool, c);
    });
    if (clash) {
      problems.push({
        code: 'pool-overlaps', which: changes.clientIpPool !== undefined ? 'clientIpPool' : 'localSubnet',
        pool: changes.clientIpPool ?? now.clientIpPool, poolCurrent: changes.clientIpPool === undefined, subnet: clash, subnetCurrent: changes.localSubnet === undefined,
      });
    }
  }
  if (changes.clientIpPool !== undefined && pool && current.maxConnections > 0 && 2 ** (32 - pool.prefix) < 4 * current.maxConnections) {
    const needed = 32 - Math.ceil(Math.log2(4 * current.maxConnections));
    problems.push({ code: 'pool-too-small', prefix: pool.prefix, connections: current.maxConnections, needed });
  }
  const mfa = changes.enableMultiFactorAuth ?? now.enableMultiFactorAuth;
  if (mfa && !(changes.idaasInstanceId ?? now.idaasInstanceId) && (changes.enableMultiFactorAuth !== undefined || changes.idaasInstanceId !== undefined)) {
    problems.push({ code: 'mfa-needs-idaas' });
  }
  return problems.length ? { ok: false, problems } : { ok: true, changes: effective };
}

/** The settings written into a client's profile (the gateway's ClientConfig): changing one makes every profile delivered before stale. */
export const PROFILE_KEYS = ['port', 'proto', 'cipher', 'compress'] as const satisfies readonly ServerKey[];
export type ProfileKey = (typeof PROFILE_KEYS)[number];

/** Which profile settings `changes` really changes from `before`. */
export function profileKeysChanged(changes: SslVpnServerChanges, before: Partial<Record<ServerKey, unknown>>): ProfileKey[] {
  return PROFILE_KEYS.filter((k) => changes[k] !== undefined && changes[k] !== before[k]);
}

/** A name-only change is synchronous; anything else puts the gateway into `updating`. */
export function isNameOnly(changes: SslVpnServerChanges): boolean {
  const keys = Object.keys(changes).filter((k) => (changes as Record<string, unknown>)[k] !== undefined);
  return keys.length === 1 && keys[0] === 'name';
}

/** The value as shown on cards and replies. */
export function formatSetting(key: ServerKey, value: unknown): string {
  if (value === undefined || value === '') return '(none)';
  if (typeof value === 'boolean') return key === 'enableMultiFactorAuth' || key === 'compress' ? (value ? 'on' : 'off') : String(value);
  return String(value);
}
