// Reconcile finds foreign and orphan certificates and deals with them: a certificate made in the Alibaba
// console is posted to the approvals channel with its name, id, creation time and status (only when the set
// changed), deleted once a second admin confirms (on the gateway's lane, ClientToken from its id, verified
// gone), or kept with who and why and not reported again; a leftover of an expired grant is deleted.
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { VpcClient } from '../../src/api/vpc.js';
import { AuditLog } from '../../src/core/audit.js';
import { RequestStore } from '../../src/core/store.js';
import { ACCESS_KEY, APPROVALS, GATEWAYS, type Harness, productQueue, startHarness } from '../helpers/harness.js';
import { activeGrant } from '../helpers/grants.js';

let h: Harness;
let audit: AuditLog;
let vpc: VpcClient;
let maintenance: Queue;
const HZ = GATEWAYS[0]!;

const onGateway = (certId: string) => h.sim.clientCerts(HZ.sslVpnServerId).some((c) => c.sslVpnClientCertId === certId);
const findingPosts = () => h.slack.messages(APPROVALS).filter((m) => !m.threadTs && m.text.startsWith(':mag: Reconcile') || m.text.startsWith(':white_check_mark: Reconcile'));

async function consoleCert(name: string): Promise<string> {
  const created = await vpc.createSslVpnClientCert({ regionId: HZ.regionId, sslVpnServerId: HZ.sslVpnServerId, name, clientToken: `test-${name}` });
  await h.sim.settle();
  return created.sslVpnClientCertId;
}

/** The scheduled run, brought forward (as the hourly scheduler would run it). */
async function scheduledRun(): Promise<void> {
  const before = (await audit.list()).filter((e) => e.action === 'reconcile.run').length;
  await maintenance.add('reconcile', { kind: 'reconcile' }, { removeOnComplete: true });
  await vi.waitFor(async () => expect((await audit.list()).filter((e) => e.action === 'reconcile.run').length).toBeGreaterThan(before), { timeout: 15_000, interval: 50 });
}

beforeAll(async () => {
  h = await startHarness({ db: 47, updateMs: 100, adminsExtra: ['U0ADMIN2'] });
  audit = new AuditLog(h.redis);
  vpc = new VpcClient({ credentials: { accessKeyId: ACCESS_KEY.id, accessKeySecret: ACCESS_KEY.secret }, timeoutMs: 5000, endpointOverride: h.sim.url });
  maintenance = productQueue(h, 'maintenance');
}, 60_000);
afterAll(async () => {
  await maintenance?.close();
  await h?.close();
});

describe('reconcile findings', () => {
  it('posts a console-made certificate with name, id, time and status only when the set changes; two admins delete it', async () => {
    const certId = await consoleCert('backdoor-from-console');
    await scheduledRun();
    const post = await h.slack.waitFor('findings post', () => h.slack.messages(APPROVALS).find((m) => !m.threadTs && m.text.startsWith(':mag: Reconcile')));
    const blocks = JSON.stringify(post.blocks);
    expect(blocks).toContain(certId);
    expect(blocks).toContain('backdoor-from-console');
    expect(blocks).toMatch(/created <!date\^\d+\^/);
    expect(blocks).toContain('status `normal`');
    expect(blocks).toContain('vpn_cert_delete');
    expect(blocks).toContain('vpn_cert_keep');

    // Nothing changed: no second post.
    await scheduledRun();
    expect(findingPosts()).toHaveLength(1);

    // The first admin proposes; clicking again does not confirm; a non-admin is refused.
    await h.driver.blockAction({ userId: 'U0ADMIN', actionId: 'vpn_cert_delete', value: certId, channelId: APPROVALS, messageTs: post.ts });
    await h.slack.waitFor('proposed', () => h.slack.thread(APPROVALS, post.ts).find((m) => m.text.includes('<@U0ADMIN> proposes deleting')));
    await h.driver.blockAction({ userId: 'U0ADMIN', actionId: 'vpn_cert_delete', value: certId, channelId: APPROVALS, messageTs: post.ts });
    await h.driver.blockAction({ userId: 'U0BOB', actionId: 'vpn_cert_delete', value: certId, channelId: APPROVALS, messageTs: post.ts });
    await h.slack.waitFor('refusals', () => {
      const texts = h.slack.responses().map((r) => String(r.body.text));
      return texts.some((t) => t.includes('another admin must confirm it')) && texts.some((t) => t.includes('Only admins'));
    });
    expect(h.sim.callsOf('DeleteSslVpnClientCert').filter((c) => c.params.SslVpnClientCertId === certId)).toHaveLength(0);

    // The second admin confirms: deleted on the lane with a ClientToken from its id, verified gone.
    await h.driver.blockAction({ userId: 'U0ADMIN2', actionId: 'vpn_cert_delete', value: certId, channelId: APPROVALS, messageTs: post.ts });
    await h.slack.waitFor('deleted', () => h.slack.thread(APPROVALS, post.ts).find((m) => m.text.includes('removed and verified')), 20_000);
    expect(onGateway(certId)).toBe(false);
    expect(h.sim.callsOf('DeleteSslVpnClientCert').filter((c) => c.params.SslVpnClientCertId === certId).map((c) => c.params.ClientToken)).toEqual([`vpnbot-delete-${certId}`]);
    const entries = (await audit.list()).filter((e) => e.detail?.includes(certId));
    expect(entries.map((e) => [e.action, e.actor])).toEqual(expect.arrayContaining([
      ['foreign-cert.delete-proposed', 'U0ADMIN'], ['foreign-cert.delete-confirmed', 'U0ADMIN2'], ['foreign-cert.deleted', 'U0ADMIN2'],
    ]));
  });

  it('Keep records who and why, and the certificate is not reported again', async () => {
    const certId = await consoleCert('vendor-test-box');
    await scheduledRun();
    const post = await h.slack.waitFor('findings post', () => [...h.slack.messages(APPROVALS)].reverse().find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(certId)));
    await h.driver.blockAction({ userId: 'U0ADMIN', actionId: 'vpn_cert_keep', value: certId, channelId: APPROVALS, messageTs: post.ts });
    const modal = await h.slack.waitFor('keep modal', () => h.slack.views('U0ADMIN').find((v) => v.kind === 'modal' && v.view.callback_id === 'vpn_cert_keep_modal'));
    const answer = await h.driver.viewSubmission({ userId: 'U0ADMIN', callbackId: 'vpn_cert_keep_modal', viewId: modal.id, values: { why: { why_input: { type: 'plain_text_input', value: 'Vendor appliance, ticket OPS-42' } } } });
    expect(answer.status).toBe(200);
    await h.slack.waitFor('kept note', () => h.slack.thread(APPROVALS, post.ts).find((m) => m.text.includes('keeps') && m.text.includes('Vendor appliance, ticket OPS-42')));
    const kept = (await audit.list()).find((e) => e.action === 'foreign-cert.kept' && e.detail?.includes(certId));
    expect(kept).toMatchObject({ actor: 'U0ADMIN' });
    expect(kept!.detail).toContain('Vendor appliance, ticket OPS-42');

    const postsBefore = findingPosts().length;
    await scheduledRun();
    expect(findingPosts().length).toBe(postsBefore);
    const report = await (async () => {
      const before = h.slack.responses().length;
      await h.driver.command({ userId: 'U0ADMIN', text: 'admin reconcile' });
      return String((await h.slack.waitFor('reconcile reply', () => h.slack.responses().slice(before).find((r) => !String(r.body.text).includes('Working on it')), 15_000)).body.text);
    })();
    expect(report).not.toContain(certId);
    expect(report).toContain('kept by admins');
    expect(onGateway(certId)).toBe(true);
  });

  it('deletes the certificate of a grant that expired but whose certificate is still there', async () => {
    h.slack.addUser('U0LEO', { name: 'leo' });
    const grant = await activeGrant(h, 'U0LEO', 'hangzhou');
    // The grant is recorded expired while its certificate stayed (a removal lost before this fix, say).
    const moved = await new RequestStore(h.redis).transition(grant.requestId, 'expired', {}, ['active']);
    expect(moved.ok).toBe(true);
    await h.sim.settle();
    expect(onGateway(grant.certId)).toBe(true);
    await scheduledRun();
    await vi.waitFor(() => expect(onGateway(grant.certId)).toBe(false), { timeout: 20_000, interval: 100 });
    expect(h.sim.callsOf('DeleteSslVpnClientCert').filter((c) => c.params.SslVpnClientCertId === grant.certId).map((c) => c.params.ClientToken)).toEqual([`vpnbot-delete-${grant.certId}`]);
    expect((await audit.list()).some((e) => e.action === 'reconcile.leftover-delete-queued' && e.requestId === grant.requestId)).toBe(true);
    await vi.waitFor(async () => expect((await audit.list()).some((e) => e.action === 'foreign-cert.deleted' && e.detail?.includes(grant.certId))).toBe(true), { timeout: 10_000, interval: 50 });
  });
});
