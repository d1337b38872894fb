// A requester whose Slack locale is zh-CN (users.info with include_locale) goes through the whole flow over
// the real harness: request confirmation, the form, refusals, status and help, the approval and profile DMs, the
// expiry reminder and its Extend button, the App Home, revocation. Nothing they receive is English apart
// from ids, names, commands and product names; meanwhile the approvals channel stays in slack.locale (en).
import type { Queue } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { APPROVALS, configYaml, type Harness, productQueue, startHarness } from '../helpers/harness.js';
import { englishWords, slackTexts } from '../helpers/language.js';

const LIN = 'U0LIN';
const REASON = '上线支付系统热修复';
let h: Harness;
let notify: Queue;

beforeAll(async () => {
  h = await startHarness({ db: 41, updateMs: 150, configText: configYaml('  selfExtension: 30d\n') });
  notify = productQueue(h, 'notify');
});
afterAll(async () => {
  await notify?.close();
  await h?.close();
});

/** Everything Lin has received so far: command answers, response_url posts, DMs and their files, modals and the home. */
function received(acks: readonly string[], responses: readonly unknown[]): string[] {
  const dm = h.slack.dmChannelFor(LIN);
  return [
    ...acks,
    ...responses.flatMap(slackTexts),
    ...h.slack.messages(dm).flatMap((m) => [m.text, ...slackTexts(m.blocks ?? [])]),
    ...h.slack.files(dm).map((f) => f.initialComment ?? ''),
    ...h.slack.views(LIN).flatMap((v) => slackTexts(v.view)),
  ].filter(Boolean);
}

describe('a zh-CN requester', () => {
  it('gets the whole flow in Simplified Chinese; the channel stays in English', async () => {
    const acks: string[] = [];
    const responses: unknown[] = [];
    const ask = async (text: string) => {
      const answer = await h.driver.command({ userId: LIN, text });
      acks.push(String(answer.json?.text ?? ''));
      return String(answer.json?.text ?? '');
    };

    expect(await ask('help')).toContain('申请访问权限');
    await ask('');
    // Refusals and bad input are answered in Chinese too.
    expect(await ask('request hangzhou 99d 理由')).toContain('最长可授予');
    expect(await ask('request hangzhou 8hours 理由')).toContain('无法识别时长');
    expect(await ask('cancel')).toContain('没有可取消');
    expect(await ask('extend')).toContain('没有可延长');
    await h.slack.waitFor('request form', () => h.slack.views(LIN).find((v) => v.kind === 'modal'));
    const confirmation = await ask(`request hangzhou 2h ${REASON}`);
    expect(confirmation).toContain('已提交给审批人');
    const requestId = /`(r[a-z0-9]+)`/.exec(confirmation)![1]!;
    expect(await ask('status')).toContain('待审批');

    // The card is in the channel's language, whoever asked.
    const card = await h.slack.waitFor('card', () => h.slack.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(requestId)));
    expect(card.text).toContain('VPN access request from <@U0LIN>');
    await h.driver.blockAction({ userId: 'U0BOB', actionId: 'vpn_approve', value: requestId, channelId: APPROVALS, messageTs: card.ts });

    const dm = h.slack.dmChannelFor(LIN);
    await h.slack.waitFor('approval DM', () => h.slack.messages(dm).find((m) => m.text.includes('已由 <@U0BOB> 批准')), 10_000);
    const profile = await h.slack.waitFor('profile', () => h.slack.files(dm)[0], 15_000);
    expect(profile.initialComment).toContain('配置文件已就绪');
    // Dates are in Lin's zone, named.
    expect(profile.initialComment).toContain('中国标准时间');
    expect(await ask('list')).toContain('有效');

    // The expiry reminder and its Extend button.
    const expiresAt = await vi.waitFor(async () => {
      const json = await h.redis.hget(`{vpnbot}:req:${requestId}`, 'json');
      const at = json ? (JSON.parse(json) as { expiresAt?: number }).expiresAt : undefined;
      expect(at).toBeDefined();
      return at!;
    }, { timeout: 5000, interval: 20 });
    const reminder = await vi.waitFor(async () => {
      const job = await notify.getJob(`remind-${requestId}-${expiresAt}`);
      expect(job).toBeDefined();
      return job!;
    }, { timeout: 5000, interval: 20 });
    await reminder.promote();
    const reminderDm = await h.slack.waitFor('reminder DM', () => h.slack.messages(dm).find((m) => JSON.stringify(m.blocks ?? []).includes('vpn_extend')));
    expect(reminderDm.text).toContain('到期');
    const before = h.slack.responses().length;
    await h.driver.blockAction({ userId: LIN, actionId: 'vpn_extend', value: requestId, channelId: dm, messageTs: reminderDm.ts });
    const extended = await h.slack.waitFor('extended', () => h.slack.responses().slice(before).find((r) => String(r.body.text).includes('延长至')));
    responses.push(extended.body);

    // The App Home.
    await h.driver.event({ type: 'app_home_opened', user: LIN, channel: dm, tab: 'home' });
    const home = await h.slack.waitFor('home', () => h.slack.views(LIN).find((v) => v.kind === 'home'));
    expect(JSON.stringify(home.view)).toContain('我的访问权限');

    // Revocation: the answer and the DM once the certificate is gone.
    expect(await ask('revoke')).toContain('正在撤销');
    await h.slack.waitFor('revoked DM', () => h.slack.messages(dm).find((m) => m.text.includes('已撤销')), 10_000);

    const texts = received(acks, responses);
    expect(texts.length).toBeGreaterThan(10);
    if (process.env.SHOW_TEXTS) console.log(texts.join('\n----\n'));
    const allowed = [requestId, 'hangzhou', 'frankfurt', 'lin', REASON];
    const english = texts.map((t) => ({ text: t, words: englishWords(t, allowed) })).filter((e) => e.words.length > 0);
    expect(english).toEqual([]);

    // The thread under the card stays in slack.locale.
    expect(h.slack.thread(APPROVALS, card.ts).some((m) => m.text.includes('Profile delivered to <@U0LIN>'))).toBe(true);
  });
});
