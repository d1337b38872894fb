// Texts about access ending without a request: leavers offboarded because Slack deactivated them.
import type { OffboardSummary } from '../../core/admin.js';
import type { LeaverSource } from '../../core/leavers.js';
import { offboardReply } from './admin.js';

export function leaverAlert(summary: OffboardSummary, source: LeaverSource): string {
  const how = source === 'sweep' ? 'the periodic check of Slack accounts found it' : 'Slack sent a user_change event';
  const [, ...details] = offboardReply(summary).split('\n');
  return [`:wave: *<@${summary.userId}> was deactivated in Slack* (${how}); offboarded automatically:`, ...details].join('\n');
}
