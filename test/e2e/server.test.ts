// `/vpn admin server show|set` and `/vpn admin reconcile` end to end: signed slash commands and button clicks
// into the real bot, real Redis and BullMQ lanes, pop-core against the Alibaba Cloud simulator, fake Slack.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { VpcClient } from '../../src/api/vpc.js';
import { AuditLog } from '../../src/core/audit.js';
import { ACCESS_KEY, APPROVALS, GATEWAYS, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
let audit: AuditLog;
let vpc: VpcClient;
const [HZ, FRA] = [GATEWAYS[0]!, GATEWAYS[1]!];

const proposalIdFrom = (text: string) => /`(s[a-z0-9]{8,24})`/.exec(text)?.[1];
const requestIdFrom = (text: string) => /`(r[a-z0-9]+)`/.exec(text)?.[1];
const proposal = async (id: string) => JSON.parse((await h.redis.hget(`{vpnbot}:server-change:${id}`, 'json')) ?? 'null') as { status: string; cloudRequestId?: string; decidedBy?: string } | null;
const server = async (gw: typeof HZ) => (await vpc.describeSslVpnServers(gw.regionId, { sslVpnServerId: gw.sslVpnServerId }))[0]!;
const auditOf = async (filter: (e: Awaited<ReturnType<AuditLog['list']>>[number]) => boolean) => (await audit.list()).filter(filter);

async function command(userId: string, text: string): Promise<string> {
  const answer = await h.driver.command({ userId, text });
  expect(answer.status, text).toBe(200);
  expect(answer.json?.response_type, text).toBe('ephemeral');
  return String(answer.json?.text ?? answer.body);
}

/** A slow admin command: acked "Working on it…", answered through the response_url. */
async function slow(text: string, userId = 'U0ADMIN'): Promise<string> {
  const before = h.slack.responses().length;
  expect(await command(userId, text), text).toContain('Working on it');
  const reply = await h.slack.waitFor(`reply to ${text}`, () => h.slack.responses().slice(before).find((r) => !String(r.body.text).includes('Working on it')), 15_000);
  expect(reply.body.response_type).toBe('ephemeral');
  return String(reply.body.text);
}

/** Proposes a change as U0ADMIN; returns the proposal id and its card. */
async function propose(text: string): Promise<{ id: string; cardTs: string; reply: string }> {
  const reply = await slow(`admin server set ${text}`);
  const id = proposalIdFrom(reply);
  if (!id) throw new Error(`no proposal id in ${reply}`);
  const card = await h.slack.waitFor(`card for ${id}`, () => h.slack.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(id)));
  return { id, cardTs: card.ts, reply };
}

const click = (userId: string, action: 'approve' | 'reject', id: string, cardTs: string) =>
  h.driver.blockAction({ userId, actionId: `vpn_server_${action}`, value: id, channelId: APPROVALS, messageTs: cardTs });

const thread = (cardTs: string) => h.slack.thread(APPROVALS, cardTs).map((m) => m.text).join('\n');
const card = (cardTs: string) => h.slack.messages(APPROVALS).find((m) => m.ts === cardTs)!;

/** Samples a gateway's status in the sim while `work` runs. */
async function statusesDuring(vpnGatewayId: string, work: () => Promise<void>): Promise<Set<string>> {
  const seen = new Set<string>();
  const timer = setInterval(() => seen.add(h.sim.gatewayStatus(vpnGatewayId)), 5);
  try {
    await work();
  } finally {
    clearInterval(timer);
  }
  return seen;
}

beforeAll(async () => {
  h = await startHarness({ db: 5, updateMs: 300, adminsExtra: ['U0ADMIN2'] });
  h.slack.addUser('U0ADMIN2', { name: 'admin2' });
  audit = new AuditLog(h.redis);
  vpc = new VpcClient({ credentials: { accessKeyId: ACCESS_KEY.id, accessKeySecret: ACCESS_KEY.secret }, timeoutMs: 5000, endpointOverride: h.sim.url });
}, 30_000);
afterAll(async () => {
  await h?.close();
});

describe('/vpn admin server', () => {
  it('shows the SSL-VPN server settings, admins only, audited', async () => {
    const shown = await slow('admin server show Hangzhou');
    expect(shown).toContain(`*SSL-VPN server of hangzhou* \`${HZ.sslVpnServerId}\``);
    expect(shown).toContain('port: `1194` · proto: `UDP` · cipher: `AES-128-CBC`');
    expect(shown).toContain('clientIpPool: `10.99.0.0/24` · localSubnet: `172.16.0.0/16`');
    expect(shown).toContain('mfa: off');
    expect(shown).toContain('connections: 0/50 · internet IP: `127.0.0.1`');
    expect(await auditOf((e) => e.action === 'admin.server.show' && e.actor === 'U0ADMIN' && e.gateway === 'hangzhou')).toHaveLength(1);

    expect(await command('U0ADMIN', 'admin server show')).toContain('Name the gateway first');
    expect(await command('U0ADMIN', 'admin server show atlantis')).toContain('`atlantis` is not a gateway');
    expect(await command('U0BOB', 'admin server show hangzhou')).toContain('Only admins');
    expect(await command('U0EVE', 'admin server set hangzhou port=1195')).toContain('Only admins');
  });

  it('validates before any call: one message naming each bad key and what is allowed', async () => {
    const modifyBefore = h.sim.callsOf('ModifySslVpnServer').length;
    const describeBefore = h.sim.callsOf('DescribeSslVpnServers').length;
    // Audit heads witnessed in the approvals channel (the default audit channel) are not cards.
    const cards = () => h.slack.messages(APPROVALS).filter((m) => !m.text.startsWith(':receipt: Audit log head')).length;
    const cardsBefore = cards();

    const bad = await command('U0ADMIN', 'admin server set hangzhou port=443 proto=ICMP clientIpPool=10.1.2.0/30 cipher=des');
    expect(bad).toContain('Not proposed; nothing was changed');
    expect(bad).toContain('`port=443`: 443 is reserved');
    expect(bad).toContain('except 22, 2222, 22222, 9000, 9001, 9002, 7505, 80, 443, 53, 68, 123, 4510, 4560, 500, 4500');
    expect(bad).toContain('`proto=ICMP`: must be TCP or UDP');
    expect(bad).toContain('`clientIpPool=10.1.2.0/30`: netmask /30 is not allowed: use /16 to /29');
    expect(bad).toContain('AES-128-CBC, AES-192-CBC, AES-256-CBC, none');
    expect(h.sim.callsOf('DescribeSslVpnServers').length).toBe(describeBefore);

    // Checks against the server's current values: its local subnet and its MFA settings.
    const overlap = await slow('admin server set hangzhou clientIpPool=172.16.5.0/24');
    expect(overlap).toContain('overlaps the local subnet 172.16.0.0/16 (current)');
    const mfa = await slow('admin server set hangzhou mfa=true');
    expect(mfa).toContain('multi-factor authentication needs an IDaaS instance');
    expect(await slow('admin server set hangzhou port=1194')).toContain('Nothing to change');

    expect(h.sim.callsOf('ModifySslVpnServer').length).toBe(modifyBefore);
    expect(cards()).toBe(cardsBefore);
    expect(await h.redis.keys('{vpnbot}:server-change:*')).toHaveLength(0);
  });

  it('needs a second admin: the proposer and non-admins are refused privately; the change then runs on the lane', async () => {
    const { id, cardTs, reply } = await propose('hangzhou port=1195 proto=tcp');
    expect(id).not.toMatch(/^\d+$/);
    expect(reply).toContain('*port*: `1194` → `1195`');
    expect(reply).toContain('Nothing changes until another admin approves it');
    const posted = JSON.stringify(card(cardTs).blocks);
    expect(posted).toContain('vpn_server_approve');
    expect(posted).toContain('vpn_server_reject');
    expect(posted).toContain('`UDP` → `TCP`');
    expect(posted).toContain('disconnects every client');
    expect(await proposal(id)).toMatchObject({ status: 'pending' });

    await click('U0ADMIN', 'approve', id, cardTs);
    await h.slack.waitFor('proposer refused', () => h.slack.ephemerals('U0ADMIN').find((e) => e.text.includes('another admin must approve')));
    await click('U0BOB', 'approve', id, cardTs);
    await h.slack.waitFor('non-admin refused', () => h.slack.ephemerals('U0BOB').find((e) => e.text.includes('Only admins')));
    expect(await proposal(id)).toMatchObject({ status: 'pending' });
    expect(h.sim.callsOf('ModifySslVpnServer')).toHaveLength(0);

    // A VPN request queued on the same lane first: the change waits its turn, nothing is refused as Configuring.
    const submitted = await command('U0ALICE', 'request hangzhou 1d lane neighbour');
    const requestId = requestIdFrom(submitted)!;
    const requestCard = await h.slack.waitFor('request card', () => h.slack.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(requestId)));
    const rejectionsBefore = h.sim.configuringRejections();
    const seen = await statusesDuring(HZ.vpnGatewayId, async () => {
      await h.driver.blockAction({ userId: 'U0BOB', actionId: 'vpn_approve', value: requestId, channelId: APPROVALS, messageTs: requestCard.ts });
      await click('U0ADMIN2', 'approve', id, cardTs);
      await vi.waitFor(async () => expect((await proposal(id))?.status).toBe('applied'), { timeout: 20_000, interval: 50 });
      await vi.waitFor(async () => expect(await h.redis.hget(`{vpnbot}:req:${requestId}`, 'status')).toBe('active'), { timeout: 20_000, interval: 50 });
    });
    expect(seen.has('updating')).toBe(true);
    expect(h.sim.configuringRejections()).toBe(rejectionsBefore);
    expect(h.sim.configuringRejections()).toBe(0);

    const after = await server(HZ);
    expect(after).toMatchObject({ port: 1195, proto: 'TCP', clientIpPool: '10.99.0.0/24' });
    const modify = h.sim.callsOf('ModifySslVpnServer');
    expect(modify).toHaveLength(1);
    expect(modify[0]!.params).toMatchObject({ ClientToken: `vpnbot-modify-${id}`, Port: '1195', Proto: 'TCP', SslVpnServerId: HZ.sslVpnServerId });
    expect(modify[0]!.params.ClientIpPool).toBeUndefined();

    const stored = await proposal(id);
    expect(stored).toMatchObject({ status: 'applied', decidedBy: 'U0ADMIN2' });
    await h.slack.waitFor('applied note', () => (thread(cardTs).includes('Applied on *hangzhou*') ? true : undefined), 10_000);
    expect(thread(cardTs)).toContain('Approved by <@U0ADMIN2>');
    expect(thread(cardTs)).toContain(`RequestId ${stored!.cloudRequestId}`);
    expect(JSON.stringify(card(cardTs).blocks)).not.toContain('vpn_server_approve');
    expect(JSON.stringify(card(cardTs).blocks)).toContain('applied');

    const entries = await auditOf((e) => e.requestId === id);
    expect(entries.map((e) => e.action)).toEqual(['admin.server.proposed', 'admin.server.approved', 'admin.server.modify-sent', 'admin.server.applied']);
    expect(entries[0]).toMatchObject({ actor: 'U0ADMIN', gateway: 'hangzhou' });
    expect(entries[1]).toMatchObject({ actor: 'U0ADMIN2', subject: 'U0ADMIN' });
    expect(entries[3]!.cloudRequestId).toBe(stored!.cloudRequestId);
    expect(entries[3]!.cloudRequestId).toMatch(/\S{8,}/);

    // A late click: one decision wins, and the clicker is told privately.
    await click('U0ADMIN', 'reject', id, cardTs);
    await h.slack.waitFor('late click', () => h.slack.ephemerals('U0ADMIN').find((e) => e.text.includes('already approved by <@U0ADMIN2>')));
    expect(h.sim.callsOf('ModifySslVpnServer')).toHaveLength(1);
  });

  it('applies a name-only change at once, without the gateway going through updating', async () => {
    const { id, cardTs } = await propose('frankfurt name="fra main"');
    expect(JSON.stringify(card(cardTs).blocks)).toContain('Only the name changes');
    const seen = await statusesDuring(FRA.vpnGatewayId, async () => {
      await click('U0ADMIN2', 'approve', id, cardTs);
      await vi.waitFor(async () => expect((await proposal(id))?.status).toBe('applied'), { timeout: 15_000, interval: 20 });
    });
    expect([...seen]).toEqual(['active']);
    expect((await server(FRA)).name).toBe('fra main');
    expect(h.sim.callsOf('ModifySslVpnServer').at(-1)!.params).toMatchObject({ Name: 'fra main', ClientToken: `vpnbot-modify-${id}` });
    await h.slack.waitFor('applied note', () => (thread(cardTs).includes('Applied on *frankfurt*') ? true : undefined), 10_000);
  });

  it('rejects: nothing is sent to the cloud, the card says so, a late approval is refused', async () => {
    const calls = h.sim.callsOf('ModifySslVpnServer').length;
    const { id, cardTs } = await propose('frankfurt cipher=AES-256-CBC compress=on');
    await click('U0ADMIN2', 'reject', id, cardTs);
    await vi.waitFor(async () => expect((await proposal(id))?.status).toBe('rejected'), { timeout: 10_000, interval: 20 });
    await h.slack.waitFor('rejected note', () => (thread(cardTs).includes('Rejected by <@U0ADMIN2>') ? true : undefined), 10_000);
    expect(JSON.stringify(card(cardTs).blocks)).not.toContain('vpn_server_approve');
    await click('U0ADMIN', 'approve', id, cardTs);
    await h.slack.waitFor('late approve', () => h.slack.ephemerals('U0ADMIN').find((e) => e.text.includes('already rejected')));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.sim.callsOf('ModifySslVpnServer').length).toBe(calls);
    expect((await server(FRA)).cipher).toBe('AES-128-CBC');
    expect(await auditOf((e) => e.requestId === id && e.action === 'admin.server.rejected' && e.actor === 'U0ADMIN2')).toHaveLength(1);
  });
});

describe('/vpn admin server set: cloud failures', () => {
  it('retries a dropped call with the same ClientToken (applied once), and fails a permanent refusal with advice', async () => {
    const dropped = await propose('hangzhou compress=on');
    h.sim.inject({ action: 'ModifySslVpnServer', mode: 'drop' });
    await click('U0ADMIN2', 'approve', dropped.id, dropped.cardTs);
    await vi.waitFor(async () => expect((await proposal(dropped.id))?.status).toBe('applied'), { timeout: 20_000, interval: 50 });
    const tokens = h.sim.callsOf('ModifySslVpnServer').filter((c) => c.params.ClientToken === `vpnbot-modify-${dropped.id}`);
    expect(tokens.length).toBeGreaterThanOrEqual(2);
    expect((await server(HZ)).compress).toBe(true);

    const refused = await propose('frankfurt port=1300');
    h.sim.inject({ action: 'ModifySslVpnServer', code: 'Forbidden', status: 403, message: 'User not authorized to operate on the specified resource.' });
    await click('U0ADMIN2', 'approve', refused.id, refused.cardTs);
    await vi.waitFor(async () => expect((await proposal(refused.id))?.status).toBe('failed'), { timeout: 20_000, interval: 50 });
    await h.slack.waitFor('failure note', () => (thread(refused.cardTs).includes('The server change failed') ? true : undefined), 10_000);
    expect(thread(refused.cardTs)).toContain('deploy/ram-policy.json');
    expect(JSON.stringify(card(refused.cardTs).blocks)).toContain('failed');
    expect((await server(FRA)).port).toBe(1195);
    expect(await auditOf((e) => e.requestId === refused.id && e.action === 'admin.server.failed')).toHaveLength(1);
    expect(h.sim.configuringRejections()).toBe(0);
  });
});

describe('/vpn admin reconcile', () => {
  it('finds orphan certificates and grants whose certificate is missing, and says what to do', async () => {
    // A grant whose certificate is then deleted outside the bot.
    const submitted = await command('U0CAROL', 'request frankfurt 1d reconcile test');
    const requestId = requestIdFrom(submitted)!;
    const requestCard = await h.slack.waitFor('request card', () => h.slack.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(requestId)));
    await h.driver.blockAction({ userId: 'U0BOB', actionId: 'vpn_approve', value: requestId, channelId: APPROVALS, messageTs: requestCard.ts });
    await vi.waitFor(async () => expect(await h.redis.hget(`{vpnbot}:req:${requestId}`, 'status')).toBe('active'), { timeout: 20_000, interval: 50 });
    const certId = (JSON.parse((await h.redis.hget(`{vpnbot}:req:${requestId}`, 'json'))!) as { certId: string }).certId;
    await h.sim.settle();
    await vpc.deleteSslVpnClientCert({ regionId: FRA.regionId, sslVpnClientCertId: certId, clientToken: 'test-outside-delete' });
    await h.sim.settle();

    // An orphan named like the bot's (its request unknown to the bot), and one made in the console.
    const orphan = await vpc.createSslVpnClientCert({ regionId: FRA.regionId, sslVpnServerId: FRA.sslVpnServerId, name: 'ghost-rzzzz0000dead', clientToken: 'test-orphan' });
    await h.sim.settle();
    await vpc.createSslVpnClientCert({ regionId: FRA.regionId, sslVpnServerId: FRA.sslVpnServerId, name: 'made-in-console', clientToken: 'test-foreign' });
    await h.sim.settle();
    const mutations = ['CreateSslVpnClientCert', 'DeleteSslVpnClientCert', 'ModifySslVpnServer'].map((a) => h.sim.callsOf(a).length);

    const report = await slow('admin reconcile');
    expect(report).toMatch(/\*hangzhou\*: :white_check_mark: \d+ certificates? match active grants/);
    expect(report).toContain('*frankfurt*: 0 matched, 1 orphan, 1 missing; 1 not made by the bot');
    expect(report).toContain(`orphan \`${orphan.sslVpnClientCertId}\` (ghost-rzzzz0000dead): the bot has no record of that request`);
    // The vanished certificate's grant is closed, and the certificates no grant holds are listed by name and id.
    expect(report).toContain(`Closed <@U0CAROL>'s grant \`${requestId}\` on *frankfurt*: its certificate \`${certId}\` vanished`);
    expect(report).toContain('*made-in-console*');
    expect(report).toContain('not made by the bot (console or another tool)');
    expect(['CreateSslVpnClientCert', 'DeleteSslVpnClientCert', 'ModifySslVpnServer'].map((a) => h.sim.callsOf(a).length)).toEqual(mutations);
    const entry = (await auditOf((e) => e.action === 'admin.reconcile' && e.actor === 'U0ADMIN'))[0];
    expect(entry?.detail).toContain('frankfurt: 1 foreign, 1 orphan(s), 1 missing');
    expect(await h.redis.hget(`{vpnbot}:req:${requestId}`, 'status')).toBe('revoked');
    await h.slack.waitFor('holder told', () => h.slack.messages(h.slack.dmChannelFor('U0CAROL')).find((m) => m.text.includes('was revoked because its certificate vanished')));

    const again = await slow('admin reconcile');
    expect(again).toContain('*frankfurt*: 0 matched, 1 orphan, 0 missing');

    expect(await command('U0BOB', 'admin reconcile')).toContain('Only admins');
  });
});
