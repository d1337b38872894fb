// The audit log you can trust, end to end: HMAC-SHA-256 chain under VPN_BOT_AUDIT_KEY in the real Redis,
// heads witnessed in the fake Slack's audit channel, `/vpn admin audit verify` through signed slash commands,
// each entry also a JSON log line. Three tamperings of Redis are each detected: a rewritten chain, a deleted
// entry and a truncated tail (the last one only through the heads witnessed in Slack).
import { Writable } from 'node:stream';
import { createHash } from 'node:crypto';
import { WebClient } from '@slack/web-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVALS, startHarness, type Harness } from '../helpers/harness.js';

// slack.auditChannel is not set here: the approvals channel is its default.
const AUDIT_CHANNEL = APPROVALS;
const STREAM = '{vpnbot}:audit';
const HEAD = '{vpnbot}:audit:head';
let h: Harness;
const logLines: string[] = [];

async function command(userId: string, text: string): Promise<string> {
  const answer = await h.driver.command({ userId, text });
  expect(answer.status, text).toBe(200);
  return String(answer.json?.text ?? answer.body);
}

/** A slow admin command: acked "Working on it…", answered through the response_url. */
async function slow(text: string): Promise<string> {
  const before = h.slack.responses().length;
  expect(await command('U0ADMIN', text)).toContain('Working on it');
  const reply = await h.slack.waitFor(`reply to ${text}`, () => h.slack.responses().slice(before).find((r) => !String(r.body.text).includes('Working on it')), 15_000);
  return String(reply.body.text);
}

const headSeq = async () => Number((await h.redis.get(HEAD))!.split(' ')[0]);

/** Waits until the audit channel holds a witness of the current head. */
async function witnessed(): Promise<number> {
  const seq = await headSeq();
  await h.slack.waitFor(`witness of #${seq}`, () => h.slack.messages(AUDIT_CHANNEL).find((m) => m.text.includes(`Audit log head #${seq} `)), 10_000);
  return seq;
}

type Raw = [string, string[]][];
async function snapshot(): Promise<{ entries: Raw; head: string; witnesses: number }> {
  return { entries: (await h.redis.xrange(STREAM, '-', '+')) as Raw, head: (await h.redis.get(HEAD))!, witnesses: h.slack.messages(AUDIT_CHANNEL).length };
}

/** Puts the log back as it was and removes the witness posts made since (they name heads of the tampered log). */
async function restore(snap: Awaited<ReturnType<typeof snapshot>>): Promise<void> {
  await h.redis.del(STREAM);
  for (const [id, fields] of snap.entries) await h.redis.xadd(STREAM, id, ...fields);
  await h.redis.set(HEAD, snap.head);
  const client = new WebClient('xoxb-test', { slackApiUrl: h.slack.url });
  for (const m of h.slack.messages(AUDIT_CHANNEL).slice(snap.witnesses)) await client.chat.delete({ channel: AUDIT_CHANNEL, ts: m.ts });
}

const field = (fields: string[], name: string) => fields[fields.indexOf(name) + 1]!;

beforeAll(async () => {
  const logDestination = new Writable({ write(chunk, _enc, cb) { logLines.push(...String(chunk).split('\n').filter(Boolean)); cb(); } });
  h = await startHarness({
    db: 26, updateMs: 100, logDestination,
    env: { LOG_LEVEL: 'info', VPN_BOT_AUDIT_KEY: 'k'.repeat(16) + 'test-audit-key-0123456789' },
    configExtra: `audit:\n  witnessEvery: 1h\n`,
  });
}, 60_000);
afterAll(async () => {
  await h?.close();
});

describe('audit log', () => {
  it('is chained with HMAC-SHA-256, witnessed in Slack on admin events, and logged as JSON lines', async () => {
    for (let i = 0; i < 3; i++) await slow('admin status');
    const entries = (await h.redis.xrange(STREAM, '-', '+')) as Raw;
    expect(entries.length).toBeGreaterThanOrEqual(3);
    expect(entries.map(([, f]) => Number(field(f, 'seq')))).toEqual(entries.map((_, i) => i + 1));
    for (const [, f] of entries) expect(field(f, 'alg')).toMatch(/^hmac-sha256:[0-9a-f]{12}$/);
    // Not a plain hash: without the key nobody can recompute it.
    const [, first] = entries[0]!;
    expect(field(first, 'hash')).not.toBe(createHash('sha256').update(`1\n\n${field(first, 'entry')}`).digest('hex'));
    await witnessed();
    const line = logLines.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.audit === true && l.action === 'admin.status');
    expect(line).toMatchObject({ audit: true, actor: 'U0ADMIN', action: 'admin.status' });
    expect(line!.seq).toEqual(expect.any(Number));
  });

  it('verify answers intact with the entry count and head', async () => {
    const seq = await headSeq();
    const reply = await slow('admin audit verify');
    expect(reply).toContain('Audit log intact');
    expect(reply).toContain(`(${seq} entries, head #${seq} `);
    expect(reply).toContain('HMAC-SHA-256');
    expect(reply).toMatch(/witnessed in Slack \(newest #\d+\)/);
    expect(await command('U0ADMIN', 'admin audit verify x')).toContain('Usage: `/vpn admin audit verify`');
  });

  it('detects a rewritten chain (recomputed without the key) and names the first rewritten entry', async () => {
    await witnessed();
    const snap = await snapshot();
    // The attacker changes entry #2's detail and recomputes every hash from there with plain SHA-256.
    await h.redis.del(STREAM);
    let prev = '';
    for (const [id, fields] of snap.entries) {
      const seq = Number(field(fields, 'seq'));
      let body = field(fields, 'entry');
      let hash = field(fields, 'hash');
      if (seq >= 2) {
        if (seq === 2) body = body.replace(/"detail":"[^"]*"/, '"detail":"nothing to see"');
        hash = createHash('sha256').update(`${seq}\n${prev}\n${body}`).digest('hex');
      }
      await h.redis.xadd(STREAM, id, 'entry', body, 'prev', prev, 'hash', hash, 'seq', String(seq), 'alg', field(fields, 'alg'));
      prev = hash;
    }
    await h.redis.set(HEAD, `${snap.entries.length} ${prev}`);
    const reply = await slow('admin audit verify');
    expect(reply).toContain('Audit log NOT intact');
    expect(reply).toContain('entry #2 ');
    expect(reply).toContain('does not match its HMAC');
    await restore(snap);
    expect(await slow('admin audit verify')).toContain('Audit log intact');
  });

  it('detects a deleted entry', async () => {
    await witnessed();
    const snap = await snapshot();
    const [id] = snap.entries[2]!;
    await h.redis.xdel(STREAM, id);
    const reply = await slow('admin audit verify');
    expect(reply).toContain('Audit log NOT intact');
    expect(reply).toContain('entry #3 is missing');
    await restore(snap);
    expect(await slow('admin audit verify')).toContain('Audit log intact');
  });

  it('detects a truncated tail through the heads witnessed in Slack, even with the head moved back', async () => {
    const seq = await witnessed();
    const snap = await snapshot();
    // Cut the newest two entries and make the head point at the new end: the chain itself is valid.
    const kept = snap.entries.slice(0, -2);
    for (const [id] of snap.entries.slice(-2)) await h.redis.xdel(STREAM, id);
    const [, last] = kept[kept.length - 1]!;
    await h.redis.set(HEAD, `${field(last, 'seq')} ${field(last, 'hash')}`);
    const reply = await slow('admin audit verify');
    expect(reply).toContain('Audit log NOT intact');
    expect(reply).toContain(`entry #${seq} was witnessed in Slack`);
    await restore(snap);
  });

  it('answers malformed and out-of-range `since` values clearly', async () => {
    expect(await command('U0ADMIN', 'admin audit 9999w')).toContain('reaches back before 2000-01-01');
    expect(await command('U0ADMIN', 'admin audit 2024-02-31')).toContain('is not a valid date');
    expect(await command('U0ADMIN', 'admin audit 2999-01-01')).toContain('is in the future');
    expect(await command('U0ADMIN', 'admin audit yesterday')).toContain("I don't understand `yesterday`");
    expect(await slow('admin audit 1000w')).toContain('Audit log since 1000w');
  });

});
