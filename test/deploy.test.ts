// The deployment files are checked with parsers (there is no Docker engine here).
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseFileConfig } from '../src/config/load.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- walking parsed YAML documents
const yaml = (path: string) => parse(readFileSync(path, "utf8")) as Record<string, any>;

describe('deployment files', () => {
  it('docker-compose runs Redis as a system of record and the bot against it', () => {
    const compose = yaml('docker-compose.yml');
    const redisCommand = [compose.services.redis.command].flat().join(' ');
    expect(redisCommand).toContain('--appendonly yes');
    expect(redisCommand).toContain('--maxmemory-policy noeviction');
    expect(compose.services.bot.environment.REDIS_URL ?? compose.services.bot.environment).toBeTruthy();
    expect(JSON.stringify(compose.services.bot)).toContain('redis://redis:6379');
    expect(JSON.stringify(compose.services.bot)).toContain('VPN_BOT_CONFIG');
  });

  it('the Slack manifest declares /vpn with escaping, interactivity and the needed scopes', () => {
    const manifest = yaml('deploy/slack-manifest.yml');
    const vpn = manifest.features.slash_commands.find((c: { command: string }) => c.command === '/vpn');
    expect(vpn.should_escape).toBe(true);
    expect(vpn.url).toMatch(/\/slack\/events$/);
    expect(manifest.settings.interactivity.is_enabled).toBe(true);
    for (const scope of ['commands', 'chat:write', 'im:write', 'usergroups:read', 'files:write', 'files:read', 'users:read']) expect(manifest.oauth_config.scopes.bot).toContain(scope);
  });

  it('the RAM policy allows exactly the API actions the bot calls', () => {
    const policy = JSON.parse(readFileSync('deploy/ram-policy.json', 'utf8'));
    const actions = policy.Statement.flatMap((s: { Action: string[] }) => s.Action);
    const source = ['src/api/vpc.ts', 'src/api/cas.ts'].map((f) => readFileSync(f, 'utf8')).join('\n');
    const called = [...source.matchAll(/'((?:Describe|Create|Delete|Modify|List)[A-Za-z]+)'/g)].map((m) => m[1]);
    for (const action of called) expect(actions.some((a: string) => a.endsWith(`:${action}`)), action).toBe(true);
  });

  it('the example config is valid', () => {
    expect(parseFileConfig(readFileSync('config/vpn-bot.example.yaml', 'utf8'), 'example').gateways.length).toBeGreaterThan(0);
  });
});
