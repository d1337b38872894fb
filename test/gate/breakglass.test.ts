// Break-glass (issue 6, item 4): no approval, to the front of the gateway's lane, alert card and admin DMs
// with Acknowledge / Revoke now, one review reminder, refusals and every use audited.
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RequestStore } from '../../src/core/store.js';
import { APPROVALS, auditEntries, configYaml, GATEWAYS, type Harness, laneQueue, productQueue, startHarness } from '../helpers/harness.js';

let h: Harness;
let lane: Queue;
let followUps: Queue;

beforeAll(async () => {
  const config = configYaml('  breakGlassDuration: 2h\n  breakGlassReviewWithin: 4h\n').replace('  admins: [U0ADMIN]', '  admins: [U0ADMIN, S0ADMINS]\n  breakGlass: [U0BG, U0BG2, U0BG3, U0BG4, U0BG5]');
  h = await startHarness({ db: 33, updateMs: 100, configText: config });
  h.slack.addUser('U0BG', { name: 'oncall' });
  h.slack.addUser('U0BG2', { name: 'oncall2' });
  h.slack.addUser('U0ADMIN2', { name: 'admin2' });
  h.slack.addUser('U0BG3', { name: 'oncall3' });
  h.slack.addUser('U0BG4', { name: 'oncall4' });
  h.slack.addUser('U0BG5', { name: 'oncall5' });
  h.slack.setUsergroup('S0ADMINS', ['U0ADMIN2']);
  lane = laneQueue(h, 'frankfurt');
  followUps = productQueue(h, 'follow-ups');
});
afterAll(async () => {
  await lane?.close();
  await followUps?.close();
  await h?.close();
});

const requestIdFrom = (text: string) => /`(r[a-z0-9]+)`/.exec(text)?.[1];
const record = async (id: string) => (await new RequestStore(h.redis).get(id))!;
const audit = () => auditEntries(h);

describe('break-glass', () => {
  it('anyone not in roles.breakGlass is refused, and the attempt is audited', async () => {
    const answer = await h.driver.command({ userId: 'U0EVE', text: 'breakglass frankfurt prod is down' });
    expect(String(answer.json?.text)).toContain('Only people listed in `roles.breakGlass`');
    expect((await audit()).some((e) => e.includes('"breakglass.refused"') && e.includes('U0EVE') && e.includes('prod is down'))).toBe(true);
    const usage = await h.driver.command({ userId: 'U0BG', text: 'breakglass frankfurt' });
    expect(String(usage.json?.text)).toContain('Usage: `/vpn breakglass');
  });

  it('jumps a queue of 3 approved requests on its gateway; alert card and admin DMs; Acknowledge records the reviewer', async () => {
    await lane.pause();
    const queued: string[] = [];
    let bgId = '';
    try {
      for (const [i, user] of ['U0Q1', 'U0Q2', 'U0Q3'].entries()) {
        h.slack.addUser(user, { name: `queued${i}` });
        const answer = await h.driver.command({ userId: user, text: 'request frankfurt 1h routine work' });
        const requestId = requestIdFrom(String(answer.json?.text))!;
        const card = await h.slack.waitFor('card', () => h.slack.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(`\`${requestId}\``)));
        await h.driver.blockAction({ userId: 'U0BOB', actionId: 'vpn_approve', value: requestId, channelId: APPROVALS, messageTs: card.ts });
        await vi.waitFor(async () => expect((await record(requestId)).status).toBe('approved'), { timeout: 5000, interval: 20 });
        queued.push(requestId);
      }
      const answer = await h.driver.command({ userId: 'U0BG', text: 'breakglass frankfurt payments outage INC-42 <!channel>' });
      expect(String(answer.json?.text)).toContain('Break-glass access to *frankfurt* for 2h');
      expect(String(answer.json?.text)).toContain('next in line');
      const requestId = requestIdFrom(String(answer.json?.text))!;
      bgId = requestId;
      const stored = await record(requestId);
      expect(stored.kind).toBe('breakglass');
      expect(stored.durationMs).toBe(2 * 3_600_000);
      const job = await lane.getJob(`provision-${requestId}`);
      expect(job?.opts.priority).toBeLessThan((await lane.getJob(`provision-${queued[0]}`))!.opts.priority!);
      expect((await audit()).some((e) => e.includes('"breakglass.used"') && e.includes(requestId) && e.includes('payments outage INC-42'))).toBe(true);
    } finally {
      await lane.resume();
    }
    for (const user of ['U0BG', 'U0Q1', 'U0Q2', 'U0Q3']) await h.slack.waitFor(`profile for ${user}`, () => h.slack.files(h.slack.dmChannelFor(user))[0], 20_000);
    // The break-glass certificate was created first, ahead of the three approved before it.
    const creates = h.sim.callsOf('CreateSslVpnClientCert').filter((c) => c.params.SslVpnServerId === GATEWAYS[1]!.sslVpnServerId).map((c) => String(c.params.Name));
    const firsts = [...new Set(creates)];
    expect(firsts[0]).toMatch(/^oncall-/);
    expect(firsts.slice(1, 4).map((n) => n.replace(/-r.*$/, ''))).toEqual(['queued0', 'queued1', 'queued2']);

    // The alert card in the approvals channel, escaped, with Acknowledge and Revoke now; a DM with the same to each admin.
    const alert = await h.slack.waitFor('alert card', () => h.slack.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(`\`${bgId}\``)));
    const blocks = JSON.stringify(alert.blocks);
    expect(blocks).toContain('vpn_breakglass_ack');
    expect(blocks).toContain('vpn_breakglass_revoke');
    expect(blocks).not.toContain('<!channel>');
    for (const admin of ['U0ADMIN', 'U0ADMIN2']) {
      await h.slack.waitFor(`DM to ${admin}`, () => h.slack.messages(h.slack.dmChannelFor(admin)).find((m) => JSON.stringify(m.blocks ?? []).includes('vpn_breakglass_ack') && JSON.stringify(m.blocks ?? []).includes(bgId)));
    }
    // Only admins may acknowledge.
    await h.driver.blockAction({ userId: 'U0BOB', actionId: 'vpn_breakglass_ack', value: bgId, channelId: APPROVALS, messageTs: alert.ts });
    await h.slack.waitFor('non-admin refused', () => h.slack.responses().find((r) => String(r.body.text).includes('Only admins')));
    expect((await record(bgId)).acknowledgedBy).toBeUndefined();
    const dm = h.slack.messages(h.slack.dmChannelFor('U0ADMIN2')).find((m) => JSON.stringify(m.blocks ?? []).includes(bgId))!;
    await h.driver.blockAction({ userId: 'U0ADMIN2', actionId: 'vpn_breakglass_ack', value: bgId, channelId: dm.channel, messageTs: dm.ts });
    await vi.waitFor(async () => expect((await record(bgId)).acknowledgedBy).toBe('U0ADMIN2'), { timeout: 5000, interval: 20 });
    await h.slack.waitFor('card shows the reviewer', () => (JSON.stringify(h.slack.messages(APPROVALS).find((m) => m.ts === alert.ts)?.blocks ?? []).includes('Acknowledged by <@U0ADMIN2>') ? true : undefined));
    expect((await audit()).some((e) => e.includes('"breakglass.acknowledged"') && e.includes(bgId))).toBe(true);
    // Acknowledged: its review reminder does nothing.
    const review = await followUps.getJob(`breakglass-review-${bgId}`);
    await review!.promote();
    await vi.waitFor(async () => expect(await review!.getState()).toBe('completed'), { timeout: 5000, interval: 20 });
    expect(h.slack.thread(APPROVALS, alert.ts).some((m) => m.text.includes('has not been acknowledged'))).toBe(false);
  });

  it('unacknowledged: one reminder to the admins; Revoke now removes the certificate; no self-extension', async () => {
    // A pending request for the same gateway is replaced (it would otherwise become a second grant).
    const pending = requestIdFrom(String((await h.driver.command({ userId: 'U0BG2', text: 'request hangzhou 1h routine first' })).json?.text))!;
    const answer = await h.driver.command({ userId: 'U0BG2', text: 'breakglass hangzhou dns broken' });
    const requestId = requestIdFrom(String(answer.json?.text))!;
    expect((await record(pending)).status).toBe('cancelled');
    await h.slack.waitFor('profile', () => h.slack.files(h.slack.dmChannelFor('U0BG2'))[0], 15_000);
    await vi.waitFor(async () => expect((await record(requestId)).status).toBe('active'), { timeout: 10_000, interval: 50 });
    const review = await followUps.getJob(`breakglass-review-${requestId}`);
    const created = (await record(requestId)).createdAt;
    expect(review!.timestamp + (review!.opts.delay ?? 0)).toBeGreaterThanOrEqual(created + 4 * 3_600_000 - 1000);
    await review!.promote();
    const alert = h.slack.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(`\`${requestId}\``))!;
    const reminder = await h.slack.waitFor('review reminder', () => h.slack.thread(APPROVALS, alert.ts).find((m) => m.text.includes('has not been acknowledged')));
    expect(reminder.text).toContain('<@U0ADMIN>');
    expect(reminder.text).toContain('<!subteam^S0ADMINS>');

    // Not extendable without approval.
    const extend = await h.driver.command({ userId: 'U0BG2', text: 'extend 1h' });
    expect(String(extend.json?.text)).toContain('sent to the approvers');

    await h.driver.blockAction({ userId: 'U0EVE', actionId: 'vpn_breakglass_revoke', value: requestId, channelId: APPROVALS, messageTs: alert.ts });
    await h.slack.waitFor('outsider refused', () => h.slack.responses().find((r) => String(r.body.text).includes('Only admins (`roles.admins`) can revoke')));
    await h.driver.blockAction({ userId: 'U0ADMIN', actionId: 'vpn_breakglass_revoke', value: requestId, channelId: APPROVALS, messageTs: alert.ts });
    await vi.waitFor(async () => expect((await record(requestId)).status).toBe('revoked'), { timeout: 15_000, interval: 50 });
    const certId = (await record(requestId)).certId;
    expect(h.sim.clientCerts(GATEWAYS[0]!.sslVpnServerId).map((c) => c.sslVpnClientCertId)).not.toContain(certId);
  });

  it('Revoke now before delivery: a queued use is cancelled; one being set up is revoked once active', async () => {
    await lane.pause();
    let queuedId = '';
    let settingUpId = '';
    try {
      const first = await h.driver.command({ userId: 'U0BG3', text: 'breakglass frankfurt queued then revoked' });
      queuedId = requestIdFrom(String(first.json?.text))!;
      const second = await h.driver.command({ userId: 'U0BG4', text: 'breakglass frankfurt revoked while set up' });
      settingUpId = requestIdFrom(String(second.json?.text))!;
      // As if its job had started: provisioning, not yet delivered.
      expect((await new RequestStore(h.redis).transition(settingUpId, 'provisioning', {}, ['approved'])).ok).toBe(true);
      for (const id of [queuedId, settingUpId]) {
        const card = await h.slack.waitFor('alert card', () => h.slack.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(`\`${id}\``)));
        await h.driver.blockAction({ userId: 'U0ADMIN', actionId: 'vpn_breakglass_revoke', value: id, channelId: APPROVALS, messageTs: card.ts });
      }
      await vi.waitFor(async () => expect((await record(queuedId)).status).toBe('cancelled'), { timeout: 5000, interval: 20 });
      await vi.waitFor(async () => expect((await record(settingUpId)).revokeRequestedBy).toBe('U0ADMIN'), { timeout: 5000, interval: 20 });
    } finally {
      await lane.resume();
    }
    await vi.waitFor(async () => expect((await record(settingUpId)).status).toBe('revoked'), { timeout: 40_000, interval: 100 });
    expect((await record(queuedId)).status).toBe('cancelled');
    expect(h.sim.clientCerts(GATEWAYS[1]!.sslVpnServerId).some((c) => c.name.startsWith('oncall3-') || c.name.startsWith('oncall4-'))).toBe(false);
    const dm = await h.slack.waitFor('cancelled DM', () => h.slack.messages(h.slack.dmChannelFor('U0BG3')).find((m) => m.text.includes('cancelled')));
    expect(dm.text).toContain('<@U0ADMIN>');
  }, 60_000);

  it('every copy of the alert (channel card, each admin DM) shows an acknowledgement or a revocation made from any of them; a second click changes nothing', async () => {
    const answer = await h.driver.command({ userId: 'U0BG5', text: 'breakglass hangzhou vpn appliance down' });
    const id = requestIdFrom(String(answer.json?.text))!;
    const blocksOf = (channel: string, ts: string) => JSON.stringify(h.slack.messages(channel).find((m) => m.ts === ts)?.blocks ?? []);
    const alert = await h.slack.waitFor('alert card', () => h.slack.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(`\`${id}\``)));
    // Each DM copy is recorded with the request (refs only).
    await vi.waitFor(async () => expect((await record(id)).alertCopies?.map((c) => c.userId).sort()).toEqual(['U0ADMIN', 'U0ADMIN2']), { timeout: 5000, interval: 20 });
    const copies = (await record(id)).alertCopies!;
    for (const copy of copies) {
      expect(copy.channel).toBe(h.slack.dmChannelFor(copy.userId));
      expect(Object.keys(copy).sort()).toEqual(['channel', 'ts', 'userId']);
      expect(blocksOf(copy.channel, copy.ts)).toContain('vpn_breakglass_ack');
    }
    const mine = copies.find((c) => c.userId === 'U0ADMIN')!;
    const theirs = copies.find((c) => c.userId === 'U0ADMIN2')!;
    const all = [{ channel: APPROVALS, ts: alert.ts }, mine, theirs];

    // Acknowledge from U0ADMIN's DM: the channel card and U0ADMIN2's DM say so, without the Acknowledge button.
    // Slack refuses the first update: the click is answered all the same, and the card job's retry does it.
    h.slack.inject('chat.update', { error: 'internal_error' });
    await h.driver.blockAction({ userId: 'U0ADMIN', actionId: 'vpn_breakglass_ack', value: id, channelId: mine.channel, messageTs: mine.ts });
    await h.slack.waitFor('acknowledged reply', () => h.slack.responses().find((r) => String(r.body.text).includes('your review is recorded')));
    for (const copy of all) {
      await h.slack.waitFor(`${copy.channel} shows the acknowledgement`, () => (blocksOf(copy.channel, copy.ts).includes('Acknowledged by <@U0ADMIN> at <!date^') ? true : undefined));
      expect(blocksOf(copy.channel, copy.ts)).not.toContain('vpn_breakglass_ack');
      expect(blocksOf(copy.channel, copy.ts)).not.toContain('Not yet acknowledged');
    }
    expect(h.slack.callsOf('chat.update').some((c) => c.args.channel === theirs.channel && c.args.ts === theirs.ts)).toBe(true);

    // No review reminder after an acknowledgement from a DM copy.
    const review = await followUps.getJob(`breakglass-review-${id}`);
    await review!.promote();
    await vi.waitFor(async () => expect(await review!.getState()).toBe('completed'), { timeout: 5000, interval: 20 });
    expect(h.slack.thread(APPROVALS, alert.ts).some((m) => m.text.includes('has not been acknowledged'))).toBe(false);
    expect(h.slack.messages(APPROVALS).some((m) => m.text.includes('has not been acknowledged') && m.text.includes(id))).toBe(false);

    // A second Acknowledge, from U0ADMIN2's copy (as if still showing the button): told who and when, nothing changes.
    const before = await record(id);
    const updates = h.slack.callsOf('chat.update').length;
    await h.driver.blockAction({ userId: 'U0ADMIN2', actionId: 'vpn_breakglass_ack', value: id, channelId: theirs.channel, messageTs: theirs.ts });
    const again = await h.slack.waitFor('already acknowledged', () => h.slack.responses().find((r) => String(r.body.text).includes('already acknowledged by <@U0ADMIN> at <!date^')));
    expect(again.body.response_type).toBe('ephemeral');
    expect(again.body.replace_original).toBe(false);
    const after = await record(id);
    expect(after.version).toBe(before.version);
    expect(after.acknowledgedBy).toBe('U0ADMIN');
    expect(after.acknowledgedAt).toBe(before.acknowledgedAt);
    expect(h.slack.callsOf('chat.update').length).toBe(updates);
    expect((await audit()).filter((e) => e.includes('"breakglass.acknowledged"') && e.includes(id))).toHaveLength(1);

    // Revoke now from U0ADMIN2's DM once the grant is active: every copy shows the revocation, with no buttons left.
    await vi.waitFor(async () => expect((await record(id)).status).toBe('active'), { timeout: 20_000, interval: 50 });
    await h.driver.blockAction({ userId: 'U0ADMIN2', actionId: 'vpn_breakglass_revoke', value: id, channelId: theirs.channel, messageTs: theirs.ts });
    await vi.waitFor(async () => expect((await record(id)).status).toBe('revoked'), { timeout: 15_000, interval: 50 });
    for (const copy of all) {
      await h.slack.waitFor(`${copy.channel} shows the revocation`, () => (blocksOf(copy.channel, copy.ts).includes('Access revoked by <@U0ADMIN2>') ? true : undefined));
      expect(blocksOf(copy.channel, copy.ts)).not.toContain('vpn_breakglass_revoke');
      expect(blocksOf(copy.channel, copy.ts)).toContain('Acknowledged by <@U0ADMIN>');
    }
  }, 60_000);
});
