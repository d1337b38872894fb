// Words for the warm pool's events (src/jobs/pool.ts emits them as typed PoolEvents), in slack.locale.
import type { PoolEvent } from '../../core/ports.js';
import { EN, messagesOf, type Lang } from '../i18n/index.js';
import { failureText } from './events.js';
import { fitText, SLACK_LIMITS } from './text.js';

const m = messagesOf('pool');

/** Where an event goes: the request's thread, or the approvals channel for admins. */
export function poolNoticeText(event: PoolEvent, lang: Lang = EN): { to: 'thread' | 'admins'; text: string } {
  switch (event.kind) {
    case 'assigned':
      return { to: 'thread', text: m(lang, 'assigned', { certId: event.certId }) };
    case 'quota-full':
      return { to: 'admins', text: m(lang, 'quotaFull', { gateway: event.gateway, ready: event.ready, target: event.target }) };
    case 'delete-failed':
      return { to: 'admins', text: m(lang, 'deleteFailed', { certId: event.certId, gateway: event.gateway, reason: fitText(failureText(event.failure, undefined, lang), 500) }).slice(0, SLACK_LIMITS.message) };
  }
}

/** The `/vpn admin status` fragment for a gateway with a warm pool. */
export function poolStatus(pool: { target: number; ready: number; filling: number; paused: boolean } | undefined, lang: Lang = EN): string {
  if (!pool || pool.target === 0) return '';
  return m(lang, 'status', { ready: pool.ready, target: pool.target, filling: pool.filling ? m(lang, 'filling', { filling: pool.filling }) : '', paused: pool.paused ? m(lang, 'paused') : '' });
}
