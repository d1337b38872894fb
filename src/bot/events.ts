// `user_change`: Slack tells us a profile or account changed; a deactivated user (`deleted: true`) is
// offboarded (see core/leavers.ts). Thin: parse, call the service, log. Bolt has already acked the event.
import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Leavers } from '../core/leavers.js';

const userChangeSchema = z.object({
  user: z.object({ id: z.string().regex(/^[UW][A-Z0-9]{2,}$/), deleted: z.boolean().default(false) }),
});

export function registerUserChange(app: App, deps: { leavers: Leavers; logger: Logger; onHandled?: ((kind: string, outcome: string) => void) | undefined }): void {
  app.event('user_change', async ({ event }) => {
    const parsed = userChangeSchema.safeParse(event);
    if (!parsed.success) {
      deps.logger.warn('user_change event without a readable user; ignored');
      deps.onHandled?.('user_change', 'invalid');
      return;
    }
    try {
      const outcome = await deps.leavers.userChanged(parsed.data.user);
      if (outcome === 'offboarded') deps.logger.info({ userId: parsed.data.user.id }, 'deactivated Slack user offboarded');
      deps.onHandled?.('user_change', 'ok');
    } catch (err) {
      // The periodic sweep catches the leaver if this fails.
      deps.logger.error({ err: (err as Error).message, userId: parsed.data.user.id }, 'offboarding a deactivated user failed');
      deps.onHandled?.('user_change', 'error');
    }
  });
}
