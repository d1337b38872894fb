// Texts about access ending without a request: leavers offboarded because Slack deactivated them (posted
// for the admins in the approvals channel, in slack.locale).
import type { OffboardSummary } from '../../core/admin.js';
import type { LeaverSource } from '../../core/leavers.js';
import { EN, messagesOf, type Lang } from '../i18n/index.js';
import { offboardReply } from './admin.js';

const m = messagesOf('audit');

export function leaverAlert(summary: OffboardSummary, source: LeaverSource, lang: Lang = EN): string {
  const how = m(lang, source === 'sweep' ? 'leaverSweep' : 'leaverEvent');
  const [, ...details] = offboardReply(summary, lang).split('\n');
  return [m(lang, 'leaverAlert', { userId: summary.userId, how }), ...details].join('\n');
}
