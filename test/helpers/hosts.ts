// Loaded into a product child process with `--import` (tests only): a hosts-file entry for Node's HTTPS agents.
// TEST_HOSTS="sts.aliyuncs.com=127.0.0.1:20443" sends TLS connections for that name to the address given,
// keeping the name for SNI and the certificate check (so the process's own trust store, e.g.
// NODE_EXTRA_CA_CERTS, still decides). Any other HTTPS connection that would leave 127.0.0.1 fails before
// its name is even looked up, so a test's product process cannot reach a real endpoint by mistake.
import https from 'node:https';

const hosts = new Map<string, { host: string; port: number }>();
for (const entry of (process.env.TEST_HOSTS ?? '').split(',').filter(Boolean)) {
  const m = /^([^=]+)=(127\.0\.0\.1):(\d+)$/.exec(entry);
  if (!m) throw new Error(`TEST_HOSTS: expected name=127.0.0.1:port, got ${entry}`);
  hosts.set(m[1]!, { host: m[2]!, port: Number(m[3]) });
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);
const original = https.Agent.prototype.createConnection;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the agent's connection factory is loosely typed in @types/node
(https.Agent.prototype as any).createConnection = function (this: https.Agent, options: { host?: string; port?: number; servername?: string }, oncreate: (err: Error) => void) {
  const host = options.host ?? 'localhost';
  const target = hosts.get(host);
  if (!target && !LOOPBACK.has(host)) {
    // The agent takes an error through the callback when no socket is returned.
    process.nextTick(() => oncreate(new Error(`test/helpers/hosts.ts: no connection to ${host}:${options.port ?? 443} (tests stay on 127.0.0.1)`)));
    return undefined;
  }
  const redirected = target ? { ...options, ...target, servername: options.servername || host } : options;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  return (original as any).call(this, redirected, oncreate);
};
