// Approve / Deny on the approval card, and the deny-reason modal. Ack first (Slack allows 3 s), then
// check eligibility at click time and decide through the service; refusals are private to the clicker.
import type { AllMiddlewareArgs, App, BlockButtonAction, SlackActionMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { Logger } from 'pino';
import { z } from 'zod';
import { isRequestId } from '../../core/ids.js';
import type { AccessService } from '../../core/service.js';
import type { AccessEvent } from '../../core/events.js';
import type { Messenger } from '../../core/ports.js';
import { APPROVE_ACTION, DENY_ACTION } from '../views/approval-card.js';
import { DENY_MODAL, denyModal, REQUEST_MODAL } from '../views/modals.js';
import { messagesOf, type Lang, type LangOf } from '../i18n/index.js';
import { parseRequestText } from '../../core/policy.js';
import { requestConfirmation } from '../views/messages.js';
import { requestFormField, requestInputText } from '../views/input.js';
import { cannotBeApprovedField, refusalText } from '../views/refusals.js';

const m = messagesOf('listeners');

export interface ApprovalDeps {
  service: AccessService;
  /** The clicker's language, for private answers and the deny form. */
  langOf: LangOf;
  messenger: Messenger;
  logger: Logger;
  onHandled?: (kind: string, outcome: string) => void;
}

const clickSchema = z.object({
  user: z.object({ id: z.string() }),
  channel: z.object({ id: z.string() }).optional(),
  trigger_id: z.string().optional(),
  actions: z.array(z.object({ value: z.string().refine(isRequestId, 'not a request id') })).min(1),
});

type ClickArgs = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

export function registerApprovalActions(app: App, deps: ApprovalDeps): void {
  /** A private answer to the clicker, in their language. */
  const tellClicker = async (args: ClickArgs, channel: string | undefined, text: string | ((lang: Lang) => string)) => {
    const userId = args.body.user.id;
    if (typeof text !== 'string') text = text(await deps.langOf(userId));
    try {
      if (channel) await args.client.chat.postEphemeral({ channel, user: userId, text });
      else await args.respond({ response_type: 'ephemeral', replace_original: false, text });
    } catch (err) {
      deps.logger.warn({ err: (err as Error).message }, 'could not send a private reply');
    }
  };

  app.action<BlockButtonAction>(APPROVE_ACTION, async (args) => {
    await args.ack();
    const click = clickSchema.safeParse(args.body);
    if (!click.success) {
      await tellClicker(args, args.body.channel?.id, (lang) => m(lang, 'notMyButton'));
      return;
    }
    const requestId = click.data.actions[0]!.value;
    try {
      const outcome = await deps.service.approve(requestId, click.data.user.id);
      if (!outcome.ok) {
        deps.onHandled?.('approve', 'refused');
        await tellClicker(args, click.data.channel?.id, (lang) => refusalText(outcome.refusal, lang));
        return;
      }
      deps.onHandled?.('approve', 'ok');
      const result = outcome.value;
      const event: AccessEvent = result.kind === 'counted' ? { type: 'ApprovalCounted', request: result.request, approverId: click.data.user.id, count: result.count, required: result.required }
        : result.kind === 'extended' ? { type: 'ExtensionApplied', request: result.request, grant: result.grant, approverId: click.data.user.id }
          : { type: 'RequestQueued', request: result.request, approverId: click.data.user.id, position: result.position };
      await deps.messenger.publish(event).catch((err: Error) =>
        deps.logger.warn({ err: err.message }, 'progress post failed'));
    } catch (err) {
      deps.logger.error({ err: (err as Error).message, requestId }, 'approve failed');
      await tellClicker(args, click.data.channel?.id, (lang) => m(lang, 'approvalNotRecorded'));
    }
  });

  app.action<BlockButtonAction>(DENY_ACTION, async (args) => {
    await args.ack();
    const click = clickSchema.safeParse(args.body);
    if (!click.success || !click.data.trigger_id) {
      await tellClicker(args, args.body.channel?.id, (lang) => m(lang, 'notMyButton'));
      return;
    }
    const requestId = click.data.actions[0]!.value;
    try {
      const check = await deps.service.checkDecider(requestId, click.data.user.id);
      if (!check.ok) {
        deps.onHandled?.('deny', 'refused');
        await tellClicker(args, click.data.channel?.id, (lang) => refusalText(check.refusal, lang));
        return;
      }
      await args.client.views.open({ trigger_id: click.data.trigger_id, view: denyModal(requestId, await deps.langOf(click.data.user.id)) });
    } catch (err) {
      deps.logger.error({ err: (err as Error).message, requestId }, 'deny click failed');
      await tellClicker(args, click.data.channel?.id, (lang) => m(lang, 'denyFormFailed'));
    }
  });

  app.view<ViewSubmitAction>(DENY_MODAL, async (args: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const requestId = args.view.private_metadata;
    const reason = String(args.view.state.values.reason?.value?.value ?? '').trim();
    const lang = await deps.langOf(args.body.user.id);
    if (reason.length < 3) {
      await args.ack({ response_action: 'errors', errors: { reason: m(lang, 'denyReasonTooShort') } });
      return;
    }
    if (!isRequestId(requestId)) {
      await args.ack({ response_action: 'errors', errors: { reason: m(lang, 'denyFormOutdated') } });
      return;
    }
    const outcome = await deps.service.deny(requestId, args.body.user.id, reason).catch((err: Error) => {
      deps.logger.error({ err: err.message, requestId }, 'deny failed');
      return undefined;
    });
    if (!outcome?.ok) {
      await args.ack({ response_action: 'errors', errors: { reason: outcome ? refusalText(outcome.refusal, lang) : m(lang, 'somethingWrongPlain') } });
      deps.onHandled?.('deny', 'refused');
      return;
    }
    await args.ack();
    deps.onHandled?.('deny', 'ok');
  });

  app.view<ViewSubmitAction>(REQUEST_MODAL, async (args: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs) => {
    const values = args.view.state.values;
    const gateway = String(values.gateway?.value?.selected_option?.value ?? '');
    const duration = String(values.duration?.value?.value ?? '').trim();
    const reason = String(values.reason?.value?.value ?? '').trim();
    const lang = await deps.langOf(args.body.user.id);
    const parsed = parseRequestText(deps.service.policy, `${gateway} ${duration} ${reason}`);
    if (!parsed.ok) {
      await args.ack({ response_action: 'errors', errors: { [requestFormField(parsed.error)]: requestInputText(parsed.error, 'request', lang).replace(/`/g, '').slice(0, 150) } });
      return;
    }
    const outcome = await deps.service.submit(args.body.user.id, parsed.value).catch((err: Error) => {
      deps.logger.error({ err: err.message }, 'request from the form failed');
      return undefined;
    });
    if (outcome && !outcome.ok && outcome.refusal.code === 'cannot-be-approved') {
      // The gateway chosen is what is wrong: say so under it, in a form short enough to read there.
      await args.ack({ response_action: 'errors', errors: { gateway: cannotBeApprovedField(outcome.refusal, lang) } });
      return;
    }
    if (!outcome?.ok) {
      await args.ack({ response_action: 'errors', errors: { reason: (outcome ? refusalText(outcome.refusal, lang) : m(lang, 'somethingWrongPlain')).replace(/[`*]/g, '').slice(0, 150) } });
      return;
    }
    await args.ack();
    await args.client.chat.postMessage({ channel: args.body.user.id, text: requestConfirmation(outcome.value, lang) }).catch((err: Error) =>
      deps.logger.warn({ err: err.message }, 'confirmation DM failed'));
  });
}
