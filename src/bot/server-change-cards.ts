// ServerChangeCards on the Slack Web API: the server change card in the approvals channel and its thread,
// in the channel's language (slack.locale).
import type { WebClient } from '@slack/web-api';
import type { SlackMessageRef } from '../core/requests.js';
import type { ServerChangeCards } from '../core/server-admin.js';
import type { ServerChangeEvent } from '../core/events.js';
import type { ServerChangeProposal } from '../core/server-change-store.js';
import { serverChangeNote } from './views/events.js';
import { serverChangeCard } from './views/server-change.js';
import { EN, type Lang } from './i18n/index.js';

export class SlackServerChangeCards implements ServerChangeCards {
  constructor(private readonly client: WebClient, private readonly approvalsChannel: string, private readonly lang: Lang = EN) {}

  async post(proposal: ServerChangeProposal): Promise<SlackMessageRef> {
    const result = await this.client.chat.postMessage({ channel: this.approvalsChannel, ...serverChangeCard(proposal, this.lang) });
    return { channel: result.channel ?? this.approvalsChannel, ts: result.ts! };
  }

  async update(proposal: ServerChangeProposal): Promise<void> {
    if (!proposal.card) return;
    await this.client.chat.update({ channel: proposal.card.channel, ts: proposal.card.ts, ...serverChangeCard(proposal, this.lang) });
  }

  async note(event: ServerChangeEvent): Promise<void> {
    const { proposal } = event;
    // Without a card (it could not be posted), the note goes to the channel itself.
    await this.client.chat.postMessage({ channel: proposal.card?.channel ?? this.approvalsChannel, ...(proposal.card ? { thread_ts: proposal.card.ts } : {}), text: serverChangeNote(event, this.lang) });
  }
}
