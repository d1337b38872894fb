// How the domain's refusals and failures read in Slack: pure functions from typed data (src/core/refusals.ts)
// to the one-line (or few-line) ephemeral answers.
import { ADVICE_TEXT } from '../../api/errors.js';
import { formatDuration } from '../../core/duration.js';
import type { AdminAction, CloudFailure, Refusal } from '../../core/refusals.js';
import type { RequestStatus } from '../../core/requests.js';
import { formatSetting, labelOf, type ServerKey } from '../../core/server-changes.js';

/** User input echoed back in a reply: no backticks or mrkdwn controls, bounded length. */
export function shown(text: string): string {
  const clean = text.replace(/[`<>&*_~]/g, '').slice(0, 80);
  return clean || '(nothing)';
}

const CLOUD_KIND: Record<Exclude<CloudFailure['kind'], 'unexpected'>, string> = {
  busy: 'the gateway is busy with another change',
  transient: 'Alibaba Cloud is throttling or temporarily unavailable; try again in a minute',
  ambiguous: 'no clear answer from Alibaba Cloud; check the state before retrying',
  'not-found': 'not found',
  permanent: 'refused by Alibaba Cloud',
};

/** A short, safe line for a cloud failure: what kind, the code, the RequestId and what to do. Never a stack trace. */
export function cloudFailureText(f: CloudFailure): string {
  if (f.kind === 'unexpected') return 'unexpected error (details are in the bot\'s logs)';
  const rid = f.requestId ? `, RequestId ${f.requestId}` : '';
  const advice = f.adviceKey ? ADVICE_TEXT[f.adviceKey] : '';
  return `${CLOUD_KIND[f.kind]} (\`${f.code}\`${rid})${advice ? `. ${advice}` : ''}`;
}

const NOT_ADMIN: Record<AdminAction, string> = {
  'admin-command': ':no_entry: Only admins listed in `roles.admins` (directly or through a user group) can use `/vpn admin`. Nothing was changed.',
  'acknowledge-breakglass': 'Only admins (`roles.admins`) can acknowledge a break-glass use.',
  'revoke-breakglass': 'Only admins (`roles.admins`) can revoke a break-glass grant from here.',
  'decide-server-change': ':no_entry: Only admins listed in `roles.admins` can decide SSL-VPN server changes. Nothing was changed.',
  'delete-certificate': ':no_entry: Only admins listed in `roles.admins` can delete certificates. Nothing was changed.',
  'keep-certificate': ':no_entry: Only admins listed in `roles.admins` can keep certificates. Nothing was changed.',
};

function alreadyDecided(status: RequestStatus, approverId: string | undefined, cancelledBy: string | undefined): string {
  const who = approverId ? ` by <@${approverId}>` : '';
  switch (status) {
    case 'approved':
    case 'provisioning':
    case 'active':
      return `This request was already approved${who}.`;
    case 'denied':
      return `This request was already denied${who}.`;
    case 'cancelled':
      return cancelledBy ? `This request was cancelled by <@${cancelledBy}>.` : 'This request was cancelled by the requester.';
    case 'applied':
      return `This extension was already approved${who}.`;
    case 'lapsed':
      return 'This request expired without a decision.';
    default:
      return `This request is ${status} and can no longer be decided.`;
  }
}

function proposalDecided(r: Extract<Refusal, { code: 'proposal-decided' }>): string {
  const by = `<@${r.decidedBy ?? 'unknown'}>`;
  switch (r.status) {
    case 'rejected': return `This server change was already ${r.withdrawn ? 'withdrawn' : 'rejected'} by ${by}.`;
    case 'approved': return `This server change was already approved by ${by}; it is being applied.`;
    case 'applied': return `This server change was already approved by ${by} and applied.`;
    case 'failed': return `This server change was approved by ${by} but failed; see the card's thread.`;
    default: return 'This server change is still waiting for a decision.';
  }
}

function findingDecided(status: Extract<Refusal, { code: 'finding-decided' }>['status']): string {
  switch (status) {
    case 'deleting': return 'This certificate is being deleted already.';
    case 'deleted': return 'This certificate was deleted already.';
    case 'kept': return 'This certificate was already kept by an admin.';
    case 'failed': return 'Deleting this certificate failed; see the alert in the approvals channel.';
    case 'gone': return 'This certificate is no longer on the gateway.';
    default: return 'This certificate is waiting for a decision.';
  }
}

/** The answer to a malformed CAS identifier. */
export function casIdentifierHelp(text: string): string {
  return `\`${shown(text)}\` is not a private-CA certificate identifier: it is 32 hexadecimal characters, e.g. \`0123456789abcdef0123456789abcdef\` (the \`Identifier\` column in the CAS console). Usage: \`/vpn admin cert revoke <identifier>\``;
}

/** The header and one bullet per problem of a server change that was not proposed. */
export function notProposedText(gateway: string, errors: readonly string[]): string {
  return [`:x: Not proposed; nothing was changed on *${gateway}*:`, ...errors.map((e) => `• ${e}`)].join('\n');
}

export function refusalText(r: Refusal): string {
  switch (r.code) {
    case 'request-gone': return 'That request no longer exists.';
    case 'already-open': return `You already have ${r.status === 'active' ? 'access' : `a ${r.status} request`} for *${r.gateway}* (\`${r.requestId}\`); see \`/vpn status\`.`;
    case 'own-request': return 'You cannot approve or deny your own request; another approver has to decide it.';
    case 'not-approver': return r.gatewayApprovers
      ? `Only the approvers of *${r.gateway}* (its \`approvers\` in the config) can decide requests for it.`
      : 'Only approvers listed in `roles.approvers` can decide VPN requests.';
    case 'already-decided': return alreadyDecided(r.status, r.approverId, r.cancelledBy);
    case 'already-approved': return `You already approved this request; it needs ${r.required} approvals from different approvers (${r.count} so far).`;
    case 'decided-meanwhile': return 'This request was decided meanwhile.';
    case 'extension-grant-ended': return 'The access ended before the extension was approved; nothing was extended.';
    case 'no-pending': return r.requestId ? `You have no pending request \`${r.requestId}\`; see \`/vpn status\`.` : 'You have no pending request to cancel; see `/vpn status`.';
    case 'several-pending': return `You have several pending requests; name one: ${r.requestIds.map((id) => `\`/vpn cancel ${id}\``).join(', ')}.`;
    case 'nothing-to-revoke': return r.requestId ? `You have no open request \`${r.requestId}\`; see \`/vpn status\`.` : 'You have no VPN access or open requests to revoke.';
    case 'nothing-to-extend': return 'You have no active VPN access to extend. Ask with `/vpn request`.';
    case 'several-grants': return `You have access to several gateways; name one: ${r.gateways.map((g) => `\`/vpn ${r.command} ${g}\``).join(', ')}.`;
    case 'at-max-duration': return `Your access already runs to the maximum of ${formatDuration(r.maxMs)}; ask again with \`/vpn request\` when it ends.`;
    case 'access-ended-meanwhile': return 'Your access ended meanwhile; ask again with `/vpn request`.';
    case 'access-being-removed': return 'Your access is being removed right now; ask again with `/vpn request`.';
    case 'not-break-glass': return 'Only people listed in `roles.breakGlass` can use break-glass access. Ask for access with `/vpn request`; this attempt was recorded.';
    case 'not-admin': return NOT_ADMIN[r.action];
    case 'breakglass-gone': return 'That break-glass use no longer exists.';
    case 'breakglass-acknowledged': return `This break-glass use was already acknowledged${r.byYou ? ' by you' : ''}.`;
    case 'access-ended': return `This access already ended (${r.status}).`;
    case 'nothing-to-resend': return r.filtered ? 'You have no active VPN access there to resend; see `/vpn list`.' : 'You have no active VPN access, so there is no profile to resend. Ask with `/vpn request`.';
    case 'no-readable-certificate': return `Your access to *${r.gateway}* has no certificate I can read again; ask an admin.`;
    case 'profile-unreadable': return `:warning: Could not fetch your profile for *${r.gateway}*: ${r.cause === 'certificate-gone' ? 'its certificate is no longer on the gateway (an admin will look into it)' : 'the gateway did not answer; try again in a minute'}.`;
    case 'no-grant-holds-certificate': return `No active grant holds certificate \`${r.certId}\`. If it still exists on the gateway, it was not made by this bot (or its grant already ended): delete it in the Alibaba Cloud console (VPN gateway → SSL clients).`;
    case 'bad-cas-identifier': return casIdentifierHelp(r.text);
    case 'cas-certificate-not-found': return `:grey_question: No private-CA client certificate \`${r.identifier}\` exists in Certificate Management Service (CAS \`${r.cloudCode}\`). Check the identifier in the CAS console (Private Certificates → client certificates).`;
    case 'cas-revoke-failed': return `:warning: Could not revoke \`${r.identifier}\`: ${cloudFailureText(r.failure)}`;
    case 'server-changes-not-set-up': return 'Server changes are not set up in this deployment.';
    case 'not-a-gateway': return `\`${r.gateway}\` is not a configured gateway.`;
    case 'ssl-server-not-found': return `:warning: SSL server \`${r.sslVpnServerId}\` was not found on *${r.gateway}*: fix gateways[].sslVpnServerId in the bot's config.`;
    case 'ssl-server-unreadable': return `:warning: Could not read the SSL server of *${r.gateway}*: ${cloudFailureText(r.failure)}`;
    case 'server-change-invalid': return notProposedText(r.gateway, r.errors);
    case 'nothing-to-change': return `Nothing to change: the SSL server of *${r.gateway}* already has ${(Object.keys(r.requested) as ServerKey[]).map((k) => `${labelOf(k)} ${formatSetting(k, r.requested[k])}`).join(', ')}.`;
    case 'proposal-gone': return 'That server change proposal no longer exists.';
    case 'proposal-decided': return proposalDecided(r);
    case 'own-proposal': return ':no_entry: You proposed this server change, so another admin must approve it. (Click Reject to withdraw it.)';
    case 'finding-gone': return r.rerun ? 'That certificate is no longer listed; run `/vpn admin reconcile` again.' : 'That certificate is no longer listed.';
    case 'own-delete-proposal': return ':no_entry: You proposed deleting this certificate, so another admin must confirm it.';
    case 'finding-decided': return findingDecided(r.status);
    case 'keep-needs-reason': return 'Say why this certificate stays (an auditor will ask).';
  }
}
