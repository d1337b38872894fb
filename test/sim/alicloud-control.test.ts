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
