// Structured logs (pino) with secrets redacted by key, and an adapter so Bolt logs through the same logger.
import { pino, type Logger } from 'pino';
import type { Logger as BoltLogger, LogLevel as BoltLogLevel } from '@slack/logger';

const SECRET_KEYS = ['token', 'secret', 'password', 'authorization', 'accessKeySecret', 'securityToken', 'clientKey', 'content', 'profile', 'signature'];

export function createLogger(level: string, destination?: NodeJS.WritableStream): Logger {
  return pino(
    {
      level,
      base: { service: 'vpn-access-bot' },
      redact: { paths: SECRET_KEYS.flatMap((k) => [k, `*.${k}`]), censor: '[redacted]' },
    },
    destination as pino.DestinationStream | undefined,
  );
}

const SECRET_IN_TEXT = /(xox[abpr]-[A-Za-z0-9-]+|xapp-[A-Za-z0-9-]+|-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----|(AccessKeyId|Signature|SecurityToken)=[^&\s]+)/g;

/** Scrubs anything that looks like a Slack token, a private key or a signed-URL credential from free text. */
export function redactText(text: string): string {
  return text.replace(SECRET_IN_TEXT, '[redacted]');
}

export function boltLogger(logger: Logger): BoltLogger {
  const child = logger.child({ component: 'bolt' });
  const line = (args: unknown[]) => redactText(args.map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
  let level = 'info' as BoltLogLevel;
  return {
    debug: (...args: unknown[]) => child.debug(line(args)),
    info: (...args: unknown[]) => child.info(line(args)),
    warn: (...args: unknown[]) => child.warn(line(args)),
    error: (...args: unknown[]) => child.error(line(args)),
    setLevel: (l: BoltLogLevel) => { level = l; },
    getLevel: () => level,
    setName: () => undefined,
  };
}
