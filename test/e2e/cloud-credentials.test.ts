// The bot on an ECS instance with a RAM role and no AccessKey variables: @alicloud/credentials' default chain
// fetches temporary credentials from the instance metadata service (a fake on 127.0.0.1), every cloud call
// carries the STS token, and when the service says the token has expired the bot fetches new credentials and
// the call succeeds.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVALS, startHarness, type Harness } from '../helpers/harness.js';
import { startFakeMetadata, type FakeMetadata } from '../helpers/ecs-metadata.js';

const ROLE = 'VpnBotRole';
let h: Harness;
let metadata: FakeMetadata;

beforeAll(async () => {
  // The library reads its chain's variables from the process environment, as in production.
  for (const name of ['ALIBABA_CLOUD_ACCESS_KEY_ID', 'ALIBABA_CLOUD_ACCESS_KEY_SECRET', 'ALIBABA_CLOUD_SECURITY_TOKEN']) delete process.env[name];
  process.env.ALIBABA_CLOUD_ECS_METADATA = ROLE;
  process.env.ALIBABA_CLOUD_CLI_PROFILE_DISABLED = 'true'; // a developer's own aliyun CLI profile must not win
  h = await startHarness({
    db: 35,
    env: { ALIBABA_CLOUD_ACCESS_KEY_ID: '', ALIBABA_CLOUD_ACCESS_KEY_SECRET: '', ALIBABA_CLOUD_ECS_METADATA: ROLE },
    // Issued lazily by the fake metadata service below, which needs the harness's simulator: start it first.
    beforeStart: async (sim) => { metadata = await startFakeMetadata(sim, ROLE); },
  });
});
afterAll(async () => {
  await h?.close();
  await metadata?.close();
  delete process.env.ALIBABA_CLOUD_ECS_METADATA;
  delete process.env.ALIBABA_CLOUD_CLI_PROFILE_DISABLED;
});

async function requestAndApprove(userId: string, reason: string): Promise<string> {
  const answer = await h.driver.command({ userId, text: `request hangzhou 1h ${reason}` });
  const requestId = /`(r[a-z0-9]+)`/.exec(String(answer.json?.text))?.[1];
  expect(requestId, answer.body).toBeTruthy();
  const card = await h.slack.waitFor('card', () => h.slack.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(requestId!)), 10_000);
  await h.driver.blockAction({ userId: 'U0BOB', actionId: 'vpn_approve', value: requestId!, channelId: APPROVALS, messageTs: card.ts });
  await h.slack.waitFor('profile', () => h.slack.files(h.slack.dmChannelFor(userId))[0], 20_000);
  return requestId!;
}

describe('Alibaba Cloud credentials from the ECS RAM role', () => {
  it('provisions with the metadata service\'s STS credentials, and renews them when the token is refused as expired', async () => {
    // Fetched at start (the bot checks its credentials before serving), through IMDSv2.
    expect(metadata.issued).toHaveLength(1);
    expect(metadata.hardened).toBe(1);
    const first = metadata.issued[0]!;

    await requestAndApprove('U0ALICE', 'with the instance role');
    const calls = h.sim.calls.filter((c) => c.status === 200);
    expect(calls.length).toBeGreaterThan(0);
    for (const call of calls) expect(call.params.AccessKeyId).toBe(first.accessKeyId);

    // The token stops working before its announced expiration (revoked, or clocks apart): the gateway says so.
    h.sim.expireSecurityToken(first.securityToken);
    const before = h.sim.calls.length;
    await requestAndApprove('U0EVE', 'after the token expired');
    const later = h.sim.calls.slice(before);
    const refused = later.filter((c) => c.code === 'InvalidSecurityToken.Expired');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((c) => c.params.AccessKeyId === first.accessKeyId)).toBe(true);
    expect(metadata.issued.length).toBeGreaterThan(1);
    const renewed = metadata.issued.at(-1)!;
    expect(later.filter((c) => c.status === 200).every((c) => c.params.AccessKeyId === renewed.accessKeyId)).toBe(true);
    expect(h.sim.clientCerts()).toHaveLength(2);
  });

  it('answers a request made with a temporary key but no token, or another key\'s token, with Alibaba\'s codes', async () => {
    const { RpcCaller } = await import('../../src/api/rpc.js');
    const a = h.sim.issueStsCredentials(60_000);
    const b = h.sim.issueStsCredentials(60_000);
    const codeOf = (creds: { accessKeyId: string; accessKeySecret: string; securityToken?: string }) =>
      new RpcCaller(h.sim.url, '2016-04-28', creds, 2000).call('DescribeVpnGateway', { RegionId: 'cn-hangzhou', VpnGatewayId: 'vpn-bp1aaaaaaaaaaaaaaaaaaaa' }, { mutating: false })
        .then(() => 'ok', (err: { code: string }) => err.code);
    expect(await codeOf({ accessKeyId: a.accessKeyId, accessKeySecret: a.accessKeySecret })).toBe('InvalidSecurityToken.MismatchWithAccessKey');
    expect(await codeOf({ accessKeyId: a.accessKeyId, accessKeySecret: a.accessKeySecret, securityToken: b.securityToken })).toBe('InvalidSecurityToken.MismatchWithAccessKey');
    expect(await codeOf({ accessKeyId: a.accessKeyId, accessKeySecret: a.accessKeySecret, securityToken: a.securityToken })).toBe('ok');
    h.sim.expireSecurityToken(a.securityToken);
    // Static credentials cannot be renewed: the refusal reaches the caller after one retry.
    expect(await codeOf({ accessKeyId: a.accessKeyId, accessKeySecret: a.accessKeySecret, securityToken: a.securityToken })).toBe('InvalidSecurityToken.Expired');
  });
});
