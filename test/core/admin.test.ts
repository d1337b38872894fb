// AdminService and its pure helpers: parsing, CommonName matching, CSV, error lines; authorisation through
// user groups; the list cap; CAS revocation and offboarding against the Alibaba Cloud simulator with the
// real pop-core clients, on real Redis under a test prefix.
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CasClient } from '../../src/api/cas.js';
import { SharedCallLimiter } from '../../src/infra/call-limiter.js';
import { CloudError } from '../../src/api/errors.js';
import { VpcClient } from '../../src/api/vpc.js';
import { AdminService, type AdminContext, type AdminDeps } from '../../src/core/admin.js';
import { auditCsv, csvCell, parseAuditArgs } from '../../src/core/audit-export.js';
import { newRequestId, parseUserRef } from '../../src/core/ids.js';
import { certificateBelongsTo, parseCasIdentifier } from '../../src/core/private-ca.js';
import { cloudFailureOf, type Outcome } from '../../src/core/refusals.js';
import { auditArgsErrorText, casLookupErrorText } from '../../src/bot/views/admin-outcomes.js';
import { auditReply } from '../../src/bot/views/admin.js';
import { cloudFailureText, refusalText } from '../../src/bot/views/refusals.js';
import { AuditLog, type StoredAuditEntry } from '../../src/core/audit.js';
import type { AccessPolicy } from '../../src/core/policy.js';
import { RequestStore } from '../../src/core/store.js';
import { grantsList, LIST_CAP } from '../../src/bot/views/admin.js';
import { startAlibabaSim, type AlibabaSim } from '../../src/sim/alicloud/index.js';
import { testRedisUrl } from '../helpers/process.js';

const DB = 61;

describe('parsing', () => {
  it('reads a user from every mention form and nothing else', () => {
    expect(parseUserRef('<@U0ALICE|alice>')).toBe('U0ALICE');
    expect(parseUserRef('<@U0ALICE>')).toBe('U0ALICE');
    expect(parseUserRef('U0ALICE')).toBe('U0ALICE');
    expect(parseUserRef('W0ENTERPRISE')).toBe('W0ENTERPRISE');
    expect(parseUserRef('<@U0ALICE|>')).toBe('U0ALICE');
    for (const bad of ['alice', '@alice', '<#C0CHAN|general>', '<!channel>', 'u0alice', '<@U0ALICE', 'S0GROUP', '']) expect(parseUserRef(bad), bad).toBeUndefined();
  });

  it('accepts only 32-hex CAS identifiers, normalised to lower case', () => {
    expect(parseCasIdentifier('A'.repeat(32))).toBe('a'.repeat(32));
    expect(parseCasIdentifier(` ${'0f'.repeat(16)} `)).toBe('0f'.repeat(16));
    for (const bad of ['a'.repeat(31), 'a'.repeat(33), `${'a'.repeat(31)}g`, 'vsc-abc', '']) expect(parseCasIdentifier(bad), bad).toBeUndefined();
  });

  it('parses audit arguments in either order, with a 7d default and clear errors', () => {
    const now = Date.UTC(2024, 4, 10);
    expect(parseAuditArgs([], now)).toEqual({ ok: true, value: { sinceMs: now - 7 * 86_400_000, sinceLabel: '7d' } });
    expect(parseAuditArgs(['12h', '<@U0BOB|bob>'], now)).toEqual({ ok: true, value: { userId: 'U0BOB', sinceMs: now - 12 * 3_600_000, sinceLabel: '12h' } });
    expect(parseAuditArgs(['U0BOB', '2024-05-01'], now)).toEqual({ ok: true, value: { userId: 'U0BOB', sinceMs: Date.UTC(2024, 4, 1), sinceLabel: '2024-05-01' } });
    const bad = parseAuditArgs(['`<!channel>`'], now);
    expect(bad.ok).toBe(false);
    if (!bad.ok) {
      expect(auditArgsErrorText(bad.error)).toContain('Usage: `/vpn admin audit [@user] [since]`');
      expect(auditArgsErrorText(bad.error)).not.toContain('<!channel>');
    }
    expect(parseAuditArgs(['7d', '8d'], now).ok).toBe(false);
    expect(parseAuditArgs(['2024-13-01'], now).ok).toBe(false);
  });
});

describe('certificateBelongsTo', () => {
  const alice = { email: 'Alice@Example.com', handle: 'alice' };
  it('matches the CommonName against the Slack email or handle, ignoring case and spaces', () => {
    expect(certificateBelongsTo('alice@example.com', alice)).toBe(true);
    expect(certificateBelongsTo(' ALICE@EXAMPLE.COM ', alice)).toBe(true);
    expect(certificateBelongsTo('alice', alice)).toBe(true);
    expect(certificateBelongsTo('alice', { handle: '@alice' })).toBe(true);
  });
  it('matches nobody else', () => {
    expect(certificateBelongsTo('alice@other.com', alice)).toBe(false);
    expect(certificateBelongsTo('malice@example.com', alice)).toBe(false);
    expect(certificateBelongsTo('alice.smith', alice)).toBe(false);
    expect(certificateBelongsTo('', alice)).toBe(false);
    expect(certificateBelongsTo('', {})).toBe(false);
    expect(certificateBelongsTo('alice', {})).toBe(false);
    expect(certificateBelongsTo('alice@example.com', { handle: 'alice' })).toBe(false);
  });
});

describe('audit CSV', () => {
  const entry = (over: Partial<StoredAuditEntry>): StoredAuditEntry => ({ id: '1-0', at: Date.UTC(2024, 0, 2, 3, 4, 5), hash: 'h', actor: 'U0A', action: 'request.created', ...over });
  it('has a header row, quotes what needs quoting and defuses formulas', () => {
    const csv = auditCsv([entry({ detail: 'needs "prod", now\nplease' }), entry({ detail: '=HYPERLINK("http://x")', subject: 'U0B', cloudRequestId: 'RID' })]);
    const rows = csv.split('\r\n');
    expect(rows[0]).toBe('time,actor,action,subject,requestId,gateway,detail,cloudRequestId,entryId,hash');
    expect(csv).toContain('2024-01-02T03:04:05.000Z,U0A,request.created,,,,"needs ""prod"", now\nplease",,1-0,h');
    expect(csv).toContain(`,"'=HYPERLINK(""http://x"")",RID,`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-1')).toBe("'-1");
    expect(csvCell('@x')).toBe("'@x");
    expect(csvCell('plain')).toBe('plain');
    expect(auditCsv([])).toBe('time,actor,action,subject,requestId,gateway,detail,cloudRequestId,entryId,hash\r\n');
  });
});

/** How a thrown error reads in an admin reply. */
const cloudErrorLine = (err: unknown) => cloudFailureText(cloudFailureOf(err));
/** The refusal as the admin reads it. */
const refusalOf = (outcome: Outcome<unknown>) => (outcome.ok ? undefined : refusalText(outcome.refusal));

/** The context of an admin, as `/vpn admin` gets it once per command. */
async function as(actorId: string): Promise<AdminContext> {
  const { admin } = service();
  const auth = await admin.authorize(actorId);
  if (!auth.ok) throw new Error(refusalText(auth.refusal));
  return auth.value;
}

const NOT_ADMIN = ':no_entry: Only admins listed in `roles.admins` (directly or through a user group) can use `/vpn admin`. Nothing was changed.';

describe('cloudErrorLine', () => {
  it('says what kind of failure, the code and the RequestId, with advice, and nothing else', () => {
    const line = cloudErrorLine(new CloudError('permanent', 'DescribeVpnGateway', 'Forbidden.RAM', 'not allowed at https://vpc.aliyuncs.com/?AccessKeyId=LTAI', 'RID-1'));
    expect(line).toContain('refused by Alibaba Cloud (`Forbidden.RAM`, RequestId RID-1)');
    expect(line).toContain('ram-policy.json');
    expect(line).not.toContain('https://');
    expect(cloudErrorLine(new CloudError('transient', 'X', 'Throttling.User', 'slow down'))).toContain('try again in a minute');
    expect(cloudErrorLine(new TypeError('x is undefined\n    at foo (/src/a.ts:1:1)'))).toBe('unexpected error (details are in the bot\'s logs)');
  });
});

// ------------------------------------------------------------------------------------------ service

const prefix = `{test-admin-${process.pid}}`;
const KEY = { id: 'LTAIcoretest', secret: 'core-test-secret-0123456789abcdef' };
const GW = { name: 'hangzhou', regionId: 'cn-hangzhou', vpnGatewayId: 'vpn-bp1cccccccccccccccccccc', sslVpnServerId: 'vss-bp1cccccccccccccccccccc' };
const ID = (c: string) => c.repeat(32);
let redis: Redis;
let sim: AlibabaSim;

/** A port the test does not expect to be used: any call fails the test. */
function unused<T extends object>(name: string): T {
  return new Proxy({} as T, { get: (_t, prop) => { throw new Error(`${name}.${String(prop)} should not be used here`); } });
}

function service(over: Partial<AdminDeps> = {}): { admin: AdminService; audit: AuditLog; store: RequestStore; files: { userId: string; filename: string; content: string }[] } {
  const store = new RequestStore(redis, prefix);
  const audit = new AuditLog(redis, prefix);
  const credentials = { accessKeyId: KEY.id, accessKeySecret: KEY.secret };
  const files: { userId: string; filename: string; content: string }[] = [];
  const policy: AccessPolicy = { gateways: ['hangzhou'], defaultDurationMs: 3_600_000, maxDurationMs: 86_400_000, approvers: ['U0BOB'], admins: ['U0ROOT', 'S0ADMINS'] };
  const admin = new AdminService({
    store, audit, policy,
    members: async (group) => (group === 'S0ADMINS' ? ['U0GRP'] : []),
    provisioning: unused('provisioning'), notifications: unused('notifications'),
    lanes: { depth: async () => ({ queued: 1, scheduled: 2 }) },
    vpc: new VpcClient({ credentials, timeoutMs: 5000, endpointOverride: sim.url }),
    cas: new CasClient({ credentials, timeoutMs: 5000, endpointOverride: sim.url, limiter: new SharedCallLimiter(redis, { key: `${prefix}:ratelimit:cas`, perRollingSecond: 100 }) }),
    people: { profile: async (id) => (id === 'U0ALICE' ? { handle: 'alice', email: 'alice@example.com' } : {}) },
    exports: { sendAuditExport: async (userId, { filename, content }) => { files.push({ userId, filename, content }); return { fileId: `F${files.length}` }; } },
    gateways: [GW, { ...GW, name: 'ghost', vpnGatewayId: 'vpn-bp1doesnotexist00000000', sslVpnServerId: 'vss-bp1doesnotexist00000000' }],
    ...over,
  });
  return { admin, audit, store, files };
}

beforeAll(async () => {
  redis = new Redis(testRedisUrl(DB));
  sim = await startAlibabaSim({
    updateMs: 50,
    seed: {
      accessKeys: [{ id: KEY.id, secret: KEY.secret }],
      gateways: [{ vpnGatewayId: GW.vpnGatewayId, regionId: GW.regionId, name: GW.name, internetIp: '203.0.113.30', sslMaxConnections: 20, sslVpnServer: { sslVpnServerId: GW.sslVpnServerId, clientIpPool: '10.98.0.0/24', localSubnet: '172.17.0.0/16' } }],
      casCertificates: [
        { identifier: ID('a'), commonName: 'alice@example.com' },
        { identifier: ID('b'), commonName: 'ALICE' },
        { identifier: ID('c'), commonName: 'alice@other.com' },
        { identifier: ID('d'), commonName: 'malice@example.com' },
        { identifier: ID('e'), commonName: 'alice@example.com', status: 'REVOKE' },
        { identifier: ID('f'), commonName: 'bob@example.com' },
      ],
    },
  });
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
  await sim?.close();
});

describe('AdminService', () => {
  it('lets admins in directly or through a user group, refuses everyone else without touching anything', async () => {
    const { admin, audit } = service();
    expect(await admin.authorize('U0ROOT')).toEqual({ ok: true, value: { actorId: 'U0ROOT' } });
    expect(await admin.authorize('U0GRP')).toEqual({ ok: true, value: { actorId: 'U0GRP' } });
    const before = (await audit.list()).length;
    // Every admin method takes the context only this check yields (the type system keeps the rest out).
    const refused = await admin.authorize('U0EVE');
    expect(refusalOf(refused)).toBe(NOT_ADMIN);
    expect(refusalOf(await admin.authorize('U0EVE', 'decide-server-change'))).toBe(':no_entry: Only admins listed in `roles.admins` can decide SSL-VPN server changes. Nothing was changed.');
    expect(sim.callsOf('CreateRevokeClientCertificate')).toHaveLength(0);
    expect((await audit.list()).length).toBe(before);
  });

  it('lists active grants only, soonest expiry first, and the reply is capped', async () => {
    const { admin, store } = service();
    const now = Date.now();
    const total = LIST_CAP + 7;
    for (let i = 0; i < total; i++) {
      await store.create({ id: newRequestId(), requesterId: i % 2 ? 'U0ODD' : 'U0EVEN', gateway: 'hangzhou', durationMs: 1, reason: 'load', status: 'active', createdAt: now, updatedAt: now, expiresAt: now + (total - i) * 60_000, certId: `vsc-load${String(i).padStart(4, '0')}` });
    }
    await store.create({ id: newRequestId(), requesterId: 'U0ODD', gateway: 'hangzhou', durationMs: 1, reason: 'pending', status: 'pending', createdAt: now, updatedAt: now });
    const all = await admin.grants.list(await as('U0GRP'), {}, LIST_CAP);
    expect(all.total).toBe(total);
    expect(all.grants).toHaveLength(LIST_CAP);
    const expiries = all.grants.map((g) => g.expiresAt!);
    expect(expiries).toEqual([...expiries].sort((a, b) => a - b));
    // The soonest of all, not just any 50.
    expect(expiries[0]).toBe(now + 60_000);
    const text = grantsList(all.grants, all.total, undefined);
    expect(text).toContain(`*${total} active VPN grants*`);
    expect(text.split('\n').filter((l) => l.startsWith('• '))).toHaveLength(LIST_CAP);
    expect(text).toContain('…and 7 more');
    const odd = await admin.grants.list(await as('U0ROOT'), { userId: 'U0ODD' }, 10);
    expect(odd.total).toBe(Math.floor(total / 2));
    expect(odd.grants).toHaveLength(10);
    expect(odd.grants.every((g) => g.requesterId === 'U0ODD' && g.status === 'active')).toBe(true);
    const byGateway = await admin.grants.list(await as('U0ROOT'), { gateway: 'hangzhou' }, 5);
    expect(byGateway.total).toBe(total);
    const none = await admin.grants.list(await as('U0ROOT'), { gateway: 'frankfurt' });
    expect(none).toEqual({ grants: [], total: 0 });
  });

  it('revokes CAS certificates by identifier: validated, NotFound explained, audited with the RequestId, idempotent', async () => {
    const { admin, audit } = service();
    const bad = await admin.privateCa.revoke(await as('U0ROOT'), 'nothex');
    expect(refusalOf(bad)).toContain('32 hexadecimal characters');
    const missing = await admin.privateCa.revoke(await as('U0ROOT'), ID('9'));
    expect(refusalOf(missing)).toContain('No private-CA client certificate');
    const done = await admin.privateCa.revoke(await as('U0GRP'), ID('f').toUpperCase());
    expect(done).toMatchObject({ ok: true, value: { alreadyRevoked: false, certificate: { commonName: 'bob@example.com' } } });
    expect(sim.casCertificate(ID('f'))?.status).toBe('REVOKE');
    const entry = (await audit.list()).find((e) => e.action === 'admin.cas-cert.revoked' && e.detail?.includes(ID('f')));
    expect(entry?.actor).toBe('U0GRP');
    expect(entry?.cloudRequestId).toBe(done.ok ? done.value.cloudRequestId : 'none');
    const calls = sim.callsOf('CreateRevokeClientCertificate').length;
    expect(await admin.privateCa.revoke(await as('U0GRP'), ID('f'))).toMatchObject({ ok: true, value: { alreadyRevoked: true } });
    expect(sim.callsOf('CreateRevokeClientCertificate').length).toBe(calls);
  });

  it('offboarding revokes exactly the private-CA certificates whose CommonName is the person\'s email or handle', async () => {
    const { admin, audit } = service();
    const result = await admin.offboarding.offboard(await as('U0ROOT'), 'U0ALICE');
    const by = Object.fromEntries(result.cas.map((c) => [c.certificate.identifier, c.outcome]));
    expect(by).toEqual({ [ID('a')]: 'revoked', [ID('b')]: 'revoked', [ID('e')]: 'already-revoked' });
    for (const c of ['a', 'b']) expect(sim.casCertificate(ID(c))?.status).toBe('REVOKE');
    for (const c of ['c', 'd']) expect(sim.casCertificate(ID(c))?.status).toBe('ISSUE');
    const entries = (await audit.list()).filter((e) => e.action === 'admin.cas-cert.revoked' && e.subject === 'U0ALICE');
    expect(entries).toHaveLength(2);
    for (const e of entries) expect(e.cloudRequestId).toMatch(/\S{8,}/);
  });

  it('offboarding reports a CAS outage as one classified line, and someone Slack knows nothing about cannot be matched', async () => {
    const { admin } = service();
    sim.inject({ action: 'ListClientCertificate', code: 'ServiceUnavailable', status: 503, message: 'busy' });
    const down = await admin.offboarding.offboard(await as('U0ROOT'), 'U0ALICE');
    expect(down.casLookupError && casLookupErrorText(down.casLookupError)).toMatch(/could not list private-CA certificates: .*`ServiceUnavailable`/);
    const nobody = await admin.offboarding.offboard(await as('U0ROOT'), 'U0NOBODY');
    expect(nobody.casLookupError && casLookupErrorText(nobody.casLookupError)).toContain('no email or handle');
  });

  it('status reads every gateway; one the cloud does not know gets a classified line with advice', async () => {
    const { admin } = service();
    const [hz, ghost] = await admin.health.status(await as('U0ROOT'));
    expect(hz).toMatchObject({ gateway: 'hangzhou', status: 'active', connections: 0, maxConnections: 20, depth: { queued: 1, scheduled: 2 } });
    expect(ghost?.status).toBeUndefined();
    expect(ghost?.statusError && cloudFailureText(ghost.statusError)).toContain('`InvalidVpnGatewayInstanceId.NotFound`');
    expect(ghost?.statusError && cloudFailureText(ghost.statusError)).toContain('fix gateways[].vpnGatewayId');
  });

  it('exports the audit log as CSV to the admin, and says so when the upload fails', async () => {
    const { admin, files } = service();
    const report = await admin.auditLog.report(await as('U0ROOT'), { userId: 'U0ALICE', sinceMs: Date.now() - 3_600_000, sinceLabel: '1h' });
    expect(report.entries.length).toBeGreaterThan(0);
    expect(report.entries.map((e) => e.id)).toEqual([...report.entries.map((e) => e.id)].sort().reverse());
    expect(files).toHaveLength(1);
    expect(files[0]!.userId).toBe('U0ROOT');
    expect(files[0]!.content.split('\r\n').filter(Boolean)).toHaveLength(report.entries.length + 1);
    const failing = service({ exports: { sendAuditExport: async () => { throw new Error('slack down'); } } });
    const degraded = await failing.admin.auditLog.report(await as('U0ROOT'), { sinceMs: 0, sinceLabel: '7d' });
    expect(degraded.csv.ok).toBe(false);
    expect(auditReply(degraded)).toContain('could not be uploaded');
  });
});
