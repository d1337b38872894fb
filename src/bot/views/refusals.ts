// How the domain's refusals and failures read in Slack: pure functions from typed data (src/core/refusals.ts)
// to the one-line (or few-line) private answers, in the reader's language.
import type { AdminAction, CloudFailure, Refusal } from '../../core/refusals.js';
import type { RequestStatus } from '../../core/requests.js';
import { formatSetting, labelOf, type ServerKey } from '../../core/server-changes.js';
import { EN, localDate, localDuration, localList, messagesOf, type Lang } from '../i18n/index.js';
import { notProposedText } from './server-change-problems.js';

const m = messagesOf('refusals');
const advice = messagesOf('advice');
const statusName = (lang: Lang, status: RequestStatus) => messagesOf('messages')(lang, `st_${status}`);

/** User input echoed back in a reply: no backticks or mrkdwn controls, bounded length. */
export function shown(text: string): string {
  const clean = text.replace(/[`<>&*_~]/g, '').slice(0, 80);
  return clean || '(nothing)';
}

const CLOUD_KIND = { busy: 'cloudBusy', transient: 'cloudTransient', ambiguous: 'cloudAmbiguous', 'not-found': 'cloudNotFound', permanent: 'cloudPermanent' } as const;

/** A short, safe line for a cloud failure: what kind, the code, the RequestId and what to do. Never a stack trace. */
export function cloudFailureText(f: CloudFailure, lang: Lang = EN): string {
  if (f.kind === 'unexpected') return m(lang, 'cloudUnexpected');
  return m(lang, 'cloudLine', {
    kind: m(lang, CLOUD_KIND[f.kind]),
    code: f.code,
    requestId: f.requestId ? m(lang, 'cloudRequestId', { requestId: f.requestId }) : '',
    advice: f.adviceKey ? m(lang, 'cloudAdvice', { advice: advice(lang, f.adviceKey) }) : '',
  });
}

const NOT_ADMIN = {
  'admin-command': 'notAdminCommand',
  'acknowledge-breakglass': 'notAdminAcknowledge',
  'revoke-breakglass': 'notAdminRevokeBreakGlass',
  'decide-server-change': 'notAdminServerChange',
  'delete-certificate': 'notAdminDeleteCertificate',
  'keep-certificate': 'notAdminKeepCertificate',
} as const satisfies Record<AdminAction, string>;

function alreadyDecided(r: Extract<Refusal, { code: 'already-decided' }>, lang: Lang): string {
  const by = r.approverId ? { userId: r.approverId } : undefined;
  switch (r.status) {
    case 'approved':
    case 'provisioning':
    case 'active':
      return by ? m(lang, 'alreadyApprovedBy', by) : m(lang, 'alreadyApproved');
    case 'denied':
      return by ? m(lang, 'alreadyDeniedBy', by) : m(lang, 'alreadyDenied');
    case 'cancelled':
      return r.cancelledBy ? m(lang, 'cancelledBy', { userId: r.cancelledBy }) : m(lang, 'cancelledByRequester');
    case 'applied':
      return by ? m(lang, 'extensionAlreadyApprovedBy', by) : m(lang, 'extensionAlreadyApproved');
    case 'lapsed':
      return m(lang, 'lapsed');
    default:
      return m(lang, 'notDecidable', { status: statusName(lang, r.status) });
  }
}

function proposalDecided(r: Extract<Refusal, { code: 'proposal-decided' }>, lang: Lang): string {
  const by = { userId: r.decidedBy ?? 'unknown' };
  switch (r.status) {
    case 'rejected': return m(lang, r.withdrawn ? 'proposalWithdrawn' : 'proposalRejected', by);
    case 'approved': return m(lang, 'proposalApproved', by);
    case 'applied': return m(lang, 'proposalApplied', by);
    case 'failed': return m(lang, 'proposalFailed', by);
    default: return m(lang, 'proposalPending');
  }
}

const FINDING = { deleting: 'findingDeleting', deleted: 'findingDeleted', kept: 'findingKept', failed: 'findingFailed', gone: 'findingGoneFromGateway' } as const;

/** The answer to a malformed CAS identifier. */
export function casIdentifierHelp(text: string, lang: Lang = EN): string {
  return m(lang, 'badCasIdentifier', { text: shown(text) });
}


type CannotBeApproved = Extract<Refusal, { code: 'cannot-be-approved' }>;

/** Too few approvers other than the requester: who they are, and which config keys an admin would change. */
function cannotBeApproved(r: CannotBeApproved, lang: Lang): string {
  const approvals = m(lang, 'approvalsNeeded', { count: r.required });
  const what = m(lang, r.kind === 'extension' ? 'whatExtension' : 'whatRequest');
  const keys = {
    approversKey: r.gatewayApprovers ? 'gateways[].approvers' : 'roles.approvers',
    requiredKey: r.gatewayApprovalsRequired ? 'gateways[].approvalsRequired' : 'approvals.required',
  };
  const remedy = m(lang, r.kind === 'extension' ? 'remedyExtension' : 'remedyRequest', keys);
  if (r.approvers.length === 0) return m(lang, 'cannotBeApprovedNone', { gateway: r.gateway, approvals, what, remedy });
  const approvers = localList(lang, r.approvers.map((id) => `<@${id}>`));
  return m(lang, 'cannotBeApproved', { gateway: r.gateway, approvals, count: r.approvers.length, approvers, what, remedy });
}

/** The short form under the request form's gateway field (plain text: modal errors show no markup). */
export function cannotBeApprovedField(r: CannotBeApproved, lang: Lang = EN): string {
  const approvals = m(lang, 'approvalsNeeded', { count: r.required });
  return r.approvers.length === 0
    ? m(lang, 'cannotBeApprovedFieldNone', { gateway: r.gateway, approvals })
    : m(lang, 'cannotBeApprovedField', { gateway: r.gateway, approvals, count: r.approvers.length });
}

const commands = (lang: Lang, items: readonly string[]) => localList(lang, items.map((c) => `\`${c}\``));

export function refusalText(r: Refusal, lang: Lang = EN): string {
  switch (r.code) {
    case 'request-gone': return m(lang, 'requestGone');
    case 'already-open': return r.status === 'active'
      ? m(lang, 'alreadyHasAccess', { gateway: r.gateway, requestId: r.requestId })
      : m(lang, 'alreadyHasRequest', { status: statusName(lang, r.status), gateway: r.gateway, requestId: r.requestId });
    case 'own-request': return m(lang, 'ownRequest');
    case 'not-approver': return r.gatewayApprovers ? m(lang, 'notGatewayApprover', { gateway: r.gateway }) : m(lang, 'notApprover');
    case 'already-decided': return alreadyDecided(r, lang);
    case 'already-approved': return m(lang, 'youAlreadyApproved', { required: r.required, count: r.count });
    case 'cannot-be-approved': return cannotBeApproved(r, lang);
    case 'decided-meanwhile': return m(lang, 'decidedMeanwhile');
    case 'extension-grant-ended': return m(lang, 'extensionGrantEnded');
    case 'no-pending': return r.requestId ? m(lang, 'noPendingNamed', { requestId: r.requestId }) : m(lang, 'noPending');
    case 'several-pending': return m(lang, 'severalPending', { commands: commands(lang, r.requestIds.map((id) => `/vpn cancel ${id}`)) });
    case 'nothing-to-revoke': return r.requestId ? m(lang, 'nothingToRevokeNamed', { requestId: r.requestId }) : m(lang, 'nothingToRevoke');
    case 'nothing-to-extend': return m(lang, 'nothingToExtend');
    case 'several-grants': return m(lang, 'severalGrants', { commands: commands(lang, r.gateways.map((g) => `/vpn ${r.command} ${g}`)) });
    case 'at-max-duration': return m(lang, 'atMaxDuration', { max: localDuration(lang, r.maxMs) });
    case 'access-ended-meanwhile': return m(lang, 'accessEndedMeanwhile');
    case 'access-being-removed': return m(lang, 'accessBeingRemoved');
    case 'not-break-glass': return m(lang, 'notBreakGlass');
    case 'not-admin': return m(lang, NOT_ADMIN[r.action]);
    case 'breakglass-gone': return m(lang, 'breakGlassGone');
    case 'breakglass-acknowledged': return m(lang, r.byYou ? 'breakGlassAcknowledgedByYou' : 'breakGlassAcknowledged', { userId: r.by, at: localDate(lang, r.at) });
    case 'access-ended': return m(lang, 'accessEnded', { status: statusName(lang, r.status) });
    case 'nothing-to-resend': return m(lang, r.filtered ? 'nothingToResendThere' : 'nothingToResend');
    case 'no-readable-certificate': return m(lang, 'noReadableCertificate', { gateway: r.gateway });
    case 'profile-unreadable': return m(lang, r.cause === 'certificate-gone' ? 'profileCertificateGone' : 'profileNoAnswer', { gateway: r.gateway });
    case 'no-grant-holds-certificate': return m(lang, 'noGrantHoldsCertificate', { certId: r.certId });
    case 'bad-cas-identifier': return casIdentifierHelp(r.text, lang);
    case 'cas-certificate-not-found': return m(lang, 'casCertificateNotFound', { identifier: r.identifier, code: r.cloudCode });
    case 'cas-revoke-failed': return m(lang, 'casRevokeFailed', { identifier: r.identifier, failure: cloudFailureText(r.failure, lang) });
    case 'server-changes-not-set-up': return m(lang, 'serverChangesNotSetUp');
    case 'not-a-gateway': return m(lang, 'notAGateway', { gateway: r.gateway });
    case 'ssl-server-not-found': return m(lang, 'sslServerNotFound', { gateway: r.gateway, sslVpnServerId: r.sslVpnServerId });
    case 'ssl-server-unreadable': return m(lang, 'sslServerUnreadable', { gateway: r.gateway, failure: cloudFailureText(r.failure, lang) });
    case 'server-change-invalid': return notProposedText(r.gateway, r.problems, lang);
    case 'nothing-to-change': return m(lang, 'nothingToChange', {
      gateway: r.gateway,
      settings: localList(lang, (Object.keys(r.requested) as ServerKey[]).map((k) => m(lang, 'setting', { label: labelOf(k), value: formatSetting(k, r.requested[k]) }))),
    });
    case 'proposal-gone': return m(lang, 'proposalGone');
    case 'proposal-decided': return proposalDecided(r, lang);
    case 'own-proposal': return m(lang, 'ownProposal');
    case 'finding-gone': return m(lang, r.rerun ? 'findingGoneRerun' : 'findingGone');
    case 'own-delete-proposal': return m(lang, 'ownDeleteProposal');
    case 'finding-decided': return r.status in FINDING ? m(lang, FINDING[r.status as keyof typeof FINDING]) : m(lang, 'findingPending');
    case 'keep-needs-reason': return m(lang, 'keepNeedsReason');
  }
}
