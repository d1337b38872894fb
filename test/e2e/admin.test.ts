// `/vpn admin …` end to end: signed slash commands into the real bot, real Redis and BullMQ lanes, pop-core
// against the Alibaba Cloud simulator (VPC and CAS), the fake Slack for replies, DMs and files.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuditLog } from '../../src/core/audit.js';
import { APPROVALS, GATEWAYS, type Harness, laneQueue, startHarness } from '../helpers/harness.js';

let h: Harness;
let audit: AuditLog;
const ALICE_CAS = 'a'.repeat(32);

interface Grant { requestId: string; certId: string }
const grants: Record<string, Grant> = {};

const requestIdFrom = (text: string) => /`(r[a-z0-9]+)`/.exec(text)?.[1];
const status = (requestId: string) => h.redis.hget(`{vpnbot}:req:${requestId}`, 'status');
const stored = async (requestId: string) => JSON.parse((await h.redis.hget(`{vpnbot}:req:${requestId}`, 'json'))!) as { certId: string; gateway: string };

async function submit(userId: string, text: string): Promise<{ requestId: string; cardTs: string }> {
  const answer = await h.driver.command({ userId, text });
  const requestId = requestIdFrom(String(answer.json?.text ?? ''));
  if (!requestId) throw new Error(`no request id in ${answer.body}`);
  const card = await h.slack.waitFor(`card for ${requestId}`, () => h.slack.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(requestId)));
  return { requestId, cardTs: card.ts };
}

/** A real grant: request, approval by U0BOB, certificate on the sim, profile in the DM, status active. */
async function grant(userId: string, gateway: string): Promise<Grant> {
  const { requestId, cardTs } = await submit(userId, `request ${gateway} 1d admin tests for ${userId}`);
  await h.driver.blockAction({ userId: 'U0BOB', actionId: 'vpn_approve', value: requestId, channelId: APPROVALS, messageTs: cardTs });
  await vi.waitFor(async () => expect(await status(requestId)).toBe('active'), { timeout: 20_000, interval: 50 });
  return { requestId, certId: (await stored(requestId)).certId };
}

/** Sends an admin command and returns the ack text. */
async function command(userId: string, text: string): Promise<{ text: string; responseType: unknown }> {
  const answer = await h.driver.command({ userId, text });
  expect(answer.status, text).toBe(200);
  return { text: String(answer.json?.text ?? answer.body), responseType: answer.json?.response_type };
}

/** A slow admin command: acked "Working on it…", answered through the response_url. */
async function slow(text: string): Promise<string> {
  const before = h.slack.responses().length;
  const ack = await command('U0ADMIN', text);
  expect(ack.text, text).toContain('Working on it');
  const reply = await h.slack.waitFor(`reply to ${text}`, () => h.slack.responses().slice(before).find((r) => !String(r.body.text).includes('Working on it')), 15_000);
  expect(reply.body.response_type).toBe('ephemeral');
  return String(reply.body.text);
}

const auditOf = async (filter: (e: Awaited<ReturnType<AuditLog['list']>>[number]) => boolean) => (await audit.list()).filter(filter);

beforeAll(async () => {
  h = await startHarness({ db: 8, updateMs: 100 });
  audit = new AuditLog(h.redis);
  h.slack.addUser('U0ALICE', { name: 'alice', email: 'alice@example.com' });
  h.slack.addUser('U0DAVE', { name: 'dave', email: 'dave@example.com' });
  h.slack.addUser('U0FRANK', { name: 'frank' });
  h.slack.addUser('U0GWEN', { name: 'gwen' });
  const [aliceHz, aliceFra, daveFra, frankHz] = await Promise.all([
    grant('U0ALICE', 'hangzhou'), grant('U0ALICE', 'frankfurt'), grant('U0DAVE', 'frankfurt'), grant('U0FRANK', 'hangzhou'),
  ]);
  Object.assign(grants, { aliceHz, aliceFra, daveFra, frankHz });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

describe('/vpn admin', () => {
  it('refuses non-admins for every command, privately, and changes nothing', async () => {
    const responsesBefore = h.slack.responses().length;
    const casCallsBefore = h.sim.callsOf('CreateRevokeClientCertificate').length;
    const commands = [
      'admin', 'admin help', 'admin list', `admin list <@U0ALICE|alice>`, 'admin revoke <@U0ALICE|alice>', `admin revoke ${grants.aliceHz!.certId}`,
      'admin offboard <@U0ALICE|alice>', 'admin status', 'admin audit', `admin cert revoke ${ALICE_CAS}`, 'admin server show', 'admin reconcile', 'admin frobnicate',
    ];
    for (const text of commands) {
      // U0BOB is an approver but not an admin; U0EVE is nobody in particular.
      for (const userId of ['U0EVE', 'U0BOB']) {
        const answer = await command(userId, text);
        expect(answer.text, `${userId}: ${text}`).toContain('Only admins');
        expect(answer.responseType).toBe('ephemeral');
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(h.slack.responses().length).toBe(responsesBefore);
    expect(h.sim.callsOf('CreateRevokeClientCertificate').length).toBe(casCallsBefore);
    expect(h.sim.casCertificate(ALICE_CAS)?.status).toBe('ISSUE');
    expect(await status(grants.aliceHz!.requestId)).toBe('active');
    expect(await auditOf((e) => e.action.startsWith('admin.'))).toHaveLength(0);
  });

  it('shows help (server and reconcile included), and names an unknown subcommand', async () => {
    expect((await command('U0ADMIN', 'admin')).text).toContain('/vpn admin offboard @user');
    const help = (await command('U0ADMIN', 'admin help')).text;
    expect(help).toContain('/vpn admin cert revoke <identifier>');
    expect(help).toContain('/vpn admin server set [gateway] key=value…');
    expect(help).toContain('/vpn admin reconcile');
    expect((await command('U0ADMIN', 'admin frobnicate')).text).toContain("I don't know `/vpn admin frobnicate`");
  });

  it('lists active grants, filtered by user (any mention form) or by gateway', async () => {
    const all = (await command('U0ADMIN', 'admin list')).text;
    expect(all).toContain('*4 active VPN grants* (soonest expiry first)');
    for (const g of Object.values(grants)) expect(all).toContain(g.certId);

    for (const ref of ['<@U0ALICE|alice>', '<@U0ALICE>', 'U0ALICE']) {
      const mine = (await command('U0ADMIN', `admin list ${ref}`)).text;
      expect(mine, ref).toContain('*2 active VPN grants* for <@U0ALICE>');
      expect(mine).toContain(grants.aliceHz!.certId);
      expect(mine).toContain(grants.aliceFra!.certId);
      expect(mine).not.toContain(grants.daveFra!.certId);
      expect(mine).not.toContain('<@U0FRANK>');
      expect(mine).toMatch(/expires <!date\^\d+\^/);
    }

    const fra = (await command('U0ADMIN', 'admin list Frankfurt')).text;
    expect(fra).toContain('*2 active VPN grants* for *frankfurt*');
    expect(fra).toContain(grants.aliceFra!.certId);
    expect(fra).toContain(grants.daveFra!.certId);
    expect(fra).not.toContain(grants.aliceHz!.certId);
    expect(fra).not.toContain('*hangzhou*');

    expect((await command('U0ADMIN', 'admin list nowhere')).text).toContain('neither a user nor a gateway');
    const listed = await auditOf((e) => e.action === 'admin.list' && e.actor === 'U0ADMIN');
    expect(listed.some((e) => e.subject === 'U0ALICE')).toBe(true);
    expect(listed.some((e) => e.gateway === 'frankfurt')).toBe(true);
  });

  it('revokes a user at once: certificate deleted, status revoked, pending request cancelled, user told who, audited', async () => {
    const pending = await submit('U0FRANK', 'request frankfurt 1h =SUM(1,2) second gateway');
    const answer = (await command('U0ADMIN', 'admin revoke <@U0FRANK|frank>')).text;
    expect(answer).toContain("Revoking <@U0FRANK>'s access to *hangzhou*");
    expect(answer).toContain(grants.frankHz!.certId);
    expect(answer).toContain(`Cancelled <@U0FRANK>'s open request \`${pending.requestId}\``);

    const dm = await h.slack.waitFor('revocation DM', () => h.slack.messages(h.slack.dmChannelFor('U0FRANK')).find((m) => m.text.includes('was revoked')), 15_000);
    expect(dm.text).toContain('revoked by <@U0ADMIN>');
    expect(await status(grants.frankHz!.requestId)).toBe('revoked');
    expect(await status(pending.requestId)).toBe('cancelled');
    await h.sim.settle();
    expect(h.sim.clientCerts().map((c) => c.sslVpnClientCertId)).not.toContain(grants.frankHz!.certId);

    const entries = await auditOf((e) => e.requestId === grants.frankHz!.requestId);
    expect(entries.find((e) => e.action === 'admin.grant.revoke-requested')).toMatchObject({ actor: 'U0ADMIN', subject: 'U0FRANK', gateway: 'hangzhou' });
    expect(entries.find((e) => e.action === 'grant.revoked')).toMatchObject({ actor: 'U0ADMIN', subject: 'U0FRANK' });
    const deleted = entries.find((e) => e.action === 'cert.deleted');
    expect(deleted).toMatchObject({ actor: 'U0ADMIN' });
    expect(deleted?.cloudRequestId).toMatch(/\S+/);
    expect(await auditOf((e) => e.requestId === pending.requestId && e.action === 'admin.request.cancelled' && e.actor === 'U0ADMIN')).toHaveLength(1);

    const again = (await command('U0ADMIN', 'admin revoke U0FRANK')).text;
    expect(again).toContain('holds no VPN access');
  });

  it('revokes the grant holding a certificate id, and explains an unknown one', async () => {
    const answer = (await command('U0ADMIN', `admin revoke ${grants.daveFra!.certId}`)).text;
    expect(answer).toContain("Revoking <@U0DAVE>'s access to *frankfurt*");
    await vi.waitFor(async () => expect(await status(grants.daveFra!.requestId)).toBe('revoked'), { timeout: 15_000, interval: 50 });
    await h.sim.settle();
    expect(h.sim.clientCerts(GATEWAYS[1]!.sslVpnServerId).map((c) => c.sslVpnClientCertId)).not.toContain(grants.daveFra!.certId);
    // Alice's certificate on the same gateway is untouched.
    expect(h.sim.clientCerts(GATEWAYS[1]!.sslVpnServerId).map((c) => c.sslVpnClientCertId)).toContain(grants.aliceFra!.certId);
    expect((await command('U0ADMIN', 'admin revoke vsc-doesnotexist0000')).text).toContain('No active grant holds certificate');
    expect((await command('U0ADMIN', 'admin revoke someone')).text).toContain('Usage: `/vpn admin revoke');
  });

  it('offboards a person: every gateway plus their private-CA certificates, with a summary', async () => {
    const reply = await slow('admin offboard <@U0ALICE|alice>');
    expect(reply).toContain('Offboarding <@U0ALICE>');
    expect(reply).toContain("Revoking <@U0ALICE>'s access to *hangzhou*");
    expect(reply).toContain("Revoking <@U0ALICE>'s access to *frankfurt*");
    expect(reply).toContain(`Revoked private-CA certificate \`${ALICE_CAS}\` (CN alice@example.com)`);
    expect(h.sim.casCertificate(ALICE_CAS)?.status).toBe('REVOKE');

    for (const g of [grants.aliceHz!, grants.aliceFra!]) {
      await vi.waitFor(async () => expect(await status(g.requestId)).toBe('revoked'), { timeout: 15_000, interval: 50 });
    }
    await h.sim.settle();
    const left = h.sim.clientCerts().map((c) => c.sslVpnClientCertId);
    expect(left).not.toContain(grants.aliceHz!.certId);
    expect(left).not.toContain(grants.aliceFra!.certId);
    await h.slack.waitFor('both DMs', () => h.slack.messages(h.slack.dmChannelFor('U0ALICE')).filter((m) => m.text.includes('revoked by <@U0ADMIN>')).length === 2 || undefined, 10_000);

    const casEntry = (await auditOf((e) => e.action === 'admin.cas-cert.revoked'))[0];
    expect(casEntry).toMatchObject({ actor: 'U0ADMIN', subject: 'U0ALICE' });
    expect(casEntry?.detail).toContain(ALICE_CAS);
    expect(casEntry?.cloudRequestId).toMatch(/\S{8,}/);
    expect(await auditOf((e) => e.action === 'admin.offboard' && e.actor === 'U0ADMIN' && e.subject === 'U0ALICE')).toHaveLength(1);

    // Again: nothing left; the revoked CAS certificate is skipped, not revoked twice.
    const revokeCalls = h.sim.callsOf('CreateRevokeClientCertificate').length;
    const second = await slow('admin offboard U0ALICE');
    expect(second).toContain('No VPN grants or open requests');
    expect(second).toContain('was already revoked');
    expect(h.sim.callsOf('CreateRevokeClientCertificate').length).toBe(revokeCalls);
  });

  it('offboarding someone without a matching CommonName revokes no private-CA certificate', async () => {
    const calls = h.sim.callsOf('CreateRevokeClientCertificate').length;
    const reply = await slow('admin offboard <@U0DAVE|dave>');
    expect(reply).toContain('No private-CA client certificates with CommonName `dave@example.com` or `dave`');
    expect(h.sim.callsOf('CreateRevokeClientCertificate').length).toBe(calls);
  });

  it('status shows every gateway: state, connections vs max, queue, grants, failures; cloud errors as one classified line', async () => {
    // One failed request on frankfurt in the last 24 h.
    h.slack.addUser('U0GWEN', { name: 'gwen' });
    const failing = await submit('U0GWEN', 'request frankfurt 1h quota test');
    h.sim.inject({ action: 'CreateSslVpnClientCert', code: 'Resource.QuotaFull', status: 400, message: 'The quota of resource is full' });
    await h.driver.blockAction({ userId: 'U0BOB', actionId: 'vpn_approve', value: failing.requestId, channelId: APPROVALS, messageTs: failing.cardTs });
    await vi.waitFor(async () => expect(await status(failing.requestId)).toBe('failed'), { timeout: 15_000, interval: 50 });
    const fresh = await grant('U0GWEN', 'hangzhou');
    // The grant is recorded a moment before its provisioning job finishes: let the lane go idle.
    const lane = laneQueue(h, 'hangzhou');
    await vi.waitFor(async () => {
      const c = await lane.getJobCounts('active', 'waiting', 'prioritized');
      expect((c.active ?? 0) + (c.waiting ?? 0) + (c.prioritized ?? 0)).toBe(0);
    }, { timeout: 10_000, interval: 50 });
    await lane.close();

    const reply = await slow('admin status');
    const hz = reply.split('\n').find((l) => l.includes('*hangzhou*'))!;
    const fra = reply.split('\n').find((l) => l.includes('*frankfurt*'))!;
    expect(hz).toContain('`active`');
    expect(hz).toMatch(/\d+\/50 SSL connections/);
    expect(hz).toMatch(/queue 0 \(\d+ scheduled\)/);
    expect(hz).toContain('1 active grant ·');
    expect(hz).toContain('0 failed in 24 h');
    expect(fra).toContain('`active`');
    expect(fra).toContain('0 active grants');
    expect(fra).toContain('1 failed in 24 h');
    expect(fresh.certId).toMatch(/^vsc-/);

    h.sim.inject({ action: 'DescribeSslVpnServers', code: 'Throttling.User', status: 400, message: 'Request was denied due to user flow control.', times: 1 });
    h.sim.inject({ action: 'DescribeVpnGateway', code: 'Forbidden.RAM', status: 403, message: 'User not authorized to operate on the specified resource.', times: 1 });
    const degraded = await slow('admin status');
    expect(degraded).toContain('*hangzhou*');
    expect(degraded).toContain('*frankfurt*');
    expect(degraded).toMatch(/connections unknown: Alibaba Cloud is throttling or temporarily unavailable; try again in a minute \(`Throttling\.User`/);
    expect(degraded).toMatch(/state unknown: refused by Alibaba Cloud \(`Forbidden\.RAM`.*ram-policy\.json/);
    expect(degraded).not.toMatch(/\bat \S+:\d+|Error:|https?:\/\//);
    const entry = (await auditOf((e) => e.action === 'admin.status')).at(-1);
    expect(entry?.actor).toBe('U0ADMIN');
    expect(entry?.cloudRequestId).toMatch(/\S+/);
  });

  it('audit answers newest first and sends every matching entry as CSV to the admin\'s DM', async () => {
    const reply = await slow('admin audit <@U0FRANK|frank> 1d');
    expect(reply).toContain('Audit log for <@U0FRANK> since 1d');
    const lines = reply.split('\n');
    const revokedAt = lines.findIndex((l) => l.includes('`grant.revoked`'));
    const createdAt = lines.findIndex((l) => l.includes('`request.created`'));
    expect(revokedAt).toBeGreaterThan(0);
    expect(createdAt).toBeGreaterThan(revokedAt);
    expect(reply).not.toContain('U0ALICE');

    const file = await h.slack.waitFor('CSV in the admin DM', () => h.slack.files(h.slack.dmChannelFor('U0ADMIN')).find((f) => f.filename.endsWith('.csv')));
    expect(file.filename).toMatch(/^vpn-audit-U0FRANK-.*\.csv$/);
    expect(reply).toContain(`\`${file.filename}\``);
    const csv = file.content.toString('utf8');
    const rows = csv.trimEnd().split('\r\n');
    expect(rows[0]).toBe('time,actor,action,subject,requestId,gateway,detail,cloudRequestId,entryId,hash');
    const expected = (await audit.list({ userId: 'U0FRANK', sinceMs: Date.now() - 86_400_000 })).filter((e) => e.action !== 'admin.audit.exported');
    expect(rows).toHaveLength(expected.length + 1);
    expect(rows.slice(1).every((r) => r.includes('U0FRANK'))).toBe(true);
    // A reason typed by a user cannot become a spreadsheet formula.
    expect(csv).toContain('"\'=SUM(1,2) second gateway"');
    expect(csv).not.toMatch(/,=SUM/);
    expect(file.channels).toEqual([h.slack.dmChannelFor('U0ADMIN')]);

    expect((await command('U0ADMIN', 'admin audit 3x')).text).toContain("I don't understand `3x`");
    const exported = (await auditOf((e) => e.action === 'admin.audit.exported')).at(-1);
    expect(exported).toMatchObject({ actor: 'U0ADMIN', subject: 'U0FRANK' });
  });

  it('cert revoke validates the identifier first and explains NotFound', async () => {
    const calls = h.sim.callsOf('CreateRevokeClientCertificate').length + h.sim.callsOf('DescribeClientCertificate').length;
    for (const bad of ['xyz', 'a'.repeat(31), `${'a'.repeat(31)}g`]) {
      const answer = (await command('U0ADMIN', `admin cert revoke ${bad}`)).text;
      expect(answer, bad).toContain('is not a private-CA certificate identifier');
      expect(answer).toContain('32 hexadecimal characters');
    }
    expect((await command('U0ADMIN', 'admin cert revoke')).text).toContain('not a private-CA certificate identifier');
    expect((await command('U0ADMIN', 'admin cert show x')).text).toContain('Usage: `/vpn admin cert revoke <identifier>`');
    expect(h.sim.callsOf('CreateRevokeClientCertificate').length + h.sim.callsOf('DescribeClientCertificate').length).toBe(calls);

    const missing = await slow(`admin cert revoke ${'b'.repeat(32)}`);
    expect(missing).toContain(`No private-CA client certificate \`${'b'.repeat(32)}\` exists`);
    expect(missing).not.toMatch(/https?:\/\/|Error:/);

    const already = await slow(`admin cert revoke ${ALICE_CAS.toUpperCase()}`);
    expect(already).toContain('was already revoked');
  });
});
