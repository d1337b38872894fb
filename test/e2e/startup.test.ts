// Start-up refuses a Slack token Slack does not accept, with a message that names the variable.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { start } from '../../src/main.js';
import { startFakeSlack } from '../../src/sim/slack/index.js';
import { configYaml } from '../helpers/harness.js';
import { testRedisUrl } from '../helpers/process.js';

const DB = 3;

process.env.VPN_BOT_SANDBOX_OPENVPN = '0'; // not what this file is about: no OpenVPN servers on the sandbox's ports

describe('start-up', () => {
  it('stops with a clear message when Slack rejects SLACK_BOT_TOKEN', async () => {
    const slack = await startFakeSlack({ botToken: 'xoxb-the-right-one' });
    const dir = mkdtempSync(join(tmpdir(), 'vpnbot-start-'));
    writeFileSync(join(dir, 'c.yaml'), configYaml());
    try {
      const config = loadConfig({
        PORT: '0', LOG_LEVEL: 'silent', REDIS_URL: testRedisUrl(DB),
        SLACK_BOT_TOKEN: 'xoxb-wrong-token-123', SLACK_SIGNING_SECRET: 's', SLACK_API_URL: slack.url, VPN_BOT_CONFIG: join(dir, 'c.yaml'),
      });
      const failure = await start(config).then(() => undefined, (err: Error) => err);
      expect(failure?.message).toMatch(/Slack did not accept SLACK_BOT_TOKEN \(auth\.test: invalid_auth\)/);
      expect(failure?.message).not.toContain('xoxb-wrong-token-123');
    } finally {
      await slack.close();
    }
  });

  it('listens on loopback only in the sandbox, and serves /metrics on METRICS_PORT instead of PORT when set', async () => {
    const running = await start(loadConfig({ PORT: '0', METRICS_PORT: '0', LOG_LEVEL: 'silent', REDIS_URL: testRedisUrl(DB) }));
    try {
      expect((await fetch(`http://127.0.0.1:${running.port}/healthz`)).status).toBe(200);
      expect((await fetch(`http://127.0.0.1:${running.port}/metrics`)).status).toBe(404);
      expect(running.metricsPort).toBeGreaterThan(0);
      expect(await (await fetch(`http://127.0.0.1:${running.metricsPort}/metrics`)).text()).toContain('vpnbot_slack_requests_total');
      // The fake Slack's signing secret is printed: nobody else on the network may reach the sandbox.
      const external = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
      if (external) {
        for (const port of [running.port, running.metricsPort]) {
          expect(await fetch(`http://${external.address}:${port}/healthz`).then(() => 'reached', () => 'refused')).toBe('refused');
        }
      }
    } finally {
      await running.stop();
    }
  });
});
