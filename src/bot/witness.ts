// The audit log's head, witnessed outside Redis: posted to the audit channel (periodically, and soon after
// each admin-relevant entry) and read back from the channel's history by `/vpn admin audit verify`.
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import type { AuditLog, AuditWitnesses, WitnessedHead } from '../core/audit.js';
import { auditHeadText, parseAuditHeadText } from './views/audit.js';
import { EN, type Lang } from './i18n/index.js';

export class SlackAuditWitness implements AuditWitnesses {
  private posting: Promise<void> | undefined;
  private again = false;

  constructor(
    private readonly client: WebClient,
    private readonly channel: string,
    private readonly audit: () => AuditLog,
    private readonly logger: Logger,
    /** Only the bot's own posts count as witnesses. */
    private readonly botUserId: () => string | undefined,
    /** The audit channel's language (slack.locale). */
    private readonly lang: Lang = EN,
  ) {}

  /** Posts the current head unless the newest witness already names it. */
  async witness(): Promise<void> {
    const head = await this.audit().head();
    if (!head) return;
    const [latest] = await this.recent(1);
    if (latest && latest.seq === head.seq && latest.hash === head.hash) return;
    await this.client.chat.postMessage({ channel: this.channel, text: auditHeadText(head, this.lang) });
  }

  /** Soon, in this process; calls while a post is under way coalesce into one more post. Never throws. */
  witnessSoon(): void {
    if (this.posting) {
      this.again = true;
      return;
    }
    this.posting = (async () => {
      do {
        this.again = false;
        await this.witness().catch((err: Error) => this.logger.warn({ err: err.message }, 'audit head not witnessed; the periodic witness will'));
      } while (this.again);
    })().finally(() => { this.posting = undefined; });
  }

  async recent(limit: number): Promise<WitnessedHead[]> {
    const history = await this.client.conversations.history({ channel: this.channel, limit: 200 });
    const me = this.botUserId();
    const heads: WitnessedHead[] = [];
    for (const m of history.messages ?? []) {
      if (!m.bot_id || (me && m.user !== me) || !m.text) continue;
      const head = parseAuditHeadText(m.text, Math.round(Number(m.ts ?? 0) * 1000));
      if (head) heads.push(head);
      if (heads.length >= limit) break;
    }
    return heads;
  }
}
