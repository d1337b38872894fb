// The findings post (core/reconcile.ts) on Slack: posted to the approvals channel, re-rendered after each
// decision, and each decision noted in its thread; in the channel's language (slack.locale).
import type { WebClient } from '@slack/web-api';
import type { Finding } from '../core/findings.js';
import type { FindingEvent, FindingPosts } from '../core/reconcile.js';
import type { SlackMessageRef } from '../core/requests.js';
import { findingNote, findingsPost } from './views/findings.js';
import { EN, type Lang } from './i18n/index.js';

export class SlackFindingPosts implements FindingPosts {
  constructor(private readonly client: WebClient, private readonly channel: string, private readonly lang: Lang = EN) {}

  async post(findings: readonly Finding[]): Promise<SlackMessageRef> {
    const result = await this.client.chat.postMessage({ channel: this.channel, ...findingsPost(findings, this.lang) });
    return { channel: result.channel ?? this.channel, ts: result.ts! };
  }

  async update(ref: SlackMessageRef, findings: readonly Finding[]): Promise<void> {
    await this.client.chat.update({ channel: ref.channel, ts: ref.ts, ...findingsPost(findings, this.lang) });
  }

  async note(ref: SlackMessageRef, finding: Finding, event: FindingEvent): Promise<void> {
    await this.client.chat.postMessage({ channel: ref.channel, thread_ts: ref.ts, text: findingNote(finding, event, this.lang) });
  }
}
