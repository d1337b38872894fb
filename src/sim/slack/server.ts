// Fake Slack Web API: a node:http server on 127.0.0.1 that a real Bolt app / WebClient reaches through
// `clientOptions.slackApiUrl`. It keeps the state a test wants to assert on (messages, threads, ephemerals,
// views, files, response_url posts) and answers like Slack does (always HTTP 200 JSON, `ok:false` errors),
// except for deliberately injected 429/500 faults. See /work/shared/reference/slack-platform.md §4.
// It never logs anything, so token values cannot leak; recorded call args have `token` removed.
import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { FakeSocketMode } from './socket-mode.js';

export interface FakeSlackOptions {
  port?: number;
  botToken?: string;
  /** App-level token accepted by apps.connections.open (Socket Mode); default: any `xapp-…` token. */
  appToken?: string;
  teamId?: string;
  botUserId?: string;
  botId?: string;
  /** `locale` (default `en-US`) is returned by users.info with include_locale; `tz` defaults to Europe/Berlin. */
  users?: Record<string, UserRecord>;
  usergroups?: Record<string, string[]>;
}

export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  at: number;
}

export interface FakeMessage {
  channel: string;
  ts: string;
  threadTs?: string;
  text: string;
  blocks?: unknown[];
  updates: number;
  user: string;
  /** Ids of files shared with this message (file-share messages made by files.completeUploadExternal). */
  files?: string[];
}

export interface FakeFile {
  id: string;
  filename: string;
  title?: string;
  content: Buffer;
  channels: string[];
  threadTs?: string;
  initialComment?: string;
}

export interface FakeEphemeral {
  channel: string;
  user: string;
  text: string;
  blocks?: unknown[];
}

export interface FakeView {
  id: string;
  userId: string;
  view: Record<string, unknown>;
  kind: 'modal' | 'home';
}

export interface FakeFault {
  error?: string;
  status?: 429 | 500;
  retryAfter?: number;
  delayMs?: number;
  times?: number;
}

/** Where an interaction happened; lets the fake apply `replace_original` / `delete_original` / `in_channel`. */
export interface ResponseUrlContext {
  channel?: string;
  messageTs?: string;
  userId?: string;
}

export interface FakeSlack {
  /** e.g. 'http://127.0.0.1:PORT/api/' — the value for SLACK_API_URL / slackApiUrl. */
  readonly url: string;
  /** 'http://127.0.0.1:PORT' */
  readonly baseUrl: string;
  readonly teamId: string;
  readonly botUserId: string;
  readonly botId: string;
  /** Socket Mode: connections opened by apps, and envelopes delivered to them (see SlackDriver's `transport`). */
  readonly socketMode: FakeSocketMode;
  /** Every API call in arrival order, including failed and fault-injected ones. */
  readonly calls: SlackCall[];
  /** Odd things the bot did that Slack tolerates but that are probably bugs (e.g. thread_ts naming no message). */
  readonly warnings: string[];
  callsOf(method: string): SlackCall[];
  /** Current state (after updates), in post order. Includes thread replies (they carry `threadTs`). */
  messages(channel?: string): FakeMessage[];
  /** Replies in a thread (not the parent), in post order. */
  thread(channel: string, threadTs: string): FakeMessage[];
  ephemerals(userId?: string): FakeEphemeral[];
  /** What was POSTed to response_urls. */
  responses(): { id: string; body: Record<string, unknown> }[];
  /** Files completed with files.completeUploadExternal (optionally only those shared to `channel`). */
  files(channel?: string): FakeFile[];
  views(userId?: string): FakeView[];
  /** The D… id conversations.open returns for that user (deterministic: U0ALICE → D0ALICE). */
  dmChannelFor(userId: string): string;
  /** A fresh response_url on this server; with a context, replace/delete/in_channel responses change state. */
  newResponseUrl(context?: ResponseUrlContext): string;
  /** A trigger_id views.open will accept once, within 3 s. */
  newTriggerId(userId?: string): string;
  setUsergroup(id: string, userIds: string[]): void;
  addUser(id: string, user: UserRecord): void;
  /** Record a message written by someone else (e.g. a human), e.g. to test `cant_update_message`. */
  seedMessage(input: { channel: string; user: string; text: string; threadTs?: string; blocks?: unknown[] }): FakeMessage;
  /**
   * Fault for the next `times` (default 1) calls of `method`. Method names are Web API names; the upload URL
   * is `'upload'` and response_url posts are `'response_url'`.
   */
  inject(method: string, fault: FakeFault): void;
  /** Polls the predicate (every ~10 ms) until it returns a non-undefined value; rejects after timeoutMs (default 5000) with a message including `what`. */
  waitFor<T>(what: string, predicate: () => T | undefined | false | null, timeoutMs?: number): Promise<T>;
  /** Clear recorded state (calls, messages, views, files, triggers, responses, faults); keep users/usergroups/config. */
  reset(): void;
  close(): Promise<void>;
}

type Args = Record<string, unknown>;
type ApiResult = Record<string, unknown> & { ok: boolean };
export type UserRecord = { name: string; realName?: string; email?: string; deleted?: boolean; isBot?: boolean; locale?: string; tz?: string };

interface StoredMessage extends FakeMessage {
  botId?: string;
}

interface TriggerRecord {
  userId: string;
  issuedAt: number;
  used: boolean;
}

interface PendingUpload {
  id: string;
  filename: string;
  length: number;
  content?: Buffer;
}

interface ResponseUrlRecord {
  uses: number;
  issuedAt: number;
  context: ResponseUrlContext;
}

const TRIGGER_TTL_MS = 3000;
const RESPONSE_URL_MAX_USES = 5;
const RESPONSE_URL_TTL_MS = 30 * 60 * 1000;
const JSON_FIELDS = new Set(['blocks', 'attachments', 'view', 'files', 'metadata', 'file_uploads']);
const CHANNEL_ID = /^[CGD][A-Z0-9]{2,}$/;
const USER_ID = /^[UW][A-Z0-9]{2,}$/;

class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(code);
  }
}

function fail(code: string, extra?: Record<string, unknown>): never {
  throw new ApiError(code, extra);
}

function str(args: Args, key: string): string | undefined {
  const v = args[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

function req(args: Args, key: string, code = 'invalid_arguments'): string {
  const v = str(args, key);
  if (v === undefined || v === '') fail(code, { response_metadata: { messages: [`[ERROR] missing required field: ${key}`] } });
  return v;
}

function bool(args: Args, key: string): boolean {
  const v = args[key];
  return v === true || v === 'true' || v === '1' || v === 1;
}

function maybeJson(key: string, value: unknown): unknown {
  if (typeof value !== 'string' || !JSON_FIELDS.has(key)) return value;
  const t = value.trim();
  if (!(t.startsWith('[') || t.startsWith('{'))) return value;
  try {
    return JSON.parse(t) as unknown;
  } catch {
    return value;
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Parses form, JSON and multipart bodies (multipart via the WHATWG Response parser built into Node). */
async function parseBody(contentType: string, raw: Buffer): Promise<Args> {
  const ct = contentType.toLowerCase();
  const out: Args = {};
  if (raw.length === 0) return out;
  if (ct.startsWith('application/json')) {
    const parsed = JSON.parse(raw.toString('utf8')) as unknown;
    if (!isRecord(parsed)) throw new ApiError('invalid_json');
    return { ...parsed };
  }
  if (ct.startsWith('multipart/form-data')) {
    const form = await new Response(raw, { headers: { 'content-type': contentType } }).formData();
    for (const [key, value] of form.entries()) {
      out[key] = typeof value === 'string' ? value : Buffer.from(await value.arrayBuffer());
    }
    return out;
  }
  // application/x-www-form-urlencoded (also the fallback for a missing content-type)
  for (const [key, value] of new URLSearchParams(raw.toString('utf8'))) out[key] = value;
  return out;
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': typeof body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}

class FakeSlackServer implements FakeSlack {
  readonly calls: SlackCall[] = [];
  readonly warnings: string[] = [];
  url = '';
  baseUrl = '';

  private readonly server: Server;
  readonly teamId: string;
  readonly botUserId: string;
  readonly botId: string;
  private readonly botToken: string | undefined;
  readonly socketMode: FakeSocketMode;
  private readonly users = new Map<string, UserRecord>();
  private readonly usergroups = new Map<string, string[]>();

  private messageList: StoredMessage[] = [];
  private ephemeralList: FakeEphemeral[] = [];
  private responseList: { id: string; body: Record<string, unknown> }[] = [];
  private fileList: FakeFile[] = [];
  private uploads = new Map<string, PendingUpload>(); // by opaque upload token
  private uploadsById = new Map<string, PendingUpload>();
  private viewMap = new Map<string, FakeView>();
  private homeByUser = new Map<string, string>();
  private triggers = new Map<string, TriggerRecord>();
  private responseUrls = new Map<string, ResponseUrlRecord>();
  private openedDms = new Set<string>();
  private faults = new Map<string, Required<Pick<FakeFault, 'times'>> & FakeFault>();
  private lastTsMicros = 0;
  private counter = 0;

  constructor(options: FakeSlackOptions) {
    this.teamId = options.teamId ?? 'T0001';
    this.botUserId = options.botUserId ?? 'U0BOT';
    this.botId = options.botId ?? 'B0BOT';
    this.botToken = options.botToken;
    this.socketMode = new FakeSocketMode(() => this.baseUrl, options.appToken, 'A0APP');
    for (const [id, u] of Object.entries(options.users ?? {})) this.users.set(id, { ...u });
    for (const [id, members] of Object.entries(options.usergroups ?? {})) this.usergroups.set(id, [...members]);
    this.server = createServer((rq, rs) => {
      this.handle(rq, rs).catch((err: unknown) => {
        if (!rs.headersSent) send(rs, 200, { ok: false, error: 'fatal_error', detail: (err as Error).message });
        else rs.destroy();
      });
    });
    this.server.on('upgrade', (rq, socket, head) => this.socketMode.upgrade(rq, socket, head));
  }

  async listen(port: number): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, '127.0.0.1', () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const addr = this.server.address() as AddressInfo;
    this.baseUrl = `http://127.0.0.1:${addr.port}`;
    this.url = `${this.baseUrl}/api/`;
  }

  // ---------------------------------------------------------------- public query API

  callsOf(method: string): SlackCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  messages(channel?: string): FakeMessage[] {
    return this.messageList.filter((m) => channel === undefined || m.channel === channel).map((m) => this.publicMessage(m));
  }

  thread(channel: string, threadTs: string): FakeMessage[] {
    return this.messageList
      .filter((m) => m.channel === channel && m.threadTs === threadTs && m.ts !== threadTs)
      .map((m) => this.publicMessage(m));
  }

  ephemerals(userId?: string): FakeEphemeral[] {
    return this.ephemeralList.filter((e) => userId === undefined || e.user === userId).map((e) => ({ ...e }));
  }

  responses(): { id: string; body: Record<string, unknown> }[] {
    return this.responseList.map((r) => ({ ...r }));
  }

  files(channel?: string): FakeFile[] {
    return this.fileList
      .filter((f) => channel === undefined || f.channels.includes(channel))
      .map((f) => ({ ...f, channels: [...f.channels] }));
  }

  views(userId?: string): FakeView[] {
    return [...this.viewMap.values()].filter((v) => userId === undefined || v.userId === userId).map((v) => ({ ...v }));
  }

  dmChannelFor(userId: string): string {
    if (userId.startsWith('U')) return `D${userId.slice(1)}`;
    return `D${userId}`;
  }

  newResponseUrl(context: ResponseUrlContext = {}): string {
    const id = `${this.teamId}/${++this.counter}/${randomHex(8)}`;
    this.responseUrls.set(id, { uses: 0, issuedAt: Date.now(), context: { ...context } });
    return `${this.baseUrl}/_response/${id}`;
  }

  newTriggerId(userId = ''): string {
    const id = `${Math.floor(Date.now() / 1000)}.${++this.counter}.${randomHex(16)}`;
    this.triggers.set(id, { userId, issuedAt: Date.now(), used: false });
    return id;
  }

  setUsergroup(id: string, userIds: string[]): void {
    this.usergroups.set(id, [...userIds]);
  }

  addUser(id: string, user: UserRecord): void {
    this.users.set(id, { ...user });
  }

  seedMessage(input: { channel: string; user: string; text: string; threadTs?: string; blocks?: unknown[] }): FakeMessage {
    const m: StoredMessage = {
      channel: input.channel,
      ts: this.nextTs(),
      text: input.text,
      updates: 0,
      user: input.user,
      ...(input.threadTs !== undefined ? { threadTs: input.threadTs } : {}),
      ...(input.blocks !== undefined ? { blocks: input.blocks } : {}),
    };
    this.messageList.push(m);
    return this.publicMessage(m);
  }

  inject(method: string, fault: FakeFault): void {
    this.faults.set(method, { ...fault, times: fault.times ?? 1 });
  }

  waitFor<T>(what: string, predicate: () => T | undefined | false | null, timeoutMs = 5000): Promise<T> {
    const started = Date.now();
    return new Promise<T>((resolve, reject) => {
      let lastError: unknown;
      const tick = (): void => {
        try {
          const v = predicate();
          if (v !== undefined && v !== null && v !== false) {
            resolve(v);
            return;
          }
        } catch (err) {
          lastError = err;
        }
        if (Date.now() - started >= timeoutMs) {
          const why = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
          reject(new Error(`Timed out after ${timeoutMs} ms waiting for ${what}${why}`));
          return;
        }
        setTimeout(tick, 10);
      };
      tick();
    });
  }

  reset(): void {
    this.calls.length = 0;
    this.warnings.length = 0;
    this.messageList = [];
    this.ephemeralList = [];
    this.responseList = [];
    this.fileList = [];
    this.uploads = new Map();
    this.uploadsById = new Map();
    this.viewMap = new Map();
    this.homeByUser = new Map();
    this.triggers = new Map();
    this.responseUrls = new Map();
    this.openedDms = new Set();
    this.faults = new Map();
  }

  async close(): Promise<void> {
    this.socketMode.close();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  // ---------------------------------------------------------------- HTTP plumbing

  private async handle(rq: IncomingMessage, rs: ServerResponse): Promise<void> {
    const url = new URL(rq.url ?? '/', 'http://127.0.0.1');
    const path = url.pathname;
    const raw = await readBody(rq);
    const contentType = rq.headers['content-type'] ?? '';

    if (path.startsWith('/api/')) {
      const method = decodeURIComponent(path.slice('/api/'.length));
      let args: Args;
      try {
        args = await parseBody(contentType, raw);
      } catch {
        this.calls.push({ method, args: {}, at: Date.now() });
        send(rs, 200, { ok: false, error: 'invalid_form_data' });
        return;
      }
      for (const [k, v] of url.searchParams) if (!(k in args)) args[k] = v;
      for (const k of Object.keys(args)) args[k] = maybeJson(k, args[k]);
      const auth = rq.headers.authorization;
      const bearer = auth?.toLowerCase().startsWith('bearer ') ? auth.slice(7).trim() : undefined;
      const token = bearer || str(args, 'token');
      const recorded: Args = { ...args };
      delete recorded.token;
      this.calls.push({ method, args: recorded, at: Date.now() });

      if (await this.applyFault(method, rs)) return;
      if (!token) return send(rs, 200, { ok: false, error: 'not_authed' });
      // The one method called with the app-level token rather than the bot token.
      if (method === 'apps.connections.open') return send(rs, 200, this.socketMode.open(token));
      if (this.botToken !== undefined && token !== this.botToken) return send(rs, 200, { ok: false, error: 'invalid_auth' });
      const handler = this.handlers[method];
      if (!handler) return send(rs, 200, { ok: false, error: 'unknown_method', req_method: method });
      try {
        send(rs, 200, handler(args));
      } catch (err) {
        if (err instanceof ApiError) send(rs, 200, { ok: false, error: err.code, ...err.extra });
        else throw err;
      }
      return;
    }

    // Read-only inspection for black-box runs (the CLI): what a person in the workspace would see.
    if (path === '/_state' && rq.method === 'GET') {
      return send(rs, 200, {
        messages: this.messages(),
        ephemerals: this.ephemerals(),
        files: this.files().map((f) => ({ id: f.id, filename: f.filename, channels: f.channels, size: f.content.length, url: `${this.baseUrl}/_files/${f.id}` })),
        views: this.views(),
      });
    }
    if (path.startsWith('/_files/') && rq.method === 'GET') {
      const file = this.files().find((f) => f.id === decodeURIComponent(path.slice('/_files/'.length)));
      if (!file) return send(rs, 404, 'Not Found');
      rs.writeHead(200, { 'content-type': 'application/octet-stream', 'content-disposition': `attachment; filename="${file.filename}"` });
      rs.end(file.content);
      return;
    }

    if (path.startsWith('/upload/v1/') && rq.method === 'POST') {
      if (await this.applyFault('upload', rs)) return;
      const token = decodeURIComponent(path.slice('/upload/v1/'.length));
      const pending = this.uploads.get(token);
      if (!pending) return send(rs, 404, 'Not Found');
      let content = raw;
      if (contentType.toLowerCase().startsWith('multipart/form-data')) {
        const parsed = await parseBody(contentType, raw);
        const field = parsed.body ?? parsed.file ?? Object.values(parsed).find((v) => Buffer.isBuffer(v));
        content = Buffer.isBuffer(field) ? field : Buffer.from(typeof field === 'string' ? field : '');
      }
      if (content.length !== pending.length) {
        this.warnings.push(`upload ${pending.id}: got ${content.length} bytes, files.getUploadURLExternal said ${pending.length}`);
      }
      pending.content = content;
      return send(rs, 200, `OK - ${content.length}`);
    }

    if (path.startsWith('/_response/') && rq.method === 'POST') {
      if (await this.applyFault('response_url', rs)) return;
      const id = decodeURIComponent(path.slice('/_response/'.length));
      let body: Record<string, unknown>;
      try {
        const parsed = await parseBody(contentType || 'application/json', raw);
        body = typeof parsed.payload === 'string' ? (JSON.parse(parsed.payload) as Record<string, unknown>) : parsed;
      } catch {
        return send(rs, 400, { ok: false, error: 'invalid_payload' });
      }
      const record = this.responseUrls.get(id);
      if (record) {
        record.uses += 1;
        if (record.uses > RESPONSE_URL_MAX_USES || Date.now() - record.issuedAt > RESPONSE_URL_TTL_MS) {
          this.warnings.push(`response_url ${id} used after expiry (use ${record.uses})`);
          return send(rs, 404, { ok: false, error: 'expired_url' });
        }
      }
      this.responseList.push({ id, body });
      if (record) this.applyResponse(record.context, body);
      return send(rs, 200, { ok: true });
    }

    send(rs, 404, { ok: false, error: 'not_found' });
  }

  /** Returns true when the fault answered the request itself. */
  private async applyFault(method: string, rs: ServerResponse): Promise<boolean> {
    const fault = this.faults.get(method);
    if (!fault) return false;
    fault.times -= 1;
    if (fault.times <= 0) this.faults.delete(method);
    if (fault.delayMs) await sleep(fault.delayMs);
    if (fault.status === 429) {
      send(rs, 429, { ok: false, error: 'ratelimited' }, { 'retry-after': String(fault.retryAfter ?? 1) });
      return true;
    }
    if (fault.status === 500) {
      send(rs, 500, { ok: false, error: 'internal_error' });
      return true;
    }
    if (fault.error) {
      send(rs, 200, { ok: false, error: fault.error });
      return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- helpers

  private nextTs(): string {
    let micros = Date.now() * 1000;
    if (micros <= this.lastTsMicros) micros = this.lastTsMicros + 1;
    this.lastTsMicros = micros;
    const sec = Math.floor(micros / 1_000_000);
    return `${sec}.${String(micros % 1_000_000).padStart(6, '0')}`;
  }

  private nextId(prefix: string): string {
    return `${prefix}${String(++this.counter).padStart(8, '0')}`;
  }

  private publicMessage(m: StoredMessage): FakeMessage {
    const { botId: _botId, ...rest } = m;
    return { ...rest, ...(m.blocks ? { blocks: m.blocks } : {}), ...(m.files ? { files: [...m.files] } : {}) };
  }

  private wireMessage(m: StoredMessage): Record<string, unknown> {
    return {
      type: 'message',
      user: m.user,
      ...(m.botId ? { bot_id: m.botId } : {}),
      text: m.text,
      ...(m.blocks ? { blocks: m.blocks } : {}),
      ts: m.ts,
      ...(m.threadTs ? { thread_ts: m.threadTs } : {}),
      team: this.teamId,
    };
  }

  /** Checks a user id against the seeded users; with no seeded users every well-formed id is accepted. */
  private checkUser(userId: string, deletedCode = 'user_disabled'): void {
    if (!USER_ID.test(userId)) fail('user_not_found');
    if (userId === this.botUserId) return;
    const u = this.users.get(userId);
    if (!u && this.users.size > 0) fail('user_not_found');
    if (u?.deleted) fail(deletedCode);
  }

  /** Resolves a `channel` argument: C/G/D ids as-is, a user id to the app's DM with that user. */
  private resolveChannel(channel: string | undefined): string {
    if (!channel) fail('channel_not_found');
    if (USER_ID.test(channel)) {
      this.checkUser(channel, 'channel_not_found');
      this.openedDms.add(channel);
      return this.dmChannelFor(channel);
    }
    if (!CHANNEL_ID.test(channel)) fail('channel_not_found');
    return channel;
  }

  private findMessage(channel: string, ts: string): StoredMessage | undefined {
    return this.messageList.find((m) => m.channel === channel && m.ts === ts);
  }

  private blocksArg(args: Args): unknown[] | undefined {
    const b = args.blocks;
    if (b === undefined || b === null || b === '') return undefined;
    if (!Array.isArray(b)) fail('invalid_blocks');
    for (const block of b) if (!isRecord(block) || typeof block.type !== 'string') fail('invalid_blocks');
    return b;
  }

  private textOf(args: Args, blocks: unknown[] | undefined): string {
    const text = str(args, 'text');
    const attachments = args.attachments;
    if ((text === undefined || text === '') && !blocks?.length && !(Array.isArray(attachments) && attachments.length)) fail('no_text');
    if (text !== undefined && text.length > 40000) fail('msg_too_long');
    return text ?? '';
  }

  private threadTsArg(channel: string, args: Args): string | undefined {
    const threadTs = str(args, 'thread_ts');
    if (threadTs === undefined || threadTs === '') return undefined;
    const parent = this.findMessage(channel, threadTs);
    if (!parent) this.warnings.push(`thread_ts ${threadTs} names no message in ${channel}`);
    else if (parent.threadTs && parent.threadTs !== parent.ts) {
      this.warnings.push(`thread_ts ${threadTs} in ${channel} is a reply, not a thread parent`);
    }
    return threadTs;
  }

  private viewBody(raw: unknown, kind: 'modal' | 'home'): Record<string, unknown> {
    if (!isRecord(raw)) fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: view'] } });
    if (raw.type !== kind) {
      fail('invalid_arguments', { response_metadata: { messages: [`[ERROR] must be "${kind}" [json-pointer:/view/type]`] } });
    }
    if (raw.blocks !== undefined && !Array.isArray(raw.blocks)) fail('invalid_arguments');
    if (kind === 'modal' && !isRecord(raw.title)) {
      fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: title [json-pointer:/view]'] } });
    }
    if (typeof raw.private_metadata === 'string' && raw.private_metadata.length > 3000) fail('invalid_arguments');
    return raw;
  }

  private makeView(id: string, kind: 'modal' | 'home', body: Record<string, unknown>, previous?: Record<string, unknown>): Record<string, unknown> {
    return {
      id,
      team_id: this.teamId,
      type: kind,
      blocks: [],
      private_metadata: '',
      callback_id: '',
      external_id: '',
      ...body,
      state: { values: {} },
      hash: `${Math.floor(Date.now() / 1000)}.${randomHex(6)}`,
      root_view_id: previous?.root_view_id ?? id,
      previous_view_id: previous?.previous_view_id ?? null,
      app_id: 'A0APP',
      app_installed_team_id: this.teamId,
      bot_id: this.botId,
      clear_on_close: body.clear_on_close ?? false,
      notify_on_close: body.notify_on_close ?? false,
      ...(kind === 'home' ? { close: null, submit: null } : {}),
    };
  }

  private consumeTrigger(args: Args): TriggerRecord {
    const triggerId = str(args, 'trigger_id') ?? str(args, 'interactivity_pointer');
    if (!triggerId) fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: trigger_id'] } });
    const t = this.triggers.get(triggerId);
    if (!t) fail('invalid_trigger_id');
    if (t.used) fail('exchanged_trigger_id');
    if (Date.now() - t.issuedAt > TRIGGER_TTL_MS) fail('expired_trigger_id');
    t.used = true;
    return t;
  }

  /** Records a message the bot posted (chat.postMessage, an in-channel response_url reply, a file share). */
  private postAsBot(input: { channel: string; text: string; blocks?: unknown[] | undefined; threadTs?: string | undefined; files?: string[] }): StoredMessage {
    const m: StoredMessage = {
      channel: input.channel,
      ts: this.nextTs(),
      text: input.text,
      updates: 0,
      user: this.botUserId,
      botId: this.botId,
      ...(input.blocks ? { blocks: input.blocks } : {}),
      ...(input.threadTs ? { threadTs: input.threadTs } : {}),
      ...(input.files ? { files: input.files } : {}),
    };
    this.messageList.push(m);
    return m;
  }

  private openModal(args: Record<string, unknown>): ApiResult {
    const trigger = this.consumeTrigger(args);
    const id = this.nextId('V');
    const view = this.makeView(id, 'modal', this.viewBody(args.view, 'modal'));
    this.viewMap.set(id, { id, userId: trigger.userId, view, kind: 'modal' });
    return { ok: true, view };
  }

  private fileObject(f: FakeFile): Record<string, unknown> {
    const pub: Record<string, unknown[]> = {};
    const priv: Record<string, unknown[]> = {};
    for (const ch of f.channels) {
      const share = this.messageList.find((m) => m.channel === ch && m.files?.includes(f.id));
      const entry = { ts: share?.ts, ...(f.threadTs ? { thread_ts: f.threadTs } : {}), share_user_id: this.botUserId };
      (ch.startsWith('C') ? pub : priv)[ch] = [entry];
    }
    return {
      id: f.id,
      created: Math.floor(Date.now() / 1000),
      name: f.filename,
      title: f.title ?? f.filename,
      mimetype: 'application/octet-stream',
      filetype: f.filename.includes('.') ? f.filename.split('.').pop() : 'text',
      user: this.botUserId,
      size: f.content.length,
      is_public: f.channels.some((c) => c.startsWith('C')),
      url_private: `${this.baseUrl}/files-pri/${this.teamId}-${f.id}/${encodeURIComponent(f.filename)}`,
      permalink: `https://fake.slack.com/files/${this.botUserId}/${f.id}/${encodeURIComponent(f.filename)}`,
      channels: f.channels.filter((c) => c.startsWith('C')),
      groups: f.channels.filter((c) => c.startsWith('G')),
      ims: f.channels.filter((c) => c.startsWith('D')),
      shares: { ...(Object.keys(pub).length ? { public: pub } : {}), ...(Object.keys(priv).length ? { private: priv } : {}) },
      ...(f.initialComment ? { initial_comment: { comment: f.initialComment } } : {}),
    };
  }

  /** Slack's user object; `locale` only when asked for (users.info and users.list take include_locale). */
  private userObject(id: string, u: UserRecord, withLocale = false): Record<string, unknown> {
    return {
      ...(withLocale ? { locale: u.locale ?? 'en-US' } : {}),
      id,
      team_id: this.teamId,
      name: u.name,
      deleted: u.deleted ?? false,
      real_name: u.realName ?? u.name,
      tz: u.tz ?? 'Europe/Berlin',
      tz_offset: 3600,
      is_admin: false,
      is_owner: false,
      is_bot: u.isBot ?? false,
      is_restricted: false,
      is_ultra_restricted: false,
      profile: {
        real_name: u.realName ?? u.name,
        display_name: u.name,
        ...(u.email ? { email: u.email } : {}),
        image_48: `https://fake.slack.com/avatars/${id}_48.png`,
      },
    };
  }

  /** What Slack does with a response_url post that came from a known interaction. */
  private applyResponse(ctx: ResponseUrlContext, body: Record<string, unknown>): void {
    const target = ctx.channel && ctx.messageTs ? this.findMessage(ctx.channel, ctx.messageTs) : undefined;
    if (bool(body, 'delete_original')) {
      if (target) this.messageList = this.messageList.filter((m) => m !== target);
      return;
    }
    const blocks = Array.isArray(body.blocks) ? body.blocks : undefined;
    const text = typeof body.text === 'string' ? body.text : '';
    if (bool(body, 'replace_original')) {
      if (target) {
        target.text = text;
        if (blocks) target.blocks = blocks;
        else delete target.blocks;
        target.updates += 1;
      }
      return;
    }
    if (!ctx.channel) return;
    if (body.response_type === 'in_channel') {
      const threadTs = typeof body.thread_ts === 'string' ? body.thread_ts : undefined;
      this.postAsBot({ channel: ctx.channel, text, blocks, threadTs });
    } else if (ctx.userId) {
      this.ephemeralList.push({ channel: ctx.channel, user: ctx.userId, text, ...(blocks ? { blocks } : {}) });
    }
  }

  // ---------------------------------------------------------------- Web API methods

  private readonly handlers: Record<string, (args: Args) => ApiResult> = {
    'api.test': (args) => ({ ok: true, args }),

    'auth.test': () => ({
      ok: true,
      url: 'https://fake.slack.com/',
      team: 'Fake',
      user: this.users.get(this.botUserId)?.name ?? 'vpnbot',
      team_id: this.teamId,
      user_id: this.botUserId,
      bot_id: this.botId,
      is_enterprise_install: false,
    }),

    'chat.postMessage': (args) => {
      const channel = this.resolveChannel(str(args, 'channel'));
      const blocks = this.blocksArg(args);
      const text = this.textOf(args, blocks);
      const m = this.postAsBot({ channel, text, blocks, threadTs: this.threadTsArg(channel, args) });
      return { ok: true, channel, ts: m.ts, message: this.wireMessage(m) };
    },

    'chat.update': (args) => {
      const channel = this.resolveChannel(str(args, 'channel'));
      const ts = req(args, 'ts', 'message_not_found');
      const m = this.findMessage(channel, ts);
      if (!m) fail('message_not_found');
      if (m.user !== this.botUserId) fail('cant_update_message');
      const hasBlocks = 'blocks' in args;
      const blocks = this.blocksArg(args);
      const text = str(args, 'text');
      if ((text === undefined || text === '') && !hasBlocks && args.attachments === undefined) fail('no_text');
      if (text !== undefined) {
        if (text.length > 40000) fail('msg_too_long');
        m.text = text;
      }
      if (hasBlocks) {
        if (blocks) m.blocks = blocks;
        else delete m.blocks;
      }
      m.updates += 1;
      return { ok: true, channel, ts, text: m.text, message: this.wireMessage(m) };
    },

    'chat.delete': (args) => {
      const channel = this.resolveChannel(str(args, 'channel'));
      const ts = req(args, 'ts', 'message_not_found');
      const m = this.findMessage(channel, ts);
      if (!m) fail('message_not_found');
      if (m.user !== this.botUserId) fail('cant_delete_message');
      this.messageList = this.messageList.filter((x) => x !== m);
      return { ok: true, channel, ts };
    },

    'chat.postEphemeral': (args) => {
      const channel = this.resolveChannel(str(args, 'channel'));
      const user = req(args, 'user', 'user_not_found');
      this.checkUser(user, 'user_not_in_channel');
      const blocks = this.blocksArg(args);
      const text = this.textOf(args, blocks);
      this.ephemeralList.push({ channel, user, text, ...(blocks ? { blocks } : {}) });
      return { ok: true, message_ts: this.nextTs() };
    },

    'chat.getPermalink': (args) => {
      const channel = this.resolveChannel(str(args, 'channel'));
      const ts = req(args, 'message_ts', 'message_not_found');
      const m = this.findMessage(channel, ts);
      if (!m) fail('message_not_found');
      let permalink = `https://fake.slack.com/archives/${channel}/p${ts.replace('.', '')}`;
      if (m.threadTs && m.threadTs !== m.ts) permalink += `?thread_ts=${m.threadTs}&cid=${channel}`;
      return { ok: true, channel, permalink };
    },

    'conversations.open': (args) => {
      const channelArg = str(args, 'channel');
      const usersArg = str(args, 'users');
      if (!usersArg) {
        if (channelArg) {
          if (!CHANNEL_ID.test(channelArg)) fail('channel_not_found');
          return { ok: true, channel: { id: channelArg }, no_op: true, already_open: true };
        }
        fail('users_list_not_supplied');
      }
      const ids = usersArg.split(',').map((s) => s.trim()).filter(Boolean);
      if (ids.length === 0) fail('users_list_not_supplied');
      if (ids.length > 8) fail('too_many_users');
      for (const id of ids) this.checkUser(id);
      if (ids.length === 1) {
        const user = ids[0] as string;
        const id = this.dmChannelFor(user);
        const existed = this.openedDms.has(user);
        this.openedDms.add(user);
        const channel = bool(args, 'return_im')
          ? { id, created: Math.floor(Date.now() / 1000), is_im: true, is_org_shared: false, user, is_user_deleted: false, priority: 0 }
          : { id };
        return { ok: true, ...(existed ? { no_op: true, already_open: true } : {}), channel };
      }
      const key = [...ids].sort().join(',');
      const id = `G${Buffer.from(key).toString('hex').slice(0, 10).toUpperCase()}`;
      return { ok: true, channel: { id } };
    },

    'views.open': (args) => this.openModal(args),
    // A pushed modal is opened like any other: the fake keeps no view stack.
    'views.push': (args) => this.openModal(args),

    'views.update': (args) => {
      const viewId = str(args, 'view_id');
      const externalId = str(args, 'external_id');
      if (!viewId && !externalId) fail('invalid_arguments');
      const existing = viewId
        ? this.viewMap.get(viewId)
        : [...this.viewMap.values()].find((v) => v.view.external_id === externalId);
      if (!existing) fail('not_found');
      const hash = str(args, 'hash');
      if (hash && hash !== existing.view.hash) fail('hash_conflict');
      const body = this.viewBody(args.view, existing.kind);
      existing.view = this.makeView(existing.id, existing.kind, body, existing.view);
      return { ok: true, view: existing.view };
    },

    'views.publish': (args) => {
      const userId = req(args, 'user_id');
      if (!USER_ID.test(userId)) fail('invalid_arguments');
      if (this.users.size > 0 && !this.users.has(userId)) fail('invalid_arguments');
      const body = this.viewBody(args.view, 'home');
      const existingId = this.homeByUser.get(userId);
      const existing = existingId ? this.viewMap.get(existingId) : undefined;
      const hash = str(args, 'hash');
      if (hash && existing && hash !== existing.view.hash) fail('hash_conflict');
      const id = existing?.id ?? this.nextId('V');
      const view = this.makeView(id, 'home', body, existing?.view);
      this.viewMap.set(id, { id, userId, view, kind: 'home' });
      this.homeByUser.set(userId, id);
      return { ok: true, view };
    },

    'users.info': (args) => {
      const id = req(args, 'user', 'user_not_found');
      if (id === this.botUserId && !this.users.has(id)) {
        return { ok: true, user: { ...this.userObject(id, { name: 'vpnbot', isBot: true }, bool(args, 'include_locale')), is_bot: true } };
      }
      const u = this.users.get(id);
      if (!u) fail('user_not_found');
      return { ok: true, user: this.userObject(id, u, bool(args, 'include_locale')) };
    },

    'users.lookupByEmail': (args) => {
      const email = req(args, 'email', 'users_not_found').toLowerCase();
      const hit = [...this.users.entries()].find(([, u]) => u.email?.toLowerCase() === email);
      if (!hit) fail('users_not_found');
      return { ok: true, user: this.userObject(hit[0], hit[1]) };
    },

    'users.list': (args) => ({
      ok: true,
      members: [...this.users.entries()].map(([id, u]) => this.userObject(id, u, bool(args, 'include_locale'))),
      response_metadata: { next_cursor: '' },
    }),

    'usergroups.users.list': (args) => {
      const id = req(args, 'usergroup', 'no_such_subteam');
      const members = this.usergroups.get(id);
      if (!members) fail('no_such_subteam');
      return { ok: true, users: [...members] };
    },

    'files.getUploadURLExternal': (args) => {
      const filename = req(args, 'filename');
      const lengthStr = req(args, 'length');
      const length = Number(lengthStr);
      if (!Number.isInteger(length) || length < 0) fail('invalid_arguments');
      const id = this.nextId('F');
      const token = randomHex(12);
      const pending: PendingUpload = { id, filename, length };
      this.uploads.set(token, pending);
      this.uploadsById.set(id, pending);
      return { ok: true, upload_url: `${this.baseUrl}/upload/v1/${token}`, file_id: id };
    },

    'files.completeUploadExternal': (args) => {
      const list = args.files;
      if (!Array.isArray(list) || list.length === 0) fail('invalid_arguments');
      let channel = str(args, 'channel_id');
      const legacy = str(args, 'channels');
      if (!channel && legacy) channel = legacy.split(',')[0]?.trim();
      const resolved = channel ? this.resolveChannel(channel) : undefined;
      const threadTs = resolved ? this.threadTsArg(resolved, args) : undefined;
      const initialComment = str(args, 'initial_comment');
      const items: { id: string; title?: string }[] = [];
      for (const item of list) {
        if (!isRecord(item) || typeof item.id !== 'string') fail('invalid_arguments');
        const pending = this.uploadsById.get(item.id);
        if (!pending || pending.content === undefined) fail('file_not_found');
        items.push({ id: item.id, ...(typeof item.title === 'string' ? { title: item.title } : {}) });
      }
      const done: FakeFile[] = [];
      for (const item of items) {
        const pending = this.uploadsById.get(item.id) as PendingUpload;
        let file = this.fileList.find((f) => f.id === item.id);
        if (!file) {
          file = {
            id: item.id,
            filename: pending.filename,
            title: item.title ?? pending.filename,
            content: pending.content as Buffer,
            channels: [],
          };
          this.fileList.push(file);
        } else if (item.title) {
          file.title = item.title;
        }
        if (resolved && !file.channels.includes(resolved)) file.channels.push(resolved);
        if (threadTs) file.threadTs = threadTs;
        if (initialComment) file.initialComment = initialComment;
        done.push(file);
      }
      if (resolved) {
        this.postAsBot({ channel: resolved, text: initialComment ?? '', threadTs, files: done.map((f) => f.id) });
      }
      return { ok: true, files: done.map((f) => this.fileObject(f)) };
    },

    'files.delete': (args) => {
      const id = req(args, 'file', 'file_not_found');
      const f = this.fileList.find((x) => x.id === id);
      if (!f) fail('file_not_found');
      // Gone for everyone: the file and its place in the messages that shared it.
      this.fileList = this.fileList.filter((x) => x !== f);
      for (const m of this.messageList) if (m.files?.includes(id)) m.files = m.files.filter((x) => x !== id);
      return { ok: true };
    },

    'conversations.history': (args) => {
      const channel = this.resolveChannel(str(args, 'channel'));
      const limit = Math.min(999, Math.max(1, Number(str(args, 'limit') ?? 100) || 100));
      // Top-level messages only (thread replies are in conversations.replies), newest first.
      const top = this.messageList.filter((m) => m.channel === channel && (!m.threadTs || m.threadTs === m.ts)).reverse();
      return { ok: true, messages: top.slice(0, limit).map((m) => this.wireMessage(m)), has_more: top.length > limit, response_metadata: { next_cursor: '' } };
    },

    'files.info': (args) => {
      const id = req(args, 'file', 'file_not_found');
      const f = this.fileList.find((x) => x.id === id);
      if (!f) fail('file_not_found');
      return { ok: true, file: this.fileObject(f), comments: [] };
    },
  };
}

export async function startFakeSlack(options: FakeSlackOptions = {}): Promise<FakeSlack> {
  const fake = new FakeSlackServer(options);
  await fake.listen(options.port ?? 0);
  return fake;
}
