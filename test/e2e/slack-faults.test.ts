// Slack answering 429 / 500 loses nothing: the approval card and the profile still arrive, once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APPROVALS, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness({ db: 4, updateMs: 150 });
});
afterAll(async () => {
  await h?.close();
});

describe('Slack faults', () => {
  it('a card whose post hits 500s and a 429 is retried until it lands; the profile survives a failing upload step', async () => {
    h.slack.addUser('U0PAT', { name: 'pat' });
    h.slack.inject('chat.postMessage', { status: 500, times: 3 });
    h.slack.inject('chat.postMessage', { status: 429, retryAfter: 1, times: 1 });
    const answer = await h.driver.command({ userId: 'U0PAT', text: 'request hangzhou 1h slack is flaky today' });
    expect(answer.json?.text).toContain('sent to the approvers');
    const requestId = /`(r[a-z0-9]+)`/.exec(String(answer.json?.text))![1]!;
    const card = await h.slack.waitFor('card despite Slack errors', () =>
      h.slack.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(requestId)), 20_000);
    expect(h.slack.messages(APPROVALS).filter((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(requestId))).toHaveLength(1);

    h.slack.inject('files.completeUploadExternal', { status: 500, times: 2 });
    await h.driver.blockAction({ userId: 'U0BOB', actionId: 'vpn_approve', value: requestId, channelId: APPROVALS, messageTs: card.ts });
    const dm = h.slack.dmChannelFor('U0PAT');
    await h.slack.waitFor('profile despite upload errors', () => h.slack.files(dm)[0], 30_000);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(h.slack.files(dm)).toHaveLength(1);
    expect(h.sim.clientCerts().filter((c) => c.name.startsWith('pat-'))).toHaveLength(1);
  });
});
