// Messenger on the Slack Web API: the approval card and its thread, DMs, and profile delivery through
// the files upload API straight into the requester's DM.
import type { WebClient } from '@slack/web-api';
import type { Messenger, RequesterEvent } from '../core/ports.js';
import type { AccessRequest, SlackMessageRef } from '../core/requests.js';
import { approvalCard } from './views/approval-card.js';
import { profileComment, requesterNotice } from './views/messages.js';

export class SlackMessenger implements Messenger {
  private readonly dms = new Map<string, string>();

  constructor(private readonly client: WebClient, private readonly approvalsChannel: string) {}

  async postApprovalCard(request: AccessRequest): Promise<SlackMessageRef> {
    const result = await this.client.chat.postMessage({ channel: this.approvalsChannel, ...approvalCard(request) });
    return { channel: result.channel ?? this.approvalsChannel, ts: result.ts! };
  }

  async updateApprovalCard(request: AccessRequest): Promise<void> {
    if (!request.card) return;
    await this.client.chat.update({ channel: request.card.channel, ts: request.card.ts, ...approvalCard(request) });
  }

  async postProgress(request: AccessRequest, text: string): Promise<void> {
    if (!request.card) return;
    await this.client.chat.postMessage({ channel: request.card.channel, thread_ts: request.card.ts, text });
  }

  async notifyRequester(request: AccessRequest, event: RequesterEvent): Promise<void> {
    await this.client.chat.postMessage({ channel: await this.dmChannel(request.requesterId), text: requesterNotice(request, event) });
  }

  async deliverProfile(request: AccessRequest, profile: { filename: string; content: string }): Promise<{ fileId: string }> {
    const result = await this.client.files.uploadV2({
      channel_id: await this.dmChannel(request.requesterId),
      filename: profile.filename,
      title: profile.filename,
      content: profile.content,
      initial_comment: profileComment(request),
    });
    const files = (result as unknown as { files?: { files?: { id?: string }[] }[] }).files ?? [];
    return { fileId: files[0]?.files?.[0]?.id ?? '' };
  }

  async notifyAdmins(text: string): Promise<void> {
    await this.client.chat.postMessage({ channel: this.approvalsChannel, text });
  }

  private async dmChannel(userId: string): Promise<string> {
    const known = this.dms.get(userId);
    if (known) return known;
    const result = await this.client.conversations.open({ users: userId });
    const id = result.channel?.id;
    if (!id) throw new Error(`could not open a DM with ${userId}`);
    this.dms.set(userId, id);
    return id;
  }
}
