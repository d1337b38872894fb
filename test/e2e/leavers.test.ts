// Leavers lose access by themselves: a signed `user_change` event with `deleted: true` offboards the user
// (grants revoked on every gateway, pending requests cancelled, private-CA certificates revoked, admins told),
// and, for an event missed while the bot was down, the durable sweep (a BullMQ job scheduler) finds the
// deactivated holder with users.info after a restart. Everything is audited with actor `slack`.
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuditLog } from '../../src/core/audit.js';
import { loadConfig } from '../../src/config/load.js';
import { start, type Running } from '../../src/main.js';
import { SlackDriver } from '../../src/sim/slack/index.js';
import { APPROVALS, GATEWAYS, type Harness, productQueue, SIGNING_SECRET, startHarness } from '../helpers/harness.js';
import { activeGrant, requestStatus, storedRequest, submitRequest } from '../helpers/grants.js';

let h: Harness;
let audit: AuditLog;
let maintenance: Queue;
const ALICE_CAS = 'a'.repeat(32);

beforeAll(async () => {
  h = await startHarness({ db: 27, updateMs: 100, configExtra: 'offboarding:\n  onSlackDeactivation: true\n  sweepEvery: 1h\n' });
  audit = new AuditLog(h.redis);
  maintenance = productQueue(h, 'maintenance');
  h.slack.addUser('U0ALICE', { name: 'alice', email: 'alice@example.com' });
  h.slack.addUser('U0MIA', { name: 'mia', email: 'mia@example.com' });
}, 60_000);
afterAll(async () => {
  await maintenance?.close();
  await h?.close();
});

describe('leavers', () => {
  it('a user_change event with deleted: true offboards the user everywhere, tells the admins, and is audited as slack', async () => {
    const [hz, fra] = await Promise.all([activeGrant(h, 'U0ALICE', 'hangzhou'), activeGrant(h, 'U0ALICE', 'frankfurt')]);
    const { requestId: pendingId } = await submitRequest(h, 'U0ALICE', 'hangzhou', '2h');

    h.slack.addUser('U0ALICE', { name: 'alice', email: 'alice@example.com', deleted: true });
    const answer = await h.driver.userChange('U0ALICE', { deleted: true, name: 'alice' });
    expect(answer.status).toBe(200);

    await vi.waitFor(async () => {
      expect(await requestStatus(h, hz.requestId)).toBe('revoked');
      expect(await requestStatus(h, fra.requestId)).toBe('revoked');
    }, { timeout: 20_000, interval: 50 });
    expect(await requestStatus(h, pendingId)).toBe('cancelled');
    expect((await storedRequest(h, hz.requestId)).revokedBy).toBe('slack');
    await h.sim.settle();
    for (const [g, gw] of [[hz, GATEWAYS[0]!], [fra, GATEWAYS[1]!]] as const) {
      expect(h.sim.clientCerts(gw.sslVpnServerId).map((c) => c.sslVpnClientCertId)).not.toContain(g.certId);
    }
    expect(h.sim.casCertificate(ALICE_CAS)?.status).toBe('REVOKE');

    const alert = await h.slack.waitFor('admins told', () => h.slack.messages(APPROVALS).find((m) => !m.threadTs && m.text.includes('<@U0ALICE> was deactivated in Slack')));
    expect(alert.text).toContain('user_change event');
    expect(alert.text).toContain(hz.certId);
    expect(alert.text).toContain(ALICE_CAS);

    const bySlack = (await audit.list()).filter((e) => e.actor === 'slack' && e.subject === 'U0ALICE').map((e) => e.action);
    expect(bySlack).toEqual(expect.arrayContaining(['leaver.deactivated', 'admin.grant.revoke-requested', 'admin.request.cancelled', 'admin.cas-cert.revoked', 'admin.offboard']));
    await vi.waitFor(async () => expect((await audit.list()).filter((e) => e.actor === 'slack' && e.action === 'grant.revoked')).toHaveLength(2), { timeout: 10_000, interval: 50 });
    // The card threads say who ended the access in words: 'slack' is no Slack user to mention.
    const thread = () => h.slack.thread(APPROVALS, hz.cardTs);
    const ended = await h.slack.waitFor('the end in the card thread', () => thread().find((m) => m.text.includes('Access revoked by')));
    expect(ended.text).toContain('Access revoked by Slack (account deactivated)');
    expect(h.slack.messages(APPROVALS).concat(thread()).some((m) => m.text.includes('<@slack>'))).toBe(false);

    // Slack sends user_change again on later profile edits: no second offboarding, no second alert.
    await h.driver.userChange('U0ALICE', { deleted: true, name: 'alice' });
    await h.driver.userChange('U0BOB', { deleted: false, name: 'bob' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(h.slack.messages(APPROVALS).filter((m) => m.text.includes('<@U0ALICE> was deactivated in Slack'))).toHaveLength(1);
    expect((await audit.list()).filter((e) => e.action === 'leaver.deactivated')).toHaveLength(1);
  });

  it('a deactivation missed while the bot was down is found by the sweep after a restart', async () => {
    const grant = await activeGrant(h, 'U0MIA', 'frankfurt');
    await h.bot.stop();
    // Deactivated while nobody listens: no event ever arrives.
    h.slack.addUser('U0MIA', { name: 'mia', email: 'mia@example.com', deleted: true });
    const restarted: Running = await start(loadConfig(h.env));
    h.bot = restarted; // closed with the harness
    {
      const driver = new SlackDriver({ botUrl: `http://127.0.0.1:${restarted.port}/slack/events`, signingSecret: SIGNING_SECRET, fake: h.slack });
      // The sweep is a durable job scheduler: bring its next run forward instead of waiting an hour.
      await vi.waitFor(async () => {
        for (const job of await maintenance.getDelayed()) if (job.name === 'leaver-sweep') await job.promote().catch(() => undefined);
        expect(await requestStatus(h, grant.requestId)).toBe('revoked');
      }, { timeout: 20_000, interval: 200 });
      const alert = await h.slack.waitFor('admins told', () => h.slack.messages(APPROVALS).find((m) => m.text.includes('<@U0MIA> was deactivated in Slack')));
      expect(alert.text).toContain('periodic check');
      expect((await audit.list()).filter((e) => e.actor === 'slack' && e.subject === 'U0MIA').map((e) => e.action)).toEqual(expect.arrayContaining(['leaver.deactivated', 'admin.offboard']));
      expect(h.slack.callsOf('users.info').some((c) => c.args.user === 'U0MIA')).toBe(true);
      expect((await driver.command({ userId: 'U0ADMIN', text: 'admin list' })).json?.text).not.toContain('U0MIA');
    }
  });
});
