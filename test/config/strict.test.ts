// Unknown keys anywhere in the config file are an error at start, reported with the other bad fields in
// one message, with the nearest known key as a hint (issue 6, item 5).
import { describe, expect, it } from 'vitest';
import { ConfigError, parseFileConfig } from '../../src/config/load.js';
import { configYaml } from '../helpers/harness.js';

const problems = (text: string): string[] => {
  try {
    parseFileConfig(text, 'vpn-bot.yaml');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('unknown config keys', () => {
  it('are errors with a did-you-mean hint, at every level, together with other bad fields', () => {
    const text = configYaml('  expiryCoalesceWindw: 0m\n  fromTheFuture: 3\nprovisioning:\n  apiTimeout: 3000\nslak: {}\n')
      .replace('sslVpnServerId: vss-bp1', 'sslVpnServerID: vss-bp1')
      .replace('maxDuration: 30d', 'maxDuration: 1y')
      .replace('admins: [', 'admin: [');
    const found = problems(text);
    expect(found).toContain('vpn-bot.yaml: access.expiryCoalesceWindw: unknown key; did you mean expiryCoalesceWindow?');
    expect(found).toContain('vpn-bot.yaml: gateways.0.sslVpnServerID: unknown key; did you mean sslVpnServerId?');
    expect(found).toContain('vpn-bot.yaml: provisioning.apiTimeout: unknown key; did you mean apiTimeoutMs?');
    expect(found).toContain('vpn-bot.yaml: slak: unknown key; did you mean slack?');
    expect(found).toContain('vpn-bot.yaml: roles.admin: unknown key; did you mean admins?');
    // A key with no near neighbour lists the keys known at that level.
    expect(found.find((p) => p.includes('access.fromTheFuture'))).toMatch(/unknown key \(known here: .*defaultDuration.*expiryWarning/);
    // The other problems are in the same report.
    expect(found.some((p) => p.startsWith('vpn-bot.yaml: access.maxDuration'))).toBe(true);
    expect(found.some((p) => p.startsWith('vpn-bot.yaml: gateways.0.sslVpnServerId'))).toBe(true);
  });

  it('a clean file still gets every default', () => {
    const cfg = parseFileConfig(configYaml(), 'vpn-bot.yaml');
    expect(cfg.access.expiryCoalesceWindow).toBe(15 * 60_000);
    expect(cfg.access.expiryWarning).toBe(60 * 60_000);
    expect(cfg.provisioning.lockDurationMs).toBe(30_000);
  });
});
