// Approve / Reject on an SSL-VPN server change card. Ack first, check at click time that the clicker is an
// admin, then decide through the AdminService (to approve, not the proposer); refusals and late clicks are
// answered privately to the clicker. One decision wins (compare-and-set in the store).
import type { AllMiddlewareArgs, App, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AdminService } from '../../core/admin.js';
import { messagesOf, type Lang, type LangOf } from '../i18n/index.js';

const m = messagesOf('listeners');
import { isProposalId } from '../../core/ids.js';
import { SERVER_APPROVE_ACTION, SERVER_REJECT_ACTION } from '../views/server-change.js';
import { refusalText } from '../views/refusals.js';

export interface ServerChangeActionDeps {
  admin: AdminService;
  /** The clicker's language, for private answers. */
  langOf: LangOf;
  logger: Logger;
  onHandled?: ((kind: string, outcome: string) => void) | undefined;
}

const clickSchema = z.object({
  user: z.object({ id: z.string() }),
  channel: z.object({ id: z.string() }).optional(),
  actions: z.array(z.object({ value: z.string().refine(isProposalId, 'not a proposal id') })).min(1),
});

type ClickArgs = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

export function registerServerChangeActions(app: App, deps: ServerChangeActionDeps): void {
  const tellClicker = async (args: ClickArgs, channel: string | undefined, text: string | ((lang: Lang) => string)) => {
    if (typeof text !== 'string') text = text(await deps.langOf(args.body.user.id));
    try {
      if (channel) await args.client.chat.postEphemeral({ channel, user: args.body.user.id, text });
      else await args.respond({ response_type: 'ephemeral', replace_original: false, text });
    } catch (err) {
      deps.logger.warn({ err: (err as Error).message }, 'could not send a private reply');
    }
  };

  const decide = (decision: 'approve' | 'reject') => async (args: ClickArgs) => {
    await args.ack();
    const kind = `server-${decision}`;
    const click = clickSchema.safeParse(args.body);
    if (!click.success) {
      await tellClicker(args, args.body.channel?.id, (lang) => m(lang, 'notMyButton'));
      return;
    }
    const proposalId = click.data.actions[0]!.value;
    try {
      const auth = await deps.admin.authorize(click.data.user.id, 'decide-server-change');
      const outcome = auth.ok ? await deps.admin.server.decide(auth.value, proposalId, decision) : auth;
      deps.onHandled?.(kind, outcome.ok ? 'ok' : 'refused');
      if (!outcome.ok) await tellClicker(args, click.data.channel?.id, (lang) => refusalText(outcome.refusal, lang));
    } catch (err) {
      deps.onHandled?.(kind, 'error');
      deps.logger.error({ err: (err as Error).message, proposalId }, 'server change decision failed');
      await tellClicker(args, click.data.channel?.id, (lang) => m(lang, 'decisionNotRecorded'));
    }
  };

  app.action<BlockButtonAction>(SERVER_APPROVE_ACTION, decide('approve'));
  app.action<BlockButtonAction>(SERVER_REJECT_ACTION, decide('reject'));
}
