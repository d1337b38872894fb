// Direct tests of the fake Slack Web API server (no Bolt): transport, auth, trigger/hash/response_url rules,
// fault injection, helpers, and the CLI.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeSlack } from '../../src/sim/slack/index.js';
import type { FakeSlack } from '../../src/sim/slack/index.js';

const TOKEN = 'xoxb-test';
let fake: FakeSlack;

async function api(method: string, args: Record<string, unknown>, token: string | null = TOKEN): Promise<Record<string, unknown>> {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  const res = await fetch(`${fake.url}${method}`, { method: 'POST', headers, body: JSON.stringify(args) });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

const modal = { type: 'modal', title: { type: 'plain_text', text: 'T' }, blocks: [] };

beforeEach(async () => {
  fake = await startFakeSlack({ botToken: TOKEN, users: { U0ALICE: { name: 'alice' } } });
});

afterEach(async () => {
  vi.useRealTimers();
  await fake.close();
});

describe('transport and auth', () => {
  it('rejects a missing token with not_authed and a foreign token with invalid_auth', async () => {
    expect(await api('auth.test', {}, null)).toEqual({ ok: false, error: 'not_authed' });
    expect(await api('auth.test', {}, 'xoxb-other')).toEqual({ ok: false, error: 'invalid_auth' });
    expect(await api('auth.test', {})).toMatchObject({ ok: true, user_id: 'U0BOT', bot_id: 'B0BOT', team_id: 'T0001' });
  });

  it('accepts the token as a form param, and never records token values', async () => {
    const res = await fetch(`${fake.url}chat.postMessage`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: TOKEN, channel: 'C0VPN', text: 'hello', blocks: '[{"type":"divider"}]' }).toString(),
    });
    expect(await res.json()).toMatchObject({ ok: true, channel: 'C0VPN' });
    const call = fake.callsOf('chat.postMessage')[0];
    expect(call?.args).toEqual({ channel: 'C0VPN', text: 'hello', blocks: [{ type: 'divider' }] });
    expect(JSON.stringify(fake.calls)).not.toContain(TOKEN);
  });

  it('accepts multipart bodies', async () => {
    const form = new FormData();
    form.set('channel', 'C0VPN');
    form.set('text', 'from multipart');
    const res = await fetch(`${fake.url}chat.postMessage`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: form });
    expect(await res.json()).toMatchObject({ ok: true });
    expect(fake.messages('C0VPN')[0]?.text).toBe('from multipart');
  });

  it('validates chat.postMessage like Slack (no_text, channel_not_found, invalid_blocks)', async () => {
    expect(await api('chat.postMessage', { channel: 'C0VPN' })).toEqual({ ok: false, error: 'no_text' });
    expect(await api('chat.postMessage', { channel: 'not-a-channel', text: 'x' })).toEqual({ ok: false, error: 'channel_not_found' });
    expect(await api('chat.postMessage', { channel: 'C0VPN', text: 'x', blocks: [{ nope: 1 }] })).toEqual({ ok: false, error: 'invalid_blocks' });
    expect(fake.messages()).toEqual([]);
  });

  it('accepts raw-body uploads and completes them into a channel', async () => {
    const got = await api('files.getUploadURLExternal', { filename: 'a.txt', length: 5 });
    const up = await fetch(got.upload_url as string, { method: 'POST', body: 'hello' });
    expect(up.status).toBe(200);
    const done = await api('files.completeUploadExternal', { files: [{ id: got.file_id, title: 'A' }], channel_id: 'C0VPN' });
    expect(done).toMatchObject({ ok: true, files: [{ id: got.file_id, title: 'A', channels: ['C0VPN'] }] });
    expect(fake.files('C0VPN')[0]?.content.toString()).toBe('hello');
    const info = await api('files.info', { file: got.file_id });
    expect(info).toMatchObject({ ok: true, file: { shares: { public: { C0VPN: [{ share_user_id: 'U0BOT' }] } } } });
    expect(await api('files.info', { file: 'F0NOPE' })).toEqual({ ok: false, error: 'file_not_found' });
    expect((await fetch(`${fake.baseUrl}/upload/v1/unknown`, { method: 'POST', body: 'x' })).status).toBe(404);
  });
});

describe('views', () => {
  it('rejects unknown and expired trigger_ids', async () => {
    expect(await api('views.open', { trigger_id: '123.456.abc', view: modal })).toEqual({ ok: false, error: 'invalid_trigger_id' });
    vi.useFakeTimers({ toFake: ['Date'] });
    const trigger = fake.newTriggerId('U0ALICE');
    vi.setSystemTime(Date.now() + 3100);
    expect(await api('views.open', { trigger_id: trigger, view: modal })).toEqual({ ok: false, error: 'expired_trigger_id' });
    const fresh = fake.newTriggerId('U0ALICE');
    vi.setSystemTime(Date.now() + 2500);
    expect(await api('views.open', { trigger_id: fresh, view: modal })).toMatchObject({ ok: true });
  });

  it('views.update rotates the hash and enforces hash_conflict; unknown view → not_found', async () => {
    const opened = await api('views.open', { trigger_id: fake.newTriggerId('U0ALICE'), view: { ...modal, callback_id: 'c1' } });
    const view = opened.view as { id: string; hash: string };
    expect(view.id).toMatch(/^V/);
    const updated = await api('views.update', { view_id: view.id, hash: view.hash, view: { ...modal, callback_id: 'c2' } });
    const newHash = (updated.view as { hash: string }).hash;
    expect(newHash).not.toBe(view.hash);
    expect(await api('views.update', { view_id: view.id, hash: view.hash, view: modal })).toEqual({ ok: false, error: 'hash_conflict' });
    expect(await api('views.update', { view_id: 'V0NOPE', view: modal })).toEqual({ ok: false, error: 'not_found' });
    expect(fake.views('U0ALICE')[0]?.view.callback_id).toBe('c2');
  });
});

describe('response_url', () => {
  it('records posts, applies delete_original, and refuses a sixth use', async () => {
    const card = await api('chat.postMessage', { channel: 'C0VPN', text: 'card' });
    const url = fake.newResponseUrl({ channel: 'C0VPN', messageTs: card.ts as string, userId: 'U0ALICE' });
    const post = (body: unknown): Promise<Response> =>
      fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ text: 'eph' })).status).toBe(200);
    expect((await post({ response_type: 'in_channel', text: 'public' })).status).toBe(200);
    expect((await post({ delete_original: true })).status).toBe(200);
    expect(fake.messages('C0VPN').map((m) => m.text)).toEqual(['public']);
    expect(fake.ephemerals('U0ALICE').map((e) => e.text)).toEqual(['eph']);
    expect((await post({ text: '4' })).status).toBe(200);
    expect((await post({ text: '5' })).status).toBe(200);
    expect((await post({ text: '6' })).status).toBe(404);
    expect(fake.responses()).toHaveLength(5);
    expect(fake.responses()[0]?.body).toEqual({ text: 'eph' });
  });
});

describe('faults and helpers', () => {
  it('delays a call with delayMs, then answers normally', async () => {
    fake.inject('auth.test', { delayMs: 150 });
    const started = Date.now();
    expect(await api('auth.test', {})).toMatchObject({ ok: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    const again = Date.now();
    await api('auth.test', {});
    expect(Date.now() - again).toBeLessThan(140);
  });

  it('sends 429 with Retry-After for raw clients too', async () => {
    fake.inject('users.info', { status: 429, retryAfter: 3 });
    const res = await fetch(`${fake.url}users.info`, { method: 'POST', headers: { authorization: `Bearer ${TOKEN}` }, body: 'user=U0ALICE' });
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
  });

  it('waitFor resolves with the value and rejects with `what` on timeout', async () => {
    setTimeout(() => void api('chat.postMessage', { channel: 'C0VPN', text: 'later' }), 30);
    const m = await fake.waitFor('the later message', () => fake.messages('C0VPN')[0]);
    expect(m.text).toBe('later');
    await expect(fake.waitFor('something that never happens', () => undefined, 60)).rejects.toThrow(/something that never happens/);
  });

  it('reset clears recorded state but keeps users and config', async () => {
    await api('chat.postMessage', { channel: 'C0VPN', text: 'x' });
    fake.inject('users.info', { error: 'fatal_error' });
    fake.reset();
    expect(fake.calls).toEqual([]);
    expect(fake.messages()).toEqual([]);
    expect(await api('users.info', { user: 'U0ALICE' })).toMatchObject({ ok: true, user: { name: 'alice' } });
    expect(await api('auth.test', {}, 'xoxb-other')).toEqual({ ok: false, error: 'invalid_auth' });
  });
});

describe('cli', () => {
  it('starts on --port with a --seed file, prints the URL, and stops on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'fake-slack-'));
    const seed = join(dir, 'seed.json');
    await writeFile(seed, JSON.stringify({ users: { U0SEED: { name: 'seeded' } }, usergroups: { S0X: ['U0SEED'] } }));
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/sim/slack/cli.ts', '--port', '0', '--seed', seed], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (d: Buffer) => {
          out += d.toString();
          const m = /SLACK_API_URL=(\S+)/.exec(out);
          if (m?.[1]) resolve(m[1]);
        });
        child.once('exit', (code) => reject(new Error(`cli exited early (${code}): ${out}`)));
        setTimeout(() => reject(new Error(`cli printed no URL: ${out}`)), 15_000);
      });
      const res = await fetch(`${url}usergroups.users.list`, { method: 'POST', headers: { authorization: 'Bearer xoxb-any' }, body: 'usergroup=S0X' });
      expect(await res.json()).toMatchObject({ ok: true, users: ['U0SEED'] });
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('black-box inspection routes', () => {
  it('GET /_state lists messages and files, GET /_files/<id> returns the content', async () => {
    const fake = await startFakeSlack({ botToken: 'xoxb-x' });
    try {
      const api = (method: string, body: Record<string, unknown>) =>
        fetch(`${fake.url}${method}`, { method: 'POST', headers: { authorization: 'Bearer xoxb-x', 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => r.json() as Promise<{ upload_url: string; file_id: string }>);
      await api('chat.postMessage', { channel: 'C0X', text: 'hello' });
      const up = await api('files.getUploadURLExternal', { filename: 'a.ovpn', length: 3 });
      await fetch(up.upload_url, { method: 'POST', body: 'abc' });
      await api('files.completeUploadExternal', { files: [{ id: up.file_id }], channel_id: 'D0X' });
      const state = (await (await fetch(`${fake.baseUrl}/_state`)).json()) as { messages: { text: string }[]; files: { id: string; url: string }[] };
      expect(state.messages.map((m) => m.text)).toContain('hello');
      expect(state.files[0]?.id).toBe(up.file_id);
      expect(await (await fetch(state.files[0]!.url)).text()).toBe('abc');
      expect((await fetch(`${fake.baseUrl}/_files/F404`)).status).toBe(404);
    } finally {
      await fake.close();
    }
  });
});
