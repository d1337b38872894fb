// The gateway wait sleeps many times on one job's abort signal: each sleep must take its abort listener
// away again, or a long wait leaks listeners (MaxListenersExceededWarning, issue #9).
import { getEventListeners } from 'node:events';
import { describe, expect, it } from 'vitest';
import { sleep } from '../../src/jobs/gateway-wait.js';

describe('sleep', () => {
  it('leaves no abort listener behind once it has slept', async () => {
    const controller = new AbortController();
    for (let i = 0; i < 20; i++) await sleep(1, controller.signal);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('stops early when the job is aborted', async () => {
    const controller = new AbortController();
    const slept = sleep(60_000, controller.signal);
    controller.abort();
    await expect(slept).rejects.toThrow();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
