// Messenger on the Slack Web API: the approval card and its thread, DMs, and profile delivery through
// the files upload API straight into the requester's DM. Channel posts are in slack.locale; each DM is in
// its recipient's language (their Slack locale, see directory.ts).
import type { WebClient } from '@slack/web-api';
import type { AccessEvent } from '../core/events.js';
import type { FileDelivery, Messenger, PoolEvent, RequesterEvent } from '../core/ports.js';
import type { AccessRequest, AlertCopyRef, SlackMessageRef } from '../core/requests.js';
import { profileRemovalTime } from '../core/profiles.js';
import { approvalCard } from './views/approval-card.js';
import { accessEventText, profileOutdatedText } from './views/events.js';
import { approverReminder, breakGlassReviewReminder, expiringSoon, profileComment, requesterNotice } from './views/messages.js';
import { poolNoticeText } from './views/pool.js';
import type { Lang, LangOf, Locale } from './i18n/index.js';

export class SlackMessenger implements Messenger, FileDelivery {
  private readonly dms = new Map<string, string>();

  /** The language of channel posts (slack.locale). */
  readonly channelLang: Lang;

  constructor(
    private readonly client: WebClient,
    private readonly approvalsChannel: string,
    private readonly options: { profileRetentionMs?: number; locale?: Locale; langOf?: LangOf } = {},
  ) {
    this.channelLang = { locale: options.locale ?? 'en' };
  }

  /** The language `userId` reads; the channel's when Slack cannot tell. */
  async langOf(userId: string): Promise<Lang> {
    return this.options.langOf ? this.options.langOf(userId).catch(() => this.channelLang) : this.channelLang;
  }

  async postApprovalCard(request: AccessRequest): Promise<SlackMessageRef> {
    const result = await this.client.chat.postMessage({ channel: this.approvalsChannel, ...approvalCard(request, this.channelLang) });
    return { channel: result.channel ?? this.approvalsChannel, ts: result.ts! };
  }

  async findApprovalCard(request: AccessRequest): Promise<SlackMessageRef | undefined> {
    const oldest = Math.floor(request.createdAt / 1000) - 60;
    const history = await this.client.conversations.history({ channel: this.approvalsChannel, oldest: String(oldest), limit: 200 });
    const marker = `\`${request.id}\``;
    const found = (history.messages ?? []).find((m) => Number(m.ts) >= oldest && m.bot_id && JSON.stringify(m.blocks ?? []).includes(marker));
    return found?.ts ? { channel: this.approvalsChannel, ts: found.ts } : undefined;
  }

  async updateApprovalCard(request: AccessRequest): Promise<void> {
    if (!request.card) return;
    await this.client.chat.update({ channel: request.card.channel, ts: request.card.ts, ...approvalCard(request, this.channelLang) });
  }

  async publish(event: AccessEvent): Promise<void> {
    if (event.type === 'ProfileOutdated') {
      const to = event.request.requesterId;
      await this.client.chat.postMessage({ channel: await this.dmChannel(to), text: profileOutdatedText(event, await this.langOf(to)) });
      return;
    }
    const { thread, admins } = accessEventText(event, this.channelLang);
    const card = 'request' in event ? event.request.card : undefined;
    if (thread && card) await this.client.chat.postMessage({ channel: card.channel, thread_ts: card.ts, text: thread });
    if (admins) await this.notifyAdmins(admins);
  }

  /** A message for the admins in the approvals channel, worded by a view (src/bot/views). */
  async notifyAdmins(text: string): Promise<void> {
    await this.client.chat.postMessage({ channel: this.approvalsChannel, text });
  }

  async notifyRequester(request: AccessRequest, event: RequesterEvent): Promise<void> {
    await this.client.chat.postMessage({ channel: await this.dmChannel(request.requesterId), text: requesterNotice(request, event, await this.langOf(request.requesterId)) });
  }

  // The three steps of Slack's external upload, done by hand so the file id is known (and recorded by the
  // caller) before the file is shared: a delivery interrupted after the share is then never repeated.
  async deliverProfile(request: AccessRequest, profile: { filename: string; content: string }, onFileId: (fileId: string) => Promise<void>): Promise<{ fileId: string }> {
    const { fileId } = await this.stageProfile(profile);
    await onFileId(fileId);
    if (await this.shareProfile(request, fileId, profile.filename) === 'gone') throw new Error('Slack lost the profile upload before it was shared');
    return { fileId };
  }

  /** The first two upload steps: the bytes are with Slack but visible to no one until shared. */
  async stageProfile(profile: { filename: string; content: string }): Promise<{ fileId: string }> {
    const body = Buffer.from(profile.content, 'utf8');
    const target = await this.client.files.getUploadURLExternal({ filename: profile.filename, length: body.length });
    if (!target.file_id || !target.upload_url) throw new Error('Slack returned no upload URL');
    const uploaded = await fetch(target.upload_url, { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' }, signal: AbortSignal.timeout(30_000) });
    if (!uploaded.ok) throw new Error(`profile upload failed with HTTP ${uploaded.status}`);
    return { fileId: target.file_id };
  }

  /** The last step: shares a staged upload into the DM. The comment is worded now, for the removal time as of the share. */
  async shareProfile(request: AccessRequest, fileId: string, filename: string): Promise<'shared' | 'gone'> {
    try {
      await this.client.files.completeUploadExternal({
        files: [{ id: fileId, title: filename }],
        channel_id: await this.dmChannel(request.requesterId),
        initial_comment: profileComment(request, profileRemovalTime(Date.now(), this.options.profileRetentionMs ?? Number.POSITIVE_INFINITY, request.expiresAt ?? Date.now() + request.durationMs), await this.langOf(request.requesterId)),
      });
      return 'shared';
    } catch (err) {
      if ((err as { data?: { error?: string } }).data?.error === 'file_not_found') return 'gone';
      throw err;
    }
  }

  /** Deletes a file the bot uploaded (a profile past its retention); 'gone' when Slack no longer has it. */
  async deleteFile(fileId: string): Promise<'deleted' | 'gone'> {
    try {
      await this.client.files.delete({ file: fileId });
      return 'deleted';
    } catch (err) {
      if ((err as { data?: { error?: string } }).data?.error === 'file_not_found') return 'gone';
      throw err;
    }
  }

  async profileDelivered(request: AccessRequest, fileId: string): Promise<boolean> {
    try {
      const info = await this.client.files.info({ file: fileId });
      const dm = await this.dmChannel(request.requesterId);
      const file = info.file as { ims?: string[]; shares?: { private?: Record<string, unknown> } } | undefined;
      return Boolean(file?.ims?.includes(dm) || file?.shares?.private?.[dm]);
    } catch (err) {
      if ((err as { data?: { error?: string } }).data?.error === 'file_not_found') return false;
      throw err;
    }
  }

  async remindExpiring(request: AccessRequest): Promise<void> {
    await this.client.chat.postMessage({ channel: await this.dmChannel(request.requesterId), ...expiringSoon(request, await this.langOf(request.requesterId)) });
  }

  /** Uploads a file into the user's DM (admin exports), with the same three-step upload as the profile. */
  async sendFile(userId: string, filename: string, content: string, comment: string): Promise<{ fileId: string }> {
    const body = Buffer.from(content, 'utf8');
    const target = await this.client.files.getUploadURLExternal({ filename, length: body.length });
    if (!target.file_id || !target.upload_url) throw new Error('Slack returned no upload URL');
    const uploaded = await fetch(target.upload_url, { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' }, signal: AbortSignal.timeout(30_000) });
    if (!uploaded.ok) throw new Error(`file upload failed with HTTP ${uploaded.status}`);
    await this.client.files.completeUploadExternal({
      files: [{ id: target.file_id, title: filename }],
      channel_id: await this.dmChannel(userId),
      initial_comment: comment,
    });
    return { fileId: target.file_id };
  }

  async remindApprovers(request: AccessRequest, approvers: readonly string[]): Promise<void> {
    if (!request.card) return;
    await this.client.chat.postMessage({ channel: request.card.channel, thread_ts: request.card.ts, text: approverReminder(request, approvers, this.channelLang) });
  }

  async alertBreakGlass(request: AccessRequest, admins: readonly string[], onSent: (copy: AlertCopyRef) => Promise<void>): Promise<void> {
    // The same blocks as the channel's alert card, so each admin can act from the DM.
    for (const admin of admins) {
      const channel = await this.dmChannel(admin);
      const result = await this.client.chat.postMessage({ channel, ...approvalCard(request, await this.langOf(admin)) });
      if (result.ts) await onSent({ userId: admin, channel: result.channel ?? channel, ts: result.ts });
    }
  }

  async updateAlertCopies(request: AccessRequest): Promise<void> {
    for (const copy of request.alertCopies ?? []) {
      try {
        await this.client.chat.update({ channel: copy.channel, ts: copy.ts, ...approvalCard(request, await this.langOf(copy.userId)) });
      } catch (err) {
        // Deleted by the admin, or the DM is gone: nothing left to update, and retrying would not bring it back.
        const code = (err as { data?: { error?: string } }).data?.error;
        if (code !== 'message_not_found' && code !== 'channel_not_found' && code !== 'cant_update_message') throw err;
      }
    }
  }

  async remindBreakGlassReview(request: AccessRequest, admins: readonly string[]): Promise<void> {
    const text = breakGlassReviewReminder(request, admins, this.channelLang);
    if (request.card) await this.client.chat.postMessage({ channel: request.card.channel, thread_ts: request.card.ts, reply_broadcast: true, text });
    else await this.client.chat.postMessage({ channel: this.approvalsChannel, text });
  }

  async poolNotice(event: PoolEvent): Promise<void> {
    const { to, text } = poolNoticeText(event, this.channelLang);
    if (to === 'admins') await this.notifyAdmins(text);
    else if (event.kind === 'assigned' && event.request.card) await this.client.chat.postMessage({ channel: event.request.card.channel, thread_ts: event.request.card.ts, text });
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
