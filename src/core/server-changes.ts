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

/** The keys, in display order, with the label admins type and what is allowed. */
export const SERVER_KEYS: readonly { key: ServerKey; label: string; allowed: string }[] = [
  { key: 'name', label: 'name', allowed: '1–100 characters, not starting with http:// or https:// (quote it to include spaces)' },
  { key: 'port', label: 'port', allowed: `an integer 1–65535 except ${FORBIDDEN_PORTS.join(', ')}` },
  { key: 'proto', label: 'proto', allowed: 'TCP or UDP' },
  { key: 'cipher', label: 'cipher', allowed: CIPHERS.join(', ') },
  { key: 'clientIpPool', label: 'clientIpPool', allowed: 'an IPv4 network /16–/29 (e.g. 10.30.30.0/24), not overlapping localSubnet, not in 100.64/10, 127/8, 169.254/16, 224/4 or 255/8' },
  { key: 'localSubnet', label: 'localSubnet', allowed: 'up to 5 comma-separated IPv4 networks /8–/32 (e.g. 172.16.0.0/16,10.0.0.0/8), not in 127/8, 169.254/16, 224/4 or 255/8' },
  { key: 'compress', label: 'compress', allowed: 'true or false' },
  { key: 'enableMultiFactorAuth', label: 'mfa', allowed: 'true or false; true needs an IDaaS instance (idaasInstanceId=…)' },
  { key: 'idaasInstanceId', label: 'idaasInstanceId', allowed: 'an IDaaS instance id, e.g. idaas-cn-hangzhou-abc123' },
  { key: 'idaasRegionId', label: 'idaasRegionId', allowed: 'a region id, e.g. cn-hangzhou' },
];

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
const allowedOf = (key: ServerKey): string => SERVER_KEYS.find((k) => k.key === key)?.allowed ?? '';

export const SERVER_SET_USAGE = '`/vpn admin server set [gateway] key=value…`, keys: ' + SERVER_KEYS.map((k) => `\`${k.label}\``).join(', ');

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

export type ParsedChanges = { ok: true; changes: SslVpnServerChanges } | { ok: false; errors: string[] };

/** Validates one value on its own; returns the normalised value or the reason it is refused. */
function parseValue(key: ServerKey, raw: string): { value: SslVpnServerChanges[ServerKey] } | { error: string } {
  const v = raw.trim();
  switch (key) {
    case 'name': {
      const length = [...v].length;
      if (length < 1 || length > 100) return { error: `must be 1–100 characters (got ${length})` };
      if (/^https?:\/\//i.test(v)) return { error: 'must not start with http:// or https://' };
      if ([...v].some((ch) => ch.charCodeAt(0) < 32) || /[<>`]/.test(v)) return { error: 'must not contain control characters, <, > or backticks' };
      return { value: v };
    }
    case 'port': {
      if (!/^\d{1,5}$/.test(v)) return { error: 'must be an integer 1–65535' };
      const port = Number(v);
      if (port < 1 || port > 65535) return { error: 'must be 1–65535' };
      if (FORBIDDEN_PORTS.includes(port)) return { error: `${port} is reserved by Alibaba Cloud` };
      return { value: port };
    }
    case 'proto': {
      const p = v.toUpperCase();
      return (PROTOS as readonly string[]).includes(p) ? { value: p as 'TCP' | 'UDP' } : { error: 'must be TCP or UDP' };
    }
    case 'cipher': {
      const c = v.toLowerCase() === 'none' ? 'none' : v.toUpperCase();
      return (CIPHERS as readonly string[]).includes(c) ? { value: c as SslVpnServerChanges['cipher'] } : { error: `must be one of ${CIPHERS.join(', ')}` };
    }
    case 'clientIpPool': {
      const c = parseCidr(v);
      if (!c) return { error: 'is not an IPv4 network like 10.30.30.0/24' };
      if (c.prefix < 16 || c.prefix > 29) return { error: `netmask /${c.prefix} is not allowed: use /16 to /29` };
      if (hasHostBits(c)) return { error: `${v} has host bits set; did you mean ${cidrText(c)}?` };
      if (POOL_RESERVED.some((r) => overlaps(c, r))) return { error: `${v} is in a reserved range (100.64/10, 127/8, 169.254/16, 224/4, 255/8); use an RFC 1918 network` };
      return { value: cidrText(c) };
    }
    case 'localSubnet': {
      const parts = v.split(',').map((s) => s.trim()).filter(Boolean);
      if (parts.length === 0) return { error: 'is empty' };
      if (parts.length > 5) return { error: `at most 5 networks (got ${parts.length})` };
      const normalised: string[] = [];
      for (const part of parts) {
        const c = parseCidr(part);
        if (!c) return { error: `${part} is not an IPv4 network like 172.16.0.0/16` };
        if (c.prefix < 8) return { error: `${part}: netmask must be /8 to /32` };
        if (hasHostBits(c)) return { error: `${part} has host bits set; did you mean ${cidrText(c)}?` };
        if (SUBNET_RESERVED.some((r) => overlaps(c, r))) return { error: `${part} is in a reserved range (127/8, 169.254/16, 224/4, 255/8)` };
        normalised.push(cidrText(c));
      }
      return { value: normalised.join(',') };
    }
    case 'compress':
    case 'enableMultiFactorAuth': {
      const b = parseBool(v);
      return b === undefined ? { error: 'must be true or false' } : { value: b };
    }
    case 'idaasInstanceId':
      return /^[A-Za-z0-9][A-Za-z0-9._-]{1,63}$/.test(v) ? { value: v } : { error: 'must be an IDaaS instance id like idaas-cn-hangzhou-abc123' };
    case 'idaasRegionId':
      return /^[a-z]{2,}(-[a-z0-9]+)+$/.test(v) ? { value: v } : { error: 'must be a region id like cn-hangzhou' };
  }
}

/** Shown in errors: user text without mrkdwn controls, bounded. */
const echo = (text: string) => (text.replace(/[`<>&*_~]/g, '').slice(0, 60) || '(nothing)');

/**
 * Parses `key=value` words (already split by splitPairs) into changes. Every bad word gets its own line:
 * an unknown key, a repeated key, a missing `=`, or a value that is not allowed (saying what is).
 */
export function parseServerChanges(words: readonly string[]): ParsedChanges {
  const errors: string[] = [];
  const changes: SslVpnServerChanges = {};
  const seen = new Set<ServerKey>();
  if (words.length === 0) return { ok: false, errors: [`Name at least one change. Usage: ${SERVER_SET_USAGE}`] };
  for (const word of words) {
    const eq = word.indexOf('=');
    if (eq <= 0) {
      errors.push(`\`${echo(word)}\` is not \`key=value\`. Keys: ${SERVER_KEYS.map((k) => `\`${k.label}\``).join(', ')}.`);
      continue;
    }
    const rawKey = word.slice(0, eq).trim();
    const key = ALIASES[rawKey.toLowerCase()];
    if (!key) {
      errors.push(`\`${echo(rawKey)}\` is not a setting I can change. Keys: ${SERVER_KEYS.map((k) => `\`${k.label}\``).join(', ')}.`);
      continue;
    }
    if (seen.has(key)) {
      errors.push(`\`${labelOf(key)}\` is given more than once.`);
      continue;
    }
    seen.add(key);
    const parsed = parseValue(key, unquote(word.slice(eq + 1)));
    if ('error' in parsed) errors.push(`\`${labelOf(key)}=${echo(unquote(word.slice(eq + 1)))}\`: ${parsed.error}. Allowed: ${allowedOf(key)}.`);
    else (changes as Record<string, unknown>)[key] = parsed.value;
  }
  return errors.length ? { ok: false, errors } : { ok: true, changes };
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
export function checkAgainstCurrent(changes: SslVpnServerChanges, current: SslVpnServer): { ok: true; changes: SslVpnServerChanges } | { ok: false; errors: string[] } {
  const errors: string[] = [];
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
      const which = changes.clientIpPool !== undefined ? '`clientIpPool`' : '`localSubnet`';
      errors.push(`${which}: the client pool ${changes.clientIpPool ?? now.clientIpPool}${changes.clientIpPool === undefined ? ' (current)' : ''} overlaps the local subnet ${clash}${changes.localSubnet === undefined ? ' (current)' : ''}. Allowed: a client pool that shares no address with any local subnet.`);
    }
  }
  if (changes.clientIpPool !== undefined && pool && current.maxConnections > 0 && 2 ** (32 - pool.prefix) < 4 * current.maxConnections) {
    const needed = 32 - Math.ceil(Math.log2(4 * current.maxConnections));
    errors.push(`\`clientIpPool\`: /${pool.prefix} is too small for ${current.maxConnections} connections (4 addresses each). Allowed: /${needed} or wider.`);
  }
  const mfa = changes.enableMultiFactorAuth ?? now.enableMultiFactorAuth;
  if (mfa && !(changes.idaasInstanceId ?? now.idaasInstanceId) && (changes.enableMultiFactorAuth !== undefined || changes.idaasInstanceId !== undefined)) {
    errors.push('`mfa`: multi-factor authentication needs an IDaaS instance. Add `idaasInstanceId=<id>` (and `idaasRegionId=<region>`), or leave `mfa=false`.');
  }
  return errors.length ? { ok: false, errors } : { ok: true, changes: effective };
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
