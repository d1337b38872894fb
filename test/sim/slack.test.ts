// End-to-end tests of the fake Slack platform against a REAL Bolt App (HTTPReceiver) and its WebClient:
// signed inbound requests from the driver, outbound Web API calls into the fake.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { App, LogLevel } from '@slack/bolt';
import type { Logger, SlashCommand, BlockAction, ViewSubmitAction } from '@slack/bolt';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SlackDriver, startFakeSlack } from '../../src/sim/slack/index.js';
import type { FakeSlack } from '../../src/sim/slack/index.js';

const SIGNING_SECRET = 'fake-signing-secret';
const BOT_TOKEN = 'xoxb-test';

/** A Bolt logger that records instead of printing (Bolt warns on every 401, which these tests provoke). */
function recordingLogger(): Logger & { lines: { level: string; msg: string }[] } {
  const lines: { level: string; msg: string }[] = [];
  const rec =
    (level: string) =>
    (...msg: unknown[]): void => {
      lines.push({ level, msg: msg.map((m) => (m instanceof Error ? m.message : String(m))).join(' ') });
    };
  let current: LogLevel = LogLevel.DEBUG;
  return {
    lines,
    debug: () => undefined,
    info: rec('info'),
    warn: rec('warn'),
    error: rec('error'),
    setLevel: (level: LogLevel) => {
      current = level;
    },
    getLevel: () => current,
    setName: () => undefined,
  };
}

let fake: FakeSlack;
let app: App | undefined;
let driver: SlackDriver;
let logger: ReturnType<typeof recordingLogger>;

/** Builds an App wired to the fake, lets the test register listeners, starts it on a random port. */
async function startBolt(register: (a: App) => void, clientOptions: Record<string, unknown> = {}): Promise<App> {
  logger = recordingLogger();
  app = new App({
    token: BOT_TOKEN,
    signingSecret: SIGNING_SECRET,
    logger,
    clientOptions: { slackApiUrl: fake.url, retryConfig: { retries: 0 }, ...clientOptions },
  });
  register(app);
  const server = (await app.start(0)) as Server;
  const { port } = server.address() as AddressInfo;
  driver = new SlackDriver({ botUrl: `http://127.0.0.1:${port}/slack/events`, signingSecret: SIGNING_SECRET, fake });
  return app;
}

function platformError(err: unknown): string | undefined {
  return (err as { data?: { error?: string } }).data?.error;
}

beforeEach(async () => {
  fake = await startFakeSlack({
    botToken: BOT_TOKEN,
    users: {
      U0ALICE: { name: 'alice', realName: 'Alice A', email: 'alice@example.test' },
      U0BOB: { name: 'bob', realName: 'Bob B' },
      U0GONE: { name: 'gone', deleted: true },
    },
    usergroups: { S0APPROVERS: ['U0BOB', 'U0CAROL'] },
  });
});

afterEach(async () => {
  if (app) await app.stop();
  app = undefined;
  await fake.close();
});

describe('inbound: signed requests reach Bolt listeners', () => {
  it('routes a signed slash command to app.command and returns the ack body to the driver', async () => {
    const seen: { command: SlashCommand; botUserId?: string }[] = [];
    await startBolt((a) =>
      a.command('/vpn', async ({ command, ack, context }) => {
        seen.push({ command, botUserId: context.botUserId });
        await ack({ response_type: 'ephemeral', text: `got: ${command.text}` });
      }),
    );
    const answer = await driver.command({ userId: 'U0ALICE', text: 'request 1d deploy the hotfix' });
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/application\/json/);
    expect(answer.json).toEqual({ response_type: 'ephemeral', text: 'got: request 1d deploy the hotfix' });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.command.user_id).toBe('U0ALICE');
    expect(seen[0]?.command.command).toBe('/vpn');
    expect(seen[0]?.command.response_url.startsWith(`${fake.baseUrl}/_response/`)).toBe(true);
    // Bolt ran auth.test once, in the constructor, against the fake; its answer became the context.
    expect(fake.callsOf('auth.test')).toHaveLength(1);
    expect(seen[0]?.botUserId).toBe('U0BOT');
  });

  it('rejects a bad signature with 401 and never calls the listener', async () => {
    let called = 0;
    await startBolt((a) =>
      a.command('/vpn', async ({ ack }) => {
        called += 1;
        await ack();
      }),
    );
    const body = new URLSearchParams({ command: '/vpn', text: 'help', user_id: 'U0ALICE', team_id: 'T0001' }).toString();
    const { timestamp } = driver.sign(body);
    const wrong = new SlackDriver({ botUrl: 'http://unused', signingSecret: 'not-the-secret' }).sign(body, Number(timestamp));
    const answer = await driver.raw(body, {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': wrong.signature,
    });
    expect(answer.status).toBe(401);
    expect(called).toBe(0);
  });

  it('rejects a timestamp 301 s old with 401 but accepts one 299 s old', async () => {
    let called = 0;
    await startBolt((a) =>
      a.command('/vpn', async ({ ack }) => {
        called += 1;
        await ack();
      }),
    );
    const body = new URLSearchParams({ command: '/vpn', text: 'help', user_id: 'U0ALICE', team_id: 'T0001' }).toString();
    const now = Math.floor(Date.now() / 1000);
    const send = (ts: number): ReturnType<SlackDriver['raw']> => {
      const s = driver.sign(body, ts);
      return driver.raw(body, {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': s.timestamp,
        'x-slack-signature': s.signature,
      });
    };
    expect((await send(now - 301)).status).toBe(401);
    expect(called).toBe(0);
    expect((await send(now - 299)).status).toBe(200);
    expect(called).toBe(1);
  });

  it('signs per the reference self-check vector', () => {
    const d = new SlackDriver({ botUrl: 'http://unused', signingSecret: 'fake-signing-secret' });
    const body = 'token=x&team_id=T0001&user_id=U0001&command=%2Fvpn&text=request+prod';
    expect(d.sign(body, 1700000000)).toEqual({
      timestamp: '1700000000',
      signature: 'v0=bc2d28b1c94dc6712935dbd293262b997612147a1fb8d6e231bd47deca714197',
    });
  });

  it('routes a button click on a posted card to app.action, and respond() lands in fake.responses()', async () => {
    const clicks: BlockAction[] = [];
    const a = await startBolt((x) =>
      x.action('vpn_approve', async ({ ack, body, respond }) => {
        await ack();
        clicks.push(body as BlockAction);
        await respond({ replace_original: true, text: 'Approved by <@U0BOB>' });
      }),
    );
    const card = await a.client.chat.postMessage({
      channel: 'C0VPN',
      text: 'Access request #1',
      blocks: [
        { type: 'section', text: { type: 'mrkdwn', text: 'Access request #1' } },
        {
          type: 'actions',
          block_id: 'req_1_actions',
          elements: [
            { type: 'button', action_id: 'vpn_approve', value: 'req-1', text: { type: 'plain_text', text: 'Approve' } },
            { type: 'button', action_id: 'vpn_deny', value: 'req-1', text: { type: 'plain_text', text: 'Deny' } },
          ],
        },
      ],
    });
    const answer = await driver.blockAction({ userId: 'U0BOB', actionId: 'vpn_approve', value: 'req-1' });
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('');
    const response = await fake.waitFor('respond() to reach the response_url', () => fake.responses()[0]);
    expect(response.body).toMatchObject({ replace_original: true, text: 'Approved by <@U0BOB>' });
    // The driver found the card the button is on, and the fake applied replace_original to it.
    expect(clicks[0]?.message?.ts).toBe(card.ts);
    expect(clicks[0]?.actions[0]).toMatchObject({ action_id: 'vpn_approve', block_id: 'req_1_actions', value: 'req-1' });
    expect(clicks[0]?.container).toMatchObject({ type: 'message', channel_id: 'C0VPN', message_ts: card.ts });
    const [updated] = fake.messages('C0VPN');
    expect(updated).toMatchObject({ ts: card.ts, text: 'Approved by <@U0BOB>', updates: 1 });
  });

  it("views.open accepts the driver's trigger_id once; reusing it fails; the submission routes to app.view", async () => {
    const outcomes: string[] = [];
    const submissions: ViewSubmitAction[] = [];
    await startBolt((a) => {
      a.command('/vpn', async ({ ack, body, client }) => {
        await ack();
        const view = {
          type: 'modal' as const,
          callback_id: 'vpn_request',
          private_metadata: '{"channel":"C0VPN"}',
          title: { type: 'plain_text' as const, text: 'VPN access' },
          submit: { type: 'plain_text' as const, text: 'Request' },
          blocks: [{ type: 'input', block_id: 'reason_block', label: { type: 'plain_text', text: 'Reason' }, element: { type: 'plain_text_input', action_id: 'reason_input' } }],
        };
        for (let i = 0; i < 2; i += 1) {
          try {
            const res = await client.views.open({ trigger_id: body.trigger_id, view });
            outcomes.push(`ok:${res.view?.id}`);
          } catch (err) {
            outcomes.push(`error:${platformError(err)}`);
          }
        }
      });
      a.view('vpn_request', async ({ ack, view }) => {
        submissions.push({ view } as ViewSubmitAction);
        const reason = view.state.values.reason_block?.reason_input?.value;
        if (!reason) await ack({ response_action: 'errors', errors: { reason_block: 'Please give a reason' } });
        else await ack();
      });
    });
    await driver.command({ userId: 'U0ALICE', text: '' });
    await fake.waitFor('two views.open attempts', () => outcomes.length === 2 || undefined);
    expect(outcomes[0]).toMatch(/^ok:V/);
    expect(outcomes[1]).toBe('error:exchanged_trigger_id');
    const modals = fake.views('U0ALICE');
    expect(modals).toHaveLength(1);
    expect(modals[0]?.kind).toBe('modal');

    const rejected = await driver.viewSubmission({
      userId: 'U0ALICE',
      callbackId: 'vpn_request',
      values: { reason_block: { reason_input: { type: 'plain_text_input', value: null } } },
    });
    expect(rejected.status).toBe(200);
    expect(rejected.json).toEqual({ response_action: 'errors', errors: { reason_block: 'Please give a reason' } });
    const accepted = await driver.viewSubmission({
      userId: 'U0ALICE',
      callbackId: 'vpn_request',
      values: { reason_block: { reason_input: { type: 'plain_text_input', value: 'deploy hotfix' } } },
    });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toBe('');
    // The driver submitted the view the bot opened: same id, same private_metadata.
    expect(submissions[1]?.view.id).toBe(modals[0]?.id);
    expect(submissions[1]?.view.private_metadata).toBe('{"channel":"C0VPN"}');
  });

  it('app_home_opened reaches app.event and views.publish is recorded per user with hash checks', async () => {
    const hashes: string[] = [];
    const a = await startBolt((x) =>
      x.event('app_home_opened', async ({ event, client }) => {
        const res = await client.views.publish({
          user_id: event.user,
          view: { type: 'home', blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'My access' } }] },
        });
        hashes.push(res.view?.hash ?? '');
      }),
    );
    const answer = await driver.event({ type: 'app_home_opened', user: 'U0ALICE', channel: fake.dmChannelFor('U0ALICE'), tab: 'home' });
    expect(answer.status).toBe(200);
    const home = await fake.waitFor('home view for alice', () => fake.views('U0ALICE').find((v) => v.kind === 'home'));
    expect(home.view.type).toBe('home');
    expect(fake.callsOf('views.publish')[0]?.args.team_id).toBe('T0001');
    await expect(
      a.client.views.publish({ user_id: 'U0ALICE', hash: 'stale.hash', view: { type: 'home', blocks: [] } }),
    ).rejects.toSatisfy((err: unknown) => platformError(err) === 'hash_conflict');
    const again = await a.client.views.publish({ user_id: 'U0ALICE', hash: hashes[0], view: { type: 'home', blocks: [] } });
    expect(again.view?.id).toBe(home.id);
    expect(again.view?.hash).not.toBe(hashes[0]);
  });

  it('a slash-command respond() (ephemeral) shows up as an ephemeral for the user', async () => {
    await startBolt((a) =>
      a.command('/vpn', async ({ ack, respond }) => {
        await ack();
        await respond({ text: 'Your request is queued' });
      }),
    );
    await driver.command({ userId: 'U0ALICE', text: 'status', channelId: 'C0VPN' });
    const eph = await fake.waitFor('ephemeral for alice', () => fake.ephemerals('U0ALICE')[0]);
    expect(eph).toMatchObject({ channel: 'C0VPN', text: 'Your request is queued' });
    expect(fake.responses()).toHaveLength(1);
  });
});

describe('outbound: Web API calls through the Bolt client', () => {
  it('records chat.postMessage, threads and chat.update like Slack', async () => {
    const a = await startBolt(() => undefined);
    const parent = await a.client.chat.postMessage({ channel: 'C0VPN', text: 'card v1' });
    expect(parent.ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(parent.channel).toBe('C0VPN');
    expect(parent.message).toMatchObject({ user: 'U0BOT', bot_id: 'B0BOT', text: 'card v1' });
    const reply1 = await a.client.chat.postMessage({ channel: 'C0VPN', text: 'queued', thread_ts: parent.ts as string });
    const reply2 = await a.client.chat.postMessage({ channel: 'C0VPN', text: 'creating certificate', thread_ts: parent.ts as string });
    expect(new Set([parent.ts, reply1.ts, reply2.ts]).size).toBe(3);
    expect(reply1.message?.thread_ts).toBe(parent.ts);
    await a.client.chat.update({ channel: 'C0VPN', ts: parent.ts as string, text: 'card v2' });

    expect(fake.messages('C0VPN').map((m) => m.text)).toEqual(['card v2', 'queued', 'creating certificate']);
    expect(fake.messages('C0VPN')[0]?.updates).toBe(1);
    expect(fake.thread('C0VPN', parent.ts as string).map((m) => m.text)).toEqual(['queued', 'creating certificate']);
    expect(fake.warnings).toEqual([]);

    // A reply to a thread that does not exist is accepted (as Slack does) but flagged.
    await a.client.chat.postMessage({ channel: 'C0VPN', text: 'lost', thread_ts: '1600000000.000001' });
    expect(fake.warnings.join('\n')).toMatch(/1600000000\.000001/);

    // Only the bot's own messages can be updated.
    const human = fake.seedMessage({ channel: 'C0VPN', user: 'U0ALICE', text: 'hi bot' });
    await expect(a.client.chat.update({ channel: 'C0VPN', ts: human.ts, text: 'x' })).rejects.toSatisfy(
      (err: unknown) => platformError(err) === 'cant_update_message',
    );
    await expect(a.client.chat.update({ channel: 'C0VPN', ts: '1500000000.000000', text: 'x' })).rejects.toSatisfy(
      (err: unknown) => platformError(err) === 'message_not_found',
    );
    const link = await a.client.chat.getPermalink({ channel: 'C0VPN', message_ts: reply1.ts as string });
    expect(link.permalink).toBe(
      `https://fake.slack.com/archives/C0VPN/p${(reply1.ts as string).replace('.', '')}?thread_ts=${parent.ts}&cid=C0VPN`,
    );
  });

  it('DMs: conversations.open and chat.postMessage to a user id agree on the D… channel', async () => {
    const a = await startBolt(() => undefined);
    const opened = await a.client.conversations.open({ users: 'U0ALICE' });
    expect(opened.channel?.id).toBe(fake.dmChannelFor('U0ALICE'));
    expect(opened.channel?.id).toMatch(/^D/);
    const posted = await a.client.chat.postMessage({ channel: 'U0ALICE', text: 'Your profile is ready' });
    expect(posted.channel).toBe(fake.dmChannelFor('U0ALICE'));
    expect(fake.messages(fake.dmChannelFor('U0ALICE')).map((m) => m.text)).toEqual(['Your profile is ready']);
    await expect(a.client.conversations.open({ users: 'U0NOBODY' })).rejects.toSatisfy(
      (err: unknown) => platformError(err) === 'user_not_found',
    );
    await expect(a.client.conversations.open({ users: 'U0GONE' })).rejects.toSatisfy(
      (err: unknown) => platformError(err) === 'user_disabled',
    );
    const eph = await a.client.chat.postEphemeral({ channel: 'C0VPN', user: 'U0ALICE', text: 'only you' });
    expect(eph.message_ts).toMatch(/^\d{10}\.\d{6}$/);
    expect(fake.ephemerals('U0ALICE')).toEqual([{ channel: 'C0VPN', user: 'U0ALICE', text: 'only you' }]);
  });

  it('files upload v2 via client.files.uploadV2 lands in fake.files() with its content, in the thread', async () => {
    const a = await startBolt(() => undefined);
    const dm = fake.dmChannelFor('U0ALICE');
    const parent = await a.client.chat.postMessage({ channel: dm, text: 'Your VPN access' });
    const profile = 'client\ndev tun\nproto udp\nremote 203.0.113.10 1194\n';
    const result = await a.client.files.uploadV2({
      channel_id: dm,
      thread_ts: parent.ts as string,
      filename: 'alice.ovpn',
      content: profile,
      initial_comment: 'Import this into OpenVPN',
    });
    expect(result.ok).toBe(true);
    const files = fake.files(dm);
    expect(files).toHaveLength(1);
    expect(files[0]).toMatchObject({ filename: 'alice.ovpn', title: 'alice.ovpn', channels: [dm], threadTs: parent.ts, initialComment: 'Import this into OpenVPN' });
    expect(files[0]?.content.toString('utf8')).toBe(profile);
    expect(fake.files('C0VPN')).toEqual([]);
    // The share shows up as a message in the thread, and files.info reports where it was shared.
    expect(fake.thread(dm, parent.ts as string)).toMatchObject([{ files: [files[0]?.id], text: 'Import this into OpenVPN' }]);
    const info = await a.client.files.info({ file: files[0]?.id as string });
    expect(info.file?.ims).toEqual([dm]);
    expect(Object.keys((info.file?.shares as { private?: Record<string, unknown> }).private ?? {})).toEqual([dm]);
    expect(fake.callsOf('files.getUploadURLExternal')[0]?.args).toMatchObject({ filename: 'alice.ovpn', length: String(Buffer.byteLength(profile)) });
  });

  it('completeUploadExternal refuses a file id whose bytes never arrived', async () => {
    const a = await startBolt(() => undefined);
    const url = await a.client.files.getUploadURLExternal({ filename: 'x.ovpn', length: 3 });
    expect(url.upload_url?.startsWith(`${fake.baseUrl}/`)).toBe(true);
    await expect(
      a.client.files.completeUploadExternal({ files: [{ id: url.file_id as string, title: 'x' }], channel_id: 'C0VPN' }),
    ).rejects.toSatisfy((err: unknown) => platformError(err) === 'file_not_found');
    expect(fake.files()).toEqual([]);
  });

  it('usergroups.users.list and users.info answer from the seed', async () => {
    const a = await startBolt(() => undefined);
    const group = await a.client.usergroups.users.list({ usergroup: 'S0APPROVERS' });
    expect(group.users).toEqual(['U0BOB', 'U0CAROL']);
    await expect(a.client.usergroups.users.list({ usergroup: 'S0NOPE' })).rejects.toSatisfy(
      (err: unknown) => platformError(err) === 'no_such_subteam',
    );
    fake.setUsergroup('S0APPROVERS', ['U0ALICE']);
    expect((await a.client.usergroups.users.list({ usergroup: 'S0APPROVERS' })).users).toEqual(['U0ALICE']);
    const alice = await a.client.users.info({ user: 'U0ALICE' });
    expect(alice.user).toMatchObject({ id: 'U0ALICE', name: 'alice', real_name: 'Alice A', deleted: false, profile: { email: 'alice@example.test' } });
    await expect(a.client.users.info({ user: 'U0NOBODY' })).rejects.toSatisfy((err: unknown) => platformError(err) === 'user_not_found');
  });

  it('answers unknown_method for methods it does not implement', async () => {
    const a = await startBolt(() => undefined);
    await expect(a.client.apiCall('reactions.add', { channel: 'C0VPN', name: 'x', timestamp: '1.2' })).rejects.toSatisfy(
      (err: unknown) => platformError(err) === 'unknown_method',
    );
    expect(fake.callsOf('reactions.add')).toHaveLength(1);
  });

  it('an injected 429 with retryAfter reaches WebClient as a rate-limit error; the next call succeeds', async () => {
    const a = await startBolt(() => undefined, { rejectRateLimitedCalls: true });
    fake.inject('chat.postMessage', { status: 429, retryAfter: 7 });
    const err = await a.client.chat.postMessage({ channel: 'C0VPN', text: 'x' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'slack_webapi_rate_limited_error', retryAfter: 7 });
    const ok = await a.client.chat.postMessage({ channel: 'C0VPN', text: 'y' });
    expect(ok.ok).toBe(true);
    expect(fake.callsOf('chat.postMessage')).toHaveLength(2);
    expect(fake.messages().map((m) => m.text)).toEqual(['y']);
  });

  it('injected 500s and platform errors reach WebClient for the given number of calls', async () => {
    const a = await startBolt(() => undefined);
    fake.inject('chat.update', { status: 500 });
    fake.inject('conversations.open', { error: 'ratelimited', times: 2 });
    const e500 = await a.client.chat.update({ channel: 'C0VPN', ts: '1.000001', text: 'x' }).catch((e: unknown) => e);
    expect(e500).toMatchObject({ code: 'slack_webapi_http_error', statusCode: 500 });
    for (let i = 0; i < 2; i += 1) {
      await expect(a.client.conversations.open({ users: 'U0BOB' })).rejects.toSatisfy((err: unknown) => platformError(err) === 'ratelimited');
    }
    expect((await a.client.conversations.open({ users: 'U0BOB' })).channel?.id).toBe('D0BOB');
  });
});
