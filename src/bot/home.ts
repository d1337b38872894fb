// The App Home tab: published (views.publish) when a user opens it, and again after they click one of its
// buttons. Reads only the user's own index, the pending index (approvers) and, for admins, the status
// logic of `/vpn admin status`, so it stays fast however many grants other people hold. Failures are
// logged, never thrown into Bolt: the event is already acknowledged.
import type { AllMiddlewareArgs, App, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { AdminService } from '../core/admin.js';
import { isRequestId } from '../core/ids.js';
import type { AccessService } from '../core/service.js';
import type { ProfileService } from '../core/profiles.js';
import { RESEND_ACTION, resendReply } from './views/profiles.js';
import { refusalText } from './views/refusals.js';
import { APPROVE_ACTION } from './views/approval-card.js';
import { HOME_CALLBACK_ID, homeView, type HomeData } from './views/home.js';
import { DONE_ACTION } from './views/messages.js';
import { DENY_MODAL } from './views/modals.js';
import { messagesOf, type Lang, type LangOf } from './i18n/index.js';

const m = messagesOf('home');

export interface HomeDeps {
  service: AccessService;
  /** The home's language is its owner's. */
  langOf: LangOf;
  positionOf: (requestId: string, gateway: string) => Promise<number | undefined>;
  logger: Logger;
  /** The resend button under an active grant. */
  profiles?: ProfileService | undefined;
  /** Without it nobody sees gateway health. */
  admin?: AdminService | undefined;
  onHandled?: ((kind: string, outcome: string) => void) | undefined;
  /** Admins first get the view without health when the gateways take longer than this to answer. */
  healthPatienceMs?: number;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms).unref());

/** Everything but gateway health: the user's index and, for approvers, the pending index. */
async function userData(deps: HomeDeps, userId: string): Promise<Pick<HomeData, 'mine' | 'waiting'>> {
  const [open, waiting] = await Promise.all([deps.service.openRequests(userId), deps.service.pendingFor(userId)]);
  const mine = await Promise.all(open.map(async (request) => ({
    request,
    position: request.status === 'approved' ? await deps.positionOf(request.id, request.gateway).catch(() => undefined) : undefined,
  })));
  return { mine, waiting };
}

async function healthData(deps: HomeDeps, userId: string, lang: Lang): Promise<HomeData['health']> {
  const { admin } = deps;
  const auth = admin && (await admin.authorize(userId));
  if (!admin || !auth?.ok) return undefined;
  try {
    return { rows: await admin.health.status(auth.value, { audit: false }) };
  } catch (err) {
    deps.logger.error({ err: (err as Error).message }, 'App Home: gateway health failed');
    return { error: m(lang, 'healthError') };
  }
}

/** Builds and publishes `userId`'s home. Never throws. */
export async function publishHome(client: WebClient, deps: HomeDeps, userId: string): Promise<void> {
  const started = Date.now();
  try {
    const lang = await deps.langOf(userId);
    const publish = (data: HomeData) => client.views.publish({ user_id: userId, view: homeView(data, lang) });
    // Health is not awaited yet: a slow cloud must not hold up the user's own access.
    const health = healthData(deps, userId, lang).catch((err: Error) => {
      deps.logger.error({ err: err.message }, 'App Home: admin check failed');
      return undefined;
    });
    const base = await userData(deps, userId);
    const patience = deps.healthPatienceMs ?? 150;
    const early = await Promise.race([health.then((h) => ({ h })), sleep(patience).then(() => undefined)]);
    if (early) {
      await publish({ ...base, health: early.h });
    } else {
      // Still waiting on the gateways: show the rest now, then the health when it arrives.
      await publish({ ...base, health: { loading: true } });
      await publish({ ...base, health: await health });
    }
    deps.onHandled?.('home', 'ok');
    deps.logger.debug({ userId, ms: Date.now() - started }, 'App Home published');
  } catch (err) {
    deps.onHandled?.('home', 'error');
    deps.logger.error({ err: (err as Error).message, code: (err as { code?: string }).code, userId }, 'App Home publish failed');
  }
}

/** Re-publishes once `settled()` holds (the clicked request moved on), or after `timeoutMs` anyway. */
async function refreshWhenSettled(client: WebClient, deps: HomeDeps, userId: string, settled: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  let delay = 100;
  while (Date.now() < until) {
    if (await settled().catch(() => false)) break;
    await sleep(delay);
    delay = Math.min(delay * 2, 1000);
  }
  await publishHome(client, deps, userId);
}

type HomeClick = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

export function registerHome(app: App, deps: HomeDeps): void {
  app.event('app_home_opened', async ({ event, client }) => {
    if (event.tab !== 'home') return;
    await publishHome(client, deps, event.user);
  });

  // Clicks on the home's own buttons are handled (and acknowledged) by their usual listeners; these only
  // refresh the home afterwards, since a view click has no channel to answer in.
  const decided = async (userId: string, requestId: string) => !((await deps.service.pendingFor(userId)) ?? []).some((r) => r.id === requestId);
  app.action<BlockButtonAction>({ callback_id: HOME_CALLBACK_ID, action_id: APPROVE_ACTION }, async ({ body, action, client }: HomeClick) => {
    if (!isRequestId(action.value ?? '')) return;
    await refreshWhenSettled(client, deps, body.user.id, () => decided(body.user.id, action.value!));
  });
  app.action<BlockButtonAction>({ callback_id: HOME_CALLBACK_ID, action_id: DONE_ACTION }, async ({ body, action, client }: HomeClick) => {
    if (!isRequestId(action.value ?? '')) return;
    const before = (await deps.service.openRequests(body.user.id)).find((r) => r.id === action.value)?.status;
    await refreshWhenSettled(client, deps, body.user.id, async () => (await deps.service.openRequests(body.user.id)).find((r) => r.id === action.value)?.status !== before, 10_000);
  });
  // "Send my profile again": the file goes to the DM; so does the answer, since a view click has no channel.
  app.action<BlockButtonAction>({ action_id: RESEND_ACTION }, async ({ ack, body, action, client }: HomeClick) => {
    await ack();
    if (!deps.profiles || !isRequestId(action.value ?? '')) return;
    try {
      const outcome = await deps.profiles.resend(body.user.id, { requestId: action.value! });
      const lang = await deps.langOf(body.user.id);
      await client.chat.postMessage({ channel: body.user.id, text: outcome.ok ? resendReply(outcome.value, lang) : refusalText(outcome.refusal, lang) });
      deps.onHandled?.('resend', outcome.ok ? 'ok' : 'refused');
    } catch (err) {
      deps.logger.error({ err: (err as Error).message }, 'App Home resend failed');
      deps.onHandled?.('resend', 'error');
    }
  });

  // Deny goes through a modal (from the home or the card); after the submission, refresh the decider's home.
  app.view(DENY_MODAL, async ({ body, view, client }) => {
    if (!isRequestId(view.private_metadata)) return;
    await refreshWhenSettled(client, deps, body.user.id, () => decided(body.user.id, view.private_metadata));
  });
}
