// The bot in an ACK pod with RRSA: no AccessKey variables, only the role, the OIDC provider and the projected
// service-account token file. The real start command runs as a child process; @alicloud/credentials' default
// chain exchanges the token at STS (AssumeRoleWithOIDC over HTTPS, a fake on 127.0.0.1 whose certificate the
// process trusts through NODE_EXTRA_CA_CERTS), every cloud call carries the STS token, credentials close to
// their expiry are renewed before they lapse (reading the token file again, as the kubelet rotates it), a
// token the gateway refuses as expired is renewed at once, and an expired pod token is refused by STS with its
// code, named at start without the token itself.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SlackDriver } from '../../src/sim/slack/index.js';
import { APPROVALS, APPROVER, SIGNING_SECRET } from '../helpers/fixtures.js';
import { startFakeSts, STS_HOST, type FakeSts } from '../helpers/fake-sts.js';
import { killAllBots, REPO_ROOT, spawnBot, startChildWorld, waitUntil, type BotProcess, type ChildWorld } from '../helpers/process.js';

const DB = 52;
const ROLE_ARN = 'acs:ram::1234567890123456:role/vpn-access-bot';
const PROVIDER_ARN = 'acs:ram::1234567890123456:oidc-provider/ack-rrsa-c0test';
const MINUTE = 60_000;

let world: ChildWorld;
let sts: FakeSts;
let dir: string;
let tokenFile: string;
let env: Record<string, string>;
let bot: BotProcess | undefined;

beforeAll(async () => {
  world = await startChildWorld({ db: DB, updateMs: 150 });
  sts = await startFakeSts(world.sim, { roleArn: ROLE_ARN, oidcProviderArn: PROVIDER_ARN });
  dir = mkdtempSync(join(tmpdir(), 'vpnbot-rrsa-'));
  tokenFile = join(dir, 'token');
  writeFileSync(join(dir, 'ca.pem'), sts.caPem);
  const { ALIBABA_CLOUD_ACCESS_KEY_ID: _id, ALIBABA_CLOUD_ACCESS_KEY_SECRET: _secret, ...withoutKeys } = world.env;
  env = {
    ...withoutKeys,
    LOG_LEVEL: 'info',
    // What the RRSA webhook puts into the pod.
    ALIBABA_CLOUD_ROLE_ARN: ROLE_ARN,
    ALIBABA_CLOUD_OIDC_PROVIDER_ARN: PROVIDER_ARN,
    ALIBABA_CLOUD_OIDC_TOKEN_FILE: tokenFile,
    ALIBABA_CLOUD_ROLE_SESSION_NAME: 'vpn-access-bot',
    NODE_EXTRA_CA_CERTS: join(dir, 'ca.pem'),
    TEST_HOSTS: `${STS_HOST}=${sts.address}`,
    // Nothing else in the chain may answer (or reach past 127.0.0.1): no metadata service, no profiles.
    HOME: dir,
    ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
    ALIBABA_CLOUD_CLI_PROFILE_DISABLED: 'true',
  };
}, 60_000);

afterEach(async (ctx) => {
  if (ctx.task.result?.state === 'fail' && bot) console.error(bot.output());
  // Stopped as a pod is, with SIGTERM: the bot hands its unfinished jobs back. (Killed, a job still finishing its
  // last steps would hold its gateway's lane until its lock lapsed, and the next test's grant would wait.)
  if (bot && !bot.exited()) {
    bot.child.kill('SIGTERM');
    await waitUntil(`${bot.name} to exit`, () => bot!.exited(), 25_000);
  }
  await killAllBots();
});

afterAll(async () => {
  await world?.close();
  await sts?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const startBot = (name: string) => spawnBot(name, env, 30_000, { preload: [join(REPO_ROOT, 'test/helpers/hosts.ts')] });

async function requestAndApprove(driver: SlackDriver, userId: string, reason: string): Promise<void> {
  const answer = await driver.command({ userId, text: `request hangzhou 1h ${reason}` });
  const requestId = /`(r[a-z0-9]+)`/.exec(String(answer.json?.text))?.[1];
  expect(requestId, answer.body).toBeTruthy();
  const card = await world.fake.waitFor('card', () => world.fake.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(requestId!)), 15_000);
  await driver.blockAction({ userId: APPROVER, actionId: 'vpn_approve', value: requestId!, channelId: APPROVALS, messageTs: card.ts });
  await world.fake.waitFor(`profile of ${userId}`, () => world.fake.files(world.fake.dmChannelFor(userId))[0], 30_000);
}

describe('Alibaba Cloud credentials from RRSA (OIDC) on ACK', () => {
  it('assumes the role with the pod\'s token over TLS, renews credentials before they expire, and renews at once when the gateway says the token expired', async () => {
    // The first credentials have 14 minutes left: inside the library's 15-minute renewal window.
    writeFileSync(tokenFile, sts.podToken(60 * MINUTE));
    sts.ttlMs = 14 * MINUTE;
    bot = await startBot('rrsa');
    const driver = new SlackDriver({ botUrl: `${bot.baseUrl}/slack/events`, signingSecret: SIGNING_SECRET, fake: world.fake });

    // Fetched at start (the bot checks its credentials before serving), from STS by name, with what the pod has.
    expect(sts.issued).toHaveLength(1);
    expect(sts.requests[0]).toMatchObject({ action: 'AssumeRoleWithOIDC', roleArn: ROLE_ARN, oidcProviderArn: PROVIDER_ARN, roleSessionName: 'vpn-access-bot', servername: STS_HOST });
    expect(bot.output()).toContain('default/oidc_role_arn');
    const first = sts.issued[0]!;

    // The kubelet rotates the projected token; later credentials last an hour.
    const rotated = sts.podToken(60 * MINUTE);
    writeFileSync(tokenFile, rotated);
    sts.ttlMs = 60 * MINUTE;
    await requestAndApprove(driver, 'U0ALICE', 'renewed before expiry');
    const renewed = sts.issued.slice(1);
    expect(renewed.length).toBeGreaterThan(0);
    expect(sts.requests.slice(1).every((r) => r.token === rotated && r.code === undefined)).toBe(true);
    const firstCalls = world.sim.calls.slice();
    expect(firstCalls.filter((c) => c.status === 200).length).toBeGreaterThan(0);
    // Renewed before use: the short-lived credentials never reached the gateway, nothing was refused.
    expect(firstCalls.filter((c) => c.params.AccessKeyId === first.accessKeyId)).toEqual([]);
    expect(firstCalls.filter((c) => c.status !== 200).map((c) => c.code)).toEqual([]);
    for (const call of firstCalls) expect(renewed.map((c) => c.accessKeyId)).toContain(call.params.AccessKeyId);

    // Credentials with most of their hour left are reused: a second grant asks STS nothing.
    const issuedBefore = sts.issued.length;
    await requestAndApprove(driver, 'U0EVE', 'cached credentials');
    expect(sts.issued).toHaveLength(issuedBefore);

    // The tokens stop working before their announced expiration (revoked, or clocks apart): the gateway says so.
    for (const c of sts.issued) world.sim.expireSecurityToken(c.securityToken);
    const before = world.sim.calls.length;
    await requestAndApprove(driver, 'U0CAROL', 'after the token expired');
    const later = world.sim.calls.slice(before);
    const refused = later.filter((c) => c.code === 'InvalidSecurityToken.Expired');
    expect(refused.length).toBeGreaterThan(0);
    expect(refused.every((c) => sts.issued.slice(0, issuedBefore).some((s) => s.accessKeyId === c.params.AccessKeyId))).toBe(true);
    expect(sts.issued.length).toBeGreaterThan(issuedBefore);
    const fresh = sts.issued.slice(issuedBefore).map((c) => c.accessKeyId);
    const ok = later.filter((c) => c.status === 200);
    expect(ok.length).toBeGreaterThan(0);
    for (const call of ok) expect(fresh).toContain(call.params.AccessKeyId);
    expect(world.sim.clientCerts()).toHaveLength(3);
    // Neither the pod token nor the temporary secrets reach the log.
    for (const secret of [rotated, ...sts.issued.flatMap((c) => [c.accessKeySecret, c.securityToken])]) expect(bot.output()).not.toContain(secret);
  });

  it('gets new credentials once STS is back when it was down at the moment the old ones were refused', async () => {
    writeFileSync(tokenFile, sts.podToken(60 * MINUTE));
    sts.ttlMs = 60 * MINUTE;
    bot = await startBot('rrsa-outage');
    const driver = new SlackDriver({ botUrl: `${bot.baseUrl}/slack/events`, signingSecret: SIGNING_SECRET, fake: world.fake });
    for (const c of sts.issued) world.sim.expireSecurityToken(c.securityToken);
    const issuedBefore = sts.issued.length;
    const requestsBefore = sts.requests.length;
    sts.failNext = 1;
    await requestAndApprove(driver, 'U0ADMIN', 'while STS was down');
    expect(sts.requests.slice(requestsBefore).map((r) => r.code)).toContain('ServiceUnavailable');
    expect(sts.issued.length).toBeGreaterThan(issuedBefore);
    expect(world.sim.clientCerts()).toHaveLength(4);
  }, 60_000);

  it('refuses to start when STS refuses an expired pod token, naming STS\'s code and not the token', async () => {
    const stale = sts.podToken(-MINUTE);
    writeFileSync(tokenFile, stale);
    const requests = sts.requests.length;
    const error = await startBot('rrsa-expired').then(() => undefined, (err: Error) => err.message);
    expect(error).toMatch(/no Alibaba Cloud credentials: .*AuthenticationFail\.OIDCToken\.Expired/);
    expect(error).not.toContain(stale);
    expect(sts.requests.slice(requests).map((r) => r.code)).toContain('AuthenticationFail.OIDCToken.Expired');
  });
});
