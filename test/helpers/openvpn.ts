// A real OpenVPN client for the proofs against the simulator's OpenVPN gateways: `--dev null
// --ifconfig-noexec --route-noexec` (no root, no interface, no route), loopback only. Its log is kept to
// count completed connections; every wait on it is bounded by the test's own timeout.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOpenVpn } from '../../src/sim/alicloud/openvpn.js';

/** The openvpn binary, or undefined: a file's OpenVPN proofs are then skipped with `skipNotice`. */
export const OPENVPN = findOpenVpn();

/** Says once, clearly, why a file's OpenVPN proofs do not run here. */
export function skipNotice(file: string): void {
  if (!OPENVPN) console.warn(`${file} SKIPPED: openvpn is not installed (apt-get install openvpn; .ci/run does it)`);
}

/**
 * Client options for one bounded try: it exits when the TLS handshake has not completed within 5 s (a
 * refused TLS 1.3 client is often only reset; nothing may listen at a stale profile's port).
 */
export const ONE_TRY = ['--tls-exit', '--hand-window', '5', '--connect-retry-max', '1'];

export class VpnClient {
  log = '';
  private child: ChildProcess;
  readonly exited: Promise<number | null>;

  /** Runs `profile.ovpn` in `dir` (with whatever files it names beside it). */
  constructor(dir: string, extra: string[] = []) {
    if (!OPENVPN) throw new Error('openvpn is not installed');
    this.child = spawn(OPENVPN, ['--cd', dir, '--config', 'profile.ovpn', '--dev', 'null', '--ifconfig-noexec', '--route-noexec', '--connect-retry', '1', '--hand-window', '15', '--explicit-exit-notify', '1', ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child.stdout?.on('data', (d: Buffer) => (this.log += d.toString()));
    this.child.stderr?.on('data', (d: Buffer) => (this.log += d.toString()));
    this.exited = new Promise((resolve) => this.child.once('exit', (code) => resolve(code)));
  }

  /** How many times it completed the connection (a reconnect after a gateway restart counts again). */
  get connected(): number {
    return this.log.split('Initialization Sequence Completed').length - 1;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  async stop(): Promise<void> {
    if (this.running) this.child.kill('SIGTERM');
    await this.exited;
  }
}

/** Clients and profile directories of one test file, removed together at the end. */
export class VpnClients {
  private readonly dirs: string[] = [];
  private readonly clients: VpnClient[] = [];

  /** A private directory with `files` (name → content) written into it, keys readable only by us. */
  dir(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), 'vpnbot-openvpn-client-'));
    this.dirs.push(dir);
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content, { mode: 0o600 });
    return dir;
  }

  /** A client for a self-contained profile (as the bot delivers it). */
  connectProfile(profile: string, extra: string[] = []): VpnClient {
    return this.connect(this.dir({ 'profile.ovpn': profile }), extra);
  }

  connect(dir: string, extra: string[] = []): VpnClient {
    const client = new VpnClient(dir, extra);
    this.clients.push(client);
    return client;
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.stop()));
    for (const dir of this.dirs) rmSync(dir, { recursive: true, force: true });
  }
}
