// `/vpn …`: parse, authorise, call one service, reply. Replies are ephemeral (the ack body).
import type { App, SlackCommandMiddlewareArgs, AllMiddlewareArgs } from '@slack/bolt';
import { z } from 'zod';
import { parseBreakGlassText, parseRequestText } from '../../core/policy.js';
import { durationError, requestInputText, usage } from '../views/input.js';
import { refusalText } from '../views/refusals.js';
import { isRequestId } from '../../core/ids.js';
import type { AccessService } from '../../core/service.js';
import type { Logger } from 'pino';
import { requestModal } from '../views/modals.js';
import { EN, messagesOf, type LangOf } from '../i18n/index.js';
import { codeSpan } from '../views/text.js';
import { handleAdminCommand } from './admin.js';
import { handleResend } from './resend.js';
import type { ProfileService } from '../../core/profiles.js';
import type { AdminService } from '../../core/admin.js';
import { breakGlassConfirmation, cancelledNotice, extendReply, helpText, requestConfirmation, statusLine } from '../views/messages.js';
import { isDurationAttempt, parseDuration } from '../../core/duration.js';

export interface CommandDeps {
  service: AccessService;
  /** The caller's language: every reply and the request form use it. */
  langOf: LangOf;
  /** Queue position of an approved request on its gateway lane. */
  positionOf: (requestId: string, gateway: string) => Promise<number | undefined>;
  logger: Logger;
  onHandled?: (kind: string, outcome: string) => void;
  /** `/vpn admin …`; without it the admin commands answer that they are not set up. */
  admin?: AdminService;
  /** `/vpn resend`. */
  profiles?: ProfileService | undefined;
}

const commandSchema = z.object({
  user_id: z.string().regex(/^[UW][A-Z0-9]+$/),
  text: z.string().max(3000).default(''),
  trigger_id: z.string().optional(),
});

const ephemeral = (text: string) => ({ response_type: 'ephemeral' as const, text });
const m = messagesOf('listeners');

export function registerVpnCommand(app: App, deps: CommandDeps): void {
  app.command('/vpn', async (args: SlackCommandMiddlewareArgs & AllMiddlewareArgs) => {
    const { ack, client } = args;
    const parsed = commandSchema.safeParse(args.command);
    if (!parsed.success) {
      await ack(ephemeral(m(EN, 'unreadableCommand')));
      return;
    }
    const { user_id: userId, text, trigger_id: triggerId } = parsed.data;
    const [sub = '', ...rest] = text.trim().split(/\s+/).filter(Boolean);
    const restText = rest.join(' ');
    const lang = await deps.langOf(userId);
    try {
      switch (sub.toLowerCase()) {
        case '':
        case 'request': {
          if (!restText) {
            await ack();
            if (triggerId) await client.views.open({ trigger_id: triggerId, view: requestModal(deps.service.policy, lang) });
            deps.onHandled?.('request-modal', 'ok');
            return;
          }
          const request = parseRequestText(deps.service.policy, restText);
          if (!request.ok) {
            await ack(ephemeral(requestInputText(request.error, 'request', lang)));
            deps.onHandled?.('request', 'invalid');
            return;
          }
          const outcome = await deps.service.submit(userId, request.value);
          await ack(ephemeral(outcome.ok ? requestConfirmation(outcome.value, lang) : refusalText(outcome.refusal, lang)));
          deps.onHandled?.('request', outcome.ok ? 'ok' : 'refused');
          return;
        }
        case 'status': {
          const open = await deps.service.openRequests(userId);
          if (open.length === 0) {
            await ack(ephemeral(m(lang, 'noOpenRequests')));
            return;
          }
          const lines = await Promise.all(open.map(async (r) => statusLine(r, r.status === 'approved' ? await deps.positionOf(r.id, r.gateway) : undefined, lang)));
          await ack(ephemeral(m(lang, 'yourRequests', { lines: lines.join('\n') })));
          return;
        }
        case 'list': {
          const active = (await deps.service.openRequests(userId)).filter((r) => r.status === 'active');
          await ack(ephemeral(active.length ? m(lang, 'yourAccess', { lines: active.map((r) => statusLine(r, undefined, lang)).join('\n') }) : m(lang, 'noActiveAccess')));
          return;
        }
        case 'extend': {
          let gateway: string | undefined;
          let durationMs: number | undefined;
          for (const word of rest) {
            if (deps.service.policy.gateways.includes(word.toLowerCase())) gateway = word.toLowerCase();
            else if (parseDuration(word) !== undefined) durationMs = parseDuration(word);
            else if (isDurationAttempt(word)) {
              await ack(ephemeral(durationError(word, 'extend', lang)));
              return;
            } else {
              await ack(ephemeral(m(lang, 'neitherGatewayNorDuration', { word: codeSpan(word), usage: usage(lang, 'extend') })));
              return;
            }
          }
          const outcome = await deps.service.extend(userId, gateway ? { gateway } : {}, durationMs);
          await ack(ephemeral(outcome.ok ? extendReply(outcome.value, lang) : refusalText(outcome.refusal, lang)));
          deps.onHandled?.('extend', outcome.ok ? 'ok' : 'refused');
          return;
        }
        case 'cancel': {
          if (rest.length > 1 || (rest[0] && !isRequestId(rest[0]))) {
            await ack(ephemeral(m(lang, 'cancelUsage')));
            return;
          }
          const outcome = await deps.service.cancelOwn(userId, rest[0]);
          await ack(ephemeral(outcome.ok ? cancelledNotice(outcome.value, lang) : refusalText(outcome.refusal, lang)));
          deps.onHandled?.('cancel', outcome.ok ? 'ok' : 'refused');
          return;
        }
        case 'breakglass': {
          const parsed = parseBreakGlassText(deps.service.policy, restText);
          if (!parsed.ok) {
            await ack(ephemeral(requestInputText(parsed.error, 'breakglass', lang)));
            deps.onHandled?.('breakglass', 'invalid');
            return;
          }
          const outcome = await deps.service.breakGlass(userId, parsed.value.gateway, parsed.value.reason);
          await ack(ephemeral(outcome.ok ? breakGlassConfirmation(outcome.value.request, outcome.value.position, lang) : refusalText(outcome.refusal, lang)));
          deps.onHandled?.('breakglass', outcome.ok ? 'ok' : 'refused');
          return;
        }
        case 'revoke':
        case 'done': {
          const outcome = await deps.service.revokeOwn(userId, rest[0]);
          if (!outcome.ok) {
            await ack(ephemeral(refusalText(outcome.refusal, lang)));
            return;
          }
          const { revoked, cancelled, inFlight } = outcome.value;
          const lines = [
            ...revoked.map((r) => m(lang, 'revoking', { gateway: r.gateway, id: r.id })),
            ...cancelled.map((r) => m(lang, 'cancelledPending', { gateway: r.gateway, id: r.id })),
            ...inFlight.map((r) => m(lang, 'beingSetUp', { gateway: r.gateway, id: r.id })),
          ];
          await ack(ephemeral(lines.join('\n')));
          deps.onHandled?.('revoke', 'ok');
          return;
        }
        case 'resend':
          await handleResend({ userId, words: rest, ack, respond: args.respond, lang }, { profiles: deps.profiles, gateways: deps.service.policy.gateways, logger: deps.logger, onHandled: deps.onHandled });
          return;
        case 'help':
          await ack(ephemeral(helpText(lang)));
          return;
        case 'admin':
          if (!deps.admin) await ack(ephemeral(m(lang, 'adminNotSetUp')));
          else await handleAdminCommand({ userId, words: rest, ack, respond: args.respond, lang }, { admin: deps.admin, logger: deps.logger, ...(deps.onHandled ? { onHandled: deps.onHandled } : {}) });
          return;
        default:
          await ack(ephemeral(m(lang, 'unknownCommand', { command: codeSpan(`/vpn ${sub}`), help: helpText(lang) })));
      }
    } catch (err) {
      deps.logger.error({ err: (err as Error).message, sub }, '/vpn failed');
      const known = ['request', 'status', 'list', 'extend', 'cancel', 'breakglass', 'revoke', 'done', 'resend', 'help', 'admin'];
      deps.onHandled?.(known.includes(sub.toLowerCase() || 'request') ? sub.toLowerCase() || 'request' : 'unknown', 'error');
      // The ack may already have gone out; a second ack throws, so only try when it has not.
      try {
        await ack(ephemeral(m(lang, 'somethingWrong')));
      } catch {
        /* already acknowledged */
      }
    }
  });
}
