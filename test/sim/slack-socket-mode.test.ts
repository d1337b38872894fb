// The fake Slack's Socket Mode, spoken to with a bare WebSocket client: the envelope protocol as Slack
// documents it, independent of Bolt (the e2e flow test runs Bolt's client against it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { startFakeSlack, type FakeSlack } from '../../src/sim/slack/index.js';

let fake: FakeSlack;
beforeAll(async () => {
  fake = await startFakeSlack({ botToken: 'xoxb-bot', appToken: 'xapp-1-A0APP-secret' });
});
afterAll(async () => {
  await fake?.close();
});

const open = (token: string) =>
  fetch(`${fake.url}apps.connections.open`, { method: 'POST', headers: { authorization: `Bearer ${token}` } }).then((r) => r.json() as Promise<{ ok: boolean; url?: string; error?: string }>);

function connect(url: string): Promise<{ ws: WebSocket; messages: Record<string, unknown>[] }> {
  const ws = new WebSocket(url);
  const messages: Record<string, unknown>[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(String(data)) as Record<string, unknown>));
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve({ ws, messages }));
    ws.once('error', reject);
  });
}

describe('fake Slack Socket Mode', () => {
  it('opens only with the app-level token, and each URL once', async () => {
    expect(await open('xoxb-bot')).toMatchObject({ ok: false, error: 'not_allowed_token_type' });
    expect(await open('xapp-1-A0APP-other')).toMatchObject({ ok: false, error: 'invalid_auth' });
    const answer = await open('xapp-1-A0APP-secret');
    expect(answer.ok).toBe(true);
    expect(answer.url).toMatch(/^ws:\/\/127\.0\.0\.1:\d+\/link\/\?ticket=/);
    const { ws } = await connect(answer.url!);
    ws.close();
    await expect(connect(answer.url!)).rejects.toThrow(/401/);
  });

  it('says hello, delivers envelopes, takes acks with payloads, and asks for a refresh', async () => {
    const { url } = await open('xapp-1-A0APP-secret');
    const { ws, messages } = await connect(url!);
    await fake.waitFor('hello', () => messages.find((m) => m.type === 'hello'));
    expect(messages[0]).toMatchObject({ type: 'hello', connection_info: { app_id: 'A0APP' } });

    ws.on('message', (data) => {
      const envelope = JSON.parse(String(data)) as { envelope_id?: string; type?: string };
      if (envelope.envelope_id && envelope.type === 'slash_commands') ws.send(JSON.stringify({ envelope_id: envelope.envelope_id, payload: { text: 'pong' } }));
      if (envelope.envelope_id && envelope.type === 'events_api') ws.send(JSON.stringify({ envelope_id: envelope.envelope_id }));
    });
    expect(await fake.socketMode.deliver('slash_commands', { command: '/vpn', text: 'ping' })).toEqual({ text: 'pong' });
    expect(await fake.socketMode.deliver('events_api', { type: 'event_callback', event: { type: 'app_home_opened' } })).toBeUndefined();
    const command = messages.find((m) => m.type === 'slash_commands')!;
    expect(command).toMatchObject({ payload: { command: '/vpn', text: 'ping' }, accepts_response_payload: true });
    expect(typeof command.envelope_id).toBe('string');
    expect(messages.find((m) => m.type === 'events_api')).toMatchObject({ retry_attempt: 0, accepts_response_payload: false });

    // An envelope nobody acks is given up after Slack's 3 s.
    await expect(fake.socketMode.deliver('interactive', { type: 'block_actions' })).rejects.toThrow(/no ack/);

    fake.socketMode.refresh();
    await fake.waitFor('disconnect', () => messages.find((m) => m.type === 'disconnect'));
    expect(messages.find((m) => m.type === 'disconnect')).toMatchObject({ reason: 'refresh_requested' });
    ws.close();
  });
});
