// The App Home tab: "My access" for everyone, "Waiting on you" for approvers, "Gateway health" for admins.
// Pure: data in, Block Kit out. Lists are capped so the view stays far below Slack's 100-block limit.
import type { Button, HomeView, KnownBlock } from '@slack/types';
import type { GatewayHealth } from '../../core/admin.js';
import type { AccessRequest } from '../../core/requests.js';
import { statusReport } from './admin.js';
import { APPROVE_ACTION, approvedTotal, DENY_ACTION } from './approval-card.js';
import { EN, localDate, localDuration, messagesOf, type Lang } from '../i18n/index.js';
import { fitText } from './text.js';
import { DONE_ACTION } from './messages.js';
import { resendButton } from './profiles.js';

export const HOME_CALLBACK_ID = 'vpn_home';
export const MINE_CAP = 10;
export const WAITING_CAP = 15;
export const GATEWAY_CAP = 20;
/** Slack's limit for a view; the caps above keep us well below it (at most ~75 blocks). */
export const MAX_BLOCKS = 100;
const TEXT_LIMIT = 3000;

export interface HomeData {
  /** The user's open requests and grants, newest first; `position` is the queue position of an approved one. */
  mine: readonly { request: AccessRequest; position?: number | undefined }[];
  /** Pending requests the user may decide, oldest first; undefined when the user is not an approver. */
  waiting?: readonly AccessRequest[] | undefined;
  /** Undefined when the user is not an admin. */
  health?: { rows: readonly GatewayHealth[] } | { loading: true } | { error: string } | undefined;
}

const m = messagesOf('home');
const mrkdwn = (text: string) => ({ type: 'mrkdwn' as const, text: text.length > TEXT_LIMIT ? `${text.slice(0, TEXT_LIMIT - 1)}…` : text });
const plain = (text: string) => ({ type: 'plain_text' as const, text });
const section = (text: string, accessory?: Button): KnownBlock => ({ type: 'section', text: mrkdwn(text), ...(accessory ? { accessory } : {}) });
const context = (text: string): KnownBlock => ({ type: 'context', elements: [mrkdwn(text)] });
const more = (lang: Lang, hidden: number, hint: string): KnownBlock => context(m(lang, 'more', { hidden, hint }));

const short = fitText;

function mineText(request: AccessRequest, position: number | undefined, lang: Lang): string {
  const head = `*${request.gateway}* · ${localDuration(lang, request.durationMs)} · \`${request.id}\``;
  const approverId = String(request.approverId);
  switch (request.status) {
    case 'pending':
      return m(lang, 'pending', {
        head,
        what: request.kind === 'extension' ? m(lang, 'extensionWaiting', { grantId: String(request.grantId) }) : m(lang, 'waitingForApprover'),
        count: (request.approvalsRequired ?? 1) > 1 ? m(lang, 'approvalCount', { count: request.approvals?.length ?? 0, required: request.approvalsRequired ?? 1 }) : '',
        reason: short(request.reason, 150),
      });
    case 'approved': {
      const where = position === undefined ? m(lang, 'queued') : position <= 1 ? m(lang, 'nextInLine') : m(lang, 'positionInQueue', { position });
      return m(lang, 'approved', { head, approverId, where });
    }
    case 'provisioning':
      return m(lang, 'provisioning', { head, approverId });
    case 'active':
      return m(lang, 'active', { head, end: localDate(lang, request.expiresAt), total: approvedTotal(request, lang), extending: request.pendingExtensionId ? m(lang, 'extending', { id: request.pendingExtensionId }) : '' });
    default:
      return `${head}\n${request.status}`;
  }
}

function mineButton(request: AccessRequest, lang: Lang): Button | undefined {
  if (request.status === 'active') {
    return {
      type: 'button', action_id: DONE_ACTION, style: 'danger', text: plain(m(lang, 'endAccess')), value: request.id,
      confirm: { title: plain(m(lang, 'endAccessTitle')), text: mrkdwn(m(lang, 'endAccessText', { gateway: request.gateway })), confirm: plain(m(lang, 'endAccess')), deny: plain(m(lang, 'keepIt')) },
    };
  }
  if (request.status === 'pending') {
    return {
      type: 'button', action_id: DONE_ACTION, text: plain(m(lang, 'cancelRequest')), value: request.id,
      confirm: { title: plain(m(lang, 'cancelRequestTitle')), text: mrkdwn(m(lang, 'cancelRequestText', { gateway: request.gateway })), confirm: plain(m(lang, 'cancelRequest')), deny: plain(m(lang, 'keepIt')) },
    };
  }
  return undefined;
}

function waitingBlocks(request: AccessRequest, lang: Lang): KnownBlock[] {
  return [
    section(m(lang, 'waitingLine', { requesterId: request.requesterId, gateway: request.gateway, duration: localDuration(lang, request.durationMs), asked: localDate(lang, request.createdAt), id: request.id, reason: short(request.reason, 300) })),
    {
      type: 'actions',
      // block_id must be unique within a view.
      block_id: `vpn_decision_${request.id}`,
      elements: [
        { type: 'button', action_id: APPROVE_ACTION, style: 'primary', text: plain(m(lang, 'approve')), value: request.id },
        { type: 'button', action_id: DENY_ACTION, style: 'danger', text: plain(m(lang, 'deny')), value: request.id },
      ],
    },
  ];
}

/** One gateway's line, formatted exactly as `/vpn admin status` does. */
function healthLine(row: GatewayHealth, lang: Lang): string {
  return statusReport([row], lang).split('\n').slice(1).join('\n');
}

/** The home of one person, in their language. */
export function homeView(data: HomeData, lang: Lang = EN): HomeView {
  const blocks: KnownBlock[] = [{ type: 'header', text: plain(m(lang, 'header')) }];

  blocks.push({ type: 'section', text: mrkdwn(m(lang, 'myAccess')) });
  if (data.mine.length === 0) {
    blocks.push(context(m(lang, 'nothing')));
  } else {
    for (const { request, position } of data.mine.slice(0, MINE_CAP)) {
      blocks.push(section(mineText(request, position, lang), mineButton(request, lang)));
      if (request.status === 'active') blocks.push({ type: 'actions', block_id: `resend-${request.id}`, elements: [resendButton(request, lang)] });
    }
    if (data.mine.length > MINE_CAP) blocks.push(more(lang, data.mine.length - MINE_CAP, m(lang, 'seeStatus')));
    blocks.push(context(m(lang, 'extendHint')));
  }

  if (data.waiting) {
    blocks.push({ type: 'divider' }, { type: 'section', text: mrkdwn(m(lang, 'waitingOnYou', { count: data.waiting.length })) });
    if (data.waiting.length === 0) blocks.push(context(m(lang, 'noneWaiting')));
    for (const request of data.waiting.slice(0, WAITING_CAP)) blocks.push(...waitingBlocks(request, lang));
    if (data.waiting.length > WAITING_CAP) blocks.push(more(lang, data.waiting.length - WAITING_CAP, m(lang, 'restInChannel')));
  }

  if (data.health) {
    blocks.push({ type: 'divider' }, { type: 'section', text: mrkdwn(m(lang, 'gatewayHealth')) });
    const health = data.health;
    if ('loading' in health) blocks.push(context(m(lang, 'checking')));
    else if ('error' in health) blocks.push(context(m(lang, 'healthUnavailable', { error: health.error })));
    else {
      for (const row of health.rows.slice(0, GATEWAY_CAP)) blocks.push(section(healthLine(row, lang)));
      if (health.rows.length > GATEWAY_CAP) blocks.push(more(lang, health.rows.length - GATEWAY_CAP, m(lang, 'seeAdminStatus')));
    }
  }

  blocks.push(context(m(lang, 'updated', { at: localDate(lang, Date.now()) })));
  return { type: 'home', callback_id: HOME_CALLBACK_ID, blocks: blocks.slice(0, MAX_BLOCKS) };
}
