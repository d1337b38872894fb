// The core flow end to end: /vpn request → approval card → Approve → certificate on the simulated
// gateway → gateway active → profile in the requester's DM, with progress in the card's thread. Run twice:
// over HTTP (signed requests to POST /slack/events) and in Socket Mode (envelopes over the fake Slack's
// WebSocket, the acks carrying the answers).
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACCESS_KEY, APPROVALS, dumpRedis, GATEWAYS, SIGNING_SECRET, startHarness, type Harness } from '../helpers/harness.js';
import { APP_TOKEN } from '../helpers/fixtures.js';

describe.each([
  { transport: 'HTTP', db: 11, socketMode: false },
  { transport: 'Socket Mode', db: 29, socketMode: true },
])('over $transport', ({ db, socketMode }) => {
  let h: Harness;
  const logLines: string[] = [];

  beforeAll(async () => {
    // Debug-level logs, captured, so the test can prove no secret reaches them.
    const logDestination = new Writable({ write(chunk, _enc, done) { logLines.push(String(chunk)); done(); } });
    h = await startHarness({ db, socketMode, env: { LOG_LEVEL: 'debug' }, logDestination });
  });
  afterAll(async () => {
    await h?.close();
  });

  const cardFor = (requestId: string) =>
    h.slack.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(requestId));

  const requestIdFrom = (text: string) => /`(r[a-z0-9]+)`/.exec(text)?.[1];

  describe('request → approve → profile delivered', () => {
    it('delivers a working profile once, with progress in the thread and nothing secret anywhere else', async () => {
      const answer = await h.driver.command({ userId: 'U0ALICE', text: 'request hangzhou 1d deploy the payments hotfix' });
      expect(answer.status).toBe(200);
      expect(answer.json?.response_type).toBe('ephemeral');
      expect(answer.json?.text).toContain('sent to the approvers');
      const requestId = requestIdFrom(answer.json.text)!;
      expect(requestId).toBeTruthy();

      const card = await h.slack.waitFor('approval card', () => cardFor(requestId));
      const cardJson = JSON.stringify(card.blocks);
      expect(cardJson).toContain('vpn_approve');
      expect(cardJson).toContain('vpn_deny');
      expect(cardJson).toContain('<@U0ALICE>');
      expect(cardJson).toContain('deploy the payments hotfix');
      expect(cardJson).toContain('1d');

      // The requester cannot approve their own request; an outsider cannot approve at all.
      await h.driver.blockAction({ userId: 'U0ALICE', actionId: 'vpn_approve', value: requestId, channelId: APPROVALS, messageTs: card.ts });
      await h.driver.blockAction({ userId: 'U0EVE', actionId: 'vpn_approve', value: requestId, channelId: APPROVALS, messageTs: card.ts });
      const own = await h.slack.waitFor('self-approval refusal', () => h.slack.ephemerals('U0ALICE').find((e) => e.text.includes('own request')));
      expect(own.channel).toBe(APPROVALS);
      await h.slack.waitFor('outsider refusal', () => h.slack.ephemerals('U0EVE').find((e) => e.text.includes('Only approvers')));
      expect(h.sim.callsOf('CreateSslVpnClientCert')).toHaveLength(0);

      const click = await h.driver.blockAction({ userId: 'U0BOB', actionId: 'vpn_approve', value: requestId, channelId: APPROVALS, messageTs: card.ts });
      expect(click.status).toBe(200);

      const dm = h.slack.dmChannelFor('U0ALICE');
      const file = await h.slack.waitFor('profile upload', () => h.slack.files(dm)[0], 15_000);
      const profile = file.content.toString('utf8');
      expect(file.filename).toMatch(/^alice-r[a-z0-9]+\.ovpn$/);
      expect(profile).toMatch(/^client$/m);
      expect(profile).toContain(`remote ${GATEWAYS[0]!.ip} 1194`);
      expect(profile).toMatch(/<ca>\n-----BEGIN CERTIFICATE-----[\s\S]+<\/ca>/);
      expect(profile).toMatch(/<cert>\n-----BEGIN CERTIFICATE-----[\s\S]+<\/cert>/);
      expect(profile).toMatch(/<key>\n-----BEGIN RSA PRIVATE KEY-----[\s\S]+<\/key>/);
      expect(profile).not.toMatch(/^(ca|cert|key) \S+$/m);

      const certs = h.sim.clientCerts(GATEWAYS[0]!.sslVpnServerId);
      expect(certs).toHaveLength(1);
      expect(file.filename).toBe(`${certs[0]!.name}.ovpn`);

      const thread = await h.slack.waitFor('delivered note', () => {
        const replies = h.slack.thread(APPROVALS, card.ts);
        return replies.some((r) => r.text.includes('Profile delivered')) ? replies : undefined;
      });
      const texts = thread.map((r) => r.text).join('\n');
      expect(texts).toContain('Approved by <@U0BOB>');
      expect(texts).toContain('Creating the certificate');
      expect(texts).toContain(certs[0]!.sslVpnClientCertId);
      expect(texts).toContain('gateway is active again');

      const updated = await h.slack.waitFor('card without buttons', () => {
        const c = cardFor(requestId);
        return c && !JSON.stringify(c.blocks).includes('vpn_approve') && JSON.stringify(c.blocks).includes('profile delivered') ? c : undefined;
      });
      expect(JSON.stringify(updated.blocks)).toContain('<@U0BOB>');

      const dmTexts = h.slack.messages(dm).map((m) => m.text).join('\n');
      expect(dmTexts).toContain('was approved by <@U0BOB>');

      // Key material went only into the DM file: not into any message, thread reply or Redis.
      for (const m of h.slack.messages()) expect(m.text).not.toContain('PRIVATE KEY');
      const stored = await dumpRedis(h.redis);
      expect(stored).toContain(requestId);
      expect(stored).not.toContain('PRIVATE KEY');
      expect(stored).not.toContain('BEGIN CERTIFICATE');

      const logs = logLines.join('');
      expect(logs.length).toBeGreaterThan(0);
      for (const secret of ['PRIVATE KEY', 'BEGIN CERTIFICATE', ACCESS_KEY.secret, SIGNING_SECRET, 'xoxb-test', APP_TOKEN]) expect(logs).not.toContain(secret);

      // A late click gets a private explanation and changes nothing.
      await h.driver.blockAction({ userId: 'U0CAROL', actionId: 'vpn_approve', value: requestId, channelId: APPROVALS, messageTs: card.ts });
      await h.slack.waitFor('late click refusal', () => h.slack.ephemerals('U0CAROL').find((e) => e.text.includes('already approved')));
      expect(h.sim.callsOf('CreateSslVpnClientCert')).toHaveLength(1);

      const status = await h.driver.command({ userId: 'U0ALICE', text: 'list' });
      expect(status.json?.text).toContain(requestId);
      expect(status.json?.text).toContain('active');
    });
  });

  describe('health', () => {
    it('serves /healthz, /readyz (Redis and Slack auth) and Prometheus /metrics', async () => {
      const base = `http://127.0.0.1:${h.bot.port}`;
      expect((await fetch(`${base}/healthz`)).status).toBe(200);
      const ready = await fetch(`${base}/readyz`);
      expect(ready.status).toBe(200);
      expect(await ready.json()).toMatchObject({ ok: true, redis: 'ok', slack: 'ok' });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/vpnbot_cloud_calls_total\{action="CreateSslVpnClientCert",outcome="ok"\} 1/);
      expect(metrics).toContain('vpnbot_slack_requests_total');
    });
  });

  describe.runIf(socketMode)('Socket Mode connection', () => {
    it('acks every envelope over one connection, serves App Home events, and reconnects when Slack asks it to refresh', async () => {
      const stats = h.slack.socketMode.stats;
      expect(stats.connections).toBe(1);
      expect(stats.acked).toBe(stats.delivered);
      expect(h.slack.callsOf('apps.connections.open')).toHaveLength(1);

      const published = h.slack.callsOf('views.publish').length;
      await h.driver.event({ type: 'app_home_opened', user: 'U0ALICE', channel: h.slack.dmChannelFor('U0ALICE'), tab: 'home' });
      await h.slack.waitFor('App Home published', () => h.slack.callsOf('views.publish').length > published);

      h.slack.socketMode.refresh();
      await h.slack.waitFor('a second connection', () => stats.connections === 2 && h.slack.socketMode.connected === 1, 15_000);
      expect(h.slack.callsOf('apps.connections.open')).toHaveLength(2);
      const answer = await h.driver.command({ userId: 'U0ALICE', text: 'list' });
      expect(answer.json?.response_type).toBe('ephemeral');
      expect(answer.json?.text).toContain('active');
    });
  });
});
