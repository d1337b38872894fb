import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { ConfigError, listenHost, loadConfig, parseFileConfig } from '../../src/config/load.js';
import { parseDuration, formatDuration } from '../../src/core/duration.js';
import { configYaml } from '../helpers/harness.js';

const problems = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected a ConfigError');
};

describe('durations', () => {
  it('parses <n>m|h|d|w and nothing else', () => {
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('8h')).toBe(28_800_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('2w')).toBe(1_209_600_000);
    for (const bad of ['0h', '1.5h', 'h', '10', '1y', '-1d', '']) expect(parseDuration(bad), bad).toBeUndefined();
    expect(formatDuration(86_400_000 * 7)).toBe('1w');
    expect(formatDuration(90 * 60_000)).toBe('90m');
  });
});

describe('config file', () => {
  it('accepts the PRODUCT §3 example and applies defaults', () => {
    const cfg = parseFileConfig(configYaml(), 'test.yaml');
    expect(cfg.access.defaultDuration).toBe(8 * 3_600_000);
    expect(cfg.gateways.map((g) => g.name)).toEqual(['hangzhou', 'frankfurt']);
    expect(cfg.provisioning.apiTimeoutMs).toBe(10_000);
  });

  it('names every bad field in one error', () => {
    const found = problems(() => parseFileConfig(`
slack: { approvalsChannel: general }
roles: { approvers: [bob] }
gateways:
  - { name: Hang Zhou, regionId: hangzhou, vpnGatewayId: gw-1, sslVpnServerId: vss-ok1 }
access: { defaultDuration: 8 hours, maxDuration: 1y }
`, 'bad.yaml'));
    const text = found.join('\n');
    expect(text).toContain('bad.yaml: slack.approvalsChannel');
    expect(text).toContain('roles.approvers.0');
    expect(text).toContain('gateways.0.name');
    expect(text).toContain('gateways.0.regionId');
    expect(text).toContain('gateways.0.vpnGatewayId');
    expect(text).toContain('access.defaultDuration: access.defaultDuration: expected <n>m|h|d|w');
    expect(text).toContain('access.maxDuration');
    expect(found.length).toBeGreaterThanOrEqual(7);
  });

  it('reports unparsable YAML with its line', () => {
    expect(problems(() => parseFileConfig('slack: [unclosed\n  x: {', 'broken.yaml'))[0]).toMatch(/broken.yaml: not valid YAML/);
  });

  it('refuses a default duration above the maximum', () => {
    expect(problems(() => parseFileConfig(configYaml().replace('defaultDuration: 8h', 'defaultDuration: 40d'), 'x.yaml')).join()).toContain('access.defaultDuration: must not exceed access.maxDuration');
  });
});

describe('environment', () => {
  it('runs as a sandbox with no credentials and needs a config file with real ones', () => {
    const sandbox = loadConfig({});
    expect(sandbox.slackSandbox && sandbox.cloudSandbox).toBe(true);
    expect(sandbox.env.PORT).toBe(3000);
    expect(sandbox.env.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(problems(() => loadConfig({ ALIBABA_CLOUD_ACCESS_KEY_ID: 'a', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'b' }))).toEqual([
      'VPN_BOT_CONFIG: required when Alibaba Cloud credentials are set (path to the YAML config file)',
    ]);
  });

  it('names each bad variable', () => {
    const found = problems(() => loadConfig({ PORT: 'eighty', SLACK_BOT_TOKEN: 'nope', VPN_BOT_ROLE: 'boss', ALIBABA_CLOUD_ACCESS_KEY_ID: 'only-id', REDIS_URL: 'localhost' })).join('\n');
    for (const field of ['PORT', 'SLACK_BOT_TOKEN', 'VPN_BOT_ROLE', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'REDIS_URL', 'SLACK_SIGNING_SECRET']) expect(found).toContain(`${field}:`);
  });

  it('checks the Redis Cluster and Sentinel variables', () => {
    expect(loadConfig({ REDIS_CLUSTER_NODES: '10.0.0.1:7000,10.0.0.2:7000' }).env.REDIS_CLUSTER_NODES).toBe('10.0.0.1:7000,10.0.0.2:7000');
    const found = problems(() => loadConfig({ REDIS_CLUSTER_NODES: 'node-a', REDIS_SENTINELS: 's1:26379' })).join('\n');
    expect(found).toContain('REDIS_CLUSTER_NODES: expected host:port');
    expect(found).toContain('REDIS_SENTINELS: use either REDIS_CLUSTER_NODES');
    expect(found).toContain('REDIS_SENTINEL_NAME: required with REDIS_SENTINELS');
  });

  it('listens on loopback with the fake Slack, everywhere with a real one, and where HOST says', () => {
    expect(listenHost(loadConfig({}))).toBe('127.0.0.1');
    expect(listenHost(loadConfig({ HOST: '0.0.0.0' }))).toBe('0.0.0.0');
    expect(listenHost(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' }))).toBeUndefined();
    expect(listenHost(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', HOST: '10.0.0.5' }))).toBe('10.0.0.5');
    expect(() => loadConfig({ METRICS_PORT: '70000' })).toThrow(/METRICS_PORT: /);
  });

  it('uses the simulator only when no Alibaba Cloud credential source is configured', () => {
    expect(loadConfig({}).cloudSandbox).toBe(true);
    const path = join(mkdtempSync(join(tmpdir(), 'vpnbot-cred-')), 'c.yaml');
    writeFileSync(path, configYaml());
    for (const source of [
      { ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI1', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 's' },
      { ALIBABA_CLOUD_ECS_METADATA: 'VpnBotRole' },
      { ALIBABA_CLOUD_ROLE_ARN: 'acs:ram::1:role/vpn-bot', ALIBABA_CLOUD_OIDC_PROVIDER_ARN: 'acs:ram::1:oidc-provider/ack', ALIBABA_CLOUD_OIDC_TOKEN_FILE: '/var/run/secrets/token' },
      { ALIBABA_CLOUD_CREDENTIALS_FILE: '/etc/alibabacloud/credentials' },
      { ALIBABA_CLOUD_CREDENTIALS_URI: 'http://127.0.0.1:8080/creds' },
    ]) {
      expect(() => loadConfig(source), JSON.stringify(source)).toThrow(/VPN_BOT_CONFIG: required/);
      expect(loadConfig({ ...source, VPN_BOT_CONFIG: path }).cloudSandbox, JSON.stringify(source)).toBe(false);
    }
    expect(() => loadConfig({ ALIBABA_CLOUD_OIDC_TOKEN_FILE: '/t', VPN_BOT_CONFIG: path })).toThrow(/ALIBABA_CLOUD_ROLE_ARN: OIDC\/RRSA needs/);
  });

  it('treats empty variables as unset', () => {
    const cfg = loadConfig({ PORT: '', REDIS_URL: ' ', VPN_BOT_ROLE: '', LOG_LEVEL: '' });
    expect(cfg.env.PORT).toBe(3000);
    expect(cfg.env.REDIS_URL).toBe('redis://127.0.0.1:6379');
    expect(cfg.env.VPN_BOT_ROLE).toBe('all');
  });

  it('reports environment and file problems together', () => {
    const found = problems(() => loadConfig({ PORT: 'x', VPN_BOT_CONFIG: '/nonexistent/vpn-bot.yaml' }));
    expect(found).toEqual(['PORT: expected a port number, 0–65535', 'VPN_BOT_CONFIG: cannot read /nonexistent/vpn-bot.yaml (ENOENT)']);
  });

  it('npm start exits non-zero with one clear message and no stack trace', () => {
    const dir = mkdtempSync(join(tmpdir(), 'vpnbot-cfg-'));
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, 'slack: {}\nroles: {}\ngateways: []\n');
    let stderr = '';
    let status = 0;
    try {
      execFileSync(process.execPath, ['--import', 'tsx', 'src/main.ts'], { env: { ...process.env, VPN_BOT_CONFIG: path, SLACK_BOT_TOKEN: '', ALIBABA_CLOUD_ACCESS_KEY_ID: '' }, stdio: 'pipe' });
    } catch (err) {
      const e = err as { status: number; stderr: Buffer };
      status = e.status;
      stderr = e.stderr.toString();
    }
    expect(status).toBe(2);
    expect(stderr).toContain('Invalid configuration');
    expect(stderr).toContain('slack.approvalsChannel');
    expect(stderr).toContain('gateways: configure at least one gateway');
    expect(stderr).not.toMatch(/\n\s+at /);
  });
});
