// Approvals under pressure and denials: one decision wins, lanes serialise changes per gateway,
// refusals are private, bad input gets a helpful answer.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVALS, GATEWAYS, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ db: 10, updateMs: 150 });
});
afterAll(async () => {
  await h?.close();
});

const requestIdFrom = (text: string) => /`(r[a-z0-9]+)`/.exec(text)?.[1];

async function submit(userId: string, text: string): Promise<{ requestId: string; cardTs: string }> {
  const answer = await h.driver.command({ userId, text });
  const requestId = requestIdFrom(String(answer.json?.text ?? ''));
  if (!requestId) throw new Error(`no request id in ${answer.body}`);
  const card = await h.slack.waitFor(`card for ${requestId}`, () =>
    h.slack.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(requestId)));
  return { requestId, cardTs: card.ts };
}

describe('decisions', () => {
  it('two approvers clicking at once produce one approval and one certificate', async () => {
    h.slack.addUser('U0DAVE', { name: 'dave' });
    const { requestId, cardTs } = await submit('U0DAVE', 'request frankfurt 2h debug the eu cluster');
    const clicks = await Promise.all([
      h.driver.blockAction({ userId: 'U0BOB', actionId: 'vpn_approve', value: requestId, channelId: APPROVALS, messageTs: cardTs }),
      h.driver.blockAction({ userId: 'U0CAROL', actionId: 'vpn_approve', value: requestId, channelId: APPROVALS, messageTs: cardTs }),
    ]);
    expect(clicks.map((c) => c.status)).toEqual([200, 200]);
    await h.slack.waitFor('profile', () => h.slack.files(h.slack.dmChannelFor('U0DAVE'))[0], 10_000);
    const refused = await h.slack.waitFor('loser told', () =>
      [...h.slack.ephemerals('U0BOB'), ...h.slack.ephemerals('U0CAROL')].find((e) => e.text.includes('already approved')));
    expect(refused.text).toMatch(/already approved by <@U0(BOB|CAROL)>/);
    expect(h.sim.clientCerts(GATEWAYS[1]!.sslVpnServerId)).toHaveLength(1);
    const approvals = (await h.redis.xrange('{vpnbot}:audit', '-', '+')).filter(([, f]) => f[1]?.includes('request.approved') && f[1].includes(requestId));
    expect(approvals).toHaveLength(1);
  });

  it('a burst of approvals on one gateway never collides on the gateway', async () => {
    const users = ['U0B1', 'U0B2', 'U0B3', 'U0B4', 'U0B5'];
    for (const [i, u] of users.entries()) h.slack.addUser(u, { name: `burst${i}` });
    const submitted = await Promise.all(users.map((u) => submit(u, `request hangzhou 1h burst test ${u}`)));
    const before = h.sim.configuringRejections();
    await Promise.all(submitted.map((s) => h.driver.blockAction({ userId: 'U0BOB', actionId: 'vpn_approve', value: s.requestId, channelId: APPROVALS, messageTs: s.cardTs })));
    for (const u of users) await h.slack.waitFor(`profile for ${u}`, () => h.slack.files(h.slack.dmChannelFor(u))[0], 20_000);
    expect(h.sim.configuringRejections() - before).toBe(0);
    const names = h.sim.clientCerts(GATEWAYS[0]!.sslVpnServerId).map((c) => c.name);
    for (const [i] of users.entries()) expect(names.filter((n) => n.startsWith(`burst${i}-`))).toHaveLength(1);
  });

  it('deny opens a reason modal, updates the card and tells the requester why', async () => {
    h.slack.addUser('U0FRED', { name: 'fred' });
    const { requestId, cardTs } = await submit('U0FRED', 'request hangzhou 1d look around');
    // Only an approver gets the modal.
    await h.driver.blockAction({ userId: 'U0EVE', actionId: 'vpn_deny', value: requestId, channelId: APPROVALS, messageTs: cardTs });
    await h.slack.waitFor('outsider refused', () => h.slack.ephemerals('U0EVE').find((e) => e.text.includes('Only approvers') && e.text.length > 0));
    expect(h.slack.views('U0EVE').filter((v) => v.kind === 'modal')).toHaveLength(0);

    await h.driver.blockAction({ userId: 'U0CAROL', actionId: 'vpn_deny', value: requestId, channelId: APPROVALS, messageTs: cardTs });
    await h.slack.waitFor('deny modal', () => h.slack.views('U0CAROL').find((v) => v.view.callback_id === 'vpn_deny_modal'));
    const empty = await h.driver.viewSubmission({ userId: 'U0CAROL', callbackId: 'vpn_deny_modal', privateMetadata: requestId, values: { reason: { value: { type: 'plain_text_input', value: '' } } } });
    expect(empty.json?.response_action).toBe('errors');
    const ok = await h.driver.viewSubmission({ userId: 'U0CAROL', callbackId: 'vpn_deny_modal', privateMetadata: requestId, values: { reason: { value: { type: 'plain_text_input', value: 'not during the freeze' } } } });
    expect(ok.status).toBe(200);
    expect(ok.body).toBe('');

    const dm = await h.slack.waitFor('denial DM', () => h.slack.messages(h.slack.dmChannelFor('U0FRED')).find((m) => m.text.includes('denied')));
    expect(dm.text).toContain('not during the freeze');
    expect(dm.text).toContain('<@U0CAROL>');
    await h.slack.waitFor('card shows denial', () => {
      const card = h.slack.messages(APPROVALS).find((m) => m.ts === cardTs);
      const json = JSON.stringify(card?.blocks ?? []);
      return json.includes('Denied by <@U0CAROL>') && !json.includes('vpn_approve') ? card : undefined;
    });
    // Approving after the denial is refused privately.
    await h.driver.blockAction({ userId: 'U0BOB', actionId: 'vpn_approve', value: requestId, channelId: APPROVALS, messageTs: cardTs });
    await h.slack.waitFor('late approve refused', () => h.slack.ephemerals('U0BOB').find((e) => e.text.includes('already denied')));
    expect(h.sim.clientCerts().some((c) => c.name.startsWith('fred-'))).toBe(false);
  });

  it('answers malformed commands with usage, never an error', async () => {
    const cases: [string, RegExp][] = [
      ['request', /./], // opens a modal: acked with an empty body
      ['request hangzhou 1d', /say why/],
      ['request 45d too long please', /at most 30d/],
      ['request 3x need it', /not a duration/],
      ['request nowhere-gw 1d reason here', /Which gateway/],
      ['frobnicate', /don't know/],
      ['help', /\/vpn request/],
    ];
    for (const [text, expected] of cases) {
      const answer = await h.driver.command({ userId: 'U0EVE', text });
      expect(answer.status, text).toBe(200);
      if (text === 'request') expect(answer.body).toBe('');
      else expect(String(answer.json?.text ?? answer.body), text).toMatch(expected);
    }
    await h.slack.waitFor('request modal', () => h.slack.views('U0EVE').find((v) => v.view.callback_id === 'vpn_request_modal'));
  });

  it('a request can be made from the modal', async () => {
    h.slack.addUser('U0GINA', { name: 'gina' });
    await h.driver.command({ userId: 'U0GINA', text: '' });
    await h.slack.waitFor('modal', () => h.slack.views('U0GINA').find((v) => v.view.callback_id === 'vpn_request_modal'));
    const bad = await h.driver.viewSubmission({ userId: 'U0GINA', callbackId: 'vpn_request_modal', values: {
      gateway: { value: { type: 'static_select', selected_option: { value: 'hangzhou' } } },
      duration: { value: { type: 'plain_text_input', value: '99d' } },
      reason: { value: { type: 'plain_text_input', value: 'on-call' } },
    } });
    expect(bad.json?.errors?.duration).toMatch(/at most 30d/);
    // A short reason is shown on the reason field (the usage in its text once pulled it onto duration).
    const short = await h.driver.viewSubmission({ userId: 'U0GINA', callbackId: 'vpn_request_modal', values: {
      gateway: { value: { type: 'static_select', selected_option: { value: 'hangzhou' } } },
      duration: { value: { type: 'plain_text_input', value: '4h' } },
      reason: { value: { type: 'plain_text_input', value: 'x' } },
    } });
    expect(short.json?.errors).toEqual({ reason: expect.stringContaining('Please say why you need access') });
    const good = await h.driver.viewSubmission({ userId: 'U0GINA', callbackId: 'vpn_request_modal', values: {
      gateway: { value: { type: 'static_select', selected_option: { value: 'hangzhou' } } },
      duration: { value: { type: 'plain_text_input', value: '4h' } },
      reason: { value: { type: 'plain_text_input', value: 'on-call' } },
    } });
    expect(good.status).toBe(200);
    await h.slack.waitFor('card', () => h.slack.messages(APPROVALS).find((m) => JSON.stringify(m.blocks ?? []).includes('<@U0GINA>')));
    const again = await h.driver.command({ userId: 'U0GINA', text: 'request hangzhou 1h again' });
    expect(again.json?.text).toContain('already have a pending request');
  });

  it('rejects unsigned and stale requests', async () => {
    const body = 'command=%2Fvpn&text=help&user_id=U0EVE&team_id=T0001';
    const unsigned = await h.driver.raw(body, { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(Math.floor(Date.now() / 1000)), 'x-slack-signature': 'v0=deadbeef' });
    expect(unsigned.status).toBe(401);
    const old = Math.floor(Date.now() / 1000) - 301;
    const stale = await h.driver.raw(body, { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': String(old), 'x-slack-signature': h.driver.sign(body, old).signature });
    expect(stale.status).toBe(401);
  });
});

describe('failures', () => {
  it('a permanent cloud error fails the request with advice, tells the requester and the admins', async () => {
    h.slack.addUser('U0HANK', { name: 'hank' });
    const { requestId, cardTs } = await submit('U0HANK', 'request frankfurt 1h quota test');
    h.sim.inject({ action: 'CreateSslVpnClientCert', code: 'Resource.QuotaFull', status: 400, message: 'The quota of resource is full' });
    await h.driver.blockAction({ userId: 'U0BOB', actionId: 'vpn_approve', value: requestId, channelId: APPROVALS, messageTs: cardTs });
    const dm = await h.slack.waitFor('failure DM', () => h.slack.messages(h.slack.dmChannelFor('U0HANK')).find((m) => m.text.includes('could not set up')), 10_000);
    expect(dm.text).toContain('Resource.QuotaFull');
    expect(dm.text).toContain('Quota Center');
    expect(dm.text).not.toMatch(/https?:\/\/127/);
    await h.slack.waitFor('thread failure note', () => h.slack.thread(APPROVALS, cardTs).find((m) => m.text.includes('Provisioning failed')));
    await h.slack.waitFor('admin notice', () => h.slack.messages(APPROVALS).find((m) => !m.threadTs && m.text.includes(requestId) && m.text.includes('failed')));
    await h.slack.waitFor('card shows failure', () => JSON.stringify(h.slack.messages(APPROVALS).find((m) => m.ts === cardTs)?.blocks ?? []).includes('Failed'));
    const stored = await h.redis.hget(`{vpnbot}:req:${requestId}`, 'status');
    expect(stored).toBe('failed');
    expect(h.slack.files(h.slack.dmChannelFor('U0HANK'))).toHaveLength(0);
  });

  it('throttling and a lost answer to the create are retried with the same ClientToken: one certificate', async () => {
    h.slack.addUser('U0IVY', { name: 'ivy' });
    const { requestId, cardTs } = await submit('U0IVY', 'request frankfurt 1h flaky network');
    h.sim.inject({ action: 'DescribeVpnGateway', code: 'Throttling.User', status: 400, times: 2 });
    h.sim.inject({ action: 'CreateSslVpnClientCert', mode: 'drop' });
    await h.driver.blockAction({ userId: 'U0BOB', actionId: 'vpn_approve', value: requestId, channelId: APPROVALS, messageTs: cardTs });
    await h.slack.waitFor('profile', () => h.slack.files(h.slack.dmChannelFor('U0IVY'))[0], 20_000);
    expect(h.sim.clientCerts().filter((c) => c.name.startsWith('ivy-'))).toHaveLength(1);
    const creates = h.sim.callsOf('CreateSslVpnClientCert').filter((c) => c.params.Name?.startsWith('ivy-'));
    expect(creates.length).toBeGreaterThanOrEqual(2);
    const tokens = new Set(creates.map((c) => c.params.ClientToken));
    expect(tokens).toEqual(new Set([`vpnbot-create-${requestId}`]));
  });
});
