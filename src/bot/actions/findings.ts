// Delete / Keep on the findings post: ack, parse, call the reconcile service, answer privately. Keep asks
// why in a modal first.
import { messagesOf, type LangOf } from '../i18n/index.js';

const m = messagesOf('listeners');
import type { AllMiddlewareArgs, App, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import type { Logger } from 'pino';
import type { ReconcileService } from '../../core/reconcile.js';
import { refusalText } from '../views/refusals.js';
import { CERT_DELETE_ACTION, CERT_KEEP_ACTION, CERT_KEEP_MODAL, keepModal, KEEP_REASON_BLOCK, KEEP_REASON_INPUT } from '../views/findings.js';

const CERT_ID = /^vsc-[a-z0-9]{4,64}$/;
type Click = SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs;

export function registerFindingActions(app: App, deps: { langOf: LangOf; reconcile: ReconcileService; logger: Logger; onHandled?: ((kind: string, outcome: string) => void) | undefined }): void {
  app.action<BlockButtonAction>(CERT_DELETE_ACTION, async ({ ack, body, action, respond }: Click) => {
    await ack();
    const certId = action.value ?? '';
    if (!CERT_ID.test(certId)) return;
    try {
      const outcome = await deps.reconcile.delete(body.user.id, certId);
      const lang = await deps.langOf(body.user.id);
      const text = outcome.ok ? m(lang, outcome.value.step === 'proposed' ? 'deleteProposed' : 'deleteConfirmed', { certId }) : refusalText(outcome.refusal, lang);
      await respond({ response_type: 'ephemeral', replace_original: false, text });
      deps.onHandled?.('cert-delete', outcome.ok ? 'ok' : 'refused');
    } catch (err) {
      deps.logger.error({ err: (err as Error).message, certId }, 'certificate delete click failed');
      deps.onHandled?.('cert-delete', 'error');
    }
  });

  app.action<BlockButtonAction>(CERT_KEEP_ACTION, async ({ ack, body, action, client }: Click) => {
    await ack();
    const certId = action.value ?? '';
    if (!CERT_ID.test(certId)) return;
    await client.views.open({ trigger_id: body.trigger_id, view: keepModal(certId, await deps.langOf(body.user.id)) }).catch((err: Error) => deps.logger.warn({ err: err.message }, 'keep modal not opened'));
  });

  app.view(CERT_KEEP_MODAL, async ({ ack, body, view }) => {
    const certId = view.private_metadata;
    const why = view.state.values[KEEP_REASON_BLOCK]?.[KEEP_REASON_INPUT]?.value ?? '';
    if (!CERT_ID.test(certId)) {
      await ack();
      return;
    }
    const outcome = await deps.reconcile.keep(body.user.id, certId, why);
    if (!outcome.ok) {
      await ack({ response_action: 'errors', errors: { [KEEP_REASON_BLOCK]: refusalText(outcome.refusal, await deps.langOf(body.user.id)).slice(0, 150) } });
      deps.onHandled?.('cert-keep', 'refused');
      return;
    }
    await ack();
    deps.onHandled?.('cert-keep', 'ok');
  });
}
