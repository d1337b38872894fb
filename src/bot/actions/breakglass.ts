// Acknowledge / Revoke now on a break-glass alert (the card in the approvals channel, or an admin's DM).
// Ack first; the service checks that the clicker is an admin; answers are private to the clicker.
import { messagesOf, type LangOf } from '../i18n/index.js';

const m = messagesOf('listeners');
import type { App, BlockButtonAction } from '@slack/bolt';
import type { Logger } from 'pino';
import { isRequestId } from '../../core/ids.js';
import type { AccessService } from '../../core/service.js';
import { ACKNOWLEDGE_ACTION, REVOKE_NOW_ACTION } from '../views/approval-card.js';
import type { Outcome } from '../../core/refusals.js';
import { refusalText } from '../views/refusals.js';

export function registerBreakGlassActions(app: App, deps: { langOf: LangOf; service: AccessService; logger: Logger; onHandled?: ((kind: string, outcome: string) => void) | undefined }): void {
  const reply = async (args: { respond: (m: { response_type: 'ephemeral'; replace_original: boolean; text: string }) => Promise<unknown>; body: { response_url?: string } }, text: string) => {
    if (!args.body.response_url) return;
    await args.respond({ response_type: 'ephemeral', replace_original: false, text }).catch((err: Error) => deps.logger.warn({ err: err.message }, 'reply failed'));
  };
  const handle = (action: string, run: (requestId: string, userId: string) => Promise<Outcome<unknown>>, done: 'acknowledged' | 'revokingBreakGlass') =>
    app.action<BlockButtonAction>(action, async (args) => {
      await args.ack();
      const requestId = args.action.value ?? '';
      const lang = await deps.langOf(args.body.user.id);
      if (!isRequestId(requestId)) return reply(args, m(lang, 'oldButton'));
      const outcome = await run(requestId, args.body.user.id).catch((err: Error) => {
        deps.logger.error({ err: err.message, requestId }, `${action} failed`);
        return undefined;
      });
      deps.onHandled?.(action, outcome?.ok ? 'ok' : 'refused');
      await reply(args, !outcome ? m(lang, 'somethingWrongClick') : outcome.ok ? m(lang, done) : refusalText(outcome.refusal, lang));
    });
  handle(ACKNOWLEDGE_ACTION, (id, user) => deps.service.acknowledgeBreakGlass(id, user), 'acknowledged');
  handle(REVOKE_NOW_ACTION, (id, user) => deps.service.revokeBreakGlass(id, user), 'revokingBreakGlass');
}
