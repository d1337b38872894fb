// The whole flow on a three-node Redis Cluster: every key of the store, the audit log and each BullMQ
// lane carries a hash tag, so scripts and pipelines stay within one slot.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVALS, startHarness, type Harness } from '../helpers/harness.js';
import { freePort } from '../helpers/process.js';

const bin = (name: string) => [`/usr/bin/${name}`, `/usr/local/bin/${name}`].find((p) => existsSync(p));
const REDIS_SERVER = bin('redis-server');
const REDIS_CLI = bin('redis-cli');

const nodes: ChildProcess[] = [];
let h: Harness | undefined;

describe.skipIf(!REDIS_SERVER || !REDIS_CLI)('Redis Cluster', () => {
  beforeAll(async () => {
    const ports: number[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      // The cluster bus gets a free port of its own: by default it is port + 10000, in the kernel's ephemeral
      // range, where a busy machine's outgoing connections may hold it and the node then never starts.
      const busPort = await freePort();
      const dir = mkdtempSync(join(tmpdir(), `vpnbot-cluster-${port}-`));
      nodes.push(spawn(REDIS_SERVER!, ['--port', String(port), '--cluster-port', String(busPort), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', join(dir, 'nodes.conf'), '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }));
      ports.push(port);
    }
    const seeds = ports.map((p) => `127.0.0.1:${p}`);
    for (let attempt = 0; ; attempt++) {
      try {
        execFileSync(REDIS_CLI!, ['--cluster', 'create', ...seeds, '--cluster-replicas', '0', '--cluster-yes'], { stdio: 'pipe', timeout: 20_000 });
        break;
      } catch (err) {
        if (attempt > 20) {
          const e = err as { stdout?: Buffer; stderr?: Buffer };
          throw new Error(`redis-cli --cluster create: ${String(e.stdout ?? '')}${String(e.stderr ?? err)}`);
        }
        // A node not listening yet fails the create early; on a loaded machine it can also fail (or time out) after
        // assigning slots, and the nodes then refuse another create as not empty: start them over.
        for (const port of ports) {
          try {
            execFileSync(REDIS_CLI!, ['-p', String(port), 'cluster', 'reset', 'hard'], { stdio: 'ignore', timeout: 5000 });
          } catch {
            // not listening yet
          }
        }
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    }
    for (let attempt = 0; attempt < 100; attempt++) {
      const info = execFileSync(REDIS_CLI!, ['-p', String(ports[0]), 'cluster', 'info']).toString();
      if (info.includes('cluster_state:ok')) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    h = await startHarness({ db: 0, updateMs: 150, clusterNodes: seeds.join(',') });
  }, 60_000);
  afterAll(async () => {
    await h?.close().catch(() => undefined);
    for (const node of nodes) node.kill('SIGKILL');
  });

  it('requests, approves and delivers a profile with every key in the cluster', async () => {
    h!.slack.addUser('U0RIA', { name: 'ria' });
    const answer = await h!.driver.command({ userId: 'U0RIA', text: 'request hangzhou 1h on the cluster' });
    expect(answer.json?.text).toContain('sent to the approvers');
    const requestId = /`(r[a-z0-9]+)`/.exec(String(answer.json?.text))![1]!;
    const card = await h!.slack.waitFor('card', () => h!.slack.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(requestId)), 10_000);
    await h!.driver.blockAction({ userId: 'U0BOB', actionId: 'vpn_approve', value: requestId, channelId: APPROVALS, messageTs: card.ts });
    await h!.slack.waitFor('profile', () => h!.slack.files(h!.slack.dmChannelFor('U0RIA'))[0], 20_000);
    // The profile is uploaded before the grant is marked active; the "Profile delivered" note in the
    // card's thread is posted after that transition, so `list` is asked only once it is recorded.
    await h!.slack.waitFor('grant active', () => h!.slack.thread(APPROVALS, card.ts).find((r) => r.text.includes('Profile delivered')), 20_000);
    const list = await h!.driver.command({ userId: 'U0RIA', text: 'list' });
    expect(list.json?.text).toContain(requestId);
    const ready = await fetch(`http://127.0.0.1:${h!.bot.port}/readyz`);
    expect(ready.status).toBe(200);
  });
});
