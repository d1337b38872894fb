// `/vpn admin server set` validation: pure parsing of key=value pairs and the checks against the server's
// current values (alicloud-api.md §7.2–7.3).
import { describe, expect, it } from 'vitest';
import type { SslVpnServer } from '../../src/api/types.js';
import { checkAgainstCurrent, isNameOnly, parseServerChanges, profileKeysChanged, splitPairs } from '../../src/core/server-changes.js';
import { overlaps, parseCidr } from '../../src/core/cidr.js';
import { serverChangeProblemText } from '../../src/bot/views/server-change-problems.js';

/** The problems as the admin reads them. */
const texts = (r: { ok: true } | { ok: false; problems: Parameters<typeof serverChangeProblemText>[0][] }) => (r.ok ? [] : r.problems.map((p) => serverChangeProblemText(p)));

const CURRENT: SslVpnServer = {
  sslVpnServerId: 'vss-1', vpnGatewayId: 'vpn-1', regionId: 'cn-hangzhou', name: 'main', clientIpPool: '10.99.0.0/24', localSubnet: '172.16.0.0/16',
  internetIp: '203.0.113.10', proto: 'UDP', cipher: 'AES-128-CBC', port: 1194, compress: false, connections: 0, maxConnections: 50, enableMultiFactorAuth: false,
};

const errorsOf = (text: string) => {
  const r = parseServerChanges(splitPairs(text));
  if (r.ok) throw new Error(`expected errors for ${text}`);
  return texts(r);
};
const changesOf = (text: string) => {
  const r = parseServerChanges(splitPairs(text));
  if (!r.ok) throw new Error(texts(r).join('\n'));
  return r.changes;
};

describe('parseServerChanges', () => {
  it('parses every key, with aliases and normalised values', () => {
    expect(changesOf('name="Main SSL server" port=1195 proto=tcp cipher=aes-256-cbc clientIpPool=10.30.30.0/24 localSubnet=172.16.0.0/16,10.1.0.0/16 compress=off mfa=true idaasInstanceId=idaas-cn-hangzhou-abc idaasRegionId=cn-hangzhou')).toEqual({
      name: 'Main SSL server', port: 1195, proto: 'TCP', cipher: 'AES-256-CBC', clientIpPool: '10.30.30.0/24', localSubnet: '172.16.0.0/16,10.1.0.0/16',
      compress: false, enableMultiFactorAuth: true, idaasInstanceId: 'idaas-cn-hangzhou-abc', idaasRegionId: 'cn-hangzhou',
    });
    expect(changesOf('Pool=10.1.2.0/29 enableMultiFactorAuth=false cipher=NONE')).toEqual({ clientIpPool: '10.1.2.0/29', enableMultiFactorAuth: false, cipher: 'none' });
    expect(changesOf('name=“curly quoted”')).toEqual({ name: 'curly quoted' });
  });

  it('refuses every forbidden port, and ports out of range, naming what is allowed', () => {
    for (const port of [22, 2222, 22222, 9000, 9001, 9002, 7505, 80, 443, 53, 68, 123, 4510, 4560, 500, 4500]) {
      const [error] = errorsOf(`port=${port}`);
      expect(error).toContain(`\`port=${port}\`: ${port} is reserved`);
      expect(error).toContain('Allowed: an integer 1–65535 except 22, 2222');
    }
    expect(errorsOf('port=0')[0]).toContain('must be 1–65535');
    expect(errorsOf('port=65536')[0]).toContain('must be 1–65535');
    expect(errorsOf('port=11x')[0]).toContain('must be an integer');
    expect(changesOf('port=65535')).toEqual({ port: 65535 });
  });

  it('refuses a bad proto and cipher', () => {
    expect(errorsOf('proto=SCTP')[0]).toMatch(/`proto=SCTP`: must be TCP or UDP/);
    expect(errorsOf('cipher=AES-512-GCM')[0]).toContain('AES-128-CBC, AES-192-CBC, AES-256-CBC, none');
  });

  it('refuses pool netmasks outside /16–/29, host bits, reserved ranges and bad CIDRs', () => {
    expect(errorsOf('clientIpPool=10.1.2.0/30')[0]).toContain('netmask /30 is not allowed: use /16 to /29');
    expect(errorsOf('clientIpPool=10.0.0.0/15')[0]).toContain('netmask /15 is not allowed');
    expect(errorsOf('clientIpPool=10.1.2.5/24')[0]).toContain('did you mean 10.1.2.0/24?');
    expect(errorsOf('clientIpPool=100.64.1.0/24')[0]).toContain('reserved range');
    expect(errorsOf('clientIpPool=10.300.0.0/24')[0]).toContain('is not an IPv4 network');
    expect(errorsOf('localSubnet=10.0.0.0/7')[0]).toContain('netmask must be /8 to /32');
    expect(errorsOf('localSubnet=1.0.0.0/8,2.0.0.0/8,3.0.0.0/8,4.0.0.0/8,5.0.0.0/8,6.0.0.0/8')[0]).toContain('at most 5 networks');
    expect(errorsOf('localSubnet=127.0.0.0/8')[0]).toContain('reserved range');
  });

  it('names each bad key in one list: unknown, repeated, not key=value, bad value', () => {
    const errors = errorsOf('port=443 proto=ICMP frobnicate=1 port=1195 hello name=https://x compress=maybe');
    expect(errors).toHaveLength(7);
    expect(errors.join('\n')).toContain('`compress=maybe`: must be true or false');
    expect(errors.join('\n')).toMatch(/port=443/);
    expect(errors.join('\n')).toMatch(/proto=ICMP/);
    expect(errors.join('\n')).toContain('`frobnicate` is not a setting I can change');
    expect(errors.join('\n')).toContain('`port` is given more than once');
    expect(errors.join('\n')).toContain('`hello` is not `key=value`');
    expect(errors.join('\n')).toContain('must not start with http:// or https://');
    expect(errorsOf('')[0]).toContain('Name at least one change');
    expect(errorsOf(`name=${'x'.repeat(101)}`)[0]).toContain('1–100 characters');
  });
});

describe('checkAgainstCurrent', () => {
  it('refuses a pool overlapping the current local subnet, and a subnet overlapping the current pool', () => {
    const pool = checkAgainstCurrent({ clientIpPool: '172.16.8.0/24' }, CURRENT);
    expect(pool.ok).toBe(false);
    expect(texts(pool)[0]).toContain('overlaps the local subnet 172.16.0.0/16 (current)');
    const subnet = checkAgainstCurrent({ localSubnet: '10.0.0.0/8' }, CURRENT);
    expect(subnet.ok).toBe(false);
    expect(texts(subnet)[0]).toContain('client pool 10.99.0.0/24 (current) overlaps the local subnet 10.0.0.0/8');
    // Both moved together: checked against each other, not against the current values.
    expect(checkAgainstCurrent({ clientIpPool: '172.16.8.0/24', localSubnet: '10.0.0.0/8' }, CURRENT).ok).toBe(true);
  });

  it('refuses MFA without an IDaaS instance id (given or current)', () => {
    const r = checkAgainstCurrent({ enableMultiFactorAuth: true }, CURRENT);
    expect(r.ok).toBe(false);
    expect(texts(r)[0]).toContain('needs an IDaaS instance');
    expect(checkAgainstCurrent({ enableMultiFactorAuth: true, idaasInstanceId: 'idaas-x1' }, CURRENT).ok).toBe(true);
    expect(checkAgainstCurrent({ enableMultiFactorAuth: true }, { ...CURRENT, idaasInstanceId: 'idaas-x1' }).ok).toBe(true);
  });

  it('refuses a pool too small for the max connections', () => {
    const r = checkAgainstCurrent({ clientIpPool: '10.50.0.0/25' }, CURRENT);
    expect(r.ok).toBe(false);
    expect(texts(r)[0]).toContain('/25 is too small for 50 connections');
  });

  it('drops values that are already current', () => {
    expect(checkAgainstCurrent({ port: 1194, proto: 'TCP' }, CURRENT)).toEqual({ ok: true, changes: { proto: 'TCP' } });
    expect(checkAgainstCurrent({ port: 1194 }, CURRENT)).toEqual({ ok: true, changes: {} });
  });
});

describe('helpers', () => {
  it('knows a name-only change', () => {
    expect(isNameOnly({ name: 'x' })).toBe(true);
    expect(isNameOnly({ name: 'x', port: 1195 })).toBe(false);
    expect(isNameOnly({})).toBe(false);
  });
  it('knows which changes make delivered profiles stale (settings written into ClientConfig, really changed)', () => {
    expect(profileKeysChanged({ port: 1195, proto: 'TCP', clientIpPool: '10.1.0.0/24' }, CURRENT)).toEqual(['port', 'proto']);
    expect(profileKeysChanged({ port: 1194, cipher: 'AES-256-CBC', compress: true }, CURRENT)).toEqual(['cipher', 'compress']);
    expect(profileKeysChanged({ name: 'x', localSubnet: '10.2.0.0/16', enableMultiFactorAuth: false }, CURRENT)).toEqual([]);
  });
  it('finds overlapping CIDRs', () => {
    expect(overlaps(parseCidr('10.0.0.0/8')!, parseCidr('10.1.0.0/16')!)).toBe(true);
    expect(overlaps(parseCidr('10.0.0.0/16')!, parseCidr('10.1.0.0/16')!)).toBe(false);
    expect(overlaps(parseCidr('10.1.2.3/16')!, parseCidr('10.1.200.0/24')!)).toBe(true);
  });
  it('accepts only dotted-quad CIDRs', () => {
    for (const bad of ['10/8', '10.1/16', '10.0.0.0', '10.0.0.256/24', '10.0.0.0/33', '10.0.0.0/8/1', 'x.y.z.w/8']) expect(parseCidr(bad), bad).toBeUndefined();
    expect(parseCidr(' 192.168.10.0/24 ')?.prefix).toBe(24);
  });
});
