// The errors the sim can answer with. One place for codes, HTTP statuses and messages, taken from the
// reference (§2.4, §4, §5, §7) and the seed API pages. Where the reference leaves a code open, the sim
// uses `InvalidParameter` (400) with a message naming the parameter, consistently.

export class SimError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'SimError';
  }
}

const e = (code: string, status: number, message: string) => () => new SimError(code, status, message);

export const Err = {
  // Gateway-level (§2.4)
  accessKeyNotFound: e('InvalidAccessKeyId.NotFound', 404, 'Specified access key is not found.'),
  accessKeyInactive: e('InvalidAccessKeyId.Inactive', 400, 'Specified access key is disabled.'),
  timestampFormat: e('InvalidTimeStamp.Format', 400, 'Specified time stamp or date value is not well formatted.'),
  timestampExpired: e('InvalidTimeStamp.Expired', 400, 'Specified time stamp or date value is expired.'),
  nonceUsed: e('SignatureNonceUsed', 400, 'Specified signature nonce was used already.'),
  signatureMethod: e('InvalidSignatureMethod', 400, 'Specified signature method is not valid.'),
  signatureMismatch: (serverStringToSign: string) =>
    new SimError('SignatureDoesNotMatch', 400, `Specified signature is not matched with our calculation. server string to sign is:${serverStringToSign}`),
  missing: (param: string) => new SimError(`Missing${param}`, 400, `${param} is mandatory for this action.`),
  apiNotFound: e('InvalidApi.NotFound', 404, 'Specified api is not found, please check your url and method.'),
  badFormat: e('InvalidParameter.Format', 400, 'Specified parameter format is not valid.'),
  httpMethod: e('UnsupportedHTTPMethod', 400, 'This http method is not supported.'),
  malformedRequest: e('InvalidParameter', 400, 'The request parameters are not well formed (bad percent-encoding).'),
  // Throttling and idempotency (§4, §5)
  throttlingUser: e('Throttling.User', 400, 'Request was denied due to user flow control.'),
  idempotentMismatch: e('IdempotentParameterMismatch', 400, 'Request uses a client token in a previous request but is not identical to that request.'),
  // Open validations: one code, the parameter named in the message.
  invalidParameter: (param: string, why: string) => new SimError('InvalidParameter', 400, `The specified parameter ${param} is not valid: ${why}.`),
  // VPC (§7 and the seed pages)
  regionNotFound: e('InvalidRegionId.NotFound', 404, 'The specified region is not found during access authentication.'),
  gatewayNotFound: e('InvalidVpnGatewayInstanceId.NotFound', 404, 'The specified vpn gateway instance id does not exist.'),
  serverNotFound: e('InvalidSslVpnServerId.NotFound', 404, 'The specified SSL VPN server id does not exist.'),
  /** DescribeSslVpnClientCert's not-found (§7.6, §12 item 5). */
  instanceNotFound: e('InvalidInstanceId.NotFound', 400, 'The InstanceId is not found.'),
  /** Modify/DeleteSslVpnClientCert's not-found (§7.8, §7.9). */
  certNotFound: e('InvalidSslVpnClientCertId.NotFound', 404, 'The specified SSL VPN client cert id does not exist.'),
  configuring: e('VpnGateway.Configuring', 400, 'The specified service is configuring.'),
  financialLocked: e('VpnGateway.FinancialLocked', 400, 'The specified service is financial locked.'),
  quotaFull: e('Resource.QuotaFull', 400, 'The quota of resource is full'),
  invalidName: e('InvalidName', 400, 'The name is not valid'),
  ipConflict: e('IpConflict', 400, 'Client IP pool conflict with local IP range.'),
  poolNetmask: e('ClientIpPool.NetmaskInvalid', 400, 'The netmask length of client IP pool must be greater than or equal to 16 and less than or equal to 29.'),
  poolSubnet: e('ClientIpPool.SubnetInvalid', 400, 'The specified client IP pool cannot be used.'),
  portIllegal: e('SslVpnServerPort.Illegal', 400, 'The server port is not in the range of [1-65535].'),
  dryRun: e('DryRunOperation', 400, 'Request validation has been passed with DryRun flag set.'),
  mfaNeedsIdaas: e('MissingParameter.IDaaSInstanceId', 400, 'The input parameter IDaaSInstanceId is mandatory when enable multi-factor authentication.'),
  // CAS (§10.9: codes undocumented; these are the sim's choices)
  casNotFound: e('NotFound', 404, 'The specified certificate does not exist.'),
  casIncorrectStatus: e('IncorrectStatus', 400, 'The certificate must be revoked before it can be deleted.'),
} as const;

/** Defaults used when a fault names only a code. */
const KNOWN: Record<string, { status: number; message: string }> = {
  'Throttling.User': { status: 400, message: 'Request was denied due to user flow control.' },
  'Throttling.Api': { status: 400, message: 'Request was denied due to api flow control.' },
  Throttling: { status: 400, message: 'Request was denied due to request throttling.' },
  ServiceUnavailable: { status: 503, message: 'The request has failed due to a temporary failure of the server.' },
  InternalError: { status: 500, message: 'The request processing has failed due to some unknown error, exception or failure.' },
  SystemBusy: { status: 400, message: 'System is busy, please try later.' },
  OperationConflict: { status: 400, message: 'Request was denied due to conflict with a previous request.' },
  LastTokenProcessing: { status: 403, message: 'The last token request is processing.' },
  'VpnGateway.Configuring': { status: 400, message: 'The specified service is configuring.' },
  'VpnGateway.FinancialLocked': { status: 400, message: 'The specified service is financial locked.' },
  'Resource.QuotaFull': { status: 400, message: 'The quota of resource is full' },
  'SslVpnClientCreateTimes.ReachLimits': { status: 400, message: 'The number of client cert creation operations reaches the upper limit.' },
  'CreateSslCertsQuotaFull.QuotaFull': { status: 400, message: 'Create the number of SSL certificates that exceed the quota limit.' },
  Forbidden: { status: 403, message: 'User not authorized to operate on the specified resource.' },
  'Forbbiden.SubUser': { status: 403, message: 'User not authorized to operate on the specified resource as your account is created by another user.' },
  'InvalidRegionId.NotFound': { status: 404, message: 'The specified region is not found during access authentication.' },
};

export function faultError(code: string, status?: number, message?: string): SimError {
  const known = KNOWN[code];
  return new SimError(code, status ?? known?.status ?? 400, message ?? known?.message ?? `Simulated error ${code}.`);
}
