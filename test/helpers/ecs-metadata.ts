// A stand-in for the ECS instance metadata service (100.100.100.200) handing out a RAM role's temporary
// credentials, issued by the Alibaba simulator so it accepts them. @alicloud/credentials hard-codes the
// metadata address, so while it runs, connections to that address made through Node's http agents are sent to
// this server on 127.0.0.1 instead (like a hosts entry); nothing else is redirected.
import { Agent, createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AlibabaSim, StsCredentials } from '../../src/sim/alicloud/index.js';

export const METADATA_HOST = '100.100.100.200';

export interface FakeMetadata {
  /** Credentials handed out so far, oldest first. */
  issued: StsCredentials[];
  /** Requests for credentials that carried the IMDSv2 session token. */
  hardened: number;
  close(): Promise<void>;
}

/** `ttlMs`: the real service hands out credentials valid for 6 hours (the library renews them in their last hour). */
export async function startFakeMetadata(sim: AlibabaSim, roleName: string, ttlMs = 6 * 3_600_000): Promise<FakeMetadata> {
  const issued: StsCredentials[] = [];
  const state = { hardened: 0 };
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '';
    if (req.method === 'PUT' && path === '/latest/api/token') {
      res.end('imds-session-token');
      return;
    }
    if (req.method === 'GET' && path === '/latest/meta-data/ram/security-credentials/') {
      res.end(roleName);
      return;
    }
    if (req.method === 'GET' && path === `/latest/meta-data/ram/security-credentials/${roleName}`) {
      if (req.headers['x-aliyun-ecs-metadata-token'] === 'imds-session-token') state.hardened++;
      const creds = sim.issueStsCredentials(ttlMs);
      issued.push(creds);
      res.setHeader('content-type', 'text/plain');
      res.end(JSON.stringify({
        Code: 'Success', AccessKeyId: creds.accessKeyId, AccessKeySecret: creds.accessKeySecret, SecurityToken: creds.securityToken,
        Expiration: creds.expiration, LastUpdated: new Date().toISOString().replace(/\.\d{3}Z$/, 'Z'),
      }));
      return;
    }
    res.statusCode = 404;
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const original = Agent.prototype.createConnection;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- Agent's connection factory is untyped in @types/node
  (Agent.prototype as any).createConnection = function (this: Agent, options: { host?: string; port?: number }, ...rest: unknown[]) {
    const target = options.host === METADATA_HOST ? { ...options, host: '127.0.0.1', port } : options;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    return (original as any).call(this, target, ...rest);
  };

  return {
    issued,
    get hardened() { return state.hardened; },
    async close() {
      Agent.prototype.createConnection = original;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
