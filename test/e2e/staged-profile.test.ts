// The profile is prepared while the gateway applies the change: the certificate is read and the file
// uploaded to Slack (unshared) during the wait, so once the gateway is active only the share is left.
// An upload Slack no longer has at share time is fetched and uploaded again, and still delivered once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AuditLog } from '../../src/core/audit.js';
import type { SimCall } from '../../src/sim/alicloud/index.js';
import { APPROVALS, GATEWAYS, startHarness, type Harness } from '../helpers/harness.js';
import { requestStatus, storedRequest, submitRequest } from '../helpers/grants.js';

const HANGZHOU = GATEWAYS[0]!;
let h: Harness;

beforeAll(async () => {
  // The gateway's update ends only when a test says so (setGatewayStatus): whatever happened before that
  // happened during the wait.
  h = await startHarness({ db: 44, updateMs: 10 * 60_000 });
});
afterAll(async () => {
  await h?.close();
});

/**
 * Approves a request for `userId` and lets the gateway finish its update once the profile has been read
 * and its upload started; then waits for the file in the DM. `beforeActive` runs just before the update ends.
 */
async function deliverWithStaging(userId: string, beforeActive?: () => void) {
  const sim = h.sim.calls.length;
  h.slack.reset();
  const { requestId, cardTs } = await submitRequest(h, userId, 'hangzhou');
  await h.driver.blockAction({ userId: 'U0BOB', actionId: 'vpn_approve', value: requestId, channelId: APPROVALS, messageTs: cardTs });
  const simCalls = (action: string) => h.sim.calls.slice(sim).filter((c) => c.action === action);
  await h.slack.waitFor('profile read and its upload started', () =>
    simCalls('DescribeSslVpnClientCert').length >= 1 && h.slack.callsOf('files.getUploadURLExternal').length >= 1, 15_000);
  expect(h.sim.gatewayStatus(HANGZHOU.vpnGatewayId)).toBe('updating');
  const dm = h.slack.dmChannelFor(userId);
  expect(h.slack.callsOf('files.completeUploadExternal')).toHaveLength(0);
  expect(h.slack.files(dm)).toHaveLength(0);

  beforeActive?.();
  const flippedAt = h.sim.calls.length;
  h.sim.setGatewayStatus(HANGZHOU.vpnGatewayId, 'active');
  const file = await h.slack.waitFor('profile in the DM', () => h.slack.files(dm)[0], 30_000);
  await expect.poll(() => requestStatus(h, requestId), { timeout: 10_000 }).toBe('active');
  await new Promise((resolve) => setTimeout(resolve, 500)); // room for a stray second share to show
  // The first poll after the update ended: the wait's poll that saw `active` is this one or a later one.
  const sawActive = h.sim.calls.slice(flippedAt).find((c) => c.action === 'DescribeVpnGateway' && c.params.VpnGatewayId === HANGZHOU.vpnGatewayId);
  expect(sawActive).toBeDefined();
  return { requestId, file, sawActive: sawActive as SimCall, simCalls };
}

function expectProfile(content: string): void {
  expect(content).toMatch(/^client$/m);
  expect(content).toContain(`remote ${HANGZHOU.ip} 1194`);
  expect(content).toMatch(/<cert>\n-----BEGIN CERTIFICATE-----[\s\S]+<\/cert>/);
  expect(content).toMatch(/<key>\n-----BEGIN RSA PRIVATE KEY-----[\s\S]+<\/key>/);
}

const sharedIds = () => h.slack.callsOf('files.completeUploadExternal').map((c) => (c.args.files as { id: string }[])[0]!.id);

describe('profile staged during the gateway update', () => {
  it('is read and uploaded before the gateway is active, and only shared after', async () => {
    const { requestId, file, sawActive, simCalls } = await deliverWithStaging('U0ALICE');

    const before = (calls: { at: number }[]) => calls.map((c) => c.at <= sawActive.at);
    expect(before(simCalls('DescribeSslVpnClientCert'))).toEqual([true]);
    expect(before(h.slack.callsOf('files.getUploadURLExternal'))).toEqual([true]);
    expect(h.slack.callsOf('files.completeUploadExternal')).toHaveLength(1);
    expect(h.slack.callsOf('files.completeUploadExternal')[0]!.at).toBeGreaterThanOrEqual(sawActive.at);

    // The staged upload is the one shared: one file, in the DM, a valid profile, recorded on the request.
    expect(sharedIds()).toEqual([file.id]);
    expect(h.slack.files()).toHaveLength(1);
    expectProfile(file.content.toString('utf8'));
    expect((await storedRequest(h, requestId)).profileFiles).toEqual([file.id]);
    const delivered = (await new AuditLog(h.redis).list()).find((e) => e.action === 'profile.delivered' && e.requestId === requestId);
    expect(delivered?.cloudRequestId).toMatch(/\S+/);
  }, 60_000);

  it('an upload Slack no longer has at share time is read and uploaded again: delivered once', async () => {
    // The staged upload is refused at the share, as an upload URL that lapsed during a long wait would be.
    const { requestId, file, sawActive, simCalls } = await deliverWithStaging('U0CAROL',
      () => h.slack.inject('files.completeUploadExternal', { error: 'file_not_found', times: 1 }));

    // Staged before `active`; after the refused share, read and uploaded afresh and shared: one file.
    const describes = simCalls('DescribeSslVpnClientCert');
    expect(describes).toHaveLength(2);
    expect(describes[0]!.at).toBeLessThanOrEqual(sawActive.at);
    expect(h.slack.callsOf('files.getUploadURLExternal')[0]!.at).toBeLessThanOrEqual(sawActive.at);
    expect(h.slack.calls.map((c) => c.method).filter((m) => m.startsWith('files.'))).toEqual([
      'files.getUploadURLExternal', 'files.completeUploadExternal', 'files.getUploadURLExternal', 'files.completeUploadExternal',
    ]);
    const shared = sharedIds();
    expect(shared).toHaveLength(2);
    expect(shared[1]).not.toBe(shared[0]);
    expect(shared[1]).toBe(file.id);
    expect(h.slack.files()).toHaveLength(1);
    expectProfile(file.content.toString('utf8'));
    expect((await storedRequest(h, requestId)).profileFiles).toEqual([file.id]);
  }, 60_000);
});
