// Signed-request driver: sends what Slack would send to a Bolt HTTP endpoint (slash commands, block_actions,
// view_submission, Events API callbacks), signed with the v0 scheme (reference §2.1), and returns the raw
// HTTP answer as "the Slack client view". With a `fake`, response_url / trigger_id come from the fake so that
// respond() and views.open work end to end, and clicks can find the message they were made on.
import { createHmac, randomBytes } from 'node:crypto';
import type { FakeMessage, FakeSlack } from './server.js';
import type { EnvelopeType } from './socket-mode.js';

export interface HttpAnswer {
  status: number;
  body: string;
  json?: any; // eslint-disable-line @typescript-eslint/no-explicit-any -- ack bodies are free-form JSON
  contentType?: string;
  ms: number;
}

export interface SlackDriverOptions {
  /** e.g. http://127.0.0.1:3000/slack/events */
  botUrl: string;
  signingSecret: string;
  fake?: FakeSlack;
  teamId?: string;
  /**
   * `http` (default): signed POSTs to botUrl, as Slack sends to a Request URL. `socket`: the same payloads as
   * Socket Mode envelopes over the fake's WebSocket (needs `fake`), the ack's payload standing in for the
   * HTTP answer.
   */
  transport?: 'http' | 'socket';
}

const FORM = 'application/x-www-form-urlencoded';

function hex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

function nowTs(): string {
  const ms = Date.now();
  return `${Math.floor(ms / 1000)}.${String((ms % 1000) * 1000).padStart(6, '0')}`;
}

function channelName(id: string): string {
  if (id.startsWith('D')) return 'directmessage';
  if (id.startsWith('G')) return 'privategroup';
  return 'vpn-requests';
}

function hasAction(blocks: unknown[] | undefined, actionId: string, value: string): { blockId: string } | undefined {
  for (const block of blocks ?? []) {
    if (typeof block !== 'object' || block === null) continue;
    const b = block as { block_id?: unknown; elements?: unknown; accessory?: unknown };
    const elements = [...(Array.isArray(b.elements) ? b.elements : []), ...(b.accessory ? [b.accessory] : [])];
    for (const el of elements) {
      const e = el as { action_id?: unknown; value?: unknown };
      if (e.action_id === actionId && (e.value === undefined || e.value === value)) {
        return { blockId: typeof b.block_id === 'string' ? b.block_id : 'actions' };
      }
    }
  }
  return undefined;
}

export class SlackDriver {
  private readonly botUrl: string;
  private readonly signingSecret: string;
  private readonly fake: FakeSlack | undefined;
  private readonly teamId: string;
  private readonly transport: 'http' | 'socket';

  constructor(options: SlackDriverOptions) {
    this.botUrl = options.botUrl;
    this.signingSecret = options.signingSecret;
    this.fake = options.fake;
    this.teamId = options.teamId ?? options.fake?.teamId ?? 'T0001';
    this.transport = options.transport ?? 'http';
    if (this.transport === 'socket' && !this.fake) throw new Error('SlackDriver: the socket transport needs the fake Slack');
  }

  /** `v0=` + hex HMAC-SHA256(signingSecret, `v0:<ts>:<body>`). */
  sign(body: string, timestampSec: number = Math.floor(Date.now() / 1000)): { timestamp: string; signature: string } {
    const timestamp = String(timestampSec);
    const signature = `v0=${createHmac('sha256', this.signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
    return { timestamp, signature };
  }

  command(input: { userId: string; text: string; command?: string; channelId?: string; userName?: string }): Promise<HttpAnswer> {
    const channelId = input.channelId ?? 'C0VPN';
    const form = new URLSearchParams({
      token: 'legacy-verif-token',
      team_id: this.teamId,
      team_domain: 'fake',
      channel_id: channelId,
      channel_name: channelName(channelId),
      user_id: input.userId,
      user_name: input.userName ?? input.userId.toLowerCase(),
      command: input.command ?? '/vpn',
      text: input.text,
      api_app_id: 'A0APP',
      is_enterprise_install: 'false',
      response_url: this.responseUrl({ channel: channelId, userId: input.userId }),
      trigger_id: this.triggerId(input.userId),
    });
    return this.signedPost(form.toString(), FORM);
  }

  /**
   * A button click. Without `messageTs`, and with a fake, the click lands on the newest message (in `channelId`
   * if given) whose blocks hold a button with this action_id (and value); its channel, ts, thread and block_id
   * are used. With `viewId`, the click comes from a view (App Home / modal): no channel, message or response_url.
   */
  blockAction(input: {
    userId: string;
    actionId: string;
    value: string;
    blockId?: string;
    channelId?: string;
    messageTs?: string;
    threadTs?: string;
    viewId?: string;
  }): Promise<HttpAnswer> {
    const user = { id: input.userId, username: input.userId.toLowerCase(), name: input.userId.toLowerCase(), team_id: this.teamId };
    const action = {
      type: 'button',
      action_id: input.actionId,
      block_id: input.blockId ?? 'actions',
      text: { type: 'plain_text', text: input.actionId, emoji: true },
      value: input.value,
      action_ts: nowTs(),
    };
    const common = {
      type: 'block_actions',
      user,
      api_app_id: 'A0APP',
      token: 'legacy-verif-token',
      trigger_id: this.triggerId(input.userId),
      team: { id: this.teamId, domain: 'fake' },
      enterprise: null,
      is_enterprise_install: false,
      state: { values: {} },
    };

    if (input.viewId !== undefined) {
      const stored = this.fake?.views().find((v) => v.id === input.viewId);
      const view = stored?.view ?? { id: input.viewId, type: 'home', blocks: [], state: { values: {} }, hash: '' };
      if (!input.blockId) {
        const found = hasAction(view.blocks as unknown[] | undefined, input.actionId, input.value);
        if (found) action.block_id = found.blockId;
      }
      const payload = { ...common, container: { type: 'view', view_id: input.viewId }, view, actions: [action] };
      return this.signedPost(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), FORM);
    }

    let message: FakeMessage | undefined;
    if (this.fake) {
      const candidates = this.fake.messages(input.channelId);
      if (input.messageTs !== undefined) message = candidates.find((m) => m.ts === input.messageTs);
      else message = [...candidates].reverse().find((m) => hasAction(m.blocks, input.actionId, input.value));
    }
    if (message && !input.blockId) {
      const found = hasAction(message.blocks, input.actionId, input.value);
      if (found) action.block_id = found.blockId;
    }
    const channelId = input.channelId ?? message?.channel ?? 'C0VPN';
    const messageTs = input.messageTs ?? message?.ts ?? nowTs();
    const threadTs = input.threadTs ?? message?.threadTs;
    const payload = {
      ...common,
      container: {
        type: 'message',
        message_ts: messageTs,
        channel_id: channelId,
        is_ephemeral: false,
        ...(threadTs ? { thread_ts: threadTs } : {}),
      },
      channel: { id: channelId, name: channelName(channelId) },
      message: {
        type: 'message',
        user: message?.user ?? this.botUserId,
        ...(message === undefined || message.user === this.botUserId ? { bot_id: this.fake?.botId ?? 'B0BOT' } : {}),
        ts: messageTs,
        ...(threadTs ? { thread_ts: threadTs } : {}),
        text: message?.text ?? '',
        blocks: message?.blocks ?? [],
      },
      response_url: this.responseUrl({ channel: channelId, messageTs, userId: input.userId }),
      actions: [action],
    };
    return this.signedPost(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), FORM);
  }

  /**
   * A modal submit. With a fake, the submitted view is the one the bot opened (by `viewId`, else the newest modal
   * of this user with this callback_id), so blocks, hash and private_metadata are what the bot sent.
   */
  viewSubmission(input: {
    userId: string;
    callbackId: string;
    privateMetadata?: string;
    values: Record<string, Record<string, unknown>>;
    viewId?: string;
  }): Promise<HttpAnswer> {
    const stored = this.fake
      ? input.viewId !== undefined
        ? this.fake.views().find((v) => v.id === input.viewId)
        : [...this.fake.views(input.userId)]
            .reverse()
            .find((v) => v.kind === 'modal' && v.view.callback_id === input.callbackId)
      : undefined;
    const base = stored?.view ?? {};
    const id = input.viewId ?? stored?.id ?? `V${hex(5).toUpperCase()}`;
    const view = {
      type: 'modal',
      team_id: this.teamId,
      blocks: [],
      title: { type: 'plain_text', text: 'Modal' },
      root_view_id: id,
      previous_view_id: null,
      app_id: 'A0APP',
      bot_id: this.fake?.botId ?? 'B0BOT',
      external_id: '',
      app_installed_team_id: this.teamId,
      clear_on_close: false,
      notify_on_close: false,
      hash: `${Math.floor(Date.now() / 1000)}.${hex(4)}`,
      ...base,
      id,
      callback_id: input.callbackId,
      private_metadata: input.privateMetadata ?? (typeof base.private_metadata === 'string' ? base.private_metadata : ''),
      state: { values: input.values },
    };
    const payload = {
      type: 'view_submission',
      team: { id: this.teamId, domain: 'fake' },
      user: { id: input.userId, username: input.userId.toLowerCase(), name: input.userId.toLowerCase(), team_id: this.teamId },
      api_app_id: 'A0APP',
      token: 'legacy-verif-token',
      trigger_id: this.triggerId(input.userId),
      view,
      response_urls: [],
      is_enterprise_install: false,
      enterprise: null,
    };
    return this.signedPost(new URLSearchParams({ payload: JSON.stringify(payload) }).toString(), FORM);
  }

  /** An Events API `event_callback` (JSON), e.g. `{ type: 'app_home_opened', user: 'U0ALICE', tab: 'home' }`. */
  event(event: Record<string, unknown>): Promise<HttpAnswer> {
    const eventTime = Math.floor(Date.now() / 1000);
    const envelope = {
      token: 'legacy-verif-token',
      team_id: this.teamId,
      api_app_id: 'A0APP',
      event: { event_ts: nowTs(), ...event },
      type: 'event_callback',
      event_id: `Ev${hex(5).toUpperCase()}`,
      event_time: eventTime,
      authorizations: [{ enterprise_id: null, team_id: this.teamId, user_id: this.botUserId, is_bot: true, is_enterprise_install: false }],
      is_ext_shared_channel: false,
      event_context: `4-${hex(6)}`,
    };
    return this.signedPost(JSON.stringify(envelope), 'application/json');
  }

  /** Slack's `user_change` event for a user whose profile or status changed (`deleted: true` when deactivated). */
  userChange(userId: string, change: { deleted: boolean; name?: string }): Promise<HttpAnswer> {
    const name = change.name ?? userId.toLowerCase();
    return this.event({
      type: 'user_change',
      user: { id: userId, team_id: this.teamId, name, deleted: change.deleted, real_name: name, is_bot: false, profile: { real_name: name, display_name: name } },
      cache_ts: Math.floor(Date.now() / 1000),
    });
  }

  /** Posts `body` with exactly these headers (no signing added) — for negative tests. */
  raw(body: string, headers: Record<string, string>): Promise<HttpAnswer> {
    return this.post(body, headers);
  }

  private get botUserId(): string {
    return this.fake?.botUserId ?? 'U0BOT';
  }

  private responseUrl(context: { channel: string; messageTs?: string; userId: string }): string {
    if (this.fake) return this.fake.newResponseUrl(context);
    return `https://hooks.slack.invalid/actions/${this.teamId}/1/${hex(12)}`;
  }

  private triggerId(userId: string): string {
    if (this.fake) return this.fake.newTriggerId(userId);
    return `${Math.floor(Date.now() / 1000)}.1.${hex(16)}`;
  }

  private signedPost(body: string, contentType: string): Promise<HttpAnswer> {
    if (this.transport === 'socket') return this.viaSocket(body, contentType);
    const { timestamp, signature } = this.sign(body);
    return this.post(body, {
      'content-type': contentType,
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signature,
    });
  }

  /** The HTTP body as Socket Mode carries it: commands as an object, interactions' `payload` parsed, events as they are. */
  private async viaSocket(body: string, contentType: string): Promise<HttpAnswer> {
    const started = performance.now();
    let type: EnvelopeType;
    let payload: Record<string, unknown>;
    if (contentType === FORM) {
      const form = new URLSearchParams(body);
      const interaction = form.get('payload');
      type = interaction === null ? 'slash_commands' : 'interactive';
      payload = interaction === null ? Object.fromEntries(form) : JSON.parse(interaction) as Record<string, unknown>;
    } else {
      type = 'events_api';
      payload = JSON.parse(body) as Record<string, unknown>;
    }
    const ack = await this.fake!.socketMode.deliver(type, payload);
    const text = ack ? JSON.stringify(ack) : '';
    return { status: 200, body: text, ms: performance.now() - started, ...(ack ? { json: ack, contentType: 'application/json' } : {}) };
  }

  private async post(body: string, headers: Record<string, string>): Promise<HttpAnswer> {
    const started = performance.now();
    const res = await fetch(this.botUrl, { method: 'POST', headers, body });
    const text = await res.text();
    const ms = performance.now() - started;
    const contentType = res.headers.get('content-type') ?? undefined;
    const answer: HttpAnswer = { status: res.status, body: text, ms, ...(contentType ? { contentType } : {}) };
    if (contentType?.toLowerCase().includes('json') && text.length > 0) {
      try {
        answer.json = JSON.parse(text) as unknown;
      } catch {
        // leave json undefined; body has the text
      }
    }
    return answer;
  }
}
