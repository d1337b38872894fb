import { describe, expect, it } from 'vitest';
import { mayDecide, parseRequestText, type AccessPolicy } from '../../src/core/policy.js';
import { buildProfile, ProfileError } from '../../src/core/profile.js';
import { requestInputText } from '../../src/bot/views/input.js';

const policy: AccessPolicy = { gateways: ['hangzhou'], defaultDurationMs: 8 * 3_600_000, maxDurationMs: 30 * 86_400_000, approvers: ['U0BOB', 'S0TEAM'], admins: [] };
const members = async (id: string) => (id === 'S0TEAM' ? ['U0CAROL'] : []);

describe('parseRequestText', () => {
  it('fills the only gateway and the default duration', () => {
    expect(parseRequestText(policy, 'fix prod')).toEqual({ ok: true, value: { gateway: 'hangzhou', durationMs: 8 * 3_600_000, reason: 'fix prod' } });
    expect(parseRequestText(policy, 'HANGZHOU 2w big migration')).toEqual({ ok: true, value: { gateway: 'hangzhou', durationMs: 14 * 86_400_000, reason: 'big migration' } });
  });
  it('explains what is wrong', () => {
    const errorOf = (text: string) => {
      const parsed = parseRequestText(policy, text);
      return parsed.ok ? undefined : requestInputText(parsed.error, 'request');
    };
    expect(errorOf('1d')).toContain('say why');
    expect(errorOf('31d long')).toContain('at most 30d');
  });
});

describe('mayDecide', () => {
  const request = { id: 'r1', requesterId: 'U0CAROL', gateway: 'hangzhou', durationMs: 1, reason: 'x', status: 'pending' as const, createdAt: 0, updatedAt: 0, version: 1 };
  it('lets listed users and group members decide, never the requester', async () => {
    expect(await mayDecide(policy, request, 'U0BOB', members)).toEqual({ ok: true });
    expect((await mayDecide(policy, request, 'U0CAROL', members)).ok).toBe(false);
    expect(await mayDecide(policy, { ...request, requesterId: 'U0BOB' }, 'U0CAROL', members)).toEqual({ ok: true });
    expect((await mayDecide(policy, request, 'U0EVE', members)).ok).toBe(false);
  });
});

describe('buildProfile', () => {
  const pem = (kind: string) => `-----BEGIN ${kind}-----\nAAAA\n-----END ${kind}-----`;
  it('inlines ca, cert and key in place of the file references', () => {
    const profile = buildProfile({
      clientConfig: 'client\ndev tun\nproto udp\nremote 1.2.3.4 1194\nca ca.crt\ncert vsc-1.crt\nkey vsc-1.key\ncipher AES-128-CBC\n',
      caCert: pem('CERTIFICATE'), clientCert: pem('CERTIFICATE'), clientKey: pem('RSA PRIVATE KEY'),
    });
    expect(profile).not.toMatch(/^(ca|cert|key) /m);
    expect(profile).toContain('remote 1.2.3.4 1194');
    expect(profile).toContain('<key>\n-----BEGIN RSA PRIVATE KEY-----');
  });
  it('refuses a config without remote or without key material', () => {
    expect(() => buildProfile({ clientConfig: 'client', caCert: pem('CERTIFICATE'), clientCert: pem('CERTIFICATE'), clientKey: pem('RSA PRIVATE KEY') })).toThrow(ProfileError);
    expect(() => buildProfile({ clientConfig: 'remote a 1', caCert: pem('CERTIFICATE'), clientCert: pem('CERTIFICATE'), clientKey: '' })).toThrow(/client key/);
  });
});
