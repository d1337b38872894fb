// The product's own validation of what it sends Alibaba, checked against the simulator, which encodes
// the documented rules independently (src/sim imports nothing from the product). A product rule that
// lets through what Alibaba refuses, or refuses what Alibaba takes, fails here. Where the product is
// deliberately stricter, the case says why.
/* eslint-disable @typescript-eslint/no-explicit-any -- pop-core returns untyped JSON */
import RPCClient from '@alicloud/pop-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VpcClient } from '../../src/api/vpc.js';
import { certificateName, isValidCertificateName, newRequestId } from '../../src/core/ids.js';
import { checkAgainstCurrent, parseServerChanges, splitPairs } from '../../src/core/server-changes.js';
import { startAlibabaSim, type AlibabaSim } from '../../src/sim/alicloud/index.js';
import { validCertName } from '../../src/sim/alicloud/vpc.js';

const KEY = { id: 'LTAI5tRulesKey0000000001', secret: 'rules-secret' };
const REGION = 'cn-hangzhou';
const SRV = 'vss-bp1rules00000000000001';

let sim: AlibabaSim;
let raw: RPCClient;
let vpc: VpcClient;

beforeAll(async () => {
  sim = await startAlibabaSim({
    updateMs: 50,
    seed: {
      accessKeys: [KEY],
      gateways: [{
        vpnGatewayId: 'vpn-bp1rules00000000000001', regionId: REGION, sslMaxConnections: 5,
        sslVpnServer: { sslVpnServerId: SRV, clientIpPool: '10.30.30.0/24', localSubnet: '10.20.20.0/24', proto: 'UDP', port: 1194 },
      }],
    },
  });
  raw = new RPCClient({ endpoint: sim.url, apiVersion: '2016-04-28', accessKeyId: KEY.id, accessKeySecret: KEY.secret });
  vpc = new VpcClient({ credentials: { accessKeyId: KEY.id, accessKeySecret: KEY.secret }, timeoutMs: 2000, endpointOverride: sim.url });
});
afterAll(async () => sim?.close());

/** The `/vpn admin server set` label for each ModifySslVpnServer parameter. */
const LABEL: Record<string, string> = {
  Name: 'name', Port: 'port', Proto: 'proto', Cipher: 'cipher', ClientIpPool: 'clientIpPool', LocalSubnet: 'localSubnet',
  Compress: 'compress', EnableMultiFactorAuth: 'mfa', IDaaSInstanceId: 'idaasInstanceId',
};

/** Alibaba's verdict: a DryRun that passes validation answers DryRunOperation. */
async function simAccepts(params: Record<string, string>): Promise<boolean | string> {
  const code = await raw.request<any>('ModifySslVpnServer', { RegionId: REGION, SslVpnServerId: SRV, DryRun: true, ...params }, { method: 'POST' })
    .then(() => 'no DryRunOperation', (e: any) => String(e.code));
  return code === 'DryRunOperation' ? true : code === 'no DryRunOperation' ? code : false;
}

async function productAccepts(params: Record<string, string>): Promise<boolean> {
  const parsed = parseServerChanges(splitPairs(Object.entries(params).map(([k, v]) => `${LABEL[k]}="${v}"`).join(' ')));
  if (!parsed.ok) return false;
  const [current] = await vpc.describeSslVpnServers(REGION, { sslVpnServerId: SRV });
  return checkAgainstCurrent(parsed.changes, current!).ok;
}

// [parameters, Alibaba accepts, why the product refuses anyway (only where it is stricter on purpose)]
const SERVER_CASES: [Record<string, string>, boolean, string?][] = [
  [{ Name: 's' }, true],
  [{ Name: 'x'.repeat(100) }, true],
  [{ Name: 'x'.repeat(101) }, false],
  [{ Name: 'https://srv' }, false],
  [{ Name: 'HTTP://srv' }, false],
  [{ Name: 'a<b' }, true, 'no <, > or backticks, which would break the Slack text showing it'],
  [{ Port: '1' }, true],
  [{ Port: '1195' }, true],
  [{ Port: '65535' }, true],
  [{ Port: '0' }, false],
  [{ Port: '65536' }, false],
  ...[22, 2222, 22222, 9000, 9001, 9002, 7505, 80, 443, 53, 68, 123, 4510, 4560, 500, 4500].map((p): [Record<string, string>, boolean] => [{ Port: String(p) }, false]),
  [{ Proto: 'TCP' }, true],
  [{ Proto: 'UDP' }, true],
  [{ Proto: 'ICMP' }, false],
  [{ Cipher: 'AES-128-CBC' }, true],
  [{ Cipher: 'AES-192-CBC' }, true],
  [{ Cipher: 'AES-256-CBC' }, true],
  [{ Cipher: 'none' }, true],
  [{ Cipher: 'AES-256-GCM' }, false],
  [{ Compress: 'true' }, true],
  [{ Compress: 'false' }, true],
  [{ ClientIpPool: '10.40.0.0/16' }, true],
  [{ ClientIpPool: '10.40.40.0/27' }, true], // 32 addresses = 4 × 5 connections + room
  [{ ClientIpPool: '10.40.40.0/28' }, false], // 16 < 4 × 5
  [{ ClientIpPool: '10.40.40.0/29' }, false],
  [{ ClientIpPool: '10.40.40.0/30' }, false],
  [{ ClientIpPool: '10.0.0.0/15' }, false],
  [{ ClientIpPool: '172.31.0.0/16' }, true],
  [{ ClientIpPool: '100.64.0.0/24' }, false],
  [{ ClientIpPool: '100.127.255.0/24' }, false],
  [{ ClientIpPool: '100.128.0.0/24' }, true],
  [{ ClientIpPool: '127.1.0.0/24' }, false],
  [{ ClientIpPool: '169.254.3.0/24' }, false],
  [{ ClientIpPool: '224.0.0.0/24' }, false],
  [{ ClientIpPool: '239.255.255.0/24' }, false],
  [{ ClientIpPool: '255.1.0.0/24' }, false],
  [{ ClientIpPool: '10.20.0.0/16' }, false], // contains LocalSubnet 10.20.20.0/24
  [{ ClientIpPool: '10.20.20.128/25' }, false], // inside LocalSubnet
  [{ ClientIpPool: '10.40.40.1/24' }, true, 'host bits set: the admin is asked whether 10.40.40.0/24 was meant'],
  [{ ClientIpPool: '10.40.40.0' }, false],
  [{ LocalSubnet: '172.16.0.0/12' }, true],
  [{ LocalSubnet: '8.8.8.8/32' }, true],
  [{ LocalSubnet: '10.0.0.0/8' }, false], // contains the pool 10.30.30.0/24
  [{ LocalSubnet: '1.0.0.0/7' }, false],
  [{ LocalSubnet: '127.0.0.0/8' }, false],
  [{ LocalSubnet: '169.254.1.0/24' }, false],
  [{ LocalSubnet: '230.0.0.0/8' }, false],
  [{ LocalSubnet: '1.0.0.0/24,2.0.0.0/24,3.0.0.0/24,4.0.0.0/24,5.0.0.0/24' }, true],
  [{ LocalSubnet: '1.0.0.0/24,2.0.0.0/24,3.0.0.0/24,4.0.0.0/24,5.0.0.0/24,6.0.0.0/24' }, false],
  [{ ClientIpPool: '172.16.0.0/16', LocalSubnet: '172.16.1.0/24' }, false],
  [{ ClientIpPool: '172.16.0.0/16', LocalSubnet: '10.0.0.0/8' }, true], // the new pool no longer clashes
  [{ EnableMultiFactorAuth: 'true' }, false],
  [{ EnableMultiFactorAuth: 'true', IDaaSInstanceId: 'idaas-cn-hangzhou-abc123' }, true],
  [{ EnableMultiFactorAuth: 'false' }, true],
];

describe('ModifySslVpnServer: the product validates as Alibaba does', () => {
  it.each(SERVER_CASES.map(([params, ok, why]) => [JSON.stringify(params).slice(0, 80), params, ok, why] as const))(
    '%s',
    async (_label, params, ok, stricterWhy) => {
      expect(await simAccepts(params), 'the simulator (Alibaba\'s documented rules)').toBe(ok);
      expect(await productAccepts(params), stricterWhy ?? 'the product').toBe(ok && !stricterWhy);
    },
  );
});

describe('certificate names: the product only sends names both versions of the CreateSslVpnClientCert page take', () => {
  const candidates = [
    'ab', 'a1', 'alice-r1', 'Alice.B_C-1', `a${'x'.repeat(99)}`, `a${'x'.repeat(100)}`, 'a', '1a', '-a', '_a', '.a', 'a b', 'a/b', 'a:b',
    '证书', 'é-accent', 'https://a', 'http://a', 'a'.repeat(128), 'a'.repeat(129), '',
  ];
  it.each(candidates.map((n) => [JSON.stringify(n).slice(0, 40), n] as const))('%s', (_label, name) => {
    expect(isValidCertificateName(name)).toBe(validCertName(name));
  });

  it('every name certificateName derives from awkward Slack handles is accepted, over the wire too', async () => {
    const handles = ['alice', 'Zoë Åström', '张三', '9lives', '-._-', '', 'x'.repeat(300), 'http://evil', 'a b\tc\n', 'O\'Brien <script>'];
    for (const handle of handles) {
      const name = certificateName(handle, newRequestId());
      expect(validCertName(name), name).toBe(true);
    }
    const name = certificateName('Zoë Åström', newRequestId());
    const created = await raw.request<any>('CreateSslVpnClientCert', { RegionId: REGION, SslVpnServerId: SRV, Name: name }, { method: 'POST' });
    expect(created.Name).toBe(name);
    await sim.settle();
  });
});
