// Acknowledge / Revoke now on a break-glass alert (the card in the approvals channel, or an admin's DM).
// Ack first; the service checks that the clicker is an admin; answers are private to the clicker.
import type { LangOf } from '../i18n/index.js';
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
  const handle = (action: string, run: (requestId: string, userId: string) => Promise<Outcome<unknown>>, done: string) =>
    app.action<BlockButtonAction>(action, async (args) => {
      await args.ack();
      const requestId = args.action.value ?? '';
      if (!isRequestId(requestId)) return reply(args, 'That button is from an old message.');
      const outcome = await run(requestId, args.body.user.id).catch((err: Error) => {
        deps.logger.error({ err: err.message, requestId }, `${action} failed`);
        return undefined;
      });
      deps.onHandled?.(action, outcome?.ok ? 'ok' : 'refused');
      await reply(args, !outcome ? 'Something went wrong on my side; nothing was changed. Please click again in a minute.' : outcome.ok ? done : refusalText(outcome.refusal));
    });
  handle(ACKNOWLEDGE_ACTION, (id, user) => deps.service.acknowledgeBreakGlass(id, user), ':eyes: Acknowledged; your review is recorded.');
  handle(REVOKE_NOW_ACTION, (id, user) => deps.service.revokeBreakGlass(id, user), ':lock: Revoking it now: a queued request is cancelled, a certificate is removed as soon as it exists.');
}
