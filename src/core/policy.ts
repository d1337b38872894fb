// Who may do what, and what a request may ask for. Pure functions over config and domain objects.
import { isDurationAttempt, parseDuration } from './duration.js';
import { refuse, type Refusal } from './refusals.js';
import type { AccessRequest } from './requests.js';

export interface AccessPolicy {
  gateways: readonly string[];
  defaultDurationMs: number;
  maxDurationMs: number;
  approvers: readonly string[];
  admins: readonly string[];
  /** Per gateway: its own approvers (replacing `approvers`) and approvals required (replacing `approvalsRequired`). */
  gatewayApprovers?: Readonly<Record<string, readonly string[]>>;
  gatewayApprovalsRequired?: Readonly<Record<string, number>>;
  /** Distinct approvals a request needs (default 1). */
  approvalsRequired?: number;
  /** Time a holder may add to one grant without approval, over all its extensions (default 0). */
  selfExtensionMs?: number;
  /** Who may use break-glass, and for how long it grants access. */
  breakGlass?: readonly string[];
  breakGlassDurationMs?: number;
  /** An undecided request lapses after this; its approvers are reminded once after approverReminderMs (0 = never). */
  pendingTtlMs?: number;
  approverReminderMs?: number;
  /** Admins are reminded once when a break-glass use is not acknowledged within this. */
  breakGlassReviewWithinMs?: number;
}

/** Resolves a Slack user-group id (S…) to its member user ids. */
export type GroupMembers = (groupId: string) => Promise<readonly string[]>;

/** A Slack user group id (S…) in a role list, rather than a user. */
const isGroup = (id: string) => id.startsWith('S');

async function isListed(userId: string, listed: readonly string[], members: GroupMembers): Promise<boolean> {
  if (listed.includes(userId)) return true;
  for (const id of listed) {
    if (isGroup(id) && (await members(id)).includes(userId)) return true;
  }
  return false;
}

/** Whether the user may approve on some gateway (App Home's "waiting on you"). */
export async function isApprover(policy: AccessPolicy, userId: string, members: GroupMembers): Promise<boolean> {
  for (const gateway of policy.gateways) if (await isListed(userId, approversFor(policy, gateway), members)) return true;
  return false;
}

/** The approvers of a gateway: its own list, else `roles.approvers`. */
export function approversFor(policy: AccessPolicy, gateway: string): readonly string[] {
  return policy.gatewayApprovers?.[gateway] ?? policy.approvers;
}

export function approvalsRequiredFor(policy: AccessPolicy, gateway: string): number {
  return policy.gatewayApprovalsRequired?.[gateway] ?? policy.approvalsRequired ?? 1;
}

/**
 * Everyone who could approve on `gateway` right now, as the click-time check counts them: users listed
 * directly, and the members of listed user groups; each once. Throws when Slack cannot resolve a group.
 */
export function eligibleApprovers(policy: AccessPolicy, gateway: string, members: GroupMembers): Promise<string[]> {
  return listedUsers(approversFor(policy, gateway), members);
}

/** The people a role list names: users listed directly and the members of listed user groups, each once. */
export async function listedUsers(listed: readonly string[], members: GroupMembers): Promise<string[]> {
  const users = new Set<string>();
  for (const id of listed) {
    if (isGroup(id)) for (const member of await members(id)) users.add(member);
    else users.add(id);
  }
  return [...users];
}

/**
 * Why a request by `requesterId` on `gateway` could never be approved, or undefined when it can: the
 * requester never counts, so the eligible approvers other than them must reach the approvals required.
 * (An extension is approved like a request, so the same holds for it.)
 */
export async function approvalImpossible(policy: AccessPolicy, gateway: string, requesterId: string, members: GroupMembers, kind: 'request' | 'extension' = 'request'): Promise<Refusal | undefined> {
  const required = approvalsRequiredFor(policy, gateway);
  const others = (await eligibleApprovers(policy, gateway, members)).filter((id) => id !== requesterId);
  if (others.length >= required) return undefined;
  return {
    code: 'cannot-be-approved', kind, gateway, required, approvers: others,
    gatewayApprovers: Boolean(policy.gatewayApprovers?.[gateway]),
    gatewayApprovalsRequired: policy.gatewayApprovalsRequired?.[gateway] !== undefined,
  };
}

export function mayBreakGlass(policy: AccessPolicy, userId: string, members: GroupMembers): Promise<boolean> {
  return isListed(userId, policy.breakGlass ?? [], members);
}

export function isAdmin(policy: AccessPolicy, userId: string, members: GroupMembers): Promise<boolean> {
  return isListed(userId, policy.admins, members);
}

export type Decision = { ok: true } | { ok: false; refusal: Refusal };

/** Whether `userId` may approve or deny `request` right now (checked at click time). */
export async function mayDecide(policy: AccessPolicy, request: AccessRequest, userId: string, members: GroupMembers): Promise<Decision> {
  if (request.requesterId === userId) return refuse({ code: 'own-request' });
  if (!(await isListed(userId, approversFor(policy, request.gateway), members))) {
    return refuse({ code: 'not-approver', gateway: request.gateway, gatewayApprovers: Boolean(policy.gatewayApprovers?.[request.gateway]) });
  }
  if (request.status !== 'pending') return refuse(decidedRefusal(request));
  return { ok: true };
}

/** Why a request that is no longer pending cannot be decided (or cancelled) now. */
export function decidedRefusal(request: AccessRequest): Refusal {
  return {
    code: 'already-decided', status: request.status,
    ...(request.approverId ? { approverId: request.approverId } : {}),
    ...(request.cancelledBy && request.cancelledBy !== request.requesterId ? { cancelledBy: request.cancelledBy } : {}),
  };
}

export interface ParsedRequest {
  gateway: string;
  durationMs: number;
  reason: string;
}

/** What is wrong with the words of `/vpn request` or `/vpn breakglass` (src/bot/views/input.ts words it). */
export type RequestInputError =
  /** A word in the duration position that is not a valid duration. */
  | { code: 'bad-duration'; word: string }
  | { code: 'too-long'; maxMs: number; askedMs: number }
  | { code: 'which-gateway'; gateways: readonly string[] }
  | { code: 'no-reason' }
  | { code: 'reason-too-long' };

type Parsed<T> = { ok: true; value: T } | { ok: false; error: RequestInputError };

/** The gateway named by the first word (any case), taken off `words`. */
function takeGateway(policy: AccessPolicy, words: string[]): string | undefined {
  return words[0] && policy.gateways.includes(words[0].toLowerCase()) ? words.shift()!.toLowerCase() : undefined;
}

/** The gateway (the only one when none was named) and the reason (the remaining words). */
function gatewayAndReason(policy: AccessPolicy, named: string | undefined, words: readonly string[]): Parsed<{ gateway: string; reason: string }> {
  const gateway = named ?? (policy.gateways.length === 1 ? policy.gateways[0] : undefined);
  if (!gateway) return { ok: false, error: { code: 'which-gateway', gateways: policy.gateways } };
  const reason = words.join(' ');
  if (reason.length < 3) return { ok: false, error: { code: 'no-reason' } };
  if (reason.length > 500) return { ok: false, error: { code: 'reason-too-long' } };
  return { ok: true, value: { gateway, reason } };
}

/** Parses `[gateway] [duration] <reason…>`; on error, says what was wrong. */
export function parseRequestText(policy: AccessPolicy, text: string): Parsed<ParsedRequest> {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const named = takeGateway(policy, words);
  let durationMs = policy.defaultDurationMs;
  if (words[0] && isDurationAttempt(words[0])) {
    // A typo here is never defaulted (nor pasted into the reason): the user is told how to write it.
    const parsed = parseDuration(words[0]);
    if (parsed === undefined) return { ok: false, error: { code: 'bad-duration', word: words[0] } };
    words.shift();
    durationMs = parsed;
  }
  if (durationMs > policy.maxDurationMs) return { ok: false, error: { code: 'too-long', maxMs: policy.maxDurationMs, askedMs: durationMs } };
  const rest = gatewayAndReason(policy, named, words);
  return rest.ok ? { ok: true, value: { ...rest.value, durationMs } } : rest;
}

/** Parses `[gateway] <reason…>` of `/vpn breakglass` (the duration is always access.breakGlassDuration). */
export function parseBreakGlassText(policy: AccessPolicy, text: string): Parsed<{ gateway: string; reason: string }> {
  const words = text.trim().split(/\s+/).filter(Boolean);
  return gatewayAndReason(policy, takeGateway(policy, words), words);
}
