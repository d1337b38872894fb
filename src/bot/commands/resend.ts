// `/vpn resend [gateway]`: a fresh copy of the caller's active profile into their DM. Fetching it from
// the gateway and uploading it can take longer than Slack's 3 s, so the ack says so and the answer
// follows through the response_url.
import type { Logger } from 'pino';
import type { ProfileService } from '../../core/profiles.js';
import { RESEND_USAGE, resendReply, resendWorking } from '../views/profiles.js';
import { refusalText, shown } from '../views/refusals.js';
import { EN, localList, messagesOf, type Lang } from '../i18n/index.js';

const m = messagesOf('listeners');

type Reply = { response_type: 'ephemeral'; text: string };
const ephemeral = (text: string): Reply => ({ response_type: 'ephemeral', text });

export async function handleResend(
  input: { userId: string; words: readonly string[]; ack: (reply?: Reply) => Promise<void>; respond: (reply: Reply) => Promise<unknown>; lang?: Lang },
  deps: { profiles?: ProfileService | undefined; gateways: readonly string[]; logger: Logger; onHandled?: ((kind: string, outcome: string) => void) | undefined },
): Promise<void> {
  const done = (outcome: string) => deps.onHandled?.('resend', outcome);
  const lang = input.lang ?? EN;
  if (!deps.profiles) {
    await input.ack(ephemeral(m(lang, 'resendNotSetUp')));
    return;
  }
  const [word, ...extra] = input.words;
  const gateway = word?.toLowerCase();
  if (extra.length > 0 || (gateway !== undefined && !deps.gateways.includes(gateway))) {
    await input.ack(ephemeral(m(lang, 'notAGateway', { word: `\`${shown(word ?? '')}\``, gateways: localList(lang, deps.gateways.map((g) => `\`${g}\``)), usage: RESEND_USAGE })));
    done('invalid');
    return;
  }
  await input.ack(ephemeral(resendWorking(lang)));
  let text: string;
  try {
    const outcome = await deps.profiles.resend(input.userId, gateway ? { gateway } : {});
    text = outcome.ok ? resendReply(outcome.value, lang) : refusalText(outcome.refusal, lang);
    done(outcome.ok ? 'ok' : 'refused');
  } catch (err) {
    deps.logger.error({ err: (err as Error).message }, '/vpn resend failed');
    text = m(lang, 'resendFailed');
    done('error');
  }
  await input.respond(ephemeral(text)).catch((err: Error) => deps.logger.error({ err: err.message }, '/vpn resend reply could not be sent'));
}
