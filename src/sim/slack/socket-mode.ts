// Socket Mode on the fake Slack: `apps.connections.open` (with an app-level token) hands out a single-use
// WebSocket URL; on that socket the fake says `hello`, then delivers envelopes (`slash_commands`,
// `interactive`, `events_api`) and waits for each envelope's ack (`{envelope_id, payload?}`), whose payload
// is what an HTTP app would have answered. It pings like Slack does, and can ask the app to reconnect
// (`disconnect`, reason `refresh_requested`), after which the app opens a new connection.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';

export type EnvelopeType = 'slash_commands' | 'interactive' | 'events_api';

export interface SocketModeStats {
  /** apps.connections.open answers given (one per connection attempt). */
  opened: number;
  /** WebSocket connections accepted (each got a hello). */
  connections: number;
  /** Envelopes delivered and acks received. */
  delivered: number;
  acked: number;
}

interface Pending {
  resolve: (payload: Record<string, unknown> | undefined) => void;
  reject: (err: Error) => void;
  timer: NodeJS.Timeout;
}

/** How long Slack waits for an ack before it gives up on an envelope (and, for events, retries it). */
const ACK_TIMEOUT_MS = 3000;
/** Slack pings every few seconds; @slack/socket-mode reconnects when it hears nothing for 30 s. */
const PING_EVERY_MS = 5000;

export class FakeSocketMode {
  readonly stats: SocketModeStats = { opened: 0, connections: 0, delivered: 0, acked: 0 };
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly tickets = new Set<string>();
  private readonly sockets = new Set<WebSocket>();
  private readonly pending = new Map<string, Pending>();
  private readonly waiters: (() => void)[] = [];

  constructor(
    private readonly baseUrl: () => string,
    /** The app-level token the fake accepts; undefined: any `xapp-…` token. */
    private readonly appToken: string | undefined,
    private readonly appId: string,
  ) {}

  /** Web API `apps.connections.open`. */
  open(token: string): Record<string, unknown> & { ok: boolean } {
    if (!token.startsWith('xapp-')) return { ok: false, error: 'not_allowed_token_type' };
    if (this.appToken !== undefined && token !== this.appToken) return { ok: false, error: 'invalid_auth' };
    const ticket = randomBytes(12).toString('hex');
    this.tickets.add(ticket);
    this.stats.opened++;
    return { ok: true, url: `${this.baseUrl().replace(/^http/, 'ws')}/link/?ticket=${ticket}&app_id=${this.appId}` };
  }

  /** The HTTP server's `upgrade` event. */
  upgrade(rq: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(rq.url ?? '/', 'http://127.0.0.1');
    const ticket = url.searchParams.get('ticket') ?? '';
    if (url.pathname !== '/link/' || !this.tickets.delete(ticket)) {
      socket.end('HTTP/1.1 401 Unauthorized\r\n\r\n');
      return;
    }
    this.wss.handleUpgrade(rq, socket, head, (ws) => this.accept(ws));
  }

  get connected(): number {
    return [...this.sockets].filter((s) => s.readyState === s.OPEN).length;
  }

  /** Resolves once at least one app connection has said hello-back (is open). */
  async waitForConnection(timeoutMs = 10_000): Promise<void> {
    if (this.connected > 0) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no Socket Mode connection within ${timeoutMs} ms`)), timeoutMs);
      this.waiters.push(() => { clearTimeout(timer); resolve(); });
    });
  }

  /**
   * Sends one envelope to a connected app and resolves with its ack's payload (undefined for an empty ack).
   * Rejects when no app is connected or it does not ack within Slack's 3 s.
   */
  async deliver(type: EnvelopeType, payload: Record<string, unknown>, options: { retryAttempt?: number } = {}): Promise<Record<string, unknown> | undefined> {
    await this.waitForConnection();
    const socket = [...this.sockets].find((s) => s.readyState === s.OPEN)!;
    const envelopeId = `${randomBytes(4).toString('hex')}-${randomBytes(2).toString('hex')}-${randomBytes(2).toString('hex')}`;
    const envelope = {
      envelope_id: envelopeId,
      type,
      payload,
      accepts_response_payload: type !== 'events_api',
      ...(type === 'events_api' ? { retry_attempt: options.retryAttempt ?? 0, retry_reason: options.retryAttempt ? 'timeout' : '' } : {}),
    };
    const acked = new Promise<Record<string, unknown> | undefined>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(envelopeId);
        reject(new Error(`no ack for ${type} envelope ${envelopeId} within ${ACK_TIMEOUT_MS} ms`));
      }, ACK_TIMEOUT_MS);
      this.pending.set(envelopeId, { resolve, reject, timer });
    });
    socket.send(JSON.stringify(envelope));
    this.stats.delivered++;
    return acked;
  }

  /** Asks every connected app to reconnect, as Slack does a few times an hour. */
  refresh(): void {
    for (const s of this.sockets) {
      if (s.readyState === s.OPEN) s.send(JSON.stringify({ type: 'disconnect', reason: 'refresh_requested', debug_info: { host: 'fake-slack' } }));
    }
  }

  close(): void {
    for (const p of this.pending.values()) { clearTimeout(p.timer); p.reject(new Error('fake Slack closed')); }
    this.pending.clear();
    for (const s of this.sockets) s.terminate();
    this.sockets.clear();
    this.wss.close();
  }

  private accept(ws: WebSocket): void {
    this.sockets.add(ws);
    this.stats.connections++;
    const ping = setInterval(() => { if (ws.readyState === ws.OPEN) ws.ping(); }, PING_EVERY_MS);
    ping.unref();
    ws.on('close', () => { clearInterval(ping); this.sockets.delete(ws); });
    ws.on('error', () => ws.terminate());
    ws.on('message', (data) => this.onMessage(String(data)));
    ws.send(JSON.stringify({
      type: 'hello', num_connections: this.connected,
      debug_info: { host: 'fake-slack', build_number: 1, approximate_connection_time: 18060 },
      connection_info: { app_id: this.appId },
    }));
    for (const w of this.waiters.splice(0)) w();
  }

  private onMessage(text: string): void {
    let msg: { envelope_id?: unknown; payload?: unknown };
    try {
      msg = JSON.parse(text) as typeof msg;
    } catch {
      return;
    }
    const pending = typeof msg.envelope_id === 'string' ? this.pending.get(msg.envelope_id) : undefined;
    if (!pending) return;
    this.pending.delete(msg.envelope_id as string);
    clearTimeout(pending.timer);
    this.stats.acked++;
    const payload = msg.payload && typeof msg.payload === 'object' && Object.keys(msg.payload).length ? msg.payload as Record<string, unknown> : undefined;
    pending.resolve(payload);
  }
}
