// Sandbox mode: stands in simulators for whichever outside system has no credentials, so `npm start`
// on a fresh checkout runs the whole flow. Only the entry point imports this (and so src/sim).
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { AppConfig } from './config/load.js';
import { startAlibabaSim, type AlibabaSim } from './sim/alicloud/index.js';
import { startFakeSlack, type FakeSlack } from './sim/slack/index.js';

export interface Sandbox {
  slack?: { fake: FakeSlack; botToken: string; signingSecret: string };
  cloud?: { sim: AlibabaSim; accessKeyId: string; accessKeySecret: string };
  close(): Promise<void>;
}

export async function startSandbox(config: AppConfig, logger: Logger): Promise<Sandbox> {
  const sandbox: Sandbox = { close: async () => {} };
  if (config.cloudSandbox) {
    const accessKeyId = 'LTAIsandbox';
    const accessKeySecret = randomBytes(16).toString('hex');
    const sim = await startAlibabaSim({
      port: Number(process.env.VPN_BOT_SANDBOX_CLOUD_PORT ?? 0),
      updateMs: Number(process.env.VPN_BOT_SANDBOX_UPDATE_MS ?? 2000),
      seed: {
        accessKeys: [{ id: accessKeyId, secret: accessKeySecret }],
        gateways: config.file.gateways.map((g, i) => ({
          vpnGatewayId: g.vpnGatewayId,
          regionId: g.regionId,
          name: g.name,
          internetIp: `203.0.113.${10 + i}`,
          sslMaxConnections: 50,
          sslVpnServer: { sslVpnServerId: g.sslVpnServerId, name: `${g.name}-ssl`, clientIpPool: '10.99.0.0/24', localSubnet: '172.16.0.0/16', proto: 'UDP', cipher: 'AES-128-CBC', port: 1194 },
        })),
      },
    });
    sandbox.cloud = { sim, accessKeyId, accessKeySecret };
    logger.warn({ url: sim.url }, 'sandbox: no Alibaba Cloud credentials set; using the in-process Alibaba Cloud simulator');
  }
  if (config.slackSandbox) {
    const botToken = 'xoxb-sandbox';
    const signingSecret = process.env.VPN_BOT_SANDBOX_SIGNING_SECRET ?? 'sandbox-signing-secret';
    const fake = await startFakeSlack({ port: Number(process.env.VPN_BOT_SANDBOX_SLACK_PORT ?? 0), botToken });
    sandbox.slack = { fake, botToken, signingSecret };
    logger.warn({ slackApiUrl: fake.url, signingSecret }, 'sandbox: no Slack credentials set; using the in-process fake Slack (sign requests to /slack/events with the signing secret shown)');
  }
  sandbox.close = async () => {
    await sandbox.slack?.fake.close();
    await sandbox.cloud?.sim.close();
  };
  return sandbox;
}
