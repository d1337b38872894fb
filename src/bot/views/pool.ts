// Words for the warm pool's events (src/jobs/pool.ts emits them as typed PoolEvents).
import type { PoolEvent } from '../../core/ports.js';
import { fitText, SLACK_LIMITS } from './text.js';

/** Where an event goes: the request's thread, or the approvals channel for admins. */
export function poolNoticeText(event: PoolEvent): { to: 'thread' | 'admins'; text: string } {
  switch (event.kind) {
    case 'assigned':
      return { to: 'thread', text: `:zap: A ready certificate from the warm pool (\`${event.certId}\`) is assigned; delivering the profile now, without waiting for the gateway.` };
    case 'quota-full':
      return { to: 'admins', text: `:warning: The warm pool on *${event.gateway}* cannot be refilled (${event.ready} of ${event.target} ready): the account's SSL-VPN client certificate quota is full (\`Resource.QuotaFull\`). Approvals take the ordinary path meanwhile. Remove unused certificates or raise the quota in Alibaba Cloud Quota Center; refilling retries within the hour. You are told once until a refill succeeds.` };
    case 'delete-failed':
      return { to: 'admins', text: `:rotating_light: Could not delete unassigned pool certificate \`${event.certId}\` on *${event.gateway}*: ${fitText(event.reason, 500)}. It is a valid credential nobody holds: delete it in the Alibaba Cloud console.`.slice(0, SLACK_LIMITS.message) };
  }
}

/** The `/vpn admin status` fragment for a gateway with a warm pool. */
export function poolStatus(pool: { target: number; ready: number; filling: number; paused: boolean } | undefined): string {
  if (!pool || pool.target === 0) return '';
  return ` · pool ${pool.ready}/${pool.target} ready${pool.filling ? `, ${pool.filling} filling` : ''}${pool.paused ? ' (:warning: paused: quota full)' : ''}`;
}
