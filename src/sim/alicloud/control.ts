// HTTP control API of the simulator, under /_sim/ on its own port: what the sandbox page (and a black-box
// run with curl) uses to watch gateways and inject faults. pop-core never calls these paths (it only sends
// `/?Action=…`), so they cannot be mistaken for the cloud API. Bodies are JSON, checked with zod.
//
//   GET    /_sim/state                    gateways (status, when a running update ends), update time, faults
//   PUT    /_sim/update-ms                {"updateMs": 30000, "updateJitter": 0.3}  (either or both)
//   POST   /_sim/gateways/:id/status      {"status": "updating"}  (a change made outside the bot)
//   POST   /_sim/faults                   a SimFault, e.g. {"action": "*", "code": "Throttling.User"}
//   DELETE /_sim/faults                   clears every pending fault
//   GET    /_sim/openvpn                  the OpenVPN servers (option openvpn) and their connected clients
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import type { FaultQueue } from './faults.js';
import { UPDATE_JITTER, UPDATE_MS } from './seed.js';
import type { SimState } from './state.js';

export const CONTROL_PREFIX = '/_sim/';

const faultSchema = z.strictObject({
  action: z.string().regex(/^(\*|[A-Za-z]{1,64})$/, 'an API action name, e.g. CreateSslVpnClientCert, or *'),
  times: z.number().int().min(1).max(1000).optional(),
  mode: z.enum(['error', 'html', 'empty', 'delay', 'apply-then-delay', 'drop', 'pretend']).optional(),
  code: z.string().regex(/^[A-Za-z][A-Za-z0-9.]{0,63}$/, 'an error code, e.g. Throttling.User').optional(),
  status: z.number().int().min(200).max(599).optional(),
  message: z.string().max(500).optional(),
  delayMs: z.number().int().min(0).max(600_000).optional(),
});
const updateMsSchema = z
  .strictObject({ updateMs: UPDATE_MS.optional(), updateJitter: UPDATE_JITTER.optional() })
  .refine((b) => b.updateMs !== undefined || b.updateJitter !== undefined, 'give updateMs, updateJitter or both');
const statusSchema = z.strictObject({ status: z.string().regex(/^[a-z]{1,32}$/, 'a gateway status, e.g. updating or active') });

function reply(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

function problem(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
}

export class SimControl {
  constructor(
    private state: SimState,
    private faults: FaultQueue,
    private openVpn?: () => Promise<unknown>,
  ) {}

  snapshot(): Record<string, unknown> {
    return {
      updateMs: this.state.updateMs,
      updateJitter: this.state.updateJitter,
      gateways: [...this.state.gateways.values()].map((g) => ({
        vpnGatewayId: g.id,
        name: g.name,
        regionId: g.regionId,
        status: g.status,
        businessStatus: g.businessStatus,
        ...(g.task?.endsAt ? { updateEndsAt: g.task.endsAt } : {}),
        clientCerts: [...this.state.servers.values()]
          .filter((s) => s.gatewayId === g.id)
          .reduce((n, s) => n + [...this.state.certs.values()].filter((c) => c.serverId === s.id && !c.deleting).length, 0),
      })),
      faults: this.faults.pending(),
    };
  }

  /** Answers a /_sim/ request; `body` is the raw request body. */
  handle(req: IncomingMessage, res: ServerResponse, body: string): void {
    const path = new URL(req.url ?? '/', 'http://sim').pathname.slice(CONTROL_PREFIX.length);
    const method = req.method ?? 'GET';
    let json: unknown = {};
    if (body.trim()) {
      try {
        json = JSON.parse(body);
      } catch {
        return reply(res, 400, { ok: false, error: 'the body is not JSON' });
      }
    }
    if (method === 'GET' && path === 'state') return reply(res, 200, { ok: true, ...this.snapshot() });
    if (method === 'GET' && path === 'openvpn' && this.openVpn) {
      void this.openVpn().then((body) => reply(res, 200, { ok: true, ...(body as object) }));
      return;
    }
    if (method === 'PUT' && path === 'update-ms') {
      const parsed = updateMsSchema.safeParse(json);
      if (!parsed.success) return reply(res, 400, { ok: false, error: problem(parsed.error) });
      if (parsed.data.updateMs !== undefined) this.state.updateMs = parsed.data.updateMs;
      if (parsed.data.updateJitter !== undefined) this.state.updateJitter = parsed.data.updateJitter;
      return reply(res, 200, { ok: true, ...this.snapshot() });
    }
    const statusPath = /^gateways\/([a-z0-9-]+)\/status$/.exec(path);
    if (method === 'POST' && statusPath) {
      const parsed = statusSchema.safeParse(json);
      if (!parsed.success) return reply(res, 400, { ok: false, error: problem(parsed.error) });
      const id = statusPath[1] as string;
      if (!this.state.gateways.has(id)) return reply(res, 404, { ok: false, error: `no gateway ${id}` });
      this.state.setGatewayStatus(id, parsed.data.status);
      return reply(res, 200, { ok: true, ...this.snapshot() });
    }
    if (path === 'faults' && method === 'POST') {
      const parsed = faultSchema.safeParse(json);
      if (!parsed.success) return reply(res, 400, { ok: false, error: problem(parsed.error) });
      try {
        this.faults.inject(parsed.data);
      } catch (err) {
        return reply(res, 400, { ok: false, error: (err as Error).message.replace(/^Alibaba sim: /, '') });
      }
      return reply(res, 200, { ok: true, ...this.snapshot() });
    }
    if (path === 'faults' && method === 'DELETE') {
      this.faults.clear();
      return reply(res, 200, { ok: true, ...this.snapshot() });
    }
    reply(res, 404, { ok: false, error: `no control route ${method} ${CONTROL_PREFIX}${path}` });
  }
}
