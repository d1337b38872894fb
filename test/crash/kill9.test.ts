// Crash safety: the product runs as a child process and is killed with SIGKILL at each point of the
// provisioning steps (made deterministic with simulator delays); a fresh process must finish the work
// with exactly one certificate on the gateway and exactly one profile in the requester's DM.
// The simulators and the Redis database belong to the test process, so they outlive every kill.
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { RequestStore } from '../../src/core/store.js';
import type { AccessRequest } from '../../src/core/requests.js';
import type { AlibabaSim } from '../../src/sim/alicloud/index.js';
import { SlackDriver, type FakeMessage, type FakeSlack } from '../../src/sim/slack/index.js';
import { APPROVALS, configYaml, dumpRedis, GATEWAYS, SIGNING_SECRET, simSeed } from '../helpers/harness.js';
import { killAllBots, spawnBot, startChildWorld, waitUntil, type BotProcess, type ChildWorld } from '../helpers/process.js';

const DB = 12;
const HANGZHOU = GATEWAYS[0]!;
const TEST_TIMEOUT = 60_000;
/** Generous: a restarted worker first waits out the dead worker's lock (lockDurationMs 2000, checked every 2 s). */
const RESUME_MS = 30_000;

let world: ChildWorld;
let sim: AlibabaSim;
let fake: FakeSlack;
let redis: Redis;
let store: RequestStore;
let env: Record<string, string>;
/** Every process of the current test, killed or not, for the failure report. */
let spawned: BotProcess[] = [];

beforeAll(async () => {
  world = await startChildWorld({ db: DB, configText: configYaml('provisioning:\n  lockDurationMs: 2000\n') });
  ({ sim, fake, redis, env } = world);
  store = new RequestStore(redis);
});

beforeEach(async () => {
  spawned = [];
  sim.reset(simSeed());
  sim.setUpdateMs(300);
  fake.reset();
  await redis.flushdb();
});

afterEach(async (ctx) => {
  await killAllBots();
  if (ctx.task.result?.state === 'fail') {
    for (const bot of spawned) console.error(bot.output());
  }
});

afterAll(async () => {
  await world?.close();
});

// ---------------------------------------------------------------- helpers

interface Bot {
  proc: BotProcess;
  driver: SlackDriver;
}

async function startBot(name: string, role: 'all' | 'worker' = 'all'): Promise<Bot> {
  const proc = await spawnBot(name, { ...env, VPN_BOT_ROLE: role });
  spawned.push(proc);
  const driver = new SlackDriver({ botUrl: `${proc.baseUrl}/slack/events`, signingSecret: SIGNING_SECRET, fake });
  return { proc, driver };
}

const cardFor = (requestId: string): FakeMessage | undefined =>
  fake.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(requestId));

const cardsFor = (requestId: string): FakeMessage[] =>
  fake.messages(APPROVALS).filter((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(requestId));

const until = <T>(what: string, predicate: () => Promise<T | undefined | false | null>, timeoutMs = RESUME_MS): Promise<T> => waitUntil(what, predicate, timeoutMs);

async function submit(bot: Bot, userId: string, reason: string): Promise<{ requestId: string; card: FakeMessage }> {
  const answer = await bot.driver.command({ userId, text: `request hangzhou 1d ${reason}` });
  expect(answer.status).toBe(200);
  const requestId = /`(r[a-z0-9]+)`/.exec(String(answer.json?.text ?? ''))?.[1];
  expect(requestId, `no request id in ${answer.body}`).toBeTruthy();
  const card = await fake.waitFor(`approval card of ${requestId}`, () => cardFor(requestId!), 15_000);
  return { requestId: requestId!, card };
}

async function approve(bot: Bot, requestId: string, card: FakeMessage): Promise<void> {
  const click = await bot.driver.blockAction({ userId: 'U0BOB', actionId: 'vpn_approve', value: requestId, channelId: APPROVALS, messageTs: card.ts });
  expect(click.status).toBe(200);
}

const statusOf = async (requestId: string): Promise<AccessRequest | undefined> => store.get(requestId);

/**
 * The outcome every kill point must reach: the request ends active, one profile in the requester's DM
 * (still one a second after the request went active), one certificate on the gateway, named like the file.
 */
async function expectDeliveredOnce(requestId: string, userId = 'U0ALICE'): Promise<void> {
  const dm = fake.dmChannelFor(userId);
  const active = await until(`${requestId} active (or failed) in Redis`, async () => {
    const r = await statusOf(requestId);
    return r?.status === 'active' || r?.status === 'failed' ? r : undefined;
  });
  expect(active.status, `request failed: ${active.failure}`).toBe('active');
  await fake.waitFor(`profile upload for ${requestId}`, () => fake.files(dm)[0], 5000);
  // Long enough for a stray second delivery (e.g. a resumed job racing the first) to show up.
  await new Promise((resolve) => setTimeout(resolve, 1000));

  const files = fake.files(dm);
  expect(files.map((f) => f.filename)).toHaveLength(1);
  const certs = sim.clientCerts(HANGZHOU.sslVpnServerId);
  expect(certs.map((c) => c.name)).toHaveLength(1);
  expect(files[0]!.filename).toBe(`${certs[0]!.name}.ovpn`);
  expect(files[0]!.content.toString('utf8')).toMatch(/<key>\n-----BEGIN RSA PRIVATE KEY-----/);
  const final = await statusOf(requestId);
  expect(final?.status).toBe('active');
  expect(final?.deliveredAt).toBe(active.deliveredAt);
  expect(final?.certId).toBe(certs[0]!.sslVpnClientCertId);
  expect(cardsFor(requestId)).toHaveLength(1);
  expect(await dumpRedis(redis)).not.toContain('PRIVATE KEY');
}

// ---------------------------------------------------------------- kill points

describe('kill -9 during provisioning, then a fresh process', () => {
  it('1. before the create (during the lookup by name): one certificate, one profile', async () => {
    const first = await startBot('first');
    const { requestId, card } = await submit(first, 'U0ALICE', 'kill before create');
    sim.inject({ action: 'DescribeSslVpnClientCerts', mode: 'delay', delayMs: 3000 });
    await approve(first, requestId, card);
    await fake.waitFor('lookup before create', () => sim.callsOf('DescribeSslVpnClientCerts').length >= 1, 15_000);
    expect(sim.callsOf('CreateSslVpnClientCert')).toHaveLength(0);
    await first.proc.kill9();

    await startBot('second');
    await expectDeliveredOnce(requestId);
    expect(sim.callsOf('CreateSslVpnClientCert')).toHaveLength(1);
  }, TEST_TIMEOUT);

  it('2. after the create was applied but before its answer was recorded: no second certificate', async () => {
    const first = await startBot('first');
    const { requestId, card } = await submit(first, 'U0ALICE', 'kill after create');
    sim.inject({ action: 'CreateSslVpnClientCert', mode: 'apply-then-delay', delayMs: 4000 });
    await approve(first, requestId, card);
    await fake.waitFor('certificate on the gateway', () => sim.clientCerts(HANGZHOU.sslVpnServerId).length === 1, 15_000);
    await first.proc.kill9();
    const before = await statusOf(requestId);
    expect(before?.certId).toBeUndefined();

    await startBot('second');
    await expectDeliveredOnce(requestId);
    // Either found by name, or the create was replayed with the same ClientToken; both give the first cert.
    for (const call of sim.callsOf('CreateSslVpnClientCert')) expect(call.params.ClientToken).toBe(`vpnbot-create-${requestId}`);
  }, TEST_TIMEOUT);

  // Product bug: the certificate name comes from a Slack lookup (users.info) that is only persisted after
  // the create. A new process whose lookup fails (or after the user renamed themselves) computes another
  // name, misses the existing certificate, and replays the ClientToken with a different Name:
  // IdempotentParameterMismatch, the request fails and the first certificate is left orphaned.
  it('2b. after the create, with Slack users.info failing in the new process: still the same certificate, delivered', async () => {
    const first = await startBot('first');
    const { requestId, card } = await submit(first, 'U0ALICE', 'kill after create, slack flaky');
    sim.inject({ action: 'CreateSslVpnClientCert', mode: 'apply-then-delay', delayMs: 4000 });
    await approve(first, requestId, card);
    await fake.waitFor('certificate on the gateway', () => sim.clientCerts(HANGZHOU.sslVpnServerId).length === 1, 15_000);
    await first.proc.kill9();
    // The directory treats a failed users.info as "use the user id"; Slack answers ok:false for a while.
    fake.inject('users.info', { error: 'internal_error', times: 50 });

    await startBot('second');
    await expectDeliveredOnce(requestId);
    const names = new Set(sim.callsOf('CreateSslVpnClientCert').map((c) => c.params.Name));
    expect([...names]).toHaveLength(1);
  }, TEST_TIMEOUT);

  it('3. while waiting for the gateway to return to active: resumes the wait, no second create', async () => {
    sim.setUpdateMs(3000);
    const first = await startBot('first');
    const { requestId, card } = await submit(first, 'U0ALICE', 'kill while updating');
    await approve(first, requestId, card);
    await until('create accepted, id recorded, gateway updating', async () => {
      const created = sim.callsOf('CreateSslVpnClientCert').some((c) => c.status === 200);
      const recorded = (await statusOf(requestId))?.certId;
      return created && recorded && sim.gatewayStatus(HANGZHOU.vpnGatewayId) === 'updating';
    }, 15_000);
    await first.proc.kill9();
    expect(fake.files(fake.dmChannelFor('U0ALICE'))).toHaveLength(0);

    await startBot('second');
    await expectDeliveredOnce(requestId);
    expect(sim.callsOf('CreateSslVpnClientCert')).toHaveLength(1);
  }, TEST_TIMEOUT);

  it('3b. after the profile was staged, while the gateway is updating: the staged upload is never shared, delivered once', async () => {
    sim.setUpdateMs(4000);
    const first = await startBot('first');
    const { requestId, card } = await submit(first, 'U0ALICE', 'kill after staging');
    await approve(first, requestId, card);
    await until('profile staged while the gateway is updating', async () =>
      fake.callsOf('files.getUploadURLExternal').length >= 1 && sim.gatewayStatus(HANGZHOU.vpnGatewayId) === 'updating', 15_000);
    await first.proc.kill9();
    expect(fake.callsOf('files.completeUploadExternal')).toHaveLength(0);

    await startBot('second');
    await expectDeliveredOnce(requestId);
    // The new process stages its own upload and shares only that one.
    expect(fake.callsOf('files.getUploadURLExternal')).toHaveLength(2);
    expect(fake.callsOf('files.completeUploadExternal')).toHaveLength(1);
    expect(sim.callsOf('CreateSslVpnClientCert')).toHaveLength(1);
  }, TEST_TIMEOUT);

  it('4. before the profile upload: delivered once by the new process', async () => {
    const first = await startBot('first');
    const { requestId, card } = await submit(first, 'U0ALICE', 'kill before upload');
    fake.inject('files.getUploadURLExternal', { delayMs: 3000 });
    await approve(first, requestId, card);
    await fake.waitFor('upload started', () => fake.callsOf('files.getUploadURLExternal').length >= 1, 15_000);
    await first.proc.kill9();
    expect(fake.files()).toHaveLength(0);

    await startBot('second');
    await expectDeliveredOnce(requestId);
    expect(sim.callsOf('CreateSslVpnClientCert')).toHaveLength(1);
  }, TEST_TIMEOUT);

  // Product bug (narrow window): Slack completed the upload but the process died before the request was
  // marked active; the resumed job uploads the profile a second time.
  it('4b. after Slack completed the upload but before it was recorded: not delivered twice', async () => {
    const first = await startBot('first');
    const { requestId, card } = await submit(first, 'U0ALICE', 'kill after upload');
    // The fake records the call, waits, then completes the upload even though the caller is gone.
    fake.inject('files.completeUploadExternal', { delayMs: 1500 });
    await approve(first, requestId, card);
    await fake.waitFor('upload completion sent', () => fake.callsOf('files.completeUploadExternal').length >= 1, 15_000);
    await first.proc.kill9();
    await fake.waitFor('upload completed by Slack', () => fake.files(fake.dmChannelFor('U0ALICE')).length === 1, 5000);
    expect((await statusOf(requestId))?.status).toBe('provisioning');

    await startBot('second');
    await expectDeliveredOnce(requestId);
  }, TEST_TIMEOUT);

  it('5. a pending request survives kill -9: approving it after the restart delivers', async () => {
    const first = await startBot('first');
    const { requestId, card } = await submit(first, 'U0ALICE', 'kill while pending');
    await first.proc.kill9();
    expect((await statusOf(requestId))?.status).toBe('pending');

    const second = await startBot('second');
    expect((await statusOf(requestId))?.status).toBe('pending');
    await approve(second, requestId, card);
    await expectDeliveredOnce(requestId);
    expect(sim.callsOf('CreateSslVpnClientCert')).toHaveLength(1);
  }, TEST_TIMEOUT);
  // Product bug found under load: the card was posted but the process died before recording it; the
  // resumed notify job posted a second card for the same request.
  it('5b. after Slack posted the approval card but before it was recorded: one card', async () => {
    const first = await startBot('first');
    // The fake records the post, waits, then posts the card even though the caller is gone.
    fake.inject('chat.postMessage', { delayMs: 1500 });
    const answer = await first.driver.command({ userId: 'U0ALICE', text: 'request hangzhou 1d kill after the card post' });
    const requestId = /`(r[a-z0-9]+)`/.exec(String(answer.json?.text ?? ''))?.[1];
    expect(requestId, `no request id in ${answer.body}`).toBeTruthy();
    await fake.waitFor('card post sent', () => fake.callsOf('chat.postMessage').length >= 1, 15_000);
    await first.proc.kill9();
    const card = await fake.waitFor('card posted by Slack', () => cardFor(requestId!), 5000);
    expect((await statusOf(requestId!))?.card).toBeUndefined();

    const second = await startBot('second');
    const recorded = await until('a card recorded by the resumed job', async () => (await statusOf(requestId!))?.card);
    expect(recorded.ts).toBe(card.ts);
    expect(cardsFor(requestId!)).toHaveLength(1);
    await approve(second, requestId!, card);
    await expectDeliveredOnce(requestId!);
  }, TEST_TIMEOUT);
});

describe('two worker processes on one Redis', () => {
  it('serialise four approvals on one gateway: no VpnGateway.Configuring, four certs, four profiles', async () => {
    const [front, worker] = await Promise.all([startBot('all', 'all'), startBot('worker', 'worker')]);
    void worker;
    const requesters = ['U0ALICE', 'U0CAROL', 'U0EVE', 'U0ADMIN'];
    const submitted: { requestId: string; card: FakeMessage; userId: string }[] = [];
    for (const userId of requesters) submitted.push({ ...(await submit(front, userId, `parallel ${userId}`)), userId });
    await Promise.all(submitted.map((s) => approve(front, s.requestId, s.card)));

    await fake.waitFor('four profiles', () => fake.files().length >= 4 || undefined, 45_000);
    await until('all four active', async () => {
      const states = await Promise.all(submitted.map((s) => statusOf(s.requestId)));
      return states.every((r) => r?.status === 'active');
    });
    await new Promise((resolve) => setTimeout(resolve, 1000));

    expect(sim.configuringRejections()).toBe(0);
    const certs = sim.clientCerts(HANGZHOU.sslVpnServerId);
    expect(certs).toHaveLength(4);
    expect(fake.files()).toHaveLength(4);
    for (const s of submitted) {
      const files = fake.files(fake.dmChannelFor(s.userId));
      expect(files, s.userId).toHaveLength(1);
      const request = await statusOf(s.requestId);
      expect(certs.map((c) => c.sslVpnClientCertId)).toContain(request?.certId);
    }
  }, TEST_TIMEOUT);
});
