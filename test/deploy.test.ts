// The deployment files are checked with parsers (there is no Docker engine here).
import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { parseFileConfig } from '../src/config/load.js';
import { envSchema } from '../src/config/schema.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- walking parsed YAML documents
const yaml = (path: string) => parse(readFileSync(path, 'utf8'), { merge: true }) as Record<string, any>;
const ENV_KEYS = Object.keys(envSchema.shape);
/** Variables a file names, set or commented out (`# NAME=`). */
const envFileKeys = (text: string) => [...text.matchAll(/^#? ?([A-Z][A-Z0-9_]+)=/gm)].map((m) => m[1]!);

describe('deployment files', () => {
  it('docker-compose runs Redis as a system of record, one bot and two workers, health-checked, with the config mounted', () => {
    const compose = yaml('docker-compose.yml');
    const redisCommand = [compose.services.redis.command].flat().join(' ');
    expect(redisCommand).toContain('--appendonly yes');
    expect(redisCommand).toContain('--maxmemory-policy noeviction');
    const roles: string[] = [];
    for (const [name, service] of Object.entries(compose.services as Record<string, ReturnType<typeof yaml>>).filter(([n]) => n !== 'redis')) {
      const environment = service.environment as Record<string, string>;
      for (const key of Object.keys(environment)) expect(ENV_KEYS, `${name}: ${key}`).toContain(key);
      expect(envSchema.safeParse(environment).success, name).toBe(true);
      expect(environment.REDIS_URL).toBe('redis://redis:6379');
      // The config file the process reads is inside the mounted directory.
      const mount = (service.volumes as string[]).find((v) => v.endsWith(':ro'))!.split(':');
      expect(environment.VPN_BOT_CONFIG!.startsWith(`${mount[1]}/`), name).toBe(true);
      expect(mount[0]).toBe('./config');
      const check = JSON.stringify(service.healthcheck.test);
      expect(check).toContain('/healthz');
      expect(check).toContain('/readyz');
      expect(service.depends_on.redis.condition).toBe('service_healthy');
      for (let i = 0; i < (service.deploy?.replicas ?? 1); i++) roles.push(environment.VPN_BOT_ROLE ?? 'all');
    }
    expect(roles.sort()).toEqual(['bot', 'worker', 'worker']);
    expect(compose.services.bot.ports.map(String)).toContain('3000:3000');
  });

  it('the image is compiled with tsc and runs node dist/main.js directly, so signals reach the bot', () => {
    const dockerfile = readFileSync('Dockerfile', 'utf8');
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.build).toMatch(/^tsc /);
    expect(dockerfile).toMatch(/^RUN npm run build$/m);
    expect(dockerfile).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
    // npm start: the shell execs node (no tsx or shell parent left to orphan it on SIGTERM).
    expect(pkg.scripts.start).toMatch(/^exec node /);
  });

  it('.env.example names exactly the variables of the schema, each documented', () => {
    const example = envFileKeys(readFileSync('.env.example', 'utf8'));
    expect([...new Set(example)].sort()).toEqual([...ENV_KEYS].sort());
    const docs = ['README.md', 'docs/configuration.md'].filter((f) => existsSync(f)).map((f) => readFileSync(f, 'utf8')).join('\n');
    for (const key of ENV_KEYS) expect(docs, key).toContain(`| \`${key}\` |`);
  });

  it('the Socket Mode manifest matches the HTTP one, without any request URL', () => {
    const http = yaml('deploy/slack-manifest.yml');
    const socket = yaml('deploy/slack-manifest-socket.yml');
    expect(socket.settings.socket_mode_enabled).toBe(true);
    expect(http.settings.socket_mode_enabled).toBe(false);
    expect(JSON.stringify(socket)).not.toMatch(/"(url|request_url)"/);
    const withoutUrls = (m: ReturnType<typeof yaml>) => JSON.parse(JSON.stringify(m, (k, v) => (k === 'url' || k === 'request_url' || k === 'socket_mode_enabled' ? undefined : v)));
    expect(withoutUrls(socket)).toEqual(withoutUrls(http));
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
