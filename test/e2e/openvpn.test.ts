// The proof with a real VPN client: the simulator runs a real OpenVPN server per SSL server (127.0.0.1, the
// port/proto of the server), the bot delivers a profile into the DM (taken here from the fake Slack's file
// upload, as a person downloads it), and a real `openvpn --dev null` client connects with it. Once the bot
// says a certificate was "removed and verified" (after `/vpn revoke`, expiry or `/vpn admin offboard`),
// the same profile is refused at that moment; another person's client, dropped by the gateway's restart,
// reconnects with its own profile. A server change of port and protocol makes a delivered profile stale:
// its holder is told, and `/vpn resend` gives one that connects. Loopback only; every wait bounded.
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RequestStore } from '../../src/core/store.js';
import { activeGrant, requestStatus } from '../helpers/grants.js';
import { APPROVALS, GATEWAYS, type Harness, laneQueue, startHarness } from '../helpers/harness.js';
import { ONE_TRY, OPENVPN, skipNotice, VpnClients, type VpnClient } from '../helpers/openvpn.js';
import { freePort } from '../helpers/process.js';

skipNotice('e2e/openvpn.test.ts');

let h: Harness;
let lane: Queue;
const clients = new VpnClients();
const HZ = GATEWAYS[0]!;
const eventually = <T>(read: () => Promise<T> | T, timeout = 30_000) => expect.poll(read, { timeout, interval: 100 });

const dm = (userId: string) => h.slack.dmChannelFor(userId);
const gateway = async () => (await h.sim.openVpn()).servers.find((s) => s.sslVpnServerId === HZ.sslVpnServerId)!;

interface Held { requestId: string; certId: string; profile: string }

/** An active grant on hangzhou and the profile the bot put in the person's DM (the newest file there). */
async function grantWithProfile(userId: string, name: string): Promise<Held> {
  h.slack.addUser(userId, { name });
  const { requestId, certId } = await activeGrant(h, userId, 'hangzhou');
  const file = await h.slack.waitFor(`${name}'s profile`, () => h.slack.files(dm(userId)).at(-1), 15_000);
  expect(file.filename).toMatch(/\.ovpn$/);
  return { requestId, certId, profile: file.content.toString('utf8') };
}

/** When the gateway last refused `certId` (the client certificate's CN), or 0. */
const lastRefusal = async (certId: string) => (await gateway()).refusals.filter((r) => r.certificate === certId).at(-1)?.at ?? 0;

async function connected(profile: string): Promise<VpnClient> {
  const client = clients.connectProfile(profile);
  await eventually(() => client.connected).toBe(1);
  return client;
}

/**
 * A fresh client with `held`'s profile, started now (no other client of that certificate runs): the
 * gateway refuses the certificate (its CRL lists it) and the client never connects. It keeps trying
 * while the gateway restarts (that can take seconds on a loaded machine); the wait is bounded.
 */
async function expectRefused(held: Held): Promise<void> {
  const since = Date.now();
  const client = clients.connectProfile(held.profile, ['--hand-window', '60']);
  await eventually(() => lastRefusal(held.certId), 60_000).toBeGreaterThanOrEqual(since);
  await client.stop();
  expect(client.connected).toBe(0);
}

const dmSays = (userId: string, text: string) => h.slack.waitFor(`${userId} told: ${text}`, () => h.slack.messages(dm(userId)).find((m) => m.text.includes(text)), 30_000);

beforeAll(async () => {
  if (!OPENVPN) return;
  h = await startHarness({ db: 58, updateMs: 300, openvpn: true, adminsExtra: ['U0ADMIN2'] });
  lane = laneQueue(h, 'hangzhou');
  await vi.waitFor(async () => expect((await h.sim.openVpn()).servers.map((s) => s.state)).toEqual(['running', 'running']), { timeout: 30_000, interval: 100 });
}, 60_000);
afterAll(async () => {
  await clients.close();
  await lane?.close();
  await h?.close();
});

describe.skipIf(!OPENVPN)('a real OpenVPN client with the profiles the bot delivers', () => {
  it('a delivered profile connects; after /vpn revoke it is refused once the bot says removed and verified; the other person reconnects', async () => {
    const ann = await grantWithProfile('U0ANN', 'ann');
    const ben = await grantWithProfile('U0BEN', 'ben');
    expect(ann.profile).toContain(`remote 127.0.0.1 ${(await gateway()).port}`);
    const annClient = await connected(ann.profile);
    const multi = (await gateway()).mode === 'server';
    if (!multi) console.warn('e2e/openvpn.test.ts: no usable /dev/net/tun, the gateway runs point-to-point (one client at a time)');
    if (!multi) await annClient.stop();
    const benClient = await connected(ben.profile);

    const status = await h.driver.command({ userId: 'U0ADMIN', text: 'admin status' });
    const report = await h.slack.waitFor('admin status', () => h.slack.responses().map((r) => String(r.body.text)).find((t) => t.includes('*VPN gateways*')), 15_000);
    expect(status.status).toBe(200);
    expect(report).toMatch(new RegExp(`\\*hangzhou\\*: .* ${multi ? 2 : 1}/50 SSL connections`));
    const startsBefore = (await gateway()).starts;

    await h.driver.command({ userId: 'U0ANN', text: `revoke ${ann.requestId}` });
    await dmSays('U0ANN', 'removed and verified gone');
    // At the moment the bot says so, Ann's profile no longer connects (her running client stops, so that
    // the refusal is the fresh client's; it never got back in).
    await annClient.stop();
    expect(annClient.connected).toBe(1);
    await expectRefused(ann);
    expect(await requestStatus(h, ann.requestId)).toBe('revoked');
    expect((await gateway()).starts).toBe(startsBefore + 1);

    // The delete restarted the gateway: Ben was dropped too and is back with his own, still valid profile.
    await eventually(() => benClient.connected).toBe(2);
  }, 120_000);

  it('after expiry the profile is refused once the bot says removed and verified', async () => {
    const cid = await grantWithProfile('U0CID', 'cid');
    const client = await connected(cid.profile);
    await client.stop();
    // The grant's time is up: its expiry moves before the current coalescing window (access.expiryCoalesceWindow,
    // 15 min) and the removal runs now.
    const window = 15 * 60_000;
    await new RequestStore(h.redis).update(cid.requestId, { expiresAt: Math.floor(Date.now() / window) * window - 1000 });
    const job = await vi.waitFor(async () => {
      const found = await lane.getJob(`expire-${cid.requestId}`);
      expect(found).toBeDefined();
      return found!;
    }, { timeout: 5000, interval: 20 });
    await job.promote();
    await dmSays('U0CID', 'has expired and its certificate was removed and verified gone');
    await expectRefused(cid);
    expect(await requestStatus(h, cid.requestId)).toBe('expired');
  }, 120_000);

  it('after /vpn admin offboard the profile is refused once the bot says removed and verified', async () => {
    const dave = await grantWithProfile('U0DAVE', 'dave');
    const client = await connected(dave.profile);
    await client.stop();
    await h.driver.command({ userId: 'U0ADMIN', text: 'admin offboard <@U0DAVE|dave>' });
    await dmSays('U0DAVE', 'removed and verified gone');
    await expectRefused(dave);
    expect(await requestStatus(h, dave.requestId)).toBe('revoked');
  }, 120_000);

  it('a port and protocol change makes a delivered profile stale: the holder is told, and /vpn resend gives one that connects', async () => {
    const eva = await grantWithProfile('U0EVA', 'eva');
    const old = await connected(eva.profile);
    const before = await gateway();
    const port = await freePort();

    // One admin proposes, another approves; the change runs on the gateway's lane.
    await h.driver.command({ userId: 'U0ADMIN', text: `admin server set hangzhou port=${port} proto=tcp` });
    const card = await h.slack.waitFor('change card', () => h.slack.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes('vpn_server_approve')), 15_000);
    const proposalId = /`(s[a-z0-9]{8,24})`/.exec(JSON.stringify(card.blocks))?.[1];
    expect(proposalId).toBeDefined();
    await h.driver.blockAction({ userId: 'U0ADMIN2', actionId: 'vpn_server_approve', value: proposalId!, channelId: APPROVALS, messageTs: card.ts });

    const notice = await dmSays('U0EVA', 'no longer connects');
    expect(notice.text).toContain('changed its settings (port, protocol)');
    expect(notice.text).toContain('`/vpn resend hangzhou`');
    const note = await h.slack.waitFor('applied note', () => h.slack.thread(APPROVALS, card.ts).find((m) => m.text.includes('Applied on *hangzhou*')), 15_000);
    // Everyone holding access there was told (here: Eva, and Ben when the first test ran).
    const { total } = await new RequestStore(h.redis).activeOnGateway('hangzhou');
    expect(note.text).toMatch(new RegExp(`profiles? of ${total} active grants? no longer connects?; (its holder was|their holders were) told`));
    await eventually(async () => ({ ...(await gateway()) })).toMatchObject({ state: 'running', port, proto: 'TCP', starts: before.starts + 1 });

    // The old profile points at the old port and protocol: nothing answers there any more.
    const retry = clients.connectProfile(eva.profile, ONE_TRY);
    await retry.exited;
    expect(retry.connected).toBe(0);
    expect(old.connected).toBe(1);
    await old.stop();

    // A fresh copy from the gateway connects.
    const filesBefore = h.slack.files(dm('U0EVA')).length;
    await h.driver.command({ userId: 'U0EVA', text: 'resend' });
    const file = await h.slack.waitFor('fresh profile', () => h.slack.files(dm('U0EVA'))[filesBefore], 15_000);
    const fresh = file.content.toString('utf8');
    expect(fresh).toContain(`proto tcp\nremote 127.0.0.1 ${port}\n`);
    await connected(fresh);
  }, 120_000);
});
