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

describe('approvals that can never be given', () => {
  it('a gateway with fewer directly listed approvers than required is refused at start', () => {
    const base = configYaml().replace('approvers: [U0BOB, S0APPROVERS]', 'approvers: [U0BOB, U0CAROL]');
    const found = problems(`${base}approvals:\n  required: 3\n`);
    expect(found.filter((p) => p.includes('approvals.required: gateway'))).toHaveLength(2);
    expect(found[0]).toContain('gateway hangzhou needs 3 approvals, but only 2 approvers can give one (U0BOB, U0CAROL): no request for it could ever be approved. Add an approver to roles.approvers or lower approvals.required');
    // The same user listed twice is one approver.
    expect(problems(`${base.replace('[U0BOB, U0CAROL]', '[U0BOB, U0BOB]')}approvals:\n  required: 2\n`)[0]).toContain('only 1 approver can give one (U0BOB)');
    const perGateway = problems(base.replace('    sslVpnServerId: vss-gw8', '    approvers: [U0FRA]\n    approvalsRequired: 2\n    sslVpnServerId: vss-gw8'));
    expect(perGateway).toEqual(['vpn-bot.yaml: gateways.1.approvalsRequired: gateway frankfurt needs 2 approvals, but only 1 approver can give one (U0FRA): no request for it could ever be approved. Add an approver to gateways[].approvers or lower gateways[].approvalsRequired']);
    // With a user group the number of members is only known at click time: accepted.
    expect(parseFileConfig(`${configYaml()}approvals:\n  required: 3\n`, 'vpn-bot.yaml').approvals.required).toBe(3);
  });

  it('new keys have their defaults', () => {
    const cfg = parseFileConfig(configYaml(), 'vpn-bot.yaml');
    expect(cfg.approvals.required).toBe(1);
    expect(cfg.roles.breakGlass).toEqual([]);
    expect(cfg.access.selfExtension).toBe(0);
    expect(cfg.access.pendingTtl).toBe(86_400_000);
    expect(cfg.access.approverReminder).toBe(2 * 3_600_000);
    expect(cfg.access.breakGlassDuration).toBe(3_600_000);
    expect(cfg.access.breakGlassReviewWithin).toBe(86_400_000);
  });
});
