// The App Home tab end to end: signed `app_home_opened` events into the real bot, real Redis and BullMQ
// lanes, the Alibaba Cloud simulator, and the fake Slack recording views.publish.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RequestStore } from '../../src/core/store.js';
import type { FakeView } from '../../src/sim/slack/index.js';
import { APPROVALS, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;

const requestIdFrom = (text: string) => /`(r[a-z0-9]+)`/.exec(text)?.[1];
const status = (requestId: string) => h.redis.hget(`{vpnbot}:req:${requestId}`, 'status');
const homeOf = (userId: string) => h.slack.views(userId).find((v) => v.kind === 'home');
const json = (view: FakeView | undefined) => JSON.stringify(view?.view.blocks ?? []);

interface Button { action_id: string; value: string }
function buttons(view: FakeView | undefined): Button[] {
  const out: Button[] = [];
  for (const block of (view?.view.blocks ?? []) as { elements?: unknown[]; accessory?: unknown }[]) {
    for (const el of [...(block.elements ?? []), ...(block.accessory ? [block.accessory] : [])] as { type?: string; action_id?: string; value?: string }[]) {
      if (el.type === 'button' && el.action_id && el.value) out.push({ action_id: el.action_id, value: el.value });
    }
  }
  return out;
}

async function submit(userId: string, text: string): Promise<string> {
  const answer = await h.driver.command({ userId, text });
  const requestId = requestIdFrom(String(answer.json?.text ?? ''));
  if (!requestId) throw new Error(`no request id in ${answer.body}`);
  await h.slack.waitFor(`card for ${requestId}`, () => h.slack.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(requestId)));
  return requestId;
}

/** Opens the user's home tab and waits for a new publish that is complete (not "Checking the gateways…"). */
async function openHome(userId: string): Promise<FakeView> {
  const before = homeOf(userId)?.view.hash;
  const answer = await h.driver.event({ type: 'app_home_opened', user: userId, channel: h.slack.dmChannelFor(userId), tab: 'home' });
  expect(answer.status).toBe(200);
  return h.slack.waitFor(`home of ${userId}`, () => {
    const view = homeOf(userId);
    return view && view.view.hash !== before && !json(view).includes('Checking the gateways') ? view : undefined;
  }, 10_000);
}

let aliceRequest: string;
let bobRequest: string;

beforeAll(async () => {
  h = await startHarness({ db: 6, updateMs: 100 });
  aliceRequest = await submit('U0ALICE', 'request hangzhou 1d home tab tests');
  bobRequest = await submit('U0BOB', 'request frankfurt 4h my own request');
}, 60_000);
afterAll(async () => {
  await h?.close();
});

describe('App Home', () => {
  it('shows a requester their request, with status, gateway and a cancel button; no approver or admin sections', async () => {
    const home = await openHome('U0ALICE');
    expect(home.view.type).toBe('home');
    expect(home.view.callback_id).toBe('vpn_home');
    const text = json(home);
    expect(text).toContain('My access');
    expect(text).toContain(aliceRequest);
    expect(text).toContain('*hangzhou*');
    expect(text).toContain('Waiting for an approver');
    expect(buttons(home)).toEqual([{ action_id: 'vpn_done', value: aliceRequest }]);
    expect(text).not.toContain('Waiting on you');
    expect(text).not.toContain('Gateway health');
    expect(text).not.toContain(bobRequest);
  });

  it('a plain user with nothing sees only an empty "My access"', async () => {
    const text = json(await openHome('U0EVE'));
    expect(text).toContain('no VPN access or open requests');
    expect(text).not.toContain('Waiting on you');
    expect(text).not.toContain('Gateway health');
    expect(text).not.toContain('vpn_approve');
  });

  it('ignores the messages tab', async () => {
    const answer = await h.driver.event({ type: 'app_home_opened', user: 'U0CAROL', channel: 'D0CAROL', tab: 'messages' });
    expect(answer.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(homeOf('U0CAROL')).toBeUndefined();
  });

  it('shows an approver the pending requests of others (not their own) with Approve / Deny', async () => {
    const home = await openHome('U0BOB');
    const text = json(home);
    expect(text).toContain('Waiting on you');
    expect(text).toContain('<@U0ALICE>');
    const bs = buttons(home);
    expect(bs).toContainEqual({ action_id: 'vpn_approve', value: aliceRequest });
    expect(bs).toContainEqual({ action_id: 'vpn_deny', value: aliceRequest });
    // Bob's own request is in his "My access", never among the ones he may decide.
    expect(bs).not.toContainEqual({ action_id: 'vpn_approve', value: bobRequest });
    expect(bs).toContainEqual({ action_id: 'vpn_done', value: bobRequest });
    expect(text).not.toContain('Gateway health');

    // An approver through a user group sees both.
    const carol = buttons(await openHome('U0CAROL'));
    expect(carol).toContainEqual({ action_id: 'vpn_approve', value: aliceRequest });
    expect(carol).toContainEqual({ action_id: 'vpn_approve', value: bobRequest });
  });

  it('Approve clicked in the home view provisions the request and refreshes the home', async () => {
    const home = homeOf('U0BOB')!;
    const answer = await h.driver.blockAction({ userId: 'U0BOB', actionId: 'vpn_approve', value: aliceRequest, viewId: home.id });
    expect(answer.status).toBe(200);
    const profile = await h.slack.waitFor('profile in the DM', () => h.slack.files(h.slack.dmChannelFor('U0ALICE'))[0], 20_000);
    expect(profile.filename).toMatch(/\.ovpn$/);
    await vi.waitFor(async () => expect(await status(aliceRequest)).toBe('active'), { timeout: 10_000, interval: 50 });
    // The approver's home no longer offers the decided request.
    await h.slack.waitFor('refreshed approver home', () => (buttons(homeOf('U0BOB')).some((b) => b.value === aliceRequest) ? undefined : true), 10_000);

    // The requester's home shows the grant, its expiry and an End access button.
    const alice = await openHome('U0ALICE');
    expect(json(alice)).toMatch(/Active until <!date\^\d+\^/);
    // End access, and Send my profile again (/vpn resend) under the active grant.
    expect(buttons(alice)).toEqual([{ action_id: 'vpn_done', value: aliceRequest }, { action_id: 'vpn_resend', value: aliceRequest }]);
  });

  it('End access clicked in the home view revokes the grant', async () => {
    const home = homeOf('U0ALICE')!;
    await h.driver.blockAction({ userId: 'U0ALICE', actionId: 'vpn_done', value: aliceRequest, viewId: home.id });
    await vi.waitFor(async () => expect(await status(aliceRequest)).toBe('revoked'), { timeout: 15_000, interval: 50 });
    const after = await openHome('U0ALICE');
    expect(json(after)).not.toContain(aliceRequest);
  });

  it('shows an admin the health of both gateways (state, connections, queue, active grants)', async () => {
    const home = await openHome('U0ADMIN');
    const text = json(home);
    expect(text).toContain('Gateway health');
    for (const gw of ['hangzhou', 'frankfurt']) {
      const line = (home.view.blocks as { text?: { text?: string } }[]).map((b) => b.text?.text ?? '').find((t) => t.includes(`*${gw}*`));
      expect(line, gw).toMatch(/`active`/i);
      expect(line, gw).toMatch(/\d+\/50 SSL connections/);
      expect(line, gw).toMatch(/queue \d+/);
      expect(line, gw).toMatch(/\d+ active grants?/);
    }
    // U0ADMIN is not an approver.
    expect(text).not.toContain('Waiting on you');
  });

  it('an admin sees a cloud failure as a short line, not an error', async () => {
    h.sim.inject({ action: 'DescribeVpnGateway', code: 'Forbidden.RAM', status: 403, message: 'not allowed', times: 4 });
    const text = json(await openHome('U0ADMIN'));
    expect(text).toContain('state unknown');
    expect(text).toContain('Forbidden.RAM');
    expect(text).not.toMatch(/https?:\/\/127|Error:/);
  });

  it('caps long lists with "…and N more" and stays under 100 blocks beside 10,000 other grants', async () => {
    const store = new RequestStore(h.redis);
    const now = Date.now();
    const base = { durationMs: 3_600_000, reason: 'load', createdAt: now, updatedAt: now };
    for (let i = 0; i < 40; i++) {
      await store.create({ ...base, id: `rpend${String(i).padStart(6, '0')}`, requesterId: `U0LOAD${i}`, gateway: 'hangzhou', status: 'pending' });
    }
    for (let batch = 0; batch < 20; batch++) {
      await Promise.all(Array.from({ length: 500 }, (_, j) => {
        const i = batch * 500 + j;
        return store.create({ ...base, id: `rgrant${String(i).padStart(6, '0')}`, requesterId: `U0MANY${i % 2000}`, gateway: i % 2 ? 'hangzhou' : 'frankfurt', status: 'active', deliveredAt: now, expiresAt: now + 20 * 86_400_000 });
      }));
    }
    expect(await store.countByStatus('active')).toBeGreaterThanOrEqual(10_000);

    const carol = await openHome('U0CAROL');
    expect((carol.view.blocks as unknown[]).length).toBeLessThanOrEqual(100);
    expect(json(carol)).toMatch(/…and \d+ more/);

    // A user with few grants: their home reads their own index only (its speed is measured in bench/scale.ts).
    const eve = await openHome('U0EVE');
    expect(json(eve)).toContain('no VPN access');
  }, 60_000);
});
