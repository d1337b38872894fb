// Real grants through the bot, for tests that need someone to hold access: a signed `/vpn request`, the
// approval click on its card, and the wait until the grant is active with its profile delivered.
import { vi, expect } from 'vitest';
import { APPROVALS, type Harness } from './harness.js';

export interface TestGrant { requestId: string; cardTs: string; certId: string; certName: string }

export const requestStatus = (h: Harness, requestId: string) => h.redis.hget(`{vpnbot}:req:${requestId}`, 'status');
export const storedRequest = async (h: Harness, requestId: string) =>
  JSON.parse((await h.redis.hget(`{vpnbot}:req:${requestId}`, 'json'))!) as { certId: string; certName: string; gateway: string; expiresAt: number; revokedBy?: string; profileFiles?: string[] };

/** A pending request: its id and card. */
export async function submitRequest(h: Harness, userId: string, gateway: string, duration = '1d'): Promise<{ requestId: string; cardTs: string }> {
  const answer = await h.driver.command({ userId, text: `request ${gateway} ${duration} tests for ${userId}` });
  const requestId = /`(r[a-z0-9]+)`/.exec(String(answer.json?.text ?? ''))?.[1];
  if (!requestId) throw new Error(`no request id in ${answer.body}`);
  const card = await h.slack.waitFor(`card for ${requestId}`, () => h.slack.messages(APPROVALS).find((m) => !m.threadTs && JSON.stringify(m.blocks ?? []).includes(requestId)));
  return { requestId, cardTs: card.ts };
}

/** An active grant, approved by U0BOB. */
export async function activeGrant(h: Harness, userId: string, gateway: string, duration = '1d'): Promise<TestGrant> {
  const { requestId, cardTs } = await submitRequest(h, userId, gateway, duration);
  await h.driver.blockAction({ userId: 'U0BOB', actionId: 'vpn_approve', value: requestId, channelId: APPROVALS, messageTs: cardTs });
  await vi.waitFor(async () => expect(await requestStatus(h, requestId)).toBe('active'), { timeout: 20_000, interval: 50 });
  const stored = await storedRequest(h, requestId);
  return { requestId, cardTs, certId: stored.certId, certName: stored.certName };
}
