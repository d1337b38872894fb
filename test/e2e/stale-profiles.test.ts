// The "your profile no longer connects" DMs after a server change are durable: one notify job per holder,
// queued before the change is recorded. Slack failing just then loses none (they used to be sent once,
// best effort, from the lane job), and a retried change re-enqueueing them sends none twice.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { RequestStore } from '../../src/core/store.js';
import { notifyJobId } from '../../src/core/ids.js';
import { NotifyQueue } from '../../src/jobs/notify.js';
import { activeGrant } from '../helpers/grants.js';
import { APPROVALS, startHarness, type Harness } from '../helpers/harness.js';

let h: Harness;
const HOLDERS = ['U0ANN', 'U0BEN'];
const stale = (userId: string) => h.slack.messages(h.slack.dmChannelFor(userId)).filter((m) => m.text.includes('no longer connects'));

beforeAll(async () => {
  h = await startHarness({ db: 53, updateMs: 100, adminsExtra: ['U0ADMIN2'] });
  h.slack.addUser('U0ADMIN2', { name: 'admin2' });
  for (const id of HOLDERS) h.slack.addUser(id, { name: id.slice(3).toLowerCase() });
}, 30_000);
afterAll(async () => {
  await h?.close();
});

describe('stale profile notices', () => {
  it('reach every holder exactly once though Slack fails as the change lands and the notices are queued again', async () => {
    const grants = await Promise.all(HOLDERS.map((id) => activeGrant(h, id, 'hangzhou')));
    // The gateway stays `updating` a while, so Slack can be made to fail before the change is recorded.
    h.sim.setUpdateMs(1500);
    await h.driver.command({ userId: 'U0ADMIN', text: 'admin server set hangzhou port=1195 proto=tcp' });
    const card = await h.slack.waitFor('change card', () => h.slack.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes('vpn_server_approve')), 15_000);
    const proposalId = /`(s[a-z0-9]{8,24})`/.exec(JSON.stringify(card.blocks))![1]!;
    await h.driver.blockAction({ userId: 'U0ADMIN2', actionId: 'vpn_server_approve', value: proposalId, channelId: APPROVALS, messageTs: card.ts });
    await h.slack.waitFor('change sent', () => h.slack.thread(APPROVALS, card.ts).find((m) => m.text.includes('ModifySslVpnServer accepted')), 15_000);
    // As many failures as holders: a notice tried once (not retried) is lost.
    h.slack.inject('chat.postMessage', { error: 'internal_error', times: HOLDERS.length });

    for (const id of HOLDERS) await h.slack.waitFor(`notice to ${id}`, () => stale(id)[0], 30_000);
    expect(await h.redis.hget(`{vpnbot}:server-change:${proposalId}`, 'status')).toBe('applied');

    // A lane job retried after a crash queues the notices again: the same job ids, so nobody is told twice.
    const notify = new NotifyQueue(h.redis.duplicate(), 'vpnbot');
    try {
      const store = new RequestStore(h.redis);
      const holders = await Promise.all(grants.map(async (g) => (await store.get(g.requestId))!));
      await notify.tellProfileOutdated(proposalId, holders, ['port', 'proto'], Date.now());
      for (const g of grants) expect(await notify.queue.getJobState(notifyJobId.profileOutdated(proposalId, g.requestId))).toBe('completed');
      // (Delayed jobs are the grants' expiry reminders.)
      await vi.waitFor(async () => expect(await notify.queue.getJobCounts('waiting', 'active', 'prioritized')).toEqual({ waiting: 0, active: 0, prioritized: 0 }), { timeout: 20_000, interval: 50 });
    } finally {
      await notify.close();
    }
    for (const id of HOLDERS) expect(stale(id), id).toHaveLength(1);
  }, 90_000);
});
