// Why the domain said no, as typed data. Services return `Outcome<T>`; only the bot (src/bot/views/refusals.ts)
// decides how a refusal reads, in which language, with which formatting.
import { adviceKeyFor, CloudError, type AdviceKey, type CloudErrorKind } from '../api/errors.js';
import type { FindingStatus } from './findings.js';
import type { RequestStatus } from './requests.js';
import type { ProposalStatus } from './server-change-store.js';
import type { SslVpnServerChanges } from '../api/types.js';
import type { ServerChangeProblem } from './server-changes.js';

export type Outcome<T> = { ok: true; value: T } | { ok: false; refusal: Refusal };

/** What a non-admin tried; the refusal names it. */
export type AdminAction = 'admin-command' | 'acknowledge-breakglass' | 'revoke-breakglass' | 'decide-server-change' | 'delete-certificate' | 'keep-certificate';

/** A failed cloud call, classified (never its raw message: that may hold URLs). */
export type CloudFailure =
  | { kind: CloudErrorKind; code: string; requestId?: string; adviceKey?: AdviceKey }
  /** Not a cloud error: a bug or an outage of our own; the details are in the logs. */
  | { kind: 'unexpected' };

export function cloudFailureOf(err: unknown): CloudFailure {
  if (!(err instanceof CloudError)) return { kind: 'unexpected' };
  const adviceKey = adviceKeyFor(err.code);
  return { kind: err.kind, code: err.code, ...(err.requestId ? { requestId: err.requestId } : {}), ...(adviceKey ? { adviceKey } : {}) };
}

/** The failure for the audit log (plain, no advice): the call, the code and the RequestId. */
export function auditFailure(err: unknown): string {
  return err instanceof CloudError ? err.describe() : 'unexpected error (details are in the bot\'s logs)';
}

export type Refusal =
  // ---- requests and grants (AccessService)
  | { code: 'request-gone' }
  /** An open request (or, for break-glass, access) on the same gateway already exists. */
  | { code: 'already-open'; gateway: string; requestId: string; status: RequestStatus }
  | { code: 'own-request' }
  /** `gatewayApprovers`: the gateway has its own approver list. */
  | { code: 'not-approver'; gateway: string; gatewayApprovers: boolean }
  /** `cancelledBy` only when someone other than the requester cancelled it. */
  | { code: 'already-decided'; status: RequestStatus; approverId?: string; cancelledBy?: string }
  | { code: 'already-approved'; count: number; required: number }
  /**
   * Asked on a gateway where too few approvers other than the requester exist to ever reach `required`
   * (`approvers`: those other eligible users, groups expanded). `gatewayApprovers` / `gatewayApprovalsRequired`:
   * the gateway sets its own list / number, so the refusal names the config key to change.
   */
  | { code: 'cannot-be-approved'; kind: 'request' | 'extension'; gateway: string; required: number; approvers: string[]; gatewayApprovers: boolean; gatewayApprovalsRequired: boolean }
  | { code: 'decided-meanwhile' }
  | { code: 'extension-grant-ended' }
  | { code: 'no-pending'; requestId?: string }
  | { code: 'several-pending'; requestIds: string[] }
  | { code: 'nothing-to-revoke'; requestId?: string }
  | { code: 'nothing-to-extend' }
  /** The caller holds access to several gateways and must name one for `command`. */
  | { code: 'several-grants'; command: 'extend' | 'resend'; gateways: string[] }
  | { code: 'at-max-duration'; maxMs: number }
  | { code: 'access-ended-meanwhile' }
  | { code: 'access-being-removed' }
  | { code: 'not-break-glass' }
  | { code: 'not-admin'; action: AdminAction }
  | { code: 'breakglass-gone' }
  | { code: 'breakglass-acknowledged'; byYou: boolean; by: string; at?: number }
  | { code: 'access-ended'; status: RequestStatus }
  // ---- profiles (ProfileService)
  | { code: 'nothing-to-resend'; filtered: boolean }
  | { code: 'no-readable-certificate'; gateway: string }
  | { code: 'profile-unreadable'; gateway: string; cause: 'certificate-gone' | 'no-answer' }
  // ---- admin
  | { code: 'no-grant-holds-certificate'; certId: string }
  | { code: 'bad-cas-identifier'; text: string }
  | { code: 'cas-certificate-not-found'; identifier: string; cloudCode: string }
  | { code: 'cas-revoke-failed'; identifier: string; failure: CloudFailure }
  | { code: 'server-changes-not-set-up' }
  | { code: 'not-a-gateway'; gateway: string }
  | { code: 'ssl-server-not-found'; gateway: string; sslVpnServerId: string }
  | { code: 'ssl-server-unreadable'; gateway: string; failure: CloudFailure }
  | { code: 'server-change-invalid'; gateway: string; problems: readonly ServerChangeProblem[] }
  | { code: 'nothing-to-change'; gateway: string; requested: SslVpnServerChanges }
  | { code: 'proposal-gone' }
  /** `withdrawn`: rejected by the proposer. */
  | { code: 'proposal-decided'; status: ProposalStatus; decidedBy?: string; withdrawn: boolean }
  | { code: 'own-proposal' }
  // ---- reconcile findings
  /** `rerun`: suggest running reconcile again. */
  | { code: 'finding-gone'; rerun: boolean }
  | { code: 'own-delete-proposal' }
  | { code: 'finding-decided'; status: FindingStatus }
  | { code: 'keep-needs-reason' };

export const refuse = (refusal: Refusal): { ok: false; refusal: Refusal } => ({ ok: false, refusal });
