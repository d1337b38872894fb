// Verified deletes: after DeleteSslVpnClientCert and the gateway's return to `active`, the certificate must be
// absent from the server's list before access counts as ended. The simulator's `pretend` fault answers a
// delete with success and changes nothing: the bot notices, deletes again (a new ClientToken), and reports
// "removed and verified"; when it never goes, the admins are alerted after provisioning.gatewayTimeout.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuditLog } from '../../src/core/audit.js';
import { APPROVALS, GATEWAYS, startHarness, type Harness } from '../helpers/harness.js';
import { activeGrant, requestStatus } from '../helpers/grants.js';

let h: Harness;
let audit: AuditLog;
const HZ = GATEWAYS[0]!;

beforeAll(async () => {
  h = await startHarness({ db: 36, updateMs: 100, configExtra: 'provisioning:\n  gatewayTimeout: 1m\n' });
  audit = new AuditLog(h.redis);
  h.slack.addUser('U0VIC', { name: 'vic' });
  h.slack.addUser('U0WES', { name: 'wes' });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

const onGateway = (certId: string) => h.sim.clientCerts(HZ.sslVpnServerId).some((c) => c.sslVpnClientCertId === certId);

describe('verified deletes', () => {
  it('a delete the gateway pretends to apply is caught, sent again, and reported removed and verified', async () => {
    const grant = await activeGrant(h, 'U0VIC', 'hangzhou');
    await h.sim.settle();
    h.sim.inject({ action: 'DeleteSslVpnClientCert', mode: 'pretend', times: 1 });
    await h.driver.command({ userId: 'U0VIC', text: 'revoke' });
    await vi.waitFor(async () => expect(await requestStatus(h, grant.requestId)).toBe('revoked'), { timeout: 30_000, interval: 50 });

    expect(onGateway(grant.certId)).toBe(false);
    const deletes = h.sim.callsOf('DeleteSslVpnClientCert').filter((c) => c.params.SslVpnClientCertId === grant.certId);
    expect(deletes.map((c) => c.params.ClientToken)).toEqual([`vpnbot-delete-${grant.requestId}`, `vpnbot-delete-${grant.requestId}-r2`]);
    // grant.revoked is appended just after the status moves: wait for it (a loaded machine can be read in between).
    const actions = await vi.waitFor(async () => {
      const seen = (await audit.list()).filter((e) => e.requestId === grant.requestId).map((e) => e.action);
      expect(seen).toEqual(expect.arrayContaining(['cert.delete-not-applied', 'cert.deleted', 'grant.revoked']));
      return seen;
    }, { timeout: 10_000, interval: 50 });
    expect(actions.indexOf('cert.delete-not-applied')).toBeLessThan(actions.indexOf('cert.deleted'));
    expect((await audit.list()).find((e) => e.action === 'cert.deleted' && e.requestId === grant.requestId)?.detail).toContain('removed and verified after 2 deletes');
    await h.slack.waitFor('thread says verified', () => h.slack.thread(APPROVALS, grant.cardTs).find((m) => m.text.includes('certificate removed and verified')));
    await h.slack.waitFor('DM says verified', () => h.slack.messages(h.slack.dmChannelFor('U0VIC')).find((m) => m.text.includes('removed and verified gone')));
  });

  it('a certificate that never goes alerts the admins after provisioning.gatewayTimeout, and the grant is not reported ended', async () => {
    const grant = await activeGrant(h, 'U0WES', 'hangzhou');
    await h.sim.settle();
    h.sim.inject({ action: 'DeleteSslVpnClientCert', mode: 'pretend', times: 1000 });
    await h.driver.command({ userId: 'U0WES', text: 'revoke' });
    const alert = await h.slack.waitFor('admins alerted', () => h.slack.messages(APPROVALS).find((m) => !m.threadTs && m.text.includes(`Could not remove certificate \`${grant.certId}\``)), 100_000);
    expect(alert.text).toContain('still on hangzhou');
    expect(await requestStatus(h, grant.requestId)).toBe('active');
    expect(onGateway(grant.certId)).toBe(true);
    expect(h.slack.messages(h.slack.dmChannelFor('U0WES')).some((m) => m.text.includes('was revoked'))).toBe(false);
    h.sim.clearFaults();
  }, 130_000);
});
