// Grants end: at expiry (coalesced, announced) or on revocation (at once); pending requests can be cancelled.
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { removalTime } from '../../src/jobs/lanes.js';
import { RequestStore } from '../../src/core/store.js';
import { APPROVALS, configYaml, GATEWAYS, type Harness, laneQueue, productQueue, startHarness } from '../helpers/harness.js';

let h: Harness;
let lane: Queue;

beforeAll(async () => {
  // These tests extend without approvers: a self-service allowance as large as the maximum (test/gate covers approval).
  h = await startHarness({ db: 9, updateMs: 150, configText: configYaml('  selfExtension: 30d\n') });
  lane = laneQueue(h, 'hangzhou');
});
afterAll(async () => {
  await lane?.close();
  await h?.close();
});

const requestIdFrom = (text: string) => /`(r[a-z0-9]+)`/.exec(text)?.[1];

async function grant(userId: string, name: string): Promise<{ requestId: string; cardTs: string }> {
  h.slack.addUser(userId, { name });
  const answer = await h.driver.command({ userId, text: `request hangzhou 1h ${name} needs access` });
  const requestId = requestIdFrom(String(answer.json?.text))!;
  const card = await h.slack.waitFor('card', () => h.slack.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(requestId)));
  await h.driver.blockAction({ userId: 'U0BOB', actionId: 'vpn_approve', value: requestId, channelId: APPROVALS, messageTs: card.ts });
  await h.slack.waitFor('profile', () => h.slack.files(h.slack.dmChannelFor(userId))[0], 15_000);
  return { requestId, cardTs: card.ts };
}

const status = (requestId: string) => h.redis.hget(`{vpnbot}:req:${requestId}`, 'status');

describe('expiry and revocation', () => {
  it('schedules removal at the coalesced expiry, then deletes the certificate, announces it and tells the user', async () => {
    const { requestId, cardTs } = await grant('U0JOE', 'joe');
    // The profile lands just before the grant is recorded and its removal scheduled.
    const job = await vi.waitFor(async () => {
      const found = await lane.getJob(`expire-${requestId}`);
      expect(found).toBeDefined();
      return found!;
    }, { timeout: 5000, interval: 20 });
    const stored = JSON.parse((await h.redis.hget(`{vpnbot}:req:${requestId}`, 'json'))!) as { expiresAt: number; certId: string };
    expect(await job!.getState()).toBe('delayed');
    expect(job!.timestamp + (job!.opts.delay ?? 0)).toBeGreaterThanOrEqual(removalTime(stored.expiresAt, 15 * 60_000) - 50);
    expect(removalTime(stored.expiresAt, 15 * 60_000) % (15 * 60_000)).toBe(0);
    expect(JSON.stringify(job!.data)).not.toMatch(/PRIVATE|BEGIN/);

    // Let the hour pass: the grant's expiry moves into the past, then the removal runs now.
    const window = 15 * 60_000;
    await new RequestStore(h.redis).update(requestId, { expiresAt: Math.floor(Date.now() / window) * window - 1000 });
    await job!.promote();
    await h.slack.waitFor('expiry DM', () => h.slack.messages(h.slack.dmChannelFor('U0JOE')).find((m) => m.text.includes('has expired')), 10_000);
    expect(await status(requestId)).toBe('expired');
    await h.sim.settle();
    expect(h.sim.clientCerts(GATEWAYS[0]!.sslVpnServerId).map((c) => c.sslVpnClientCertId)).not.toContain(stored.certId);
    const deletes = h.sim.callsOf('DeleteSslVpnClientCert').filter((c) => c.params.SslVpnClientCertId === stored.certId);
    expect(deletes.map((c) => c.params.ClientToken)).toEqual([`vpnbot-delete-${requestId}`]);
    expect(h.slack.messages(APPROVALS).some((m) => !m.threadTs && m.text.includes('Removing 1 expired VPN certificate on *hangzhou*'))).toBe(true);
    await h.slack.waitFor('card shows expiry', () => JSON.stringify(h.slack.messages(APPROVALS).find((m) => m.ts === cardTs)?.blocks ?? []).includes('expired'));
  });

  it('/vpn revoke removes the certificate at once, ahead of the scheduled expiry', async () => {
    const { requestId } = await grant('U0KIM', 'kim');
    await vi.waitFor(async () => expect(await status(requestId)).toBe('active'), { timeout: 5000, interval: 20 });
    const certId = JSON.parse((await h.redis.hget(`{vpnbot}:req:${requestId}`, 'json'))!).certId as string;
    const answer = await h.driver.command({ userId: 'U0KIM', text: 'revoke' });
    expect(answer.json?.text).toContain('Revoking your access to *hangzhou*');
    await h.slack.waitFor('revocation DM', () => h.slack.messages(h.slack.dmChannelFor('U0KIM')).find((m) => m.text.includes('was revoked')), 10_000);
    expect(await status(requestId)).toBe('revoked');
    await h.sim.settle();
    expect(h.sim.clientCerts().map((c) => c.sslVpnClientCertId)).not.toContain(certId);
    // The scheduled expiry, when it comes, finds nothing to do.
    const expiry = await lane.getJob(`expire-${requestId}`);
    await expiry!.promote();
    await vi.waitFor(async () => expect(await expiry!.getState()).toBe('completed'), { timeout: 10_000, interval: 50 });
    expect(expiry!.returnvalue ?? (await lane.getJob(`expire-${requestId}`))?.returnvalue).toBe('skipped-revoked');
    expect(h.sim.callsOf('DeleteSslVpnClientCert').filter((c) => c.params.SslVpnClientCertId === certId)).toHaveLength(1);
    const again = await h.driver.command({ userId: 'U0KIM', text: 'revoke' });
    expect(again.json?.text).toContain('no VPN access');
  });

  it('/vpn revoke cancels a pending request and updates its card', async () => {
    h.slack.addUser('U0LEE', { name: 'lee' });
    const answer = await h.driver.command({ userId: 'U0LEE', text: 'request hangzhou 1h maybe later' });
    const requestId = requestIdFrom(String(answer.json?.text))!;
    const card = await h.slack.waitFor('card', () => h.slack.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(requestId)));
    const cancel = await h.driver.command({ userId: 'U0LEE', text: 'revoke' });
    expect(cancel.json?.text).toContain('Cancelled your pending request');
    expect(await status(requestId)).toBe('cancelled');
    await h.slack.waitFor('card shows cancel', () => {
      const json = JSON.stringify(h.slack.messages(APPROVALS).find((m) => m.ts === card.ts)?.blocks ?? []);
      return json.includes('Cancelled') && !json.includes('vpn_approve') || undefined;
    });
    await h.driver.blockAction({ userId: 'U0BOB', actionId: 'vpn_approve', value: requestId, channelId: APPROVALS, messageTs: card.ts });
    await h.slack.waitFor('late approve refused', () => h.slack.ephemerals('U0BOB').find((e) => e.text.includes('cancelled')));
  });
});

describe('expiring soon, extend and I\'m done', () => {
  let notify: Queue;
  beforeAll(() => {
    notify = productQueue(h, 'notify');
  });
  afterAll(async () => notify?.close());

  async function grant2h(userId: string, name: string) {
    h.slack.addUser(userId, { name });
    const answer = await h.driver.command({ userId, text: `request hangzhou 2h ${name} on call` });
    const requestId = requestIdFrom(String(answer.json?.text))!;
    const card = await h.slack.waitFor('card', () => h.slack.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(requestId)));
    await h.driver.blockAction({ userId: 'U0BOB', actionId: 'vpn_approve', value: requestId, channelId: APPROVALS, messageTs: card.ts });
    await vi.waitFor(async () => expect(await status(requestId)).toBe('active'), { timeout: 15_000, interval: 20 });
    const record = () => h.redis.hget(`{vpnbot}:req:${requestId}`, 'json').then((j) => JSON.parse(j!) as { expiresAt: number; deliveredAt: number; certId: string });
    return { requestId, record };
  }

  it('reminds an hour before expiry; Extend moves the expiry and the scheduled removal', async () => {
    const { requestId, record } = await grant2h('U0MIA', 'mia');
    const before = await record();
    const reminder = await vi.waitFor(async () => {
      const job = await notify.getJob(`remind-${requestId}-${before.expiresAt}`);
      expect(job).toBeDefined();
      return job!;
    }, { timeout: 5000, interval: 20 });
    expect(reminder.timestamp + (reminder.opts.delay ?? 0)).toBeGreaterThanOrEqual(before.expiresAt - 3_600_000 - 100);
    await reminder.promote();
    const dm = await h.slack.waitFor('reminder DM', () => h.slack.messages(h.slack.dmChannelFor('U0MIA')).find((m) => JSON.stringify(m.blocks ?? []).includes('vpn_extend')));
    expect(JSON.stringify(dm.blocks)).toContain('vpn_done');

    // Someone else's click on the button changes nothing.
    await h.driver.blockAction({ userId: 'U0EVE', actionId: 'vpn_extend', value: requestId, channelId: dm.channel, messageTs: dm.ts });
    await h.slack.waitFor('refusal', () => h.slack.responses().find((r) => String(r.body.text).includes('no active VPN access')));
    expect((await record()).expiresAt).toBe(before.expiresAt);

    await h.driver.blockAction({ userId: 'U0MIA', actionId: 'vpn_extend', value: requestId, channelId: dm.channel, messageTs: dm.ts });
    await h.slack.waitFor('extended reply', () => h.slack.responses().find((r) => String(r.body.text).includes('now lasts until')));
    const after = await record();
    expect(after.expiresAt).toBe(before.expiresAt + 2 * 3_600_000);
    const expire = await lane.getJob(`expire-${requestId}`);
    expect(await expire!.getState()).toBe('delayed');
    // changeDelay counts from the moment of the extension, which was before now.
    expect(Date.now() + expire!.delay).toBeGreaterThanOrEqual(removalTime(after.expiresAt, 15 * 60_000));
    expect(await notify.getJob(`remind-${requestId}-${after.expiresAt}`)).toBeDefined();
    const audit = await h.redis.xrange('{vpnbot}:audit', '-', '+');
    expect(audit.some(([, f]) => f[1]?.includes('grant.extended') && f[1].includes(requestId))).toBe(true);
  });

  it('a removal job that fires before an extended expiry waits for it instead', async () => {
    const { requestId, record } = await grant2h('U0NED', 'ned');
    const extended = await h.driver.command({ userId: 'U0NED', text: 'extend 45d' });
    expect(extended.json?.text).toContain('now lasts until');
    const rec = await record();
    expect(rec.expiresAt).toBe(rec.deliveredAt + 30 * 86_400_000);
    const again = await h.driver.command({ userId: 'U0NED', text: 'extend 1h' });
    expect(again.json?.text).toContain('maximum of 30d');
    const expire = await lane.getJob(`expire-${requestId}`);
    await expire!.promote();
    await vi.waitFor(async () => expect(await expire!.getState()).toBe('delayed'), { timeout: 10_000, interval: 50 });
    expect(await status(requestId)).toBe('active');
    expect(h.sim.clientCerts().map((c) => c.sslVpnClientCertId)).toContain(rec.certId);
  });

  it("I'm done revokes at once", async () => {
    const { requestId } = await grant2h('U0OLA', 'ola');
    const dmChannel = h.slack.dmChannelFor('U0OLA');
    await h.driver.blockAction({ userId: 'U0OLA', actionId: 'vpn_done', value: requestId, channelId: dmChannel });
    await h.slack.waitFor('revocation DM', () => h.slack.messages(dmChannel).find((m) => m.text.includes('was revoked')), 10_000);
    expect(await status(requestId)).toBe('revoked');
  });
});
