// The sandbox's web client: a small Slack-like page at /sandbox over the fake Slack, served by the bot's own
// HTTP server. The page never signs anything: it asks this module to act as the chosen person, and the fake
// Slack sends the slash command, button click or modal submission to the bot, signed, with a response_url and
// a trigger_id it issued itself (so views.open works as in Slack). Simulator controls are forwarded to the
// Alibaba simulator's HTTP control API (/_sim/…). State reaches the page as server-sent events.
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { SlackDriver, type FakeSlack, type HttpAnswer } from '../sim/slack/index.js';

export interface SandboxPerson {
  id: string;
  name: string;
  /** What the person is in the configuration: requester, approver, admin, … */
  role: string;
}

export interface SandboxWebOptions {
  fake: FakeSlack;
  signingSecret: string;
  people: SandboxPerson[];
  /** Channels everyone sees (the approvals channel, a general one to type commands in). */
  channels: { id: string; name: string }[];
  /** Base URL of the Alibaba simulator, when it stands in for the cloud. */
  cloudUrl?: string;
  /** The bot's per-call cloud timeout: an apply-then-timeout fault answers later than this. */
  apiTimeoutMs: number;
  /** With HOST unset the page accepts only loopback Host headers (no DNS rebinding from a web page). */
  anyHost: boolean;
}

/** What Bolt's HTTP receiver takes as `customRoutes` (structurally). */
export interface SandboxRoute {
  path: string;
  method: string[];
  handler: (req: IncomingMessage, res: ServerResponse) => void;
}

const PUBLIC_DIR = new URL('./public/', import.meta.url);
const STATIC: Record<string, string> = {
  '': 'index.html',
  'app.js': 'app.js',
  'style.css': 'style.css',
};
const TYPES: Record<string, string> = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
};
const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/;

const userId = z.string().regex(/^[UW][A-Z0-9]{2,}$/);
const channelId = z.string().regex(/^[CGD][A-Z0-9]{2,}$/);
const commandSchema = z.strictObject({ user: userId, channel: channelId, text: z.string().max(4000) });
const actionSchema = z.strictObject({
  user: userId,
  actionId: z.string().min(1).max(255),
  value: z.string().max(2000).default(''),
  blockId: z.string().max(255).optional(),
  channel: channelId.optional(),
  messageTs: z.string().regex(/^\d+\.\d+$/).optional(),
  viewId: z.string().regex(/^V[A-Z0-9]+$/).optional(),
});
const submitSchema = z.strictObject({
  user: userId,
  viewId: z.string().regex(/^V[A-Z0-9]+$/),
  values: z.record(z.string(), z.record(z.string(), z.record(z.string(), z.unknown()))),
});
const viewSchema = z.strictObject({ user: userId, viewId: z.string().regex(/^V[A-Z0-9]+$/) });
const homeSchema = z.strictObject({ user: userId });

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...SECURITY_HEADERS });
  res.end(text);
}

function readBody(req: IncomingMessage, limit = 256 * 1024): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > limit) {
        reject(new Error('body too large'));
        req.destroy();
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The bot's request URL, as seen from the connection the page came in on (the same server). */
function botUrl(req: IncomingMessage): string {
  const raw = req.socket.localAddress ?? '127.0.0.1';
  const address = raw.startsWith('::ffff:') ? raw.slice(7) : raw;
  const host = address.includes(':') ? `[${address}]` : address;
  return `http://${host}:${req.socket.localPort}/slack/events`;
}

interface LocalEphemeral {
  channel: string;
  user: string;
  text: string;
  blocks?: unknown[];
  at: number;
  /** The command as typed, shown to its author only (Slack shows nothing; the page shows what was sent). */
  command?: boolean;
}

export class SandboxWeb {
  /** First time each of the fake's ephemerals was seen (they carry no timestamp): orders them among messages. */
  private ephemeralSeenAt: number[] = [];
  private localEphemerals: LocalEphemeral[] = [];
  private closedViews = new Set<string>();
  /** Views replaced by a `response_action: update` in a submission's ack. */
  private updatedViews = new Map<string, Record<string, unknown>>();
  /** Open event streams, ended on close so the server can stop. */
  private streams = new Set<ServerResponse>();

  constructor(private readonly options: SandboxWebOptions) {}

  routes(): SandboxRoute[] {
    const handler = (req: IncomingMessage, res: ServerResponse) => {
      this.handle(req, res).catch((err: Error) => {
        if (!res.headersSent) json(res, 500, { ok: false, error: `sandbox: ${err.message}` });
        else res.destroy();
      });
    };
    return [
      { path: '/', method: ['GET'], handler: (_req, res) => { res.writeHead(302, { location: '/sandbox' }); res.end(); } },
      { path: '/sandbox', method: ['GET'], handler },
      { path: '/sandbox/*rest', method: ['GET', 'POST', 'PUT', 'DELETE'], handler },
    ];
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const rest = url.pathname.replace(/^\/sandbox\/?/, '');
    const method = req.method ?? 'GET';
    if (!this.options.anyHost && !LOOPBACK_HOST.test(req.headers.host ?? '')) {
      return json(res, 403, { ok: false, error: 'the sandbox answers only on 127.0.0.1/localhost (set HOST to serve it elsewhere)' });
    }
    if (method === 'GET' && rest in STATIC) return this.serveStatic(res, STATIC[rest] as string);
    if (method === 'GET' && rest === 'api/events') return this.stream(req, res, url.searchParams.get('user') ?? '');
    if (method === 'GET' && rest === 'api/state') return json(res, 200, await this.snapshot(url.searchParams.get('user') ?? ''));
    if (method === 'GET' && rest.startsWith('files/')) return this.download(res, decodeURIComponent(rest.slice('files/'.length)));
    // Everything below changes state: only the page itself may ask (JSON bodies need a CORS preflight,
    // which nobody answers, and browsers say where a request comes from).
    const site = req.headers['sec-fetch-site'];
    if (!String(req.headers['content-type'] ?? '').startsWith('application/json') || (site !== undefined && site !== 'same-origin')) {
      return json(res, 403, { ok: false, error: 'send JSON from the sandbox page' });
    }
    let body: unknown;
    try {
      body = JSON.parse((await readBody(req)) || '{}');
    } catch {
      return json(res, 400, { ok: false, error: 'the body is not JSON' });
    }
    if (rest.startsWith('cloud/')) return this.cloud(res, method, rest.slice('cloud/'.length), body);
    if (method !== 'POST') return json(res, 404, { ok: false, error: `no route ${method} /sandbox/${rest}` });
    switch (rest) {
      case 'api/command': return this.command(req, res, body);
      case 'api/action': return this.action(req, res, body);
      case 'api/submit': return this.submit(req, res, body);
      case 'api/close': return this.closeModal(res, body);
      case 'api/home': return this.home(req, res, body);
      default: return json(res, 404, { ok: false, error: `no route POST /sandbox/${rest}` });
    }
  }

  private async serveStatic(res: ServerResponse, file: string): Promise<void> {
    const content = await readFile(new URL(file, PUBLIC_DIR));
    res.writeHead(200, { 'content-type': TYPES[file.split('.').pop() as string] ?? 'application/octet-stream', 'content-length': content.length, ...SECURITY_HEADERS });
    res.end(content);
  }

  private download(res: ServerResponse, id: string): void {
    const file = this.options.fake.files().find((f) => f.id === id);
    if (!file) return json(res, 404, { ok: false, error: `no file ${id}` });
    const name = file.filename.replace(/[^\w.-]/g, '_');
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': `attachment; filename="${name}"`, 'content-length': file.content.length, ...SECURITY_HEADERS });
    res.end(file.content);
  }

  private driver(req: IncomingMessage): SlackDriver {
    return new SlackDriver({ botUrl: botUrl(req), signingSecret: this.options.signingSecret, fake: this.options.fake });
  }

  /** A bot answer that is not a plain ack becomes what Slack shows: an ephemeral, or an error line. */
  private noteAnswer(answer: HttpAnswer, user: string, channel: string | undefined): void {
    if (!channel) return;
    if (answer.status !== 200) {
      this.localEphemerals.push({ channel, user, text: `The app did not answer (HTTP ${answer.status}).`, at: Date.now() });
      return;
    }
    const body = answer.json as { text?: unknown; blocks?: unknown } | undefined;
    if (body && (typeof body.text === 'string' || Array.isArray(body.blocks))) {
      this.localEphemerals.push({
        channel, user, text: typeof body.text === 'string' ? body.text : '', at: Date.now(),
        ...(Array.isArray(body.blocks) ? { blocks: body.blocks } : {}),
      });
    } else if (answer.body && !answer.json) {
      this.localEphemerals.push({ channel, user, text: answer.body, at: Date.now() });
    }
  }

  private async command(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const parsed = commandSchema.safeParse(body);
    if (!parsed.success) return json(res, 400, { ok: false, error: z.prettifyError(parsed.error) });
    const { user, channel, text } = parsed.data;
    const [command, ...words] = text.trim().split(/\s+/);
    if (!command?.startsWith('/')) return json(res, 400, { ok: false, error: 'type a slash command, e.g. /vpn help' });
    this.localEphemerals.push({ channel, user, text: text.trim(), at: Date.now(), command: true });
    const answer = await this.driver(req).command({ userId: user, channelId: channel, command, text: words.join(' ') });
    this.noteAnswer(answer, user, channel);
    json(res, 200, { ok: answer.status === 200 });
  }

  private async action(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const parsed = actionSchema.safeParse(body);
    if (!parsed.success) return json(res, 400, { ok: false, error: z.prettifyError(parsed.error) });
    const a = parsed.data;
    const answer = await this.driver(req).blockAction({
      userId: a.user, actionId: a.actionId, value: a.value,
      ...(a.blockId ? { blockId: a.blockId } : {}),
      ...(a.viewId ? { viewId: a.viewId } : { ...(a.channel ? { channelId: a.channel } : {}), ...(a.messageTs ? { messageTs: a.messageTs } : {}) }),
    });
    if (answer.status !== 200) this.noteAnswer(answer, a.user, a.channel ?? this.options.fake.dmChannelFor(a.user));
    json(res, 200, { ok: answer.status === 200 });
  }

  private async submit(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const parsed = submitSchema.safeParse(body);
    if (!parsed.success) return json(res, 400, { ok: false, error: z.prettifyError(parsed.error) });
    const { user, viewId, values } = parsed.data;
    const stored = this.options.fake.views(user).find((v) => v.id === viewId && v.kind === 'modal');
    if (!stored || this.closedViews.has(viewId)) return json(res, 404, { ok: false, error: 'this modal is closed' });
    const answer = await this.driver(req).viewSubmission({ userId: user, viewId, callbackId: String(stored.view.callback_id ?? ''), values });
    const ack = (answer.json ?? {}) as { response_action?: string; errors?: Record<string, string>; view?: Record<string, unknown> };
    if (answer.status !== 200) return json(res, 200, { ok: false, error: `The app did not answer (HTTP ${answer.status}).` });
    if (ack.response_action === 'errors') return json(res, 200, { ok: false, errors: ack.errors ?? {} });
    if (ack.response_action === 'update' && ack.view) {
      this.updatedViews.set(viewId, ack.view);
      return json(res, 200, { ok: true });
    }
    this.closedViews.add(viewId);
    json(res, 200, { ok: true });
  }

  private closeModal(res: ServerResponse, body: unknown): void {
    const parsed = viewSchema.safeParse(body);
    if (!parsed.success) return json(res, 400, { ok: false, error: z.prettifyError(parsed.error) });
    this.closedViews.add(parsed.data.viewId);
    json(res, 200, { ok: true });
  }

  private async home(req: IncomingMessage, res: ServerResponse, body: unknown): Promise<void> {
    const parsed = homeSchema.safeParse(body);
    if (!parsed.success) return json(res, 400, { ok: false, error: z.prettifyError(parsed.error) });
    const user = parsed.data.user;
    const answer = await this.driver(req).event({ type: 'app_home_opened', user, channel: this.options.fake.dmChannelFor(user), tab: 'home' });
    json(res, 200, { ok: answer.status === 200 });
  }

  private async cloud(res: ServerResponse, method: string, path: string, body: unknown): Promise<void> {
    if (!this.options.cloudUrl) return json(res, 404, { ok: false, error: 'the cloud is real here: no simulator to control' });
    if (!/^[a-z0-9/-]+$/.test(path)) return json(res, 400, { ok: false, error: 'bad control path' });
    const answer = await fetch(`${this.options.cloudUrl}/_sim/${path}`, {
      method, headers: { 'content-type': 'application/json' }, ...(method === 'GET' ? {} : { body: JSON.stringify(body) }),
    });
    json(res, answer.status, await answer.json());
  }

  private async cloudState(): Promise<unknown> {
    if (!this.options.cloudUrl) return undefined;
    try {
      const answer = await fetch(`${this.options.cloudUrl}/_sim/state`);
      return { ...((await answer.json()) as object), openvpn: await this.openVpnState(this.options.cloudUrl) };
    } catch (err) {
      return { ok: false, error: (err as Error).message };
    }
  }

  private openVpnAsked?: { at: number; answer: Promise<unknown> };

  /** The simulator's OpenVPN servers and their connected clients; asked at most once a second (each ask queries every server). */
  private openVpnState(cloudUrl: string): Promise<unknown> {
    const now = Date.now();
    if (!this.openVpnAsked || now - this.openVpnAsked.at >= 1000) {
      this.openVpnAsked = { at: now, answer: fetch(`${cloudUrl}/_sim/openvpn`).then((r) => r.json()).catch((err: Error) => ({ ok: false, error: err.message })) };
    }
    return this.openVpnAsked.answer;
  }

  /** Everything the page shows to `user`: channels they can see, their ephemerals, open modal, App Home, the cloud. */
  async snapshot(user: string): Promise<Record<string, unknown>> {
    const { fake } = this.options;
    const now = Date.now();
    const allEphemerals = fake.ephemerals();
    for (let i = this.ephemeralSeenAt.length; i < allEphemerals.length; i++) this.ephemeralSeenAt[i] = now;
    const myDm = fake.dmChannelFor(user);
    const visible = (channel: string) => !channel.startsWith('D') || channel === myDm;
    const messages = fake.messages().filter((m) => visible(m.channel));
    const files = new Map(fake.files().map((f) => [f.id, f]));
    const names = new Map(this.options.people.map((p) => [p.id, p.name]));
    const channels = [
      ...this.options.channels.map((c) => ({ ...c, kind: 'channel' })),
      ...[...new Set(messages.map((m) => m.channel))]
        .filter((id) => id.startsWith('C') || id.startsWith('G'))
        .filter((id) => !this.options.channels.some((c) => c.id === id))
        .map((id) => ({ id, name: id.toLowerCase(), kind: 'channel' })),
      { id: myDm, name: 'vpnbot', kind: 'dm' },
    ];
    const ephemerals = [
      ...allEphemerals.map((e, i) => ({ ...e, at: this.ephemeralSeenAt[i] as number })).filter((e) => e.user === user),
      ...this.localEphemerals.filter((e) => e.user === user),
    ].sort((a, b) => a.at - b.at);
    const modal = fake.views(user).filter((v) => v.kind === 'modal' && !this.closedViews.has(v.id)).pop();
    const home = fake.views(user).find((v) => v.kind === 'home');
    return {
      me: user,
      botUserId: fake.botUserId,
      people: this.options.people,
      channels,
      messages: messages.map((m) => ({
        channel: m.channel, ts: m.ts, ...(m.threadTs ? { threadTs: m.threadTs } : {}), user: m.user,
        userName: m.user === fake.botUserId ? 'vpnbot' : (names.get(m.user) ?? m.user),
        text: m.text, ...(m.blocks ? { blocks: m.blocks } : {}),
        files: (m.files ?? []).map((id) => files.get(id)).filter((f) => f !== undefined)
          .map((f) => ({ id: f.id, name: f.filename, title: f.title ?? f.filename, size: f.content.length, url: `/sandbox/files/${encodeURIComponent(f.id)}` })),
      })),
      ephemerals,
      modal: modal ? { id: modal.id, view: this.updatedViews.get(modal.id) ?? modal.view } : null,
      home: home ? { id: home.id, view: home.view } : null,
      apiTimeoutMs: this.options.apiTimeoutMs,
      cloud: await this.cloudState(),
    };
  }

  /** Server-sent events: the snapshot whenever it changes (checked a few times a second). */
  private stream(req: IncomingMessage, res: ServerResponse, user: string): void {
    if (!userId.safeParse(user).success) return json(res, 400, { ok: false, error: 'user: expected a Slack user id' });
    res.writeHead(200, { 'content-type': 'text/event-stream', connection: 'keep-alive', ...SECURITY_HEADERS });
    let last = '';
    let busy = false;
    const tick = async () => {
      if (busy) return;
      busy = true;
      try {
        const text = JSON.stringify(await this.snapshot(user));
        if (text !== last && !res.writableEnded) {
          last = text;
          res.write(`data: ${text}\n\n`);
        }
      } finally {
        busy = false;
      }
    };
    const timer = setInterval(() => void tick().catch(() => undefined), 250);
    void tick().catch(() => undefined);
    this.streams.add(res);
    res.on('close', () => {
      clearInterval(timer);
      this.streams.delete(res);
    });
  }

  /** Ends the event streams (an open stream would keep the HTTP server from closing). */
  close(): void {
    for (const res of this.streams) res.end();
  }
}
