// The domain's refusals, input errors and admin outcomes read in both languages: one example of every
// refusal code (the Record makes the compiler ask for each), English as the bot always wrote it, and no
// English left in the Chinese apart from commands, ids and product names.
import { describe, expect, it } from 'vitest';
import type { Refusal } from '../../src/core/refusals.js';
import type { RequestInputError } from '../../src/core/policy.js';
import type { AuditArgsError, CasLookupError } from '../../src/core/admin.js';
import { cannotBeApprovedField, refusalText } from '../../src/bot/views/refusals.js';
import { requestInputText } from '../../src/bot/views/input.js';
import { auditArgsErrorText, auditExportComment, casLookupErrorText } from '../../src/bot/views/admin-outcomes.js';
import type { Lang } from '../../src/bot/i18n/index.js';
import { englishWords } from '../helpers/language.js';
import { findingNote } from '../../src/bot/views/findings.js';
import type { Finding } from '../../src/core/findings.js';

const EN: Lang = { locale: 'en' };
const ZH: Lang = { locale: 'zh-CN', timeZone: 'Asia/Shanghai' };
const failure = { kind: 'permanent', code: 'Forbidden.RAM', requestId: '7A3F-19C2', adviceKey: 'ram-policy' } as const;

const EXAMPLES: { readonly [C in Refusal['code']]: Extract<Refusal, { code: C }> } = {
  'request-gone': { code: 'request-gone' },
  'already-open': { code: 'already-open', gateway: 'hangzhou', requestId: 'r1a2b3c4d5', status: 'pending' },
  'own-request': { code: 'own-request' },
  'not-approver': { code: 'not-approver', gateway: 'hangzhou', gatewayApprovers: true },
  'already-decided': { code: 'already-decided', status: 'denied', approverId: 'U0BOB' },
  'already-approved': { code: 'already-approved', count: 1, required: 2 },
  'cannot-be-approved': { code: 'cannot-be-approved', kind: 'request', gateway: 'frankfurt', required: 2, approvers: ['U0FRA'], gatewayApprovers: true, gatewayApprovalsRequired: true },
  'decided-meanwhile': { code: 'decided-meanwhile' },
  'extension-grant-ended': { code: 'extension-grant-ended' },
  'no-pending': { code: 'no-pending', requestId: 'r1a2b3c4d5' },
  'several-pending': { code: 'several-pending', requestIds: ['r1a2b3c4d5', 'r6a7b8c9d0'] },
  'nothing-to-revoke': { code: 'nothing-to-revoke' },
  'nothing-to-extend': { code: 'nothing-to-extend' },
  'several-grants': { code: 'several-grants', command: 'extend', gateways: ['hangzhou', 'frankfurt'] },
  'at-max-duration': { code: 'at-max-duration', maxMs: 30 * 86_400_000 },
  'access-ended-meanwhile': { code: 'access-ended-meanwhile' },
  'access-being-removed': { code: 'access-being-removed' },
  'not-break-glass': { code: 'not-break-glass' },
  'not-admin': { code: 'not-admin', action: 'admin-command' },
  'breakglass-gone': { code: 'breakglass-gone' },
  'breakglass-acknowledged': { code: 'breakglass-acknowledged', byYou: false, by: 'U0ADMIN', at: Date.UTC(2026, 10, 30, 8, 50) },
  'access-ended': { code: 'access-ended', status: 'expired' },
  'nothing-to-resend': { code: 'nothing-to-resend', filtered: false },
  'no-readable-certificate': { code: 'no-readable-certificate', gateway: 'hangzhou' },
  'profile-unreadable': { code: 'profile-unreadable', gateway: 'hangzhou', cause: 'no-answer' },
  'no-grant-holds-certificate': { code: 'no-grant-holds-certificate', certId: 'vsc-abcd1234' },
  'bad-cas-identifier': { code: 'bad-cas-identifier', text: 'nothex' },
  'cas-certificate-not-found': { code: 'cas-certificate-not-found', identifier: 'a'.repeat(32), cloudCode: 'NotFound' },
  'cas-revoke-failed': { code: 'cas-revoke-failed', identifier: 'a'.repeat(32), failure },
  'server-changes-not-set-up': { code: 'server-changes-not-set-up' },
  'not-a-gateway': { code: 'not-a-gateway', gateway: 'nowhere' },
  'ssl-server-not-found': { code: 'ssl-server-not-found', gateway: 'hangzhou', sslVpnServerId: 'vss-abc' },
  'ssl-server-unreadable': { code: 'ssl-server-unreadable', gateway: 'hangzhou', failure: { kind: 'transient', code: 'Throttling.User' } },
  'server-change-invalid': { code: 'server-change-invalid', gateway: 'hangzhou', problems: [{ code: 'bad-value', key: 'port', value: '22', problem: { kind: 'port-reserved', port: 22 } }, { code: 'mfa-needs-idaas' }] },
  'nothing-to-change': { code: 'nothing-to-change', gateway: 'hangzhou', requested: { port: 1194, proto: 'UDP' } },
  'proposal-gone': { code: 'proposal-gone' },
  'proposal-decided': { code: 'proposal-decided', status: 'rejected', decidedBy: 'U0ROOT', withdrawn: true },
  'own-proposal': { code: 'own-proposal' },
  'finding-gone': { code: 'finding-gone', rerun: true },
  'own-delete-proposal': { code: 'own-delete-proposal' },
  'finding-decided': { code: 'finding-decided', status: 'kept' },
  'keep-needs-reason': { code: 'keep-needs-reason' },
};

const INPUT: RequestInputError[] = [
  { code: 'bad-duration', word: '3x' }, { code: 'too-long', maxMs: 30 * 86_400_000, askedMs: 31 * 86_400_000 },
  { code: 'which-gateway', gateways: ['hangzhou', 'frankfurt'] }, { code: 'no-reason' }, { code: 'reason-too-long' },
];
const AUDIT: AuditArgsError[] = [
  { code: 'not-understood', word: 'x' }, { code: 'bad-date', label: '2024-02-31' }, { code: 'future-date', label: '2999-01-01' },
  { code: 'before-epoch', label: '9999w', epoch: Date.UTC(2000, 0, 1), maxWeeks: 1400 },
];
const CAS: CasLookupError[] = [{ kind: 'directory-failed' }, { kind: 'no-identity' }, { kind: 'cas-list-failed', failure }];

/** Every wording of a request that could never be approved: none or several others, an extension, global keys. */
const UNAPPROVABLE: Extract<Refusal, { code: 'cannot-be-approved' }>[] = [
  EXAMPLES['cannot-be-approved'],
  { ...EXAMPLES['cannot-be-approved'], approvers: [] },
  { code: 'cannot-be-approved', kind: 'extension', gateway: 'hangzhou', required: 3, approvers: ['U0BOB', 'U0CAROL'], gatewayApprovers: false, gatewayApprovalsRequired: false },
  { code: 'cannot-be-approved', kind: 'request', gateway: 'hangzhou', required: 1, approvers: [], gatewayApprovers: false, gatewayApprovalsRequired: false },
];

function texts(lang: Lang): string[] {
  return [
    ...Object.values(EXAMPLES).map((r) => refusalText(r, lang)),
    ...UNAPPROVABLE.flatMap((r) => [refusalText(r, lang), cannotBeApprovedField(r, lang)]),
    ...INPUT.flatMap((e) => [requestInputText(e, 'request', lang), requestInputText(e, 'breakglass', lang)]),
    ...AUDIT.map((e) => auditArgsErrorText(e, lang)),
    ...CAS.map((e) => casLookupErrorText(e, lang)),
    auditExportComment({ userId: 'U0ALICE', sinceLabel: '7d', entries: 1 }, lang),
  ];
}

describe('refusals and admin outcomes in both languages', () => {
  it('read in English as the bot always wrote them', () => {
    expect(refusalText(EXAMPLES['already-open'], EN)).toBe('You already have a pending request for *hangzhou* (`r1a2b3c4d5`); see `/vpn status`.');
    expect(refusalText({ code: 'already-open', gateway: 'hangzhou', requestId: 'r1', status: 'active' }, EN)).toBe('You already have access for *hangzhou* (`r1`); see `/vpn status`.');
    expect(refusalText(EXAMPLES['several-pending'], EN)).toBe('You have several pending requests; name one: `/vpn cancel r1a2b3c4d5`, `/vpn cancel r6a7b8c9d0`.');
    expect(refusalText(EXAMPLES['cas-revoke-failed'], EN)).toBe(`:warning: Could not revoke \`${'a'.repeat(32)}\`: refused by Alibaba Cloud (\`Forbidden.RAM\`, RequestId 7A3F-19C2). The bot's Alibaba Cloud RAM identity is not allowed to do this: attach the policy in deploy/ram-policy.json to it.`);
    expect(refusalText(EXAMPLES['nothing-to-change'], EN)).toBe('Nothing to change: the SSL server of *hangzhou* already has port 1194, proto UDP.');
    expect(refusalText(EXAMPLES['proposal-decided'], EN)).toBe('This server change was already withdrawn by <@U0ROOT>.');
    expect(refusalText(EXAMPLES['breakglass-acknowledged'], EN)).toBe('This break-glass use was already acknowledged by <@U0ADMIN> at <!date^1796028600^{date_short_pretty} {time}|2026-11-30T08:50:00.000Z>; nothing changed.');
    const [one, none, extension, single] = UNAPPROVABLE.map((r) => refusalText(r, EN));
    expect(one).toBe(':no_entry: *frankfurt* needs 2 approvals, but only 1 approver other than you can give one (<@U0FRA>): this request could never be approved, so it was not sent. Ask an admin to add an approver to `gateways[].approvers` or lower `gateways[].approvalsRequired`, or request another gateway.');
    expect(none).toContain('*frankfurt* needs 2 approvals, but no approver other than you can give one:');
    expect(extension).toContain('only 2 approvers other than you can give one (<@U0BOB>, <@U0CAROL>): this extension request could never be approved');
    expect(extension).toContain('add an approver to `roles.approvers` or lower `approvals.required`; your access still ends as before.');
    expect(single).toContain('*hangzhou* needs 1 approval, but no approver');
    expect(cannotBeApprovedField(UNAPPROVABLE[0]!, EN)).toBe('frankfurt needs 2 approvals, but only 1 approver other than you can give one. Ask an admin to add one, or pick another gateway.');
    expect(auditExportComment({ userId: 'U0ALICE', sinceLabel: '7d', entries: 2 }, EN)).toBe(':page_facing_up: VPN audit log for <@U0ALICE> since 7d: 2 entries, oldest first.');
    expect(auditExportComment({ sinceLabel: '1h', entries: 1 }, EN)).toBe(':page_facing_up: VPN audit log since 1h: 1 entry, oldest first.');
  });

  it('read in Chinese with no English left but commands, ids and product names', () => {
    for (const text of texts(ZH)) {
      expect(text).not.toBe('');
      expect(englishWords(text, ['hangzhou', 'frankfurt', 'nowhere', 'nothex']), text).toEqual([]);
    }
    expect(refusalText(EXAMPLES['already-open'], ZH)).toBe('你在 *hangzhou* 上已有一个待审批的申请（`r1a2b3c4d5`），请使用 `/vpn status` 查看。');
    expect(refusalText(EXAMPLES['several-pending'], ZH)).toContain('`/vpn cancel r1a2b3c4d5`、`/vpn cancel r6a7b8c9d0`');
    expect(refusalText(EXAMPLES['at-max-duration'], ZH)).toContain('30天');
    expect(refusalText(EXAMPLES['breakglass-acknowledged'], ZH)).toBe('该紧急访问已由 <@U0ADMIN> 于 2026年11月30日 16:50（中国标准时间） 确认；未做任何更改。');
    expect(refusalText(EXAMPLES['cannot-be-approved'], ZH)).toBe(':no_entry: *frankfurt* 需要 2 位审批人批准，但除你之外只有 1 位审批人可以批准（<@U0FRA>）：该申请永远无法获批，因此未提交。请联系管理员在 `gateways[].approvers` 中添加审批人或调低 `gateways[].approvalsRequired`，或申请其他网关。');
    expect(refusalText(UNAPPROVABLE[2]!, ZH)).toContain('（<@U0BOB>、<@U0CAROL>）：该延期申请永远无法获批');
  });

  it('a failed certificate delete carries its advice in the reader\'s language (the cloud error stays as the gateway said it)', () => {
    const finding: Finding = { id: 'vsc-abcd1234', gateway: 'hangzhou', name: 'laptop', createTime: 0, certStatus: 'normal', kind: 'foreign', status: 'failed', firstSeenAt: 0, version: 1 };
    const failure = { detail: 'DeleteSslVpnClientCert failed: Forbidden.RAM: not allowed (RequestId 7A3F-19C2)', errorClass: 'permanent', adviceKey: 'ram-policy' } as const;
    expect(findingNote(finding, { kind: 'failed', failure }, EN)).toContain('Forbidden.RAM: not allowed (RequestId 7A3F-19C2) The bot\'s Alibaba Cloud RAM identity is not allowed to do this');
    expect(findingNote(finding, { kind: 'failed', failure }, ZH)).toContain('机器人使用的阿里云 RAM 身份无权执行此操作');
  });
});
