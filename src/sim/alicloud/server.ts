// The HTTP face: parses GET query / POST form, runs the gateway-level checks of §2.4 in order
// (key, timestamp, nonce, signature method, signature; then API lookup, Format, throttling, missing
// parameters, region, ClientToken), dispatches to the operation and writes the JSON envelope (§3).
// Unknown API comes after authentication because the real gateway authenticates first, and missing
// parameters after the API lookup because what is mandatory depends on the operation.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { casOperations } from './cas.js';
import { Err, faultError, SimError } from './errors.js';
import type { FaultQueue, ResolvedFault } from './faults.js';
import type { Operation } from './ops.js';
import { CAS_VERSION } from './ops.js';
import { parseFormEncoded, sign, signatureMatches, stringToSign } from './signature.js';
import type { SimState } from './state.js';
import type { SimCall } from './types.js';
import { vpcOperations } from './vpc.js';

const OPERATIONS = new Map<string, Operation>([...vpcOperations, ...casOperations].map((op) => [`${op.action}@${op.version}`, op]));

/** Never recorded in SimCall.params. */
const SECRET_PARAMS = new Set(['Signature', 'AccessKeySecret', 'SecurityToken']);
/** Not business parameters: excluded when comparing a ClientToken replay with the original (§5). */
const COMMON_PARAMS = new Set([
  'Action', 'Version', 'Format', 'Timestamp', 'SignatureMethod', 'SignatureVersion', 'SignatureNonce', 'Signature',
  'AccessKeyId', 'SecurityToken', 'ClientToken', 'OwnerId', 'OwnerAccount', 'ResourceOwnerId', 'ResourceOwnerAccount',
]);

// Region ids the sim knows besides the seeded ones; anything else is InvalidRegionId.NotFound.
const KNOWN_REGIONS = new Set([
  'cn-hangzhou', 'cn-shanghai', 'cn-qingdao', 'cn-beijing', 'cn-zhangjiakou', 'cn-huhehaote', 'cn-wulanchabu', 'cn-shenzhen',
  'cn-heyuan', 'cn-guangzhou', 'cn-chengdu', 'cn-nanjing', 'cn-fuzhou', 'cn-hongkong', 'ap-northeast-1', 'ap-northeast-2',
  'ap-southeast-1', 'ap-southeast-2', 'ap-southeast-3', 'ap-southeast-5', 'ap-southeast-6', 'ap-southeast-7', 'ap-south-1',
  'us-east-1', 'us-west-1', 'eu-west-1', 'eu-central-1', 'me-east-1', 'me-central-1',
]);

const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,3})?Z$/;
const MAX_BODY = 1024 * 1024;

const HTML_502 =
  '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>Tengine</center>\r\n</body>\r\n</html>\r\n';

interface Answer {
  status: number;
  body: Record<string, unknown>;
  code?: string;
}

/** An answer now, or once an operation's asynchronous part (certificate signing) is done. */
type Pending = Answer | Promise<Answer>;

function whenReady(answer: Pending, then: (answer: Answer) => void): void {
  if (answer instanceof Promise) void answer.then(then);
  else then(answer);
}

function newRequestId(): string {
  return randomUUID().toUpperCase();
}

function parseTimestamp(text: string): number | undefined {
  const m = TIMESTAMP_RE.exec(text);
  if (!m) return undefined;
  const t = Date.parse(text);
  // Date.parse rolls over impossible dates only in some engines; compare the parts back to be sure.
  if (Number.isNaN(t) || new Date(t).toISOString().slice(0, 19) !== text.slice(0, 19)) return undefined;
  return t;
}

export class SimHttp {
  /** Timers of delayed answers/handling, so reset and close can cancel them. */
  private inflight = new Set<{ timer: NodeJS.Timeout; res: ServerResponse; pendingWork: boolean }>();

  constructor(
    private state: SimState,
    private faults: FaultQueue,
    readonly calls: SimCall[],
  ) {}

  /** The node:http request listener. */
  listener = (req: IncomingMessage, res: ServerResponse): void => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => this.onRequest(req, res, Buffer.concat(chunks).toString('utf8')));
    req.on('error', () => res.destroy());
  };

  cancelInflight(): void {
    for (const entry of this.inflight) {
      clearTimeout(entry.timer);
      entry.res.destroy();
      if (entry.pendingWork) this.state.endPendingWork();
    }
    this.inflight.clear();
  }

  private later(ms: number, res: ServerResponse, pendingWork: boolean, fn: () => void): void {
    const entry = {
      res,
      pendingWork,
      timer: setTimeout(() => {
        this.inflight.delete(entry);
        fn();
      }, ms),
    };
    this.inflight.add(entry);
  }

  private onRequest(req: IncomingMessage, res: ServerResponse, body: string): void {
    const method = (req.method ?? 'GET').toUpperCase();
    const host = req.headers.host ?? '127.0.0.1';
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    let params: Record<string, string> = {};
    let parseError: SimError | undefined;
    try {
      parseFormEncoded(q >= 0 ? url.slice(q + 1) : '', params);
      // POST: the form body, merged over the query, is what gets signed (§1.2 item 9, §2.1).
      if (method === 'POST') parseFormEncoded(body, params);
    } catch {
      params = {};
      parseError = Err.malformedRequest();
    }

    const call: SimCall = {
      action: params.Action ?? '',
      version: params.Version ?? '',
      method,
      params: Object.fromEntries(Object.entries(params).filter(([k]) => !SECRET_PARAMS.has(k))),
      status: 0,
      at: Date.now(),
    };
    this.calls.push(call);

    const handle = (): Pending => (parseError ? this.errorAnswer(parseError, params, host) : this.process(method, params, host));
    const fault = this.faults.take(call.action);
    if (!fault) return whenReady(handle(), (answer) => this.send(res, call, answer));
    this.applyFault(fault, res, call, params, host, handle);
  }

  private applyFault(fault: ResolvedFault, res: ServerResponse, call: SimCall, params: Record<string, string>, host: string, handle: () => Pending): void {
    switch (fault.mode) {
      case 'error':
        return this.send(res, call, this.errorAnswer(faultError(fault.code ?? 'InternalError', fault.status, fault.message), params, host));
      case 'html':
        call.status = fault.status ?? 502;
        res.writeHead(call.status, { 'content-type': 'text/html' });
        res.end(HTML_502);
        return;
      case 'empty':
        call.status = fault.status ?? 200;
        res.writeHead(call.status, { 'content-type': 'application/json;charset=utf-8', 'content-length': '0' });
        res.end();
        return;
      case 'delay':
        // Handled (and applied) after the delay even if the client has given up, like a slow backend.
        this.state.beginPendingWork();
        this.later(fault.delayMs ?? 0, res, true, () =>
          whenReady(handle(), (answer) => {
            this.state.endPendingWork();
            this.send(res, call, answer);
          }),
        );
        return;
      case 'apply-then-delay':
        return whenReady(handle(), (answer) => {
          call.status = answer.status;
          if (answer.code) call.code = answer.code;
          this.later(fault.delayMs ?? 0, res, false, () => this.send(res, call, answer));
        });
      case 'pretend':
        // Success on the wire, nothing applied: only a later read shows the call had no effect.
        return this.send(res, call, { status: 200, body: { RequestId: newRequestId() } });
      case 'drop':
        // The change is applied, then the connection dies: the client cannot know it happened.
        return whenReady(handle(), (answer) => {
          call.status = 0;
          if (answer.code) call.code = answer.code;
          res.socket?.destroy();
        });
    }
  }

  private send(res: ServerResponse, call: SimCall, answer: Answer): void {
    call.status = answer.status;
    if (answer.code) call.code = answer.code;
    if (res.destroyed || res.writableEnded) return;
    const text = JSON.stringify(answer.body);
    res.writeHead(answer.status, {
      'content-type': 'application/json;charset=utf-8',
      'content-length': Buffer.byteLength(text),
      'x-acs-request-id': String(answer.body.RequestId),
    });
    res.end(text);
  }

  private errorAnswer(err: SimError, params: Record<string, string>, host: string, op?: Operation): Answer {
    if (err.code === 'VpnGateway.Configuring') this.state.configuringRejections++;
    const requestId = newRequestId();
    const product = op?.product ?? (params.Version === CAS_VERSION ? 'cas' : 'Vpc');
    return {
      status: err.status,
      code: err.code,
      body: {
        RequestId: requestId,
        HostId: host,
        Code: err.code,
        Message: err.message,
        Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(err.code)}&product=${product}&requestId=${requestId}`,
      },
    };
  }

  private process(method: string, params: Record<string, string>, host: string): Pending {
    let op: Operation | undefined;
    const success = (body: Record<string, unknown>): Answer => ({ status: 200, body: { RequestId: newRequestId(), ...body } });
    const failure = (err: unknown): Answer => {
      if (err instanceof SimError) return this.errorAnswer(err, params, host, op);
      // A bug in the sim: answer like the real service's InternalError rather than hanging the client.
      return this.errorAnswer(new SimError('InternalError', 500, `Simulator failure: ${(err as Error).message}`), params, host, op);
    };
    try {
      op = this.authenticate(method, params);
      const body = this.dispatch(op, params);
      return body instanceof Promise ? body.then(success, failure) : success(body);
    } catch (err) {
      return failure(err);
    }
  }

  /** §2.4 checks; returns the operation to run. */
  private authenticate(method: string, params: Record<string, string>): Operation {
    const now = Date.now();
    if (method !== 'GET' && method !== 'POST') throw Err.httpMethod();
    const keyId = params.AccessKeyId;
    if (!keyId) throw Err.missing('AccessKeyId');
    const key = this.state.accessKeys.get(keyId);
    if (!key) throw Err.accessKeyNotFound();
    if (key.disabled) throw Err.accessKeyInactive();
    if (!params.Timestamp) throw Err.missing('Timestamp');
    const ts = parseTimestamp(params.Timestamp);
    if (ts === undefined) throw Err.timestampFormat();
    if (Math.abs(now - ts) > this.state.clockSkewToleranceMs) throw Err.timestampExpired();
    const nonce = params.SignatureNonce;
    if (!nonce) throw Err.missing('SignatureNonce');
    if (this.state.nonceUsed(keyId, nonce, now)) throw Err.nonceUsed();
    if (!params.SignatureMethod) throw Err.missing('SignatureMethod');
    if (params.SignatureMethod !== 'HMAC-SHA1') throw Err.signatureMethod();
    if (params.SignatureVersion !== undefined && params.SignatureVersion !== '1.0') throw Err.invalidParameter('SignatureVersion', 'expected 1.0');
    const received = params.Signature;
    if (!received) throw Err.missing('Signature');
    if (!signatureMatches(sign(method, params, key.secret), received)) throw Err.signatureMismatch(stringToSign(method, params));
    // Only a correctly signed request burns its nonce; otherwise anyone could burn nonces.
    this.state.rememberNonce(keyId, nonce, now);
    this.state.sts.check(keyId, params.SecurityToken, now);

    if (!params.Action) throw Err.missing('Action');
    if (!params.Version) throw Err.missing('Version');
    const op = OPERATIONS.get(`${params.Action}@${params.Version}`);
    if (!op) throw Err.apiNotFound();
    // The sim speaks JSON only (pop-core always asks for JSON).
    if (params.Format !== undefined && params.Format.toUpperCase() !== 'JSON') throw Err.badFormat();
    return op;
  }

  private dispatch(op: Operation, params: Record<string, string>): Record<string, unknown> | Promise<Record<string, unknown>> {
    const now = Date.now();
    const keyId = params.AccessKeyId ?? '';
    if (op.rateLimited && !this.state.admitRate(keyId, op.action, now)) throw Err.throttlingUser();
    for (const name of op.required) if (!params[name]) throw Err.missing(name);
    if (op.regional) {
      const region = params.RegionId ?? '';
      const seeded = [...this.state.gateways.values()].some((g) => g.regionId === region);
      if (!seeded && !KNOWN_REGIONS.has(region)) throw Err.regionNotFound();
    }

    const token = op.idempotent ? params.ClientToken : undefined;
    let tokenKey: string | undefined;
    let fingerprint = '';
    if (token !== undefined && token !== '') {
      // ≤ 64 ASCII characters (§5).
      if (token.length > 64 || !/^[\x20-\x7e]+$/.test(token)) throw Err.invalidParameter('ClientToken', 'at most 64 printable ASCII characters');
      tokenKey = `${keyId}\n${op.action}\n${token}`;
      fingerprint = JSON.stringify(Object.keys(params).filter((k) => !COMMON_PARAMS.has(k)).sort().map((k) => [k, params[k]]));
      const previous = this.state.tokenLookup(tokenKey);
      if (previous) {
        if (previous.fingerprint !== fingerprint) throw Err.idempotentMismatch();
        // A replay: the original result, no state change, and no Configuring even if this very
        // call put the gateway into 'updating'.
        return { ...previous.body };
      }
    }
    const body = op.handle({ params, state: this.state, now });
    if (body instanceof Promise) {
      if (tokenKey) throw new Error(`${op.action} is idempotent but answers asynchronously`);
      return body;
    }
    // Only successes are remembered: a retry after an error (e.g. Configuring) is processed anew.
    if (tokenKey) this.state.tokenStore(tokenKey, fingerprint, body);
    return body;
  }
}
