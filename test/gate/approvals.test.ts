// The approval gate (issue 6, items 1–3): extensions approved like requests, per-gateway approvers, N-of-M,
// pending TTL and the approver reminder (durable across a restart), /vpn cancel.
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RequestStore } from '../../src/core/store.js';
import type { AccessRequest } from '../../src/core/requests.js';
import { APPROVALS, auditEntries, GATEWAYS, type Harness, productQueue, startHarness } from '../helpers/harness.js';

const CONFIG = `
slack:
  approvalsChannel: ${APPROVALS}
roles:
  approvers: [U0BOB, S0APPROVERS]
  admins: [U0ADMIN]
approvals:
  required: 1
gateways:
  - name: hangzhou
    regionId: ${GATEWAYS[0]!.regionId}
    vpnGatewayId: ${GATEWAYS[0]!.vpnGatewayId}
    sslVpnServerId: ${GATEWAYS[0]!.sslVpnServerId}
    approvers: [U0BOB, U0CAROL, U0DAN]
    approvalsRequired: 2
  - name: frankfurt
    regionId: ${GATEWAYS[1]!.regionId}
    vpnGatewayId: ${GATEWAYS[1]!.vpnGatewayId}
    sslVpnServerId: ${GATEWAYS[1]!.sslVpnServerId}
    approvers: [U0FRA]
access:
  defaultDuration: 8h
  maxDuration: 30d
  pendingTtl: 1d
  approverReminder: 2h
  selfExtension: 1h
`;

let h: Harness;
let followUps: Queue;

beforeAll(async () => {
  h = await startHarness({ db: 32, updateMs: 100, configText: CONFIG });
  for (const [id, name] of [['U0DAN', 'dan'], ['U0FRA', 'fra']] as const) h.slack.addUser(id, { name });
  followUps = productQueue(h, 'follow-ups');
});
afterAll(async () => {
  await followUps?.close();
  await h?.close();
});

const requestIdFrom = (text: string) => /`(r[a-z0-9]+)`/.exec(text)?.[1];
const store = () => new RequestStore(h.redis);
const record = async (id: string) => (await store().get(id))!;
const cardOf = (ts: string) => h.slack.messages(APPROVALS).find((m) => m.ts === ts);
const cardJson = (ts: string) => JSON.stringify(cardOf(ts)?.blocks ?? []);

async function submit(userId: string, text: string): Promise<{ requestId: string; cardTs: string }> {
  const answer = await h.driver.command({ userId, text });
  const requestId = requestIdFrom(String(answer.json?.text ?? ''));
  if (!requestId) throw new Error(`no request id in ${answer.body}`);
  const card = await h.slack.waitFor(`card for ${requestId}`, () => h.slack.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(`\`${requestId}\``)));
  return { requestId, cardTs: card.ts };
}

const click = (userId: string, actionId: string, requestId: string, cardTs: string) =>
  h.driver.blockAction({ userId, actionId, value: requestId, channelId: APPROVALS, messageTs: cardTs });

async function activeGrant(userId: string, name: string, text: string): Promise<{ requestId: string; cardTs: string }> {
  h.slack.addUser(userId, { name });
  const submitted = await submit(userId, text);
  await click('U0FRA', 'vpn_approve', submitted.requestId, submitted.cardTs);
  await h.slack.waitFor('profile', () => h.slack.files(h.slack.dmChannelFor(userId))[0], 15_000);
  await vi.waitFor(async () => expect((await record(submitted.requestId)).status).toBe('active'), { timeout: 10_000, interval: 50 });
  return submitted;
}

describe('N-of-M approvals and per-gateway approvers', () => {
  it('2 of 3: two clicks by one approver count once, concurrent last clicks approve once, the requester never counts', async () => {
    const { requestId, cardTs } = await submit('U0DAN', 'request hangzhou 2h two approvers please');
    // The requester is one of the gateway's approvers: their click never counts.
    await click('U0DAN', 'vpn_approve', requestId, cardTs);
    await h.slack.waitFor('own request refused', () => h.slack.ephemerals('U0DAN').find((e) => e.text.includes('your own request')));
    await Promise.all([click('U0BOB', 'vpn_approve', requestId, cardTs), click('U0BOB', 'vpn_approve', requestId, cardTs)]);
    await h.slack.waitFor('count on the card', () => (cardJson(cardTs).includes('1 of 2 approvals: <@U0BOB>') ? true : undefined));
    expect(cardJson(cardTs)).toContain('vpn_approve');
    await h.slack.waitFor('second click by the same approver refused', () => h.slack.ephemerals('U0BOB').find((e) => e.text.includes('already approved this request')));
    expect((await record(requestId)).status).toBe('pending');
    expect((await record(requestId)).approvals).toEqual(['U0BOB']);

    // The last two approvers click at once: exactly one of them is the second approval.
    await Promise.all([click('U0CAROL', 'vpn_approve', requestId, cardTs), click('U0BOB', 'vpn_approve', requestId, cardTs)]);
    await h.slack.waitFor('profile', () => h.slack.files(h.slack.dmChannelFor('U0DAN'))[0], 15_000);
    const stored = await record(requestId);
    expect(stored.approvals).toEqual(['U0BOB', 'U0CAROL']);
    expect(h.sim.clientCerts(GATEWAYS[0]!.sslVpnServerId).filter((c) => c.name.startsWith('dan-'))).toHaveLength(1);
    await h.slack.waitFor('card approved by both', () => (cardJson(cardTs).includes('Approved by <@U0BOB>, <@U0CAROL>') && !cardJson(cardTs).includes('vpn_approve') ? true : undefined));
    const audit = (await auditEntries(h)).filter((e) => e.includes(requestId));
    expect(audit.filter((e) => e.includes('"request.approved"'))).toHaveLength(1);
    expect(audit.filter((e) => e.includes('"request.approval-counted"'))).toHaveLength(1);
  });

  it('one Deny ends a request that already has approvals', async () => {
    h.slack.addUser('U0GUS', { name: 'gus' });
    const { requestId, cardTs } = await submit('U0GUS', 'request hangzhou 1h deny after one');
    await click('U0BOB', 'vpn_approve', requestId, cardTs);
    await h.slack.waitFor('counted', () => (cardJson(cardTs).includes('1 of 2 approvals') ? true : undefined));
    await click('U0CAROL', 'vpn_deny', requestId, cardTs);
    await h.slack.waitFor('deny modal', () => h.slack.views('U0CAROL').find((v) => v.view.private_metadata === requestId));
    await h.driver.viewSubmission({ userId: 'U0CAROL', callbackId: 'vpn_deny_modal', privateMetadata: requestId, values: { reason: { value: { type: 'plain_text_input', value: 'not this week' } } } });
    await h.slack.waitFor('denied', () => (cardJson(cardTs).includes('Denied by <@U0CAROL>') && !cardJson(cardTs).includes('vpn_approve') ? true : undefined));
    expect((await record(requestId)).status).toBe('denied');
  });

  it("a gateway's own approvers replace the global list: a global approver is refused", async () => {
    h.slack.addUser('U0HAL', { name: 'hal' });
    const { requestId, cardTs } = await submit('U0HAL', 'request frankfurt 1h only fra decides');
    await click('U0BOB', 'vpn_approve', requestId, cardTs);
    await h.slack.waitFor('global approver refused', () => h.slack.ephemerals('U0BOB').find((e) => e.text.includes('Only the approvers of *frankfurt*')));
    // A member of the global approvers' group is refused as well.
    await click('U0CAROL', 'vpn_approve', requestId, cardTs);
    await h.slack.waitFor('group member refused', () => h.slack.ephemerals('U0CAROL').find((e) => e.text.includes('Only the approvers of *frankfurt*')));
    expect((await record(requestId)).status).toBe('pending');
    await click('U0FRA', 'vpn_approve', requestId, cardTs);
    await h.slack.waitFor('profile', () => h.slack.files(h.slack.dmChannelFor('U0HAL'))[0], 15_000);
  });
});

describe('extensions are approved like requests', () => {
  it('a 1h grant cannot become 30d without an approver; a second extend answers with the pending one', async () => {
    const { requestId } = await activeGrant('U0IKE', 'ike', 'request frankfurt 1h short job');
    const before = await record(requestId);
    const first = await h.driver.command({ userId: 'U0IKE', text: 'extend 4w' });
    expect(String(first.json?.text)).toContain('sent to the approvers');
    const extensionId = /Extension request `(r[a-z0-9]+)`/.exec(String(first.json?.text))![1]!;
    const again = await h.driver.command({ userId: 'U0IKE', text: 'extend 30d' });
    expect(String(again.json?.text)).toContain(`You already asked to extend \`${requestId}\`: request \`${extensionId}\``);
    // Nothing moved, and only one extension card was posted.
    expect((await record(requestId)).expiresAt).toBe(before.expiresAt);
    const card = await h.slack.waitFor('extension card', () => h.slack.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(`\`${extensionId}\``)));
    expect(JSON.stringify(card.blocks)).toContain(`\`${requestId}\` by 4w`);
    expect(JSON.stringify(card.blocks)).toContain('approved total 1h');
    expect(h.slack.messages(APPROVALS).filter((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes('VPN extension request') && JSON.stringify(m.blocks ?? []).includes(requestId))).toHaveLength(1);
    const list = await h.driver.command({ userId: 'U0IKE', text: 'list' });
    expect(String(list.json?.text)).toContain(' 1h: active');

    // The holder cannot approve it; a global approver is not this gateway's approver.
    await click('U0IKE', 'vpn_approve', extensionId, card.ts);
    await click('U0BOB', 'vpn_approve', extensionId, card.ts);
    await h.slack.waitFor('refused', () => h.slack.ephemerals('U0BOB').find((e) => e.text.includes('Only the approvers of *frankfurt*')));
    expect((await record(requestId)).expiresAt).toBe(before.expiresAt);

    await click('U0FRA', 'vpn_approve', extensionId, card.ts);
    const dm = await h.slack.waitFor('approved DM', () => h.slack.messages(h.slack.dmChannelFor('U0IKE')).find((m) => m.text.includes(`\`${extensionId}\``) && m.text.includes('was approved')));
    const after = await record(requestId);
    expect(after.expiresAt).toBe(before.expiresAt! + 28 * 86_400_000);
    expect(after.extendedMs).toBe(28 * 86_400_000);
    expect(after.pendingExtensionId).toBeUndefined();
    expect(dm.text).toContain('approved total');
    expect((await record(extensionId)).status).toBe('applied');
    const listed = await h.driver.command({ userId: 'U0IKE', text: 'list' });
    expect(String(listed.json?.text)).toMatch(/approved total 673h \(1h \+ 4w extended\)/);
    await h.driver.event({ type: 'app_home_opened', user: 'U0IKE', channel: h.slack.dmChannelFor('U0IKE'), tab: 'home' });
    await h.slack.waitFor('home shows the approved total', () => h.slack.views('U0IKE').find((v) => JSON.stringify(v.view.blocks ?? []).includes('approved total 673h (1h + 4w extended)')));
    await h.slack.waitFor('grant card shows the approved total', () => (cardJson(before.card!.ts).includes('approved total 673h') ? true : undefined));
    await h.slack.waitFor('extension card updated', () => (JSON.stringify(cardOf(card.ts)?.blocks ?? []).includes('access now ends') && !JSON.stringify(cardOf(card.ts)?.blocks ?? []).includes('vpn_approve') ? true : undefined));
    // Total length from delivery never exceeds access.maxDuration: 30d more is cut to the maximum.
    const second = await h.driver.command({ userId: 'U0IKE', text: 'extend 30d' });
    const secondId = /Extension request `(r[a-z0-9]+)`/.exec(String(second.json?.text))![1]!;
    const secondCard = await h.slack.waitFor('second extension card', () => h.slack.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(`\`${secondId}\``)));
    await click('U0FRA', 'vpn_approve', secondId, secondCard.ts);
    await vi.waitFor(async () => expect((await record(secondId)).status).toBe('applied'), { timeout: 5000, interval: 50 });
    const capped = await record(requestId);
    expect(capped.expiresAt).toBe(capped.deliveredAt! + 30 * 86_400_000);
    // At the maximum: nothing more to ask for.
    const more = await h.driver.command({ userId: 'U0IKE', text: 'extend 1h' });
    expect(String(more.json?.text)).toContain('maximum of 30d');
  });

  it('a denied extension tells the holder, who keeps the current expiry', async () => {
    const { requestId } = await activeGrant('U0JAY', 'jay', 'request frankfurt 1h another job');
    const before = await record(requestId);
    const asked = await h.driver.command({ userId: 'U0JAY', text: 'extend frankfurt 4h' });
    const extensionId = /Extension request `(r[a-z0-9]+)`/.exec(String(asked.json?.text))![1]!;
    const card = await h.slack.waitFor('extension card', () => h.slack.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(`\`${extensionId}\``)));
    await click('U0FRA', 'vpn_deny', extensionId, card.ts);
    await h.slack.waitFor('deny modal', () => h.slack.views('U0FRA').find((v) => v.view.private_metadata === extensionId));
    await h.driver.viewSubmission({ userId: 'U0FRA', callbackId: 'vpn_deny_modal', privateMetadata: extensionId, values: { reason: { value: { type: 'plain_text_input', value: 'finish tomorrow' } } } });
    const dm = await h.slack.waitFor('denial DM', () => h.slack.messages(h.slack.dmChannelFor('U0JAY')).find((m) => m.text.includes(extensionId) && m.text.includes('denied')));
    expect(dm.text).toContain('your access still ends');
    expect(dm.text).toContain('finish tomorrow');
    const after = await record(requestId);
    expect(after.expiresAt).toBe(before.expiresAt);
    expect(after.pendingExtensionId).toBeUndefined();
    // A new extend may be asked after the denial.
    const next = await h.driver.command({ userId: 'U0JAY', text: 'extend 2h' });
    expect(String(next.json?.text)).toContain('sent to the approvers');
  });

  it('access.selfExtension is a total over all extensions of a grant; beyond it, approvers decide', async () => {
    const { requestId } = await activeGrant('U0MAX', 'max', 'request frankfurt 1h self service');
    const before = await record(requestId);
    for (const step of [1, 2]) {
      const answer = await h.driver.command({ userId: 'U0MAX', text: 'extend 30m' });
      expect(String(answer.json?.text), `step ${step}`).toContain('now lasts until');
      expect((await record(requestId)).expiresAt).toBe(before.expiresAt! + step * 30 * 60_000);
    }
    const beyond = await h.driver.command({ userId: 'U0MAX', text: 'extend 30m' });
    expect(String(beyond.json?.text)).toContain('sent to the approvers');
    const after = await record(requestId);
    expect(after.expiresAt).toBe(before.expiresAt! + 3_600_000);
    expect(after.selfExtendedMs).toBe(3_600_000);
    expect(String((await h.driver.command({ userId: 'U0MAX', text: 'list' })).json?.text)).toContain('approved total 2h (1h + 1h extended)');
  });
});

describe('pending requests end', () => {
  it('the reminder and the TTL survive a restart (jobs lost meanwhile are scheduled again)', async () => {
    h.slack.addUser('U0KIM', { name: 'kim' });
    const { requestId, cardTs } = await submit('U0KIM', 'request hangzhou 1h waiting a while');
    await vi.waitFor(async () => expect(await followUps.getJob(`pending-ttl-${requestId}`)).toBeDefined(), { timeout: 5000, interval: 20 });
    const ttl = (await followUps.getJob(`pending-ttl-${requestId}`))!;
    const created = (await record(requestId)).createdAt;
    expect(ttl.timestamp + (ttl.opts.delay ?? 0)).toBeGreaterThanOrEqual(created + 86_400_000 - 1000);
    const reminder = (await followUps.getJob(`approver-reminder-${requestId}`))!;
    expect(reminder.timestamp + (reminder.opts.delay ?? 0)).toBeGreaterThanOrEqual(created + 2 * 3_600_000 - 1000);
    await click('U0BOB', 'vpn_approve', requestId, cardTs);
    await h.slack.waitFor('counted', () => (cardJson(cardTs).includes('1 of 2 approvals') ? true : undefined));

    // A crash that loses both jobs: the restart schedules them again, at the same times.
    await h.restart(async () => {
      await ttl.remove();
      await reminder.remove();
    });
    const ttlAgain = await vi.waitFor(async () => {
      const job = await followUps.getJob(`pending-ttl-${requestId}`);
      expect(job).toBeDefined();
      return job!;
    }, { timeout: 10_000, interval: 50 });
    const reminderAgain = await vi.waitFor(async () => {
      const job = await followUps.getJob(`approver-reminder-${requestId}`);
      expect(job).toBeDefined();
      return job!;
    }, { timeout: 10_000, interval: 50 });
    expect(ttlAgain.timestamp + (ttlAgain.opts.delay ?? 0)).toBeGreaterThanOrEqual(created + 86_400_000 - 1000);

    // Two hours pass: once, a reply in the thread mentions who can still decide (not the approver who did).
    await reminderAgain.promote();
    const note = await h.slack.waitFor('reminder in the thread', () => h.slack.thread(APPROVALS, cardTs).find((m) => m.text.includes('still waiting for a decision')));
    expect(note.text).toContain('<@U0CAROL>');
    expect(note.text).toContain('<@U0DAN>');
    expect(note.text).not.toContain('<@U0BOB>');

    // A day passes: the request lapses; the card loses its buttons and the requester is told.
    await ttlAgain.promote();
    await h.slack.waitFor('card expired', () => (cardJson(cardTs).includes('Expired after 1d without a decision') && !cardJson(cardTs).includes('vpn_approve') ? true : undefined));
    const dm = await h.slack.waitFor('requester told', () => h.slack.messages(h.slack.dmChannelFor('U0KIM')).find((m) => m.text.includes('expired after 1d without a decision')));
    expect(dm.text).toContain(requestId);
    expect((await record(requestId)).status).toBe('lapsed');
    expect(h.slack.thread(APPROVALS, cardTs).filter((m) => m.text.includes('still waiting for a decision'))).toHaveLength(1);
    // A late click is refused.
    await click('U0CAROL', 'vpn_approve', requestId, cardTs);
    await h.slack.waitFor('late click refused', () => h.slack.ephemerals('U0CAROL').find((e) => e.text.includes('expired without a decision')));
  });

  it('a crash after the card was posted but before it was recorded does not post a second card', async () => {
    h.slack.addUser('U0NIA', { name: 'nia' });
    const { requestId, cardTs } = await submit('U0NIA', 'request hangzhou 1h crash window');
    await vi.waitFor(async () => expect((await record(requestId)).card?.ts).toBe(cardTs), { timeout: 5000, interval: 20 });
    // While down, the record loses its card reference, as if the process died right after chat.postMessage.
    await h.restart(async () => {
      const moved = await store().update(requestId, { card: undefined });
      expect(moved.ok && moved.request.card).toBe(undefined);
    });
    await vi.waitFor(async () => expect((await record(requestId)).card?.ts).toBe(cardTs), { timeout: 10_000, interval: 50 });
    expect(h.slack.messages(APPROVALS).filter((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(`\`${requestId}\``))).toHaveLength(1);
  });

  it('/vpn cancel cancels the caller\'s own pending request; the card says who', async () => {
    h.slack.addUser('U0LEE', { name: 'lee' });
    const { requestId, cardTs } = await submit('U0LEE', 'request hangzhou 1h changed my mind');
    const other = await h.driver.command({ userId: 'U0EVE', text: `cancel ${requestId}` });
    expect(String(other.json?.text)).toContain('no pending request');
    const cancelled = await h.driver.command({ userId: 'U0LEE', text: 'cancel' });
    expect(String(cancelled.json?.text)).toContain(`Cancelled your pending request \`${requestId}\``);
    await h.slack.waitFor('card says who', () => (cardJson(cardTs).includes('Cancelled by <@U0LEE> (the requester)') && !cardJson(cardTs).includes('vpn_approve') ? true : undefined));
    expect((await record(requestId)).status).toBe('cancelled');
    const nothing = await h.driver.command({ userId: 'U0LEE', text: 'cancel' });
    expect(String(nothing.json?.text)).toContain('no pending request');
    const bad = await h.driver.command({ userId: 'U0LEE', text: 'cancel everything now' });
    expect(String(bad.json?.text)).toContain('Usage: `/vpn cancel');
  });
});

export type { AccessRequest };
