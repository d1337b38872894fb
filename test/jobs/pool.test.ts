// The warm certificate pool end to end (issue #9): the real product on real Redis + BullMQ, pop-core
// talking to the Alibaba simulator, the fake Slack. Fills on the lane, assignment at approval with one
// compare-and-set under concurrent approvals, refill, quota full, pool age, removal of the setting.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { AuditLog } from '../../src/core/audit.js';
import { POOL_CERT_NAME } from '../../src/core/ids.js';
import { PoolStore } from '../../src/core/pool.js';
import { RequestStore } from '../../src/core/store.js';
import { start } from '../../src/main.js';
import { APPROVALS, configYaml, GATEWAYS, simSeed, startHarness, type Harness } from '../helpers/harness.js';
import { writeConfigFile } from '../helpers/fixtures.js';

const DB = 30;
const HZ = GATEWAYS[0]!;
let h: Harness | undefined;

afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Stops the product and starts it again on the same Redis and simulators with another config file. */
async function restart(harness: Harness, configText: string): Promise<void> {
  await harness.bot.stop();
  harness.bot = await start(loadConfig({ ...harness.env, VPN_BOT_CONFIG: writeConfigFile(configText) }));
}

/** The test config with a warm pool on hangzhou; expiries (and pool deletions) are not coalesced. */
function poolConfig(warmPool: number, provisioning = ''): string {
  const text = configYaml(`  expiryCoalesceWindow: 0m\n${provisioning ? `provisioning:\n${provisioning}` : ''}`);
  return warmPool ? text.replace(`    sslVpnServerId: ${HZ.sslVpnServerId}\n`, `    sslVpnServerId: ${HZ.sslVpnServerId}\n    warmPool: ${warmPool}\n`) : text;
}

const poolCerts = (harness: Harness) => harness.sim.clientCerts(HZ.sslVpnServerId).filter((c) => POOL_CERT_NAME.test(c.name));

async function readyCount(harness: Harness, n: number): Promise<void> {
  const pool = new PoolStore(harness.redis);
  await vi.waitFor(async () => expect((await pool.counts(HZ.name)).ready).toBe(n), { timeout: 30_000, interval: 50 });
}

async function submit(harness: Harness, userId: string): Promise<{ requestId: string; cardTs: string }> {
  const answer = await harness.driver.command({ userId, text: `request hangzhou 1d pool test ${userId}` });
  const requestId = /`(r[a-z0-9]+)`/.exec(String(answer.json?.text ?? ''))?.[1];
  if (!requestId) throw new Error(`no request id in ${answer.body}`);
  const card = await harness.slack.waitFor(`card for ${requestId}`, () => harness.slack.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(requestId)));
  return { requestId, cardTs: card.ts };
}

const approve = (harness: Harness, s: { requestId: string; cardTs: string }) =>
  harness.driver.blockAction({ userId: 'U0BOB', actionId: 'vpn_approve', value: s.requestId, channelId: APPROVALS, messageTs: s.cardTs });

async function untilActive(harness: Harness, requestId: string) {
  const store = new RequestStore(harness.redis);
  return vi.waitFor(async () => {
    const r = await store.get(requestId);
    expect(r?.status, r?.failure).toBe('active');
    return r!;
  }, { timeout: 60_000, interval: 50 });
}

async function adminText(harness: Harness, text: string): Promise<string> {
  const before = harness.slack.responses().length;
  const ack = await harness.driver.command({ userId: 'U0ADMIN', text });
  const ackText = String(ack.json?.text ?? ack.body);
  if (!ackText.includes('Working on it')) return ackText;
  const reply = await harness.slack.waitFor(`reply to ${text}`, () => harness.slack.responses().slice(before).find((r) => !String(r.body.text).includes('Working on it')), 15_000);
  return String(reply.body.text);
}

/** A pool of 2 on hangzhou, one of its certificates held by Alice's grant, refilled to 2 ready. */
async function fullPoolWithOneHeld() {
  h = await startHarness({ db: DB, configText: poolConfig(2) });
  await readyCount(h, 2);
  const s = await submit(h, 'U0ALICE');
  await approve(h, s);
  const held = await untilActive(h, s.requestId);
  await readyCount(h, 2);
  return { s, held, harness: h };
}

describe('warm pool', () => {
  it('fills on the lane, serves an approval from the pool with one assignment, refills, and shows in status and reconcile', async () => {
    h = await startHarness({ db: DB, configText: poolConfig(2) });
    await readyCount(h, 2);
    expect(poolCerts(h)).toHaveLength(2);
    for (const call of h.sim.callsOf('CreateSslVpnClientCert')) expect(call.params.ClientToken).toMatch(/^vpnbot-create-p[a-z0-9]+$/);
    expect(h.sim.configuringRejections()).toBe(0);
    const creates = h.sim.callsOf('CreateSslVpnClientCert').length;

    const s = await submit(h, 'U0ALICE');
    await approve(h, s);
    const active = await untilActive(h, s.requestId);
    expect(active.certName).toMatch(POOL_CERT_NAME);
    const file = h.slack.files(h.slack.dmChannelFor('U0ALICE'));
    expect(file.map((f) => f.filename)).toEqual([`${active.certName}.ovpn`]);
    expect(file[0]!.content.toString('utf8')).toMatch(/<key>\n-----BEGIN RSA PRIVATE KEY-----/);
    // Served without a create of its own: the next create is the refill.
    const audit = await new AuditLog(h.redis).list();
    expect(audit.filter((e) => e.action === 'pool.assigned').map((e) => [e.requestId, e.detail])).toEqual([[s.requestId, `${active.certId} ${active.certName}`]]);
    expect(audit.some((e) => e.action === 'cert.created' && e.requestId === s.requestId)).toBe(false);

    await readyCount(h, 2);
    expect(h.sim.callsOf('CreateSslVpnClientCert').length).toBe(creates + 1);
    expect(poolCerts(h)).toHaveLength(3);
    expect(h.sim.configuringRejections()).toBe(0);
    expect(await new PoolStore(h.redis).assignedTo(HZ.name, active.certId!)).toBe(s.requestId);

    expect(await adminText(h, 'admin status')).toContain('pool 2/2 ready');
    const reconcile = await adminText(h, 'admin reconcile');
    expect(reconcile).toContain('2 unassigned in the warm pool');
    expect(reconcile).not.toMatch(/not made by the bot|orphan/i);

    // Revoking the pooled grant deletes its certificate like any other; the pool is untouched.
    await h.driver.command({ userId: 'U0ALICE', text: 'revoke' });
    const store = new RequestStore(h.redis);
    await vi.waitFor(async () => expect((await store.get(s.requestId))?.status).toBe('revoked'), { timeout: 20_000, interval: 50 });
    expect(h.sim.clientCerts(HZ.sslVpnServerId).map((c) => c.sslVpnClientCertId)).not.toContain(active.certId);
    expect((await new PoolStore(h.redis).counts(HZ.name)).ready).toBe(2);
    // The grant ended: its certificate is nobody's any more, so the pool's mapping and record of it go (the audit keeps it).
    const pool = new PoolStore(h.redis);
    expect(await pool.assignedTo(HZ.name, active.certId!)).toBeUndefined();
    expect(await pool.cert(HZ.name, active.certId!)).toBeUndefined();
    expect(await pool.holderOf(s.requestId)).toBeUndefined();
    expect((await pool.known(HZ.name)).get(active.certId!)).toBeUndefined();
  }, 90_000);

  it('concurrent approvals: each pooled certificate goes to exactly one request, the rest take the ordinary path', async () => {
    h = await startHarness({ db: DB, configText: poolConfig(2) });
    const users = ['U0ALICE', 'U0CAROL', 'U0EVE', 'U0ADMIN', 'U0DAVE', 'U0FRANK'];
    h.slack.addUser('U0DAVE', { name: 'dave' });
    h.slack.addUser('U0FRANK', { name: 'frank' });
    await readyCount(h, 2);
    const pooled = poolCerts(h).map((c) => c.sslVpnClientCertId);
    const submitted: { requestId: string; cardTs: string }[] = [];
    for (const u of users) submitted.push(await submit(h, u));
    await Promise.all(submitted.map((s) => approve(h!, s)));
    const grants = await Promise.all(submitted.map((s) => untilActive(h!, s.requestId)));

    const certIds = grants.map((g) => g.certId);
    expect(new Set(certIds).size).toBe(users.length);
    // Both ready certificates were handed out, each to one request; nobody got a certificate that is not on the gateway.
    expect(certIds.filter((id) => pooled.includes(id!)).sort()).toEqual([...pooled].sort());
    const onGateway = h.sim.clientCerts(HZ.sslVpnServerId).map((c) => c.sslVpnClientCertId);
    for (const id of certIds) expect(onGateway).toContain(id);
    for (const u of users) expect(h.slack.files(h.slack.dmChannelFor(u)), u).toHaveLength(1);
    const pool = new PoolStore(h.redis);
    for (const g of grants.filter((x) => pooled.includes(x.certId!))) expect(await pool.assignedTo(HZ.name, g.certId!)).toBe(g.id);
    expect(h.sim.configuringRejections()).toBe(0);
  }, 120_000);

  it('Resource.QuotaFull stops refilling and tells the admins once', async () => {
    h = await startHarness({ db: DB, configText: poolConfig(3), simSeed: { ...simSeed(), clientCertQuota: 2 } });
    await readyCount(h, 2);
    const notice = await h.slack.waitFor('quota notice', () => h!.slack.messages(APPROVALS).find((m) => m.text?.includes('Resource.QuotaFull')), 15_000);
    expect(notice.text).toContain('*hangzhou*');
    const pool = new PoolStore(h.redis);
    expect(await pool.counts(HZ.name)).toMatchObject({ ready: 2, filling: 0, paused: true });
    const refused = h.sim.callsOf('CreateSslVpnClientCert').filter((c) => c.code === 'Resource.QuotaFull').length;
    expect(refused).toBe(1);

    // An approval still takes a ready one; no refill is tried while paused, and nobody is told again.
    const s = await submit(h, 'U0ALICE');
    await approve(h, s);
    await untilActive(h, s.requestId);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(h.sim.callsOf('CreateSslVpnClientCert').filter((c) => c.code === 'Resource.QuotaFull')).toHaveLength(refused);
    expect(h.slack.messages(APPROVALS).filter((m) => m.text?.includes('Resource.QuotaFull'))).toHaveLength(1);
    expect(await adminText(h, 'admin status')).toContain('paused: quota full');
  }, 90_000);

  it('replaces a certificate older than warmPoolMaxAge', async () => {
    const configText = poolConfig(1, '  warmPoolMaxAge: 1d\n');
    h = await startHarness({ db: DB, configText });
    await readyCount(h, 1);
    const [old] = poolCerts(h);
    // Two days old as far as the pool knows; the next upkeep (here: a restart) replaces it.
    await h.redis.zadd(`{vpnbot}:pool:${HZ.name}:ready`, String(Date.now() - 2 * 86_400_000), old!.sslVpnClientCertId);
    // Its first delete is answered with success and not applied: the pool verifies deletes like the rest of the product.
    h.sim.inject({ action: 'DeleteSslVpnClientCert', mode: 'pretend', times: 1 });
    await restart(h, configText);
    await vi.waitFor(async () => expect((await new AuditLog(h!.redis).list()).some((e) => e.action === 'pool.cert.deleted')).toBe(true), { timeout: 30_000, interval: 50 });
    expect(h.sim.clientCerts(HZ.sslVpnServerId).map((c) => c.sslVpnClientCertId)).not.toContain(old!.sslVpnClientCertId);
    const deletes = h.sim.callsOf('DeleteSslVpnClientCert').filter((c) => c.params.SslVpnClientCertId === old!.sslVpnClientCertId);
    expect(deletes).toHaveLength(2);
    expect(deletes[1]!.params.ClientToken).toBe(`${String(deletes[0]!.params.ClientToken)}-r2`);
    await readyCount(h, 1);
    expect(poolCerts(h)).toHaveLength(1);
    const audit = await new AuditLog(h.redis).list();
    expect(audit.filter((e) => e.action === 'cert.delete-not-applied').map((e) => e.detail)).toEqual([`${old!.sslVpnClientCertId} still listed after delete #1; deleting again`]);
    expect(audit.filter((e) => e.action === 'pool.cert.deleted').map((e) => e.detail)).toEqual([`${old!.sslVpnClientCertId} (retired): removed and verified after 2 deletes`]);
    expect(h.sim.configuringRejections()).toBe(0);
  }, 90_000);

  it('removing the setting deletes the unassigned certificates, never an assigned one', async () => {
    const { s, held, harness } = await fullPoolWithOneHeld();
    h = harness;
    await restart(h, poolConfig(0));
    await vi.waitFor(() => expect(poolCerts(h!).map((c) => c.sslVpnClientCertId)).toEqual([held.certId]), { timeout: 30_000, interval: 50 });
    await vi.waitFor(async () => expect(await new PoolStore(h!.redis).counts(HZ.name)).toMatchObject({ ready: 0, filling: 0, retiring: 0 }), { timeout: 15_000, interval: 50 });
    expect((await new AuditLog(h.redis).list()).filter((e) => e.action === 'pool.cert.deleted')).toHaveLength(2);
    expect((await new RequestStore(h.redis).get(s.requestId))?.status).toBe('active');
    expect(h.sim.configuringRejections()).toBe(0);
  }, 90_000);

  it('a gateway removed from the configuration: its unassigned certificates are deleted (verified) and its pool records dropped; a held one stays', async () => {
    const { s, held, harness } = await fullPoolWithOneHeld();
    h = harness;
    const pool = new PoolStore(h.redis);
    expect([...(await pool.registered()).keys()].sort()).toEqual(GATEWAYS.map((g) => g.name).sort());
    // hangzhou leaves the configuration (frankfurt stays).
    await restart(h, configYaml('  expiryCoalesceWindow: 0m\n', { gateways: GATEWAYS.filter((g) => g.name !== HZ.name) }));
    // At start-up, not at the first upkeep a minute later: Alice's grant on hangzhou, which has no lane any
    // more, no longer stops the recovery (and the upkeep after it) for every gateway.
    await vi.waitFor(async () => expect((await pool.registered()).has(HZ.name)).toBe(false), { timeout: 30_000, interval: 100 });
    expect(poolCerts(h).map((c) => c.sslVpnClientCertId)).toEqual([held.certId]);
    expect(await pool.counts(HZ.name)).toEqual({ ready: 0, filling: 0, retiring: 0, paused: false });
    expect([...(await pool.known(HZ.name))]).toEqual([[held.certId, 'assigned']]);
    expect(await pool.assignedTo(HZ.name, held.certId!)).toBe(s.requestId);
    const audit = await new AuditLog(h.redis).list();
    const deleted = audit.filter((e) => e.action === 'pool.cert.deleted');
    expect(deleted).toHaveLength(2);
    for (const e of deleted) expect(e.detail).toMatch(/\(gateway removed from the configuration\): removed and verified$/);
    expect(audit.filter((e) => e.action === 'pool.gateway-forgotten').map((e) => e.gateway)).toEqual([HZ.name]);
    expect(h.sim.configuringRejections()).toBe(0);
  }, 120_000);
});
