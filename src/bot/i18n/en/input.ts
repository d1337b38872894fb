// src/bot/views/input.ts: bad input to /vpn request (and its form), /vpn extend and /vpn breakglass.
export default {
  requestUsage: '`/vpn request [gateway] [duration] <reason…>`, e.g. `/vpn request 1d deploy the payments hotfix`',
  extendUsage: '`/vpn extend [gateway] [duration]`, e.g. `/vpn extend 4h`',
  breakGlassUsage: '`/vpn breakglass [gateway] <reason…>`, e.g. `/vpn breakglass frankfurt payments outage, INC-1234`',
  badDuration: '`{word}` is not a duration I understand: use a whole positive number and m, h, d or w (e.g. 30m, 8h, 1d, 2w). Usage: {usage}',
  tooLong: 'Access can be granted for at most {max}; you asked for {asked}.',
  whichGateway: 'Which gateway? Name one of: {gateways}. Usage: {usage}',
  noReason: 'Please say why you need access. Usage: {usage}',
  breakGlassNoReason: 'Break-glass needs a reason; it is recorded and shown to the admins. Usage: {usage}',
  reasonTooLong: 'Please keep the reason under 500 characters.',
} as const;
