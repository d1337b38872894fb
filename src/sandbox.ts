// Sandbox mode: stands in simulators for whichever outside system has no credentials, so `npm start`
// on a fresh checkout runs the whole flow. Only the entry point imports this (and so src/sim).
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AppConfig } from './config/load.js';
import { startAlibabaSim, UPDATE_JITTER, UPDATE_MS, type AlibabaSim } from './sim/alicloud/index.js';
import { startFakeSlack, type FakeSlack } from './sim/slack/index.js';
import { SandboxWeb, type SandboxPerson } from './sandbox/web.js';

export interface Sandbox {
  slack?: { fake: FakeSlack; botToken: string; signingSecret: string };
  cloud?: { sim: AlibabaSim; accessKeyId: string; accessKeySecret: string };
  /** The browser client at /sandbox (fake Slack only); main.ts mounts its routes on the bot's server. */
  web?: SandboxWeb;
  close(): Promise<void>;
}

/** Where the page is, for the log line: a wildcard HOST is reached on loopback. */
export function sandboxUrl(host: string | undefined, port: number): string {
  const h = !host || host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}/sandbox`;
}

const NAMES: Record<string, string[]> = {
  approver: ['Avery', 'Blake'],
  admin: ['Casey', 'Drew'],
  'break-glass': ['Emery'],
};

/** The people one can be on the page: a requester, then everyone the config gives a role (user groups get a member). */
function sandboxPeople(config: AppConfig, fake: FakeSlack): SandboxPerson[] {
  const people: SandboxPerson[] = [{ id: 'U0REQUESTER', name: 'Riley', role: 'requester' }];
  const { roles } = config.file;
  const add = (ids: readonly string[], role: string) => {
    ids.forEach((id, i) => {
      let member = id;
      if (id.startsWith('S')) {
        member = `U${id.slice(1)}M`;
        fake.setUsergroup(id, [member]);
      }
      if (people.some((p) => p.id === member)) return;
      const name = NAMES[role]?.[i] ?? member;
      people.push({ id: member, name, role: `${i === 1 ? 'second ' : ''}${role}${id.startsWith('S') ? ` (${id})` : ''}` });
    });
  };
  add(roles.approvers, 'approver');
  for (const g of config.file.gateways) if (g.approvers) add(g.approvers, `approver for ${g.name}`);
  add(roles.admins, 'admin');
  add(roles.breakGlass, 'break-glass');
  for (const p of people) fake.addUser(p.id, { name: p.name.toLowerCase(), realName: p.name, email: `${p.name.toLowerCase()}@example.com` });
  return people;
}

/** A numeric sandbox variable, or an error naming it and saying what is allowed. */
function sandboxNumber(name: string, fallback: number, schema: z.ZodNumber): number {
  const raw = process.env[name]?.trim();
  const parsed = schema.safeParse(raw ? Number(raw) : fallback);
  if (!parsed.success) throw new Error(`${name}=${raw} is not allowed: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

export async function startSandbox(config: AppConfig, logger: Logger): Promise<Sandbox> {
  const sandbox: Sandbox = { close: async () => {} };
  if (config.slackSandbox && config.env.PORT !== 0) logger.info(`sandbox: open ${sandboxUrl(config.env.HOST, config.env.PORT)} in a browser`);
  if (config.cloudSandbox) {
    const accessKeyId = 'LTAIsandbox';
    const gateways = config.file.gateways;
    const vpnPort = sandboxNumber('VPN_BOT_SANDBOX_VPN_PORT', 1194, z.number().int().min(1).max(65_536 - gateways.length));
    const accessKeySecret = randomBytes(16).toString('hex');
    const sim = await startAlibabaSim({
      port: Number(process.env.VPN_BOT_SANDBOX_CLOUD_PORT ?? 0),
      updateMs: sandboxNumber('VPN_BOT_SANDBOX_UPDATE_MS', 2000, UPDATE_MS),
      updateJitter: sandboxNumber('VPN_BOT_SANDBOX_UPDATE_JITTER', 0, UPDATE_JITTER),
      // A real OpenVPN gateway per server on 127.0.0.1 when openvpn is installed, so a downloaded profile connects.
      openvpn: process.env.VPN_BOT_SANDBOX_OPENVPN !== '0',
      seed: {
        accessKeys: [{ id: accessKeyId, secret: accessKeySecret }],
        gateways: gateways.map((g, i) => ({
          vpnGatewayId: g.vpnGatewayId,
          regionId: g.regionId,
          name: g.name,
          internetIp: '127.0.0.1',
          sslMaxConnections: 50,
          sslVpnServer: { sslVpnServerId: g.sslVpnServerId, name: `${g.name}-ssl`, clientIpPool: '10.99.0.0/24', localSubnet: '172.16.0.0/16', proto: 'UDP', cipher: 'AES-128-CBC', port: vpnPort + i },
        })),
      },
    });
    sandbox.cloud = { sim, accessKeyId, accessKeySecret };
    logger.warn({ url: sim.url }, 'sandbox: no Alibaba Cloud credentials set; using the in-process Alibaba Cloud simulator');
    const vpn = await sim.openVpn();
    if (vpn.enabled) logger.info({ servers: vpn.servers.map((s) => `${s.host}:${s.port}/${s.proto.toLowerCase()}`) }, 'sandbox: real OpenVPN gateways run for the simulated SSL servers; a downloaded profile connects (openvpn --config <file>.ovpn --dev null --ifconfig-noexec --route-noexec)');
    else if (vpn.reason) logger.warn('sandbox: openvpn is not installed (apt-get install openvpn), so the simulated gateways run no VPN servers and a downloaded profile cannot connect; everything else works');
    else logger.info('sandbox: no OpenVPN servers (VPN_BOT_SANDBOX_OPENVPN=0); a downloaded profile cannot connect');
  }
  if (config.slackSandbox) {
    const botToken = 'xoxb-sandbox';
    // Random per start and never logged: whoever can sign requests can act as any admin.
    const signingSecret = process.env.VPN_BOT_SANDBOX_SIGNING_SECRET || randomBytes(32).toString('hex');
    const fake = await startFakeSlack({ port: Number(process.env.VPN_BOT_SANDBOX_SLACK_PORT ?? 0), botToken });
    sandbox.slack = { fake, botToken, signingSecret };
    sandbox.web = new SandboxWeb({
      fake, signingSecret, people: sandboxPeople(config, fake),
      channels: [{ id: 'C0GENERAL', name: 'general' }, { id: config.file.slack.approvalsChannel, name: 'vpn-approvals' }],
      ...(sandbox.cloud ? { cloudUrl: sandbox.cloud.sim.url } : {}),
      apiTimeoutMs: config.file.provisioning.apiTimeoutMs,
      anyHost: Boolean(config.env.HOST),
    });
    logger.warn({ slackApiUrl: fake.url }, 'sandbox: no Slack credentials set; using the in-process fake Slack (act as anyone on the /sandbox page)');
  }
  sandbox.close = async () => {
    sandbox.web?.close();
    await sandbox.slack?.fake.close();
    await sandbox.cloud?.sim.close();
  };
  return sandbox;
}
