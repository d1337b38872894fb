// The sandbox's simulator takes its gateway update time and jitter from VPN_BOT_SANDBOX_UPDATE_MS /
// VPN_BOT_SANDBOX_UPDATE_JITTER, and names a bad value.
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { startSandbox } from '../../src/sandbox.js';

const VARS = ['VPN_BOT_SANDBOX_UPDATE_MS', 'VPN_BOT_SANDBOX_UPDATE_JITTER'] as const;
const logger = pino({ level: 'silent' });
process.env.VPN_BOT_SANDBOX_OPENVPN = '0'; // not what this file is about: no OpenVPN servers
const config = () => loadConfig({ PORT: '0', LOG_LEVEL: 'silent', REDIS_URL: 'redis://127.0.0.1:1/0' });

describe('sandbox gateway update time', () => {
  afterEach(() => {
    for (const v of VARS) delete process.env[v];
  });

  it('uses the variables, and 2000 ms without jitter by default', async () => {
    const plain = await startSandbox(config(), logger);
    process.env.VPN_BOT_SANDBOX_UPDATE_MS = '30000';
    process.env.VPN_BOT_SANDBOX_UPDATE_JITTER = '0.3';
    const jittered = await startSandbox(config(), logger);
    try {
      const state = async (url: string) => (await (await fetch(`${url}/_sim/state`)).json()) as Record<string, unknown>;
      expect(await state(plain.cloud!.sim.url)).toMatchObject({ updateMs: 2000, updateJitter: 0 });
      expect(await state(jittered.cloud!.sim.url)).toMatchObject({ updateMs: 30000, updateJitter: 0.3 });
    } finally {
      await plain.close();
      await jittered.close();
    }
  });

  it('refuses a bad value, naming the variable', async () => {
    process.env.VPN_BOT_SANDBOX_UPDATE_JITTER = '30%';
    await expect(startSandbox(config(), logger)).rejects.toThrow(/VPN_BOT_SANDBOX_UPDATE_JITTER=30% is not allowed/);
    process.env.VPN_BOT_SANDBOX_UPDATE_JITTER = '1.5';
    await expect(startSandbox(config(), logger)).rejects.toThrow(/VPN_BOT_SANDBOX_UPDATE_JITTER=1.5 is not allowed/);
    delete process.env.VPN_BOT_SANDBOX_UPDATE_JITTER;
    process.env.VPN_BOT_SANDBOX_UPDATE_MS = 'soon';
    await expect(startSandbox(config(), logger)).rejects.toThrow(/VPN_BOT_SANDBOX_UPDATE_MS=soon/);
  });
});
