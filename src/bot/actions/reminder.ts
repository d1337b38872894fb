// The buttons of the "expiring soon" DM: Extend (by the grant's own duration) and I'm done (revoke now).
// Only the grant's holder can use them; the service checks that by looking among the clicker's grants.
import { messagesOf, type LangOf } from '../i18n/index.js';

const m = messagesOf('listeners');
import type { App, BlockButtonAction } from '@slack/bolt';
import type { Logger } from 'pino';
import { isRequestId } from '../../core/ids.js';
import type { AccessService } from '../../core/service.js';
import { DONE_ACTION, EXTEND_ACTION, extendReply } from '../views/messages.js';
import { refusalText } from '../views/refusals.js';

export function registerReminderActions(app: App, deps: { langOf: LangOf; service: AccessService; logger: Logger; onHandled?: (kind: string, outcome: string) => void }): void {
  // A click in the reminder DM has a response_url; one in the App Home view has none, so DM instead.
  const reply = async (args: { respond?: (m: { response_type: 'ephemeral'; replace_original: boolean; text: string }) => Promise<unknown>; client: { chat: { postMessage(m: { channel: string; text: string }): Promise<unknown> } }; body: { user: { id: string }; response_url?: string } }, text: string) => {
    const send = args.body.response_url && args.respond
      ? args.respond({ response_type: 'ephemeral', replace_original: false, text })
      : args.client.chat.postMessage({ channel: args.body.user.id, text });
    await send.catch((err: Error) => deps.logger.warn({ err: err.message }, 'reply failed'));
  };

  app.action<BlockButtonAction>(EXTEND_ACTION, async (args) => {
    const { ack, body, action } = args;
    await ack();
    const lang = await deps.langOf(body.user.id);
    if (!isRequestId(action.value ?? '')) return reply(args, m(lang, 'oldButton'));
    const outcome = await deps.service.extend(body.user.id, { requestId: action.value }).catch((err: Error) => {
      deps.logger.error({ err: err.message }, 'extend failed');
      return undefined;
    });
    deps.onHandled?.('extend', outcome?.ok ? 'ok' : 'refused');
    await reply(args, !outcome ? m(lang, 'somethingWrongExtend') : outcome.ok ? extendReply(outcome.value, lang) : refusalText(outcome.refusal, lang));
  });

  app.action<BlockButtonAction>(DONE_ACTION, async (args) => {
    const { ack, body, action } = args;
    await ack();
    const lang = await deps.langOf(body.user.id);
    if (!isRequestId(action.value ?? '')) return reply(args, m(lang, 'oldButton'));
    const outcome = await deps.service.revokeOwn(body.user.id, action.value).catch((err: Error) => {
      deps.logger.error({ err: err.message }, 'revoke failed');
      return undefined;
    });
    deps.onHandled?.('done', outcome?.ok ? 'ok' : 'refused');
    await reply(args, !outcome ? m(lang, 'somethingWrongRevoke') : outcome.ok ? m(lang, 'endingAccess') : refusalText(outcome.refusal, lang));
  });
}
