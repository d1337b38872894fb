// A real OpenVPN server per simulated SSL server (opt-in: AlibabaSimOptions.openvpn), so a profile the
// simulator hands out can be proven to connect, and to stop connecting once its certificate is deleted.
// It listens on 127.0.0.1 at the SSL server's port with its proto, cipher and compression, trusts only
// that server's CA and checks its CRL. As a real gateway does after a delete or a server change (seed 000),
// it is restarted with the new CRL/settings when the gateway leaves 'updating', dropping every client.
//
// With a usable /dev/net/tun (root on these machines and CI) it runs `--mode server --dev tun
// --ifconfig-noexec --route-noexec`: several clients, the tun device stays down and unaddressed. Without
// one, `--mode server` refuses `--dev null`, so it falls back to a point-to-point `tls-server --dev null`
// server: one client at a time.
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import ipaddr from 'ipaddr.js';
import { parseCidr } from './cidr.js';
import { crlPem, issueServerCert, type Issued } from './pki.js';
import type { ServerRec, SimState } from './state.js';
import type { SimOpenVpnServer } from './types.js';

// The status the simulator's handle reports (types.ts) is the status kept here.
export type VpnServerStatus = SimOpenVpnServer;
export type VpnMode = SimOpenVpnServer['mode'];

/** Where the openvpn binary is, or undefined (sbin directories are often missing from a user's PATH). */
export function findOpenVpn(): string | undefined {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/local/sbin', '/sbin'];
  for (const dir of dirs.filter(Boolean)) {
    const path = join(dir, 'openvpn');
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Learnt once per process: can openvpn open a tun device here? */
let tunUsable = true;
const TUN_FAILURE = /TUN\/TAP|TUNSETIFF|\/dev\/net\/tun|Cannot open TUN/i;

const netmask = (prefix: number) => ipaddr.IPv4.subnetMaskFromPrefixLength(prefix).toString();

class OneServer {
  private child?: ChildProcess;
  private exited?: Promise<void>;
  private serverCert?: Promise<Issued>;
  private chain: Promise<void> = Promise.resolve();
  private readonly dir = mkdtempSync(join(tmpdir(), 'vpnbot-sim-openvpn-'));
  status: VpnServerStatus;

  constructor(
    private readonly binary: string,
    private readonly state: SimState,
    private readonly server: ServerRec,
  ) {
    this.status = { sslVpnServerId: server.id, vpnGatewayId: server.gatewayId, state: 'starting', mode: tunUsable ? 'server' : 'p2p', host: '127.0.0.1', port: server.port, proto: server.proto, clients: 0, refused: 0, refusals: [], starts: 0 };
  }

  /** (Re)starts with the server's current settings and CRL; restarts are queued, never concurrent. */
  restart(): Promise<void> {
    this.chain = this.chain.then(async () => {
      await this.kill();
      if (this.status.state === 'stopped') return;
      await this.launch();
    });
    return this.chain;
  }

  async close(): Promise<void> {
    this.status.state = 'stopped';
    await this.chain.catch(() => undefined);
    await this.kill();
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async kill(): Promise<void> {
    const child = this.child;
    if (!child) return;
    this.child = undefined;
    child.kill('SIGTERM');
    await this.exited;
  }

  private async launch(): Promise<void> {
    const s = this.server;
    const ca = await this.state.caOf(s);
    this.serverCert ??= issueServerCert(ca, `${s.id} gateway`);
    const [cert, crl] = await Promise.all([this.serverCert, crlPem(ca, s.revoked)]);
    if (this.status.state === 'stopped') return;
    writeFileSync(join(this.dir, 'ca.crt'), ca.pem);
    writeFileSync(join(this.dir, 'server.crt'), cert.certPem);
    writeFileSync(join(this.dir, 'server.key'), cert.keyPem, { mode: 0o600 });
    writeFileSync(join(this.dir, 'crl.pem'), crl);
    const mode: VpnMode = tunUsable ? 'server' : 'p2p';
    Object.assign(this.status, { state: 'starting', mode, port: s.port, proto: s.proto, clients: 0, reason: undefined });
    this.status.starts++;

    const pool = parseCidr(s.clientIpPool);
    const proto = s.proto === 'TCP' ? 'tcp-server' : 'udp';
    // A current client negotiates AES-GCM; the server's own cipher is the fallback for older ones.
    const ciphers = s.cipher === 'none' ? ['--data-ciphers', 'AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305', '--data-ciphers-fallback', 'none'] : ['--data-ciphers', `AES-256-GCM:AES-128-GCM:CHACHA20-POLY1305:${s.cipher}`, '--data-ciphers-fallback', s.cipher];
    const args = [
      '--cd', this.dir,
      ...(mode === 'server'
        ? ['--mode', 'server', '--tls-server', '--dev', 'tun', '--topology', 'subnet', ...(pool ? ['--server', pool.network.toString(), netmask(pool.prefix)] : [])]
        : ['--tls-server', '--dev', 'null']),
      '--ifconfig-noexec', '--route-noexec',
      '--local', '127.0.0.1', '--port', String(s.port), '--proto', proto,
      '--ca', 'ca.crt', '--cert', 'server.crt', '--key', 'server.key', '--crl-verify', 'crl.pem', '--dh', 'none',
      ...ciphers,
      ...(s.compress ? ['--comp-lzo', '--allow-compression', 'yes'] : []),
      // Over UDP a client would only notice a restart at its ping timeout: tell it, as a gateway restart is felt at once.
      ...(s.proto === 'TCP' ? [] : ['--explicit-exit-notify', '1']),
      '--keepalive', '10', '60',
      '--management', join(this.dir, 'mgmt.sock'), 'unix',
      '--verb', '3',
    ];
    const child = spawn(this.binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    let tail: string[] = [];
    let started = false;
    const onLine = (line: string) => {
      tail = [...tail.slice(-7), line];
      if (line.includes('Initialization Sequence Completed')) {
        started = true;
        this.status.state = 'running';
      }
      if (/VERIFY ERROR|certificate revoked|TLS Error: TLS handshake failed/.test(line)) this.status.refused++;
      const refused = /VERIFY ERROR: depth=0, .*CN=([^,\s]+)/.exec(line);
      if (refused) this.status.refusals = [...this.status.refusals.slice(-49), { certificate: refused[1]!, at: Date.now() }];
    };
    let buffered = '';
    const onData = (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      lines.forEach(onLine);
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    this.exited = new Promise<void>((resolve) => {
      child.once('error', (err) => {
        this.status.state = 'failed';
        this.status.reason = `openvpn did not start: ${err.message}`;
        resolve();
      });
      child.once('exit', () => resolve());
    }).then(() => {
      if (this.child === child) this.child = undefined;
      if (this.status.state === 'stopped' || child.killed) return;
      if (!started && mode === 'server' && tail.some((l) => TUN_FAILURE.test(l))) {
        // No usable tun device: every later server starts point-to-point.
        tunUsable = false;
        void this.restart();
        return;
      }
      this.status.state = 'failed';
      this.status.reason ??= `openvpn exited: ${tail.slice(-3).join(' | ')}`;
    });
  }

  /** Asks the management interface; 0 when the server is not running. */
  async clients(): Promise<number> {
    if (this.status.state !== 'running') return 0;
    const query = this.status.mode === 'server' ? 'status 2' : 'state';
    const text = await new Promise<string>((resolve) => {
      let out = '';
      const socket = connect(join(this.dir, 'mgmt.sock'));
      const done = () => {
        socket.destroy();
        resolve(out);
      };
      socket.setTimeout(2000, done);
      socket.on('error', done);
      socket.on('connect', () => socket.write(`${query}\n`));
      socket.on('data', (d: Buffer) => {
        out += d.toString();
        if (/^END\r?$/m.test(out)) done();
      });
    });
    const lines = text.split(/\r?\n/);
    this.status.clients = this.status.mode === 'server' ? lines.filter((l) => l.startsWith('CLIENT_LIST,')).length : lines.some((l) => /^\d+,CONNECTED,/.test(l)) ? 1 : 0;
    return this.status.clients;
  }
}

/** The OpenVPN servers of every simulated SSL server. */
export class OpenVpnFleet {
  private servers = new Map<string, OneServer>();

  constructor(
    private readonly binary: string,
    private readonly state: SimState,
  ) {}

  /** Starts one server per SSL server in the state (after a seed load, the old ones are stopped first). */
  async sync(): Promise<void> {
    await this.close();
    for (const server of this.state.servers.values()) {
      const one = new OneServer(this.binary, this.state, server);
      this.servers.set(server.id, one);
      void one.restart();
    }
  }

  /** The gateway applied a delete or a server change: its servers reload (restart), dropping clients. */
  reload(gatewayId: string): void {
    for (const server of this.state.servers.values()) {
      if (server.gatewayId === gatewayId) void this.servers.get(server.id)?.restart();
    }
  }

  /** Clients connected to one server now; undefined when it has no OpenVPN server. */
  async clients(sslVpnServerId: string): Promise<number | undefined> {
    return this.servers.get(sslVpnServerId)?.clients();
  }

  async status(): Promise<VpnServerStatus[]> {
    const all = [...this.servers.values()];
    await Promise.all(all.map((s) => s.clients()));
    return all.map((s) => ({ ...s.status }));
  }

  async close(): Promise<void> {
    const all = [...this.servers.values()];
    this.servers.clear();
    await Promise.all(all.map((s) => s.close()));
  }
}
