// `/vpn resend [gateway]`: a fresh copy of the caller's active profile into their DM. Fetching it from
// the gateway and uploading it can take longer than Slack's 3 s, so the ack says so and the answer
// follows through the response_url.
import type { Logger } from 'pino';
import type { ProfileService } from '../../core/profiles.js';
import { RESEND_USAGE, RESEND_WORKING, resendReply } from '../views/profiles.js';
import { refusalText, shown } from '../views/refusals.js';

type Reply = { response_type: 'ephemeral'; text: string };
const ephemeral = (text: string): Reply => ({ response_type: 'ephemeral', text });

export async function handleResend(
  input: { userId: string; words: readonly string[]; ack: (reply?: Reply) => Promise<void>; respond: (reply: Reply) => Promise<unknown> },
  deps: { profiles?: ProfileService | undefined; gateways: readonly string[]; logger: Logger; onHandled?: ((kind: string, outcome: string) => void) | undefined },
): Promise<void> {
  const done = (outcome: string) => deps.onHandled?.('resend', outcome);
  if (!deps.profiles) {
    await input.ack(ephemeral('Resending profiles is not set up in this deployment.'));
    return;
  }
  const [word, ...extra] = input.words;
  const gateway = word?.toLowerCase();
  if (extra.length > 0 || (gateway !== undefined && !deps.gateways.includes(gateway))) {
    await input.ack(ephemeral(`\`${shown(word ?? '')}\` is not a gateway (${deps.gateways.map((g) => `\`${g}\``).join(', ')}). Usage: ${RESEND_USAGE}`));
    done('invalid');
    return;
  }
  await input.ack(ephemeral(RESEND_WORKING));
  let text: string;
  try {
    const outcome = await deps.profiles.resend(input.userId, gateway ? { gateway } : {});
    text = outcome.ok ? resendReply(outcome.value) : refusalText(outcome.refusal);
    done(outcome.ok ? 'ok' : 'refused');
  } catch (err) {
    deps.logger.error({ err: (err as Error).message }, '/vpn resend failed');
    text = ':warning: Something went wrong on my side; no profile was sent. Please try again in a minute.';
    done('error');
  }
  await input.respond(ephemeral(text)).catch((err: Error) => deps.logger.error({ err: err.message }, '/vpn resend reply could not be sent'));
}
