// The Alibaba simulator's HTTP control API (/_sim/…), which the sandbox page uses: state, update time,
// "configuring from outside", faults that then hit real pop-core calls, and input checked field by field.
/* eslint-disable @typescript-eslint/no-explicit-any -- pop-core returns untyped JSON */
import RPCClient from '@alicloud/pop-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAlibabaSim, type AlibabaSim } from '../../src/sim/alicloud/index.js';

const KEY = { id: 'LTAI5tControlKey000000001', secret: 'control-secret' };
const GW = 'vpn-bp1ctl0000000000000000a';

describe('Alibaba simulator control API', () => {
  let sim: AlibabaSim;
  let vpc: RPCClient;
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${sim.url}/_sim/${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    return { status: res.status, json: (await res.json()) as any };
  };

  beforeAll(async () => {
    sim = await startAlibabaSim({
      seed: { accessKeys: [KEY], gateways: [{ vpnGatewayId: GW, regionId: 'cn-hangzhou', name: 'ctl', sslVpnServer: { sslVpnServerId: 'vss-bp1ctl0000000000000000a' } }] },
      updateMs: 5000,
    });
    vpc = new RPCClient({ endpoint: sim.url, apiVersion: '2016-04-28', accessKeyId: KEY.id, accessKeySecret: KEY.secret });
  });
  afterAll(() => sim.close());

  it('shows the gateways, changes the update time and puts a gateway into updating from outside', async () => {
    const state = await call('GET', 'state');
    expect(state.json).toMatchObject({ ok: true, updateMs: 5000, gateways: [{ vpnGatewayId: GW, name: 'ctl', status: 'active', clientCerts: 0 }], faults: [] });
    expect((await call('PUT', 'update-ms', { updateMs: 50 })).json.updateMs).toBe(50);
    const before = Date.now();
    const updating = await call('POST', `gateways/${GW}/status`, { status: 'updating' });
    expect(updating.json.gateways[0].status).toBe('updating');
    expect(updating.json.gateways[0].updateEndsAt).toBeGreaterThanOrEqual(before + 50);
    await sim.settle();
    expect((await call('GET', 'state')).json.gateways[0]).not.toHaveProperty('updateEndsAt');
  });

  it('injects a fault that the next matching cloud call gets, and clears faults', async () => {
    expect((await call('POST', 'faults', { action: 'DescribeVpnGateway', code: 'ServiceUnavailable', status: 503 })).json.faults)
      .toMatchObject([{ action: 'DescribeVpnGateway', code: 'ServiceUnavailable', status: 503, remaining: 1 }]);
    await expect(vpc.request('DescribeVpnGateway', { RegionId: 'cn-hangzhou', VpnGatewayId: GW }, { method: 'POST' })).rejects.toMatchObject({ code: 'ServiceUnavailable' });
    expect((await call('GET', 'state')).json.faults).toEqual([]);
    await call('POST', 'faults', { action: '*', code: 'Throttling.User', times: 3 });
    expect((await call('DELETE', 'faults')).json.faults).toEqual([]);
    const ok: any = await vpc.request('DescribeVpnGateway', { RegionId: 'cn-hangzhou', VpnGatewayId: GW }, { method: 'POST' });
    expect(ok.Status).toBe('active');
  });

  it('names the bad field and changes nothing', async () => {
    const bad = await call('POST', 'faults', { action: 'Create Cert!', code: 'X' });
    expect(bad.status).toBe(400);
    expect(bad.json.error).toContain('action');
    expect((await call('POST', 'faults', { action: '*', mode: 'delay' })).json.error).toContain('delayMs');
    expect((await call('PUT', 'update-ms', { updateMs: -1 })).json.error).toContain('updateMs');
    expect((await call('POST', 'gateways/vpn-nope/status', { status: 'updating' })).status).toBe(404);
    expect((await call('GET', 'nothing')).status).toBe(404);
    expect((await call('GET', 'state')).json).toMatchObject({ updateMs: 50, faults: [] });
  });
});

describe('gateway update time with jitter', () => {
  const seed = (extra: object = {}) => ({
    accessKeys: [KEY],
    gateways: [{ vpnGatewayId: GW, regionId: 'cn-hangzhou', sslVpnServer: { sslVpnServerId: 'vss-bp1ctl0000000000000000a' } }],
    ...extra,
  });
  const state = async (sim: AlibabaSim) => (await (await fetch(`${sim.url}/_sim/state`)).json()) as any;

  /** Durations the sim picked for `n` updates, each bounded by the clock readings around its start. */
  async function durations(sim: AlibabaSim, n: number): Promise<{ min: number; max: number }[]> {
    const out: { min: number; max: number }[] = [];
    for (let i = 0; i < n; i++) {
      const before = Date.now();
      sim.setGatewayStatus(GW, 'updating');
      const after = Date.now();
      const endsAt = (await state(sim)).gateways[0].updateEndsAt as number;
      out.push({ min: endsAt - after, max: endsAt - before });
    }
    sim.setGatewayStatus(GW, 'active');
    return out;
  }

  it('each update takes updateMs ± jitter, uniformly; without jitter exactly updateMs', async () => {
    const sim = await startAlibabaSim({ seed: seed(), updateMs: 100_000, updateJitter: 0.3 });
    try {
      const jittered = await durations(sim, 40);
      for (const d of jittered) {
        expect(d.max).toBeGreaterThanOrEqual(70_000);
        expect(d.min).toBeLessThanOrEqual(130_000);
      }
      // 40 uniform draws over 60 s: all within 20 s of each other has probability ~1e-17.
      expect(Math.max(...jittered.map((d) => d.min)) - Math.min(...jittered.map((d) => d.max))).toBeGreaterThan(20_000);
      sim.setUpdateJitter(0);
      for (const d of await durations(sim, 5)) {
        expect(d.min).toBeLessThanOrEqual(100_000);
        expect(d.max).toBeGreaterThanOrEqual(100_000);
      }
    } finally {
      await sim.close();
    }
  });

  it('comes from the seed unless the start options say otherwise; the control API changes both; bad values are named', async () => {
    const fromSeed = await startAlibabaSim({ seed: seed({ updateMs: 30_000, updateJitter: 0.3 }) });
    const overridden = await startAlibabaSim({ seed: seed({ updateMs: 30_000, updateJitter: 0.3 }), updateMs: 500, updateJitter: 0 });
    try {
      expect(await state(fromSeed)).toMatchObject({ updateMs: 30_000, updateJitter: 0.3 });
      expect(await state(overridden)).toMatchObject({ updateMs: 500, updateJitter: 0 });
      const put = async (body: unknown) => {
        const res = await fetch(`${fromSeed.url}/_sim/update-ms`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
        return { status: res.status, json: (await res.json()) as any };
      };
      expect((await put({ updateJitter: 0.1 })).json).toMatchObject({ updateMs: 30_000, updateJitter: 0.1 });
      expect((await put({ updateMs: 1000, updateJitter: 0.5 })).json).toMatchObject({ updateMs: 1000, updateJitter: 0.5 });
      const bad = await put({ updateJitter: 1.5 });
      expect(bad.status).toBe(400);
      expect(bad.json.error).toContain('updateJitter');
      expect((await put({})).json.error).toContain('updateJitter');
      expect(() => fromSeed.setUpdateJitter(-0.1)).toThrow(/updateJitter -0.1 is not allowed/);
      expect(() => fromSeed.setUpdateMs(Number.NaN)).toThrow(/updateMs NaN is not allowed/);
      expect(await state(fromSeed)).toMatchObject({ updateMs: 1000, updateJitter: 0.5 });
      await expect(startAlibabaSim({ seed: seed(), updateJitter: 2 })).rejects.toThrow(/updateJitter 2 is not allowed/);
      await expect(startAlibabaSim({ seed: seed({ updateJitter: 2 }) })).rejects.toThrow(/updateJitter/);
    } finally {
      await fromSeed.close();
      await overridden.close();
    }
  });
});
