// Classifies every failure of an Alibaba Cloud call into what the caller should do about it, and scrubs
// the raw error (pop-core puts the request URL, and with GET the credentials, into messages).

/**
 * - busy: the gateway is applying another change; wait and retry the same call.
 * - transient: throttled or the service failed; back off, re-read state, retry.
 * - ambiguous: the call may or may not have been applied (timeout, dropped connection, unreadable answer);
 *   re-read state or retry with the same ClientToken.
 * - not-found: the resource does not exist (on delete this means done).
 * - permanent: retrying will not help; tell a human what to do.
 */
export type CloudErrorKind = 'busy' | 'transient' | 'ambiguous' | 'not-found' | 'permanent';

export class CloudError extends Error {
  constructor(
    readonly kind: CloudErrorKind,
    readonly action: string,
    readonly code: string,
    message: string,
    readonly requestId?: string,
    readonly httpStatus?: number,
  ) {
    super(message);
    this.name = 'CloudError';
  }

  /** A line safe for logs, Slack threads and the audit log. */
  describe(): string {
    const rid = this.requestId ? ` (RequestId ${this.requestId})` : '';
    return `${this.action} failed: ${this.code}: ${this.message}${rid}`;
  }
}

const BUSY = new Set(['VpnGateway.Configuring', 'TaskConflict', 'VpnTask.CONFLICT', 'Appliance.Configuring', 'VpnConnection.Configuring', 'OperationConflict', 'LastTokenProcessing', 'IncorrectStatus.VpnGateway']);
const TRANSIENT = new Set(['ServiceUnavailable', 'InternalError', 'SystemBusy', 'Rejected.Throttling', 'UnknownError']);

export function classifyCode(code: string, httpStatus?: number): CloudErrorKind {
  if (BUSY.has(code)) return 'busy';
  if (code.includes('Throttling') || TRANSIENT.has(code)) return 'transient';
  if (code.endsWith('.NotFound') || code === 'NotFound') {
    // A bad key or region is a configuration problem, not a missing resource.
    if (code.startsWith('InvalidAccessKeyId') || code.startsWith('InvalidRegionId') || code.startsWith('InvalidApi') || code.startsWith('InvalidAction')) return 'permanent';
    return 'not-found';
  }
  if (httpStatus !== undefined && httpStatus >= 500) return 'transient';
  return 'permanent';
}

const URL_RE = /\b(?:https?:\/\/|(?:GET|POST) \/)\S*/g;
const SECRET_PARAM_RE = /(AccessKeyId|AccessKeySecret|SecurityToken|Signature)=[^&\s,]*/gi;

/** Removes URLs and credential-bearing query parameters from a message. */
export function scrub(text: string): string {
  return text.replace(URL_RE, '<url>').replace(SECRET_PARAM_RE, '$1=<redacted>').replace(/,?\s*URL:\s*<url>/g, '').trim();
}

interface PopCoreErrorShape {
  name?: string;
  code?: unknown;
  message?: string;
  data?: { RequestId?: unknown; Message?: unknown };
  entry?: { response?: { statusCode?: number } };
}

/**
 * Turns anything pop-core (or the network under it) throws into a CloudError.
 * `mutating` says whether the call changes state: a timeout then is ambiguous rather than transient.
 */
export function toCloudError(action: string, err: unknown, mutating: boolean): CloudError {
  if (err instanceof CloudError) return err;
  const e = (err ?? {}) as PopCoreErrorShape;
  if (typeof e.code === 'string' && e.data && typeof e.data === 'object') {
    const status = e.entry?.response?.statusCode;
    const message = typeof e.data.Message === 'string' ? e.data.Message : scrub(e.message ?? '');
    const requestId = typeof e.data.RequestId === 'string' ? e.data.RequestId : undefined;
    return new CloudError(classifyCode(e.code, status), action, e.code, scrub(message), requestId, status);
  }
  const raw = String(e.message ?? err);
  const name = e.name ?? '';
  const netCode = typeof e.code === 'string' ? e.code : '';
  const timedOut = name === 'RequestTimeoutError' || /timeout/i.test(raw) || netCode === 'ETIMEDOUT';
  const connectFailed = /ConnectTimeout|ECONNREFUSED|ENOTFOUND|EAI_AGAIN/.test(raw + netCode);
  if (connectFailed) {
    // Nothing reached the service: safe to retry like a throttle.
    return new CloudError('transient', action, netCode || 'ConnectFailed', scrub(raw));
  }
  if (timedOut) return new CloudError(mutating ? 'ambiguous' : 'transient', action, 'Timeout', scrub(raw));
  if (name === 'SyntaxError' || e instanceof SyntaxError) {
    // An HTML error page or an empty body: the service failed somewhere between us and the API.
    return new CloudError(mutating ? 'ambiguous' : 'transient', action, 'BadResponse', 'the service answered with an unreadable body');
  }
  if (netCode === 'ECONNRESET' || /socket hang up/i.test(raw)) {
    return new CloudError(mutating ? 'ambiguous' : 'transient', action, netCode || 'ConnectionReset', scrub(raw));
  }
  return new CloudError(mutating ? 'ambiguous' : 'transient', action, netCode || 'UnknownError', scrub(raw));
}

/** What a human should do about a permanent cloud error; the bot's message catalogue holds the words (i18n area `advice`). */
export type AdviceKey = 'ram-policy' | 'access-key' | 'cert-quota' | 'account-arrears' | 'ssl-server-id' | 'gateway-id' | 'region-id' | 'cert-name';

const ADVICE: [RegExp, AdviceKey][] = [
  [/^Forbidden|^Forbbiden/, 'ram-policy'],
  [/^InvalidAccessKeyId|^SignatureDoesNotMatch/, 'access-key'],
  [/QuotaFull|ReachLimits/, 'cert-quota'],
  [/FinancialLocked/, 'account-arrears'],
  [/^InvalidSslVpnServerId\.NotFound/, 'ssl-server-id'],
  [/^InvalidVpnGatewayInstanceId\.NotFound/, 'gateway-id'],
  [/^InvalidRegionId/, 'region-id'],
  [/^InvalidName/, 'cert-name'],
];

/** The advice for an error code, if there is a specific one. */
export function adviceKeyFor(code: string): AdviceKey | undefined {
  return ADVICE.find(([re]) => re.test(code))?.[1];
}
