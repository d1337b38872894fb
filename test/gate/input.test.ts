// Strict input (issue 6, item 5): duration typos answered with usage, user text escaped and cut to
// Slack's limits, malformed interactions acknowledged at once with a logged warning.
import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVALS, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
const logs: string[] = [];

beforeAll(async () => {
  const logDestination = new PassThrough();
  logDestination.on('data', (chunk: Buffer) => logs.push(...chunk.toString('utf8').split('\n').filter(Boolean)));
  h = await startHarness({ db: 25, updateMs: 100, env: { LOG_LEVEL: 'info' }, logDestination });
});
afterAll(async () => {
  await h?.close();
});

const requestIdFrom = (text: string) => /`(r[a-z0-9]+)`/.exec(text)?.[1];

describe('malformed interactions', () => {
  it('are acknowledged at once, change nothing and log a warning', async () => {
    const cases: [string, string][] = [
      ['empty payload', 'payload={}'],
      ['unknown action_id', new URLSearchParams({ payload: JSON.stringify({ type: 'block_actions', user: { id: 'U0EVE' }, team: { id: 'T0001' }, api_app_id: 'A0APP', actions: [{ type: 'button', action_id: 'vpn_nope', block_id: 'x', value: 'r1234567890', action_ts: '1.1' }] }) }).toString()],
      ['block_actions without user', new URLSearchParams({ payload: JSON.stringify({ type: 'block_actions', team: { id: 'T0001' }, api_app_id: 'A0APP', actions: [{ type: 'button', action_id: 'vpn_approve', block_id: 'x', value: 'r1234567890', action_ts: '1.1' }] }) }).toString()],
    ];
    const cardsBefore = h.slack.messages(APPROVALS).length;
    for (const [name, body] of cases) {
      const before = logs.length;
      const { timestamp, signature } = h.driver.sign(body);
      const answer = await h.driver.raw(body, { 'content-type': 'application/x-www-form-urlencoded', 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature });
      expect(answer.status, name).toBe(200);
      expect(h.slack.messages(APPROVALS).length, name).toBe(cardsBefore);
      expect(logs.slice(before).some((l) => l.includes('"level":40') && l.includes('malformed')), `${name}: ${logs.slice(before).join('\n')}`).toBe(true);
    }
  });
});

/** Every text object in the blocks, with the limit Slack sets for where it sits. */
function textsWithLimits(blocks: unknown): { text: string; limit: number }[] {
  const found: { text: string; limit: number }[] = [];
  for (const block of (blocks ?? []) as { type: string; text?: { text: string }; fields?: { text: string }[]; elements?: { text?: string }[] }[]) {
    if (block.text) found.push({ text: block.text.text, limit: 3000 });
    for (const f of block.fields ?? []) found.push({ text: f.text, limit: 2000 });
    if (block.type === 'context') for (const e of block.elements ?? []) if (typeof e.text === 'string') found.push({ text: e.text, limit: 3000 });
  }
  return found;
}

describe('duration typos', () => {
  it('each is answered with the usage and creates nothing', async () => {
    h.slack.addUser('U0TYPO', { name: 'typo' });
    for (const typo of ['-1d', '1.5h', '1d1h', '8hours', '0m', '8']) {
      const answer = await h.driver.command({ userId: 'U0TYPO', text: `request frankfurt ${typo} need access` });
      expect(String(answer.json?.text), typo).toMatch(/is not a duration I understand/);
      expect(String(answer.json?.text), typo).toContain('Usage: `/vpn request');
      // Also without a gateway before it.
      const bare = await h.driver.command({ userId: 'U0TYPO', text: `request ${typo} need access` });
      expect(String(bare.json?.text), typo).toMatch(/is not a duration I understand/);
    }
    const extend = await h.driver.command({ userId: 'U0TYPO', text: 'extend 1.5h' });
    expect(String(extend.json?.text)).toMatch(/is not a duration I understand.*Usage: `\/vpn extend/);
    const status = await h.driver.command({ userId: 'U0TYPO', text: 'status' });
    expect(String(status.json?.text)).toContain('no open VPN requests');
  });
});

describe('user text in Slack', () => {
  it('words echoed back in replies cannot mention anyone', async () => {
    for (const text of ['<!channel>', 'extend <!here>', 'admin <@U0ALICE>']) {
      const answer = String((await h.driver.command({ userId: 'U0EVE', text })).json?.text);
      expect(answer, text).not.toMatch(/<[!@]/);
    }
  });

  it('is escaped and cut to the field limits on the card and in the DM', async () => {
    h.slack.addUser('U0LONG', { name: 'long' });
    const reason = `<!channel> ${'&'.repeat(488)}`;
    const answer = await h.driver.command({ userId: 'U0LONG', text: `request hangzhou 1h ${reason}` });
    const requestId = requestIdFrom(String(answer.json?.text))!;
    expect(requestId).toBeDefined();
    const card = await h.slack.waitFor('card', () => h.slack.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(requestId)));
    await h.driver.blockAction({ userId: 'U0BOB', actionId: 'vpn_deny', value: requestId, channelId: APPROVALS, messageTs: card.ts });
    await h.slack.waitFor('deny modal', () => h.slack.views('U0BOB').find((v) => v.view.callback_id === 'vpn_deny_modal' && v.view.private_metadata === requestId));
    const denyReason = `<!here> <@U0ALICE> ${'&'.repeat(480)}`;
    const ok = await h.driver.viewSubmission({ userId: 'U0BOB', callbackId: 'vpn_deny_modal', privateMetadata: requestId, values: { reason: { value: { type: 'plain_text_input', value: denyReason } } } });
    expect(ok.status).toBe(200);
    const updated = await h.slack.waitFor('card shows denial', () => {
      const m = h.slack.messages(APPROVALS).find((x) => x.ts === card.ts);
      return JSON.stringify(m?.blocks ?? []).includes('Denied by') ? m : undefined;
    });
    const texts = textsWithLimits(updated.blocks);
    for (const t of texts) expect(t.text.length).toBeLessThanOrEqual(t.limit);
    const all = texts.map((t) => t.text).join('\n');
    expect(all).not.toContain('<!channel>');
    expect(all).not.toContain('<!here>');
    expect(all).toContain('&lt;!here&gt;');
    expect(all).toContain('…');
    const dm = await h.slack.waitFor('denial DM', () => h.slack.messages(h.slack.dmChannelFor('U0LONG')).find((m) => m.text.includes('denied')));
    expect(dm.text).not.toContain('<!here>');
    expect(dm.text).not.toContain('<@U0ALICE>');
    expect(dm.text).toContain('&lt;@U0ALICE&gt;');
  });
});
