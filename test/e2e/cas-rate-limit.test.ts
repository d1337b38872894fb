// The account-wide CAS limit (10 calls in any rolling second) holds across processes: two real bot
// processes offboard two people with 25 private-CA certificates between them at the same time, and the
// simulator's own call log never holds more than 10 CAS calls within one second.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { busiestWindow, casCalls } from '../../src/sim/alicloud/call-stats.js';
import type { AlibabaSim, SimCall } from '../../src/sim/alicloud/index.js';
import { SlackDriver, type FakeSlack } from '../../src/sim/slack/index.js';
import { SIGNING_SECRET, simSeed } from '../helpers/fixtures.js';
import { spawnBot, startChildWorld, type BotProcess, type ChildWorld } from '../helpers/process.js';

const DB = 23;
const hex = (prefix: string, i: number) => `${prefix}${String(i).padStart(4, '0')}`.padEnd(32, '0');
const ALICE_CERTS = Array.from({ length: 13 }, (_, i) => hex('a1', i));
const DAVE_CERTS = Array.from({ length: 12 }, (_, i) => hex('d4', i));

let world: ChildWorld;
let sim: AlibabaSim;
let fake: FakeSlack;
const bots: BotProcess[] = [];

beforeAll(async () => {
  world = await startChildWorld({
    db: DB,
    seed: {
      ...simSeed(),
      casCertificates: [
        ...ALICE_CERTS.map((identifier) => ({ identifier, commonName: 'alice@example.com' })),
        ...DAVE_CERTS.map((identifier) => ({ identifier, commonName: 'dave@example.com' })),
      ],
    },
    updateMs: 100,
  });
  ({ sim, fake } = world);
  fake.addUser('U0ALICE', { name: 'alice', email: 'alice@example.com' });
  fake.addUser('U0DAVE', { name: 'dave', email: 'dave@example.com' });
  bots.push(...(await Promise.all([spawnBot('bot-a', world.env), spawnBot('bot-b', world.env)])));
}, 90_000);

afterAll(async () => {
  await world?.close();
});

/** Sends a slow admin command to one process and resolves with its final answer (through the response_url). */
async function offboard(bot: BotProcess, userId: string): Promise<string> {
  const driver = new SlackDriver({ botUrl: `${bot.baseUrl}/slack/events`, signingSecret: SIGNING_SECRET, fake });
  const before = new Set(fake.responses().map((r) => r.id));
  const ack = await driver.command({ userId: 'U0ADMIN', text: `admin offboard ${userId}` });
  expect(ack.status).toBe(200);
  const reply = await fake.waitFor(`offboard ${userId} on ${bot.name}`, () => fake.responses().find((r) => !before.has(r.id)
    && String(r.body.text).includes(`*Offboarding <@${userId}>*`)), 60_000);
  return String(reply.body.text);
}

describe('CAS rate limit shared through Redis', () => {
  it('busiestWindow counts both ends of the window', () => {
    const at = (ms: number): SimCall => ({ action: 'X', version: '2020-06-30', method: 'POST', params: {}, status: 200, at: ms });
    expect(busiestWindow(Array.from({ length: 11 }, (_, i) => at(i * 100))).count).toBe(11);
    expect(busiestWindow(Array.from({ length: 11 }, (_, i) => at(i * 101))).count).toBe(10);
  });

  it('two processes offboarding 25 private-CA certificates at once never send more than 10 CAS calls in a rolling second', async () => {
    const [alice, dave] = await Promise.all([offboard(bots[0]!, 'U0ALICE'), offboard(bots[1]!, 'U0DAVE')]);
    for (const id of [...ALICE_CERTS, ...DAVE_CERTS]) expect(sim.casCertificate(id)?.status, id).toBe('REVOKE');
    expect(alice).toContain('*Offboarding <@U0ALICE>*');
    expect(alice.match(/Revoked private-CA certificate/g)).toHaveLength(13);
    expect(dave.match(/Revoked private-CA certificate/g)).toHaveLength(12);
    expect(`${alice}\n${dave}`).not.toContain(':warning:');

    const calls = casCalls(sim.calls);
    expect(calls.filter((c) => c.action === 'CreateRevokeClientCertificate')).toHaveLength(25);
    expect(calls.filter((c) => c.code !== undefined).map((c) => c.code)).toEqual([]);
    // The two processes revoked during the same seconds, so only a shared limit could hold.
    const revokesOf = (ids: string[]) => calls.filter((c) => c.action === 'CreateRevokeClientCertificate' && ids.includes(c.params.Identifier ?? '')).map((c) => c.at);
    const [a, d] = [revokesOf(ALICE_CERTS), revokesOf(DAVE_CERTS)];
    expect(Math.min(...a) < Math.max(...d) && Math.min(...d) < Math.max(...a)).toBe(true);
    expect(busiestWindow(calls).count).toBeLessThanOrEqual(10);
  }, 90_000);
});
