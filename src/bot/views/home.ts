// The App Home tab: "My access" for everyone, "Waiting on you" for approvers, "Gateway health" for admins.
// Pure: data in, Block Kit out. Lists are capped so the view stays far below Slack's 100-block limit.
import type { Button, HomeView, KnownBlock } from '@slack/types';
import type { GatewayHealth } from '../../core/admin.js';
import { formatDuration } from '../../core/duration.js';
import type { AccessRequest } from '../../core/requests.js';
import { statusReport } from './admin.js';
import { APPROVE_ACTION, approvedTotal, DENY_ACTION, slackDate } from './approval-card.js';
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

const mrkdwn = (text: string) => ({ type: 'mrkdwn' as const, text: text.length > TEXT_LIMIT ? `${text.slice(0, TEXT_LIMIT - 1)}…` : text });
const plain = (text: string) => ({ type: 'plain_text' as const, text });
const section = (text: string, accessory?: Button): KnownBlock => ({ type: 'section', text: mrkdwn(text), ...(accessory ? { accessory } : {}) });
const context = (text: string): KnownBlock => ({ type: 'context', elements: [mrkdwn(text)] });
const more = (hidden: number, hint: string): KnownBlock => context(`…and ${hidden} more. ${hint}`);

const short = fitText;

function mineText(request: AccessRequest, position: number | undefined): string {
  const head = `*${request.gateway}* · ${formatDuration(request.durationMs)} · \`${request.id}\``;
  switch (request.status) {
    case 'pending':
      return `:large_yellow_circle: ${head}\n${request.kind === 'extension' ? `Extension of \`${request.grantId}\` waiting for approval` : 'Waiting for an approver'}${(request.approvalsRequired ?? 1) > 1 ? ` (${request.approvals?.length ?? 0} of ${request.approvalsRequired} approvals)` : ''}. _${short(request.reason, 150)}_`;
    case 'approved': {
      const where = position === undefined ? 'queued' : position <= 1 ? 'next in line' : `position ${position} in the queue`;
      return `:large_green_circle: ${head}\nApproved by <@${request.approverId}>; ${where}. Your profile will arrive in a DM.`;
    }
    case 'provisioning':
      return `:gear: ${head}\nApproved by <@${request.approverId}>; your certificate is being set up now.`;
    case 'active':
      return `:white_check_mark: ${head}\nActive until ${slackDate(request.expiresAt)}, ${approvedTotal(request)}${request.pendingExtensionId ? `; extension \`${request.pendingExtensionId}\` waiting for approval` : ''}.`;
    default:
      return `${head}\n${request.status}`;
  }
}

function mineButton(request: AccessRequest): Button | undefined {
  if (request.status === 'active') {
    return {
      type: 'button', action_id: DONE_ACTION, style: 'danger', text: plain('End access'), value: request.id,
      confirm: { title: plain('End VPN access?'), text: mrkdwn(`Your certificate for *${request.gateway}* is removed now and your profile stops working.`), confirm: plain('End access'), deny: plain('Keep it') },
    };
  }
  if (request.status === 'pending') {
    return {
      type: 'button', action_id: DONE_ACTION, text: plain('Cancel request'), value: request.id,
      confirm: { title: plain('Cancel this request?'), text: mrkdwn(`Your pending request for *${request.gateway}* is withdrawn.`), confirm: plain('Cancel request'), deny: plain('Keep it') },
    };
  }
  return undefined;
}

function waitingBlocks(request: AccessRequest): KnownBlock[] {
  return [
    section(`<@${request.requesterId}> · *${request.gateway}* · ${formatDuration(request.durationMs)} · asked ${slackDate(request.createdAt)} · \`${request.id}\`\n>${short(request.reason, 300)}`),
    {
      type: 'actions',
      // block_id must be unique within a view.
      block_id: `vpn_decision_${request.id}`,
      elements: [
        { type: 'button', action_id: APPROVE_ACTION, style: 'primary', text: plain('Approve'), value: request.id },
        { type: 'button', action_id: DENY_ACTION, style: 'danger', text: plain('Deny'), value: request.id },
      ],
    },
  ];
}

/** One gateway's line, formatted exactly as `/vpn admin status` does. */
function healthLine(row: GatewayHealth): string {
  return statusReport([row]).split('\n').slice(1).join('\n');
}

export function homeView(data: HomeData): HomeView {
  const blocks: KnownBlock[] = [{ type: 'header', text: plain('VPN access') }];

  blocks.push({ type: 'section', text: mrkdwn('*My access*') });
  if (data.mine.length === 0) {
    blocks.push(context('You have no VPN access or open requests. Ask with `/vpn request [gateway] [duration] <reason>`.'));
  } else {
    for (const { request, position } of data.mine.slice(0, MINE_CAP)) {
      blocks.push(section(mineText(request, position), mineButton(request)));
      if (request.status === 'active') blocks.push({ type: 'actions', block_id: `resend-${request.id}`, elements: [resendButton(request)] });
    }
    if (data.mine.length > MINE_CAP) blocks.push(more(data.mine.length - MINE_CAP, 'See them all with `/vpn status`.'));
    blocks.push(context('Extend an active grant with `/vpn extend [gateway] [duration]`; ask for more with `/vpn request`.'));
  }

  if (data.waiting) {
    blocks.push({ type: 'divider' }, { type: 'section', text: mrkdwn(`*Waiting on you* (${data.waiting.length})`) });
    if (data.waiting.length === 0) blocks.push(context('No requests are waiting for a decision.'));
    for (const request of data.waiting.slice(0, WAITING_CAP)) blocks.push(...waitingBlocks(request));
    if (data.waiting.length > WAITING_CAP) blocks.push(more(data.waiting.length - WAITING_CAP, 'The rest are in the approvals channel.'));
  }

  if (data.health) {
    blocks.push({ type: 'divider' }, { type: 'section', text: mrkdwn('*Gateway health*') });
    const health = data.health;
    if ('loading' in health) blocks.push(context(':hourglass_flowing_sand: Checking the gateways…'));
    else if ('error' in health) blocks.push(context(`:warning: Gateway health unavailable: ${health.error}`));
    else {
      for (const row of health.rows.slice(0, GATEWAY_CAP)) blocks.push(section(healthLine(row)));
      if (health.rows.length > GATEWAY_CAP) blocks.push(more(health.rows.length - GATEWAY_CAP, 'See them all with `/vpn admin status`.'));
    }
  }

  blocks.push(context(`Updated ${slackDate(Date.now())} · \`/vpn help\` lists every command.`));
  return { type: 'home', callback_id: HOME_CALLBACK_ID, blocks: blocks.slice(0, MAX_BLOCKS) };
}
