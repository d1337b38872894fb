// Profiles do not linger: the delivered .ovpn is deleted from Slack (files.delete) at access.profileRetention
// (a durable BullMQ delayed job, brought forward here) and at the latest when the grant ends; `/vpn resend`
// and the App Home button upload a fresh copy fetched again from the gateway, never stored, audited.
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuditLog } from '../../src/core/audit.js';
import { dumpRedis, type Harness, productQueue, startHarness } from '../helpers/harness.js';
import { activeGrant, requestStatus, storedRequest } from '../helpers/grants.js';

let h: Harness;
let audit: AuditLog;
let maintenance: Queue;
const RETENTION_MS = 2 * 3_600_000;

const dm = (userId: string) => h.slack.dmChannelFor(userId);
const deletedFiles = () => h.slack.callsOf('files.delete').map((c) => String(c.args.file));

async function slowCommand(userId: string, text: string): Promise<{ ack: string; reply: string }> {
  const before = h.slack.responses().length;
  const answer = await h.driver.command({ userId, text });
  const ack = String(answer.json?.text ?? answer.body);
  if (!ack.includes('Fetching a fresh copy')) return { ack, reply: '' };
  const reply = await h.slack.waitFor(`reply to ${text}`, () => h.slack.responses().slice(before)[0], 15_000);
  return { ack, reply: String(reply.body.text) };
}

beforeAll(async () => {
  h = await startHarness({ db: 28, updateMs: 100, configExtra: '  profileRetention: 2h\n' });
  audit = new AuditLog(h.redis);
  maintenance = productQueue(h, 'maintenance');
  h.slack.addUser('U0PAT', { name: 'pat' });
  h.slack.addUser('U0QUIN', { name: 'quin' });
}, 60_000);
afterAll(async () => {
  await maintenance?.close();
  await h?.close();
});

describe('profile files', () => {
  it('are deleted from Slack at access.profileRetention, and the DM says when', async () => {
    const grant = await activeGrant(h, 'U0PAT', 'hangzhou');
    const [file] = h.slack.files(dm('U0PAT'));
    expect(file).toBeDefined();
    expect(file!.initialComment).toContain('I will remove this file from Slack <!date^');
    const stored = await storedRequest(h, grant.requestId);
    expect(stored.profileFiles).toEqual([file!.id]);

    const job = await vi.waitFor(async () => {
      const found = await maintenance.getJob(`profile-delete-${grant.requestId}-${file!.id}`);
      expect(found).toBeDefined();
      return found!;
    }, { timeout: 5000, interval: 20 });
    expect(await job.getState()).toBe('delayed');
    expect(job.timestamp + (job.opts.delay ?? 0)).toBeGreaterThanOrEqual(Date.now() + RETENTION_MS - 60_000);
    expect(JSON.stringify(job.data)).not.toMatch(/BEGIN|PRIVATE/);

    // The retention has passed.
    await job.promote();
    await h.slack.waitFor('files.delete', () => deletedFiles().includes(file!.id), 10_000);
    expect(h.slack.files(dm('U0PAT')).map((f) => f.id)).not.toContain(file!.id);
    await vi.waitFor(async () => expect((await storedRequest(h, grant.requestId)).profileFiles).toEqual([]), { timeout: 5000, interval: 20 });
    // Audited just after the id is forgotten.
    await vi.waitFor(async () => expect((await audit.list()).some((e) => e.action === 'profile.file-deleted' && e.requestId === grant.requestId && e.detail?.includes(file!.id))).toBe(true), { timeout: 5000, interval: 20 });
    expect(await requestStatus(h, grant.requestId)).toBe('active');
  });

  it('/vpn resend uploads a fresh copy from the gateway (never stored), audited; the file goes when the grant is revoked', async () => {
    const grant = await latestRequestOf('U0PAT');
    const describesBefore = h.sim.callsOf('DescribeSslVpnClientCert').length;
    const filesBefore = h.slack.files(dm('U0PAT')).length;
    const { ack, reply } = await slowCommand('U0PAT', 'resend');
    expect(ack).toContain('Fetching a fresh copy');
    expect(reply).toContain('A fresh copy of your profile for *hangzhou* is in your DM');
    expect(h.sim.callsOf('DescribeSslVpnClientCert').length).toBe(describesBefore + 1);
    const files = h.slack.files(dm('U0PAT'));
    expect(files).toHaveLength(filesBefore + 1);
    const fresh = files[files.length - 1]!;
    expect(fresh.content.toString()).toContain('<key>');
    expect(fresh.initialComment).toContain('I will remove this file from Slack');
    expect(await dumpRedis(h.redis)).not.toContain('PRIVATE KEY');
    expect((await storedRequest(h, grant)).profileFiles).toEqual([fresh.id]);
    expect((await audit.list()).some((e) => e.action === 'profile.resent' && e.actor === 'U0PAT' && e.requestId === grant)).toBe(true);
    expect(await maintenance.getJob(`profile-delete-${grant}-${fresh.id}`)).toBeDefined();

    // The grant ends: the file goes at once, not at its retention.
    await h.driver.command({ userId: 'U0PAT', text: 'revoke' });
    await vi.waitFor(async () => expect(await requestStatus(h, grant)).toBe('revoked'), { timeout: 20_000, interval: 50 });
    await h.slack.waitFor('file deleted at revoke', () => deletedFiles().includes(fresh.id), 10_000);
    expect(h.slack.files(dm('U0PAT'))).toHaveLength(0);
  });

  it('the App Home button resends too; clear answers without access or with a bad gateway', async () => {
    const grant = await activeGrant(h, 'U0QUIN', 'frankfurt');
    await h.driver.event({ type: 'app_home_opened', user: 'U0QUIN', tab: 'home', channel: 'D0QUIN' });
    const home = await h.slack.waitFor('home with resend', () => h.slack.views('U0QUIN').find((v) => v.kind === 'home' && JSON.stringify(v.view.blocks).includes('vpn_resend')));
    const before = h.slack.files(dm('U0QUIN')).length;
    const click = await h.driver.blockAction({ userId: 'U0QUIN', actionId: 'vpn_resend', value: grant.requestId, viewId: home.id });
    expect(click.status).toBe(200);
    await h.slack.waitFor('resent file', () => h.slack.files(dm('U0QUIN')).length === before + 1, 15_000);
    await h.slack.waitFor('resend DM', () => h.slack.messages(dm('U0QUIN')).find((m) => m.text.includes('A fresh copy of your profile for *frankfurt*')));

    expect((await slowCommand('U0QUIN', 'resend moon')).ack).toContain('`moon` is not a gateway');
    expect((await slowCommand('U0EVE', 'resend')).reply).toContain('You have no active VPN access');
  });
});

async function latestRequestOf(userId: string): Promise<string> {
  const ids = await h.redis.zrevrange(`{vpnbot}:user:${userId}:reqs`, 0, 0);
  return ids[0]!;
}
