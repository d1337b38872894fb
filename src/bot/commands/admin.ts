// `/vpn admin …`: parse, check the caller is an admin, call the AdminService, reply ephemerally. Quick
// answers (help, list, revoke, bad input, refusals) are the ack body; slow work (cloud calls, the CSV
// export) is acked with "Working on it…" and answered through Bolt's respond() (the response_url).
import type { Logger } from 'pino';
import type { AdminService } from '../../core/admin.js';
import { parseAuditArgs } from '../../core/audit-export.js';
import { isClientCertId, parseUserRef } from '../../core/ids.js';
import { parseCasIdentifier } from '../../core/private-ca.js';
import { auditArgsErrorText } from '../views/admin-outcomes.js';
import { casIdentifierHelp, refusalText, shown } from '../views/refusals.js';
import type { Outcome } from '../../core/refusals.js';
import { parseServerChanges, splitPairs } from '../../core/server-changes.js';
import { notProposedText, serverSetUsage } from '../views/server-change-problems.js';
import {
  adminHelp, auditReply, casRevokeReply, grantsList, LIST_CAP, offboardReply, proposalReply, reconcileReply, revokeReply, serverShowReply, statusReport, unknownSubcommand, working,
} from '../views/admin.js';
import { auditVerifyReply } from '../views/audit.js';
import { EN, localList, messagesOf, type Lang } from '../i18n/index.js';

type Reply = { response_type: 'ephemeral'; text: string };

export interface AdminCommandInput {
  userId: string;
  /** The words after `/vpn admin`. */
  words: readonly string[];
  ack: (reply?: Reply) => Promise<void>;
  respond: (reply: Reply & { replace_original?: boolean }) => Promise<unknown>;
  /** The admin's language. */
  lang?: Lang;
}

export interface AdminCommandDeps {
  admin: AdminService;
  logger: Logger;
  onHandled?: (kind: string, outcome: string) => void;
}

const ephemeral = (text: string): Reply => ({ response_type: 'ephemeral', text });

const SERVER_SHOW_USAGE = '`/vpn admin server show [gateway]`';
const m = messagesOf('admin');

/**
 * The gateway of `server show|set`: the first word when it names one (case-insensitive, and never a
 * `key=value`), else the only configured gateway; an error when neither.
 */
export function gatewayArg(words: readonly string[], gateways: readonly string[], lang: Lang = EN): { gateway: string; rest: readonly string[] } | { error: string } {
  const first = words[0];
  if (first !== undefined && !first.includes('=')) {
    const name = first.toLowerCase();
    if (gateways.includes(name)) return { gateway: name, rest: words.slice(1) };
    return { error: m(lang, 'notAGateway', { word: shown(first), gateways: localList(lang, gateways.map((g) => `\`${g}\``)) }) };
  }
  if (gateways.length === 1) return { gateway: gateways[0]!, rest: words };
  return { error: m(lang, 'nameGatewayFirst', { gateways: localList(lang, gateways.map((g) => `\`${g}\``)) }) };
}

/** Slack's users.info as the PeopleDirectory port: handle and (with users:read.email) email. */
export async function handleAdminCommand(input: AdminCommandInput, deps: AdminCommandDeps): Promise<void> {
  const { userId, ack } = input;
  const lang = input.lang ?? EN;
  const { admin } = deps;
  const [rawSub = '', ...args] = input.words;
  const sub = rawSub.toLowerCase();
  // Metric labels come from a fixed set: whatever a user types must not create new time series.
  const known = ['help', 'list', 'revoke', 'offboard', 'status', 'audit', 'cert', 'server', 'reconcile'];
  const kind = `admin-${known.includes(sub || 'help') ? sub || 'help' : 'unknown'}`;
  const done = (outcome: string) => deps.onHandled?.(kind, outcome);

  // Refuse before anything else, including help; the admin services take the context this check yields.
  const auth = await admin.authorize(userId);
  if (!auth.ok) {
    await ack(ephemeral(refusalText(auth.refusal, lang)));
    done('refused');
    return;
  }
  const ctx = auth.value;
  const always = async <T>(work: Promise<T>): Promise<Outcome<T>> => ({ ok: true, value: await work });

  // Slow work runs after the ack; its answer goes through the response_url.
  const later = async <T>(work: () => Promise<Outcome<T>>, format: (value: T) => string): Promise<void> => {
    await ack(ephemeral(working(lang)));
    let text: string;
    try {
      const outcome = await work();
      text = outcome.ok ? format(outcome.value) : refusalText(outcome.refusal, lang);
      done(outcome.ok ? 'ok' : 'refused');
    } catch (err) {
      deps.logger.error({ err: (err as Error).message, sub }, '/vpn admin failed');
      text = m(lang, 'somethingWrong');
      done('error');
    }
    try {
      await input.respond({ ...ephemeral(text), replace_original: false });
    } catch (err) {
      deps.logger.error({ err: (err as Error).message, sub }, '/vpn admin reply could not be sent');
    }
  };

  switch (sub) {
    case '':
    case 'help':
      await ack(ephemeral(adminHelp(lang)));
      done('ok');
      return;

    case 'list': {
      if (args.length > 1) {
        await ack(ephemeral(m(lang, 'listOne')));
        done('invalid');
        return;
      }
      const target = args[0];
      let filter: { userId?: string; gateway?: string } = {};
      let label: string | undefined;
      if (target) {
        const user = parseUserRef(target);
        const gateway = target.toLowerCase();
        if (user) {
          filter = { userId: user };
          label = `<@${user}>`;
        } else if (admin.policy.gateways.includes(gateway)) {
          filter = { gateway };
          label = `*${gateway}*`;
        } else {
          await ack(ephemeral(m(lang, 'notUserNorGateway', { word: shown(target), gateways: localList(lang, admin.policy.gateways.map((g) => `\`${g}\``)) })));
          done('invalid');
          return;
        }
      }
      const { grants, total } = await admin.grants.list(ctx, filter, LIST_CAP);
      await ack(ephemeral(grantsList(grants, total, label, lang)));
      done('ok');
      return;
    }

    case 'revoke': {
      const target = args.length === 1 ? args[0]! : '';
      const user = parseUserRef(target);
      if (!user && !isClientCertId(target)) {
        await ack(ephemeral(m(lang, 'revokeOne')));
        done('invalid');
        return;
      }
      const outcome = user ? await always(admin.grants.revokeUser(ctx, user)) : await admin.grants.revokeCertificate(ctx, target);
      await ack(ephemeral(outcome.ok ? revokeReply(outcome.value, user, lang) : refusalText(outcome.refusal, lang)));
      done(outcome.ok ? 'ok' : 'refused');
      return;
    }

    case 'offboard': {
      const user = args.length === 1 ? parseUserRef(args[0]!) : undefined;
      if (!user) {
        await ack(ephemeral(m(lang, 'offboardOne')));
        done('invalid');
        return;
      }
      await later(() => always(admin.offboarding.offboard(ctx, user)), (v) => offboardReply(v, lang));
      return;
    }

    case 'status':
      await later(() => always(admin.health.status(ctx)), (v) => statusReport(v, lang));
      return;

    case 'audit': {
      if (args[0]?.toLowerCase() === 'verify') {
        if (args.length > 1) {
          await ack(ephemeral(m(lang, 'auditVerifyUsage')));
          done('invalid');
          return;
        }
        await later(() => always(admin.auditLog.verify(ctx)), (v) => auditVerifyReply(v, lang));
        return;
      }
      const parsed = parseAuditArgs(args, Date.now());
      if (!parsed.ok) {
        await ack(ephemeral(auditArgsErrorText(parsed.error, lang)));
        done('invalid');
        return;
      }
      await later(() => always(admin.auditLog.report(ctx, parsed.value)), (v) => auditReply(v, lang));
      return;
    }

    case 'cert': {
      const [action = '', identifier = '', ...extra] = args;
      if (action.toLowerCase() !== 'revoke' || extra.length > 0) {
        await ack(ephemeral(m(lang, 'certUsage')));
        done('invalid');
        return;
      }
      if (!parseCasIdentifier(identifier)) {
        await ack(ephemeral(casIdentifierHelp(identifier, lang)));
        done('invalid');
        return;
      }
      await later(() => admin.privateCa.revoke(ctx, identifier), (v) => casRevokeReply(v, lang));
      return;
    }

    case 'server': {
      const [action = '', ...rest] = args;
      const verb = action.toLowerCase();
      if (verb !== 'show' && verb !== 'set') {
        await ack(ephemeral(m(lang, 'serverUsage', { setUsage: serverSetUsage(lang) })));
        done('invalid');
        return;
      }
      const words = verb === 'set' ? splitPairs(rest.join(' ')) : rest;
      const target = gatewayArg(words, admin.policy.gateways, lang);
      if ('error' in target) {
        await ack(ephemeral(m(lang, 'withUsage', { error: target.error, usage: verb === 'show' ? SERVER_SHOW_USAGE : serverSetUsage(lang) })));
        done('invalid');
        return;
      }
      if (verb === 'show') {
        if (target.rest.length > 0) {
          await ack(ephemeral(m(lang, 'serverShowUsage')));
          done('invalid');
          return;
        }
        await later(() => admin.server.show(ctx, target.gateway), (v) => serverShowReply(v, lang));
        return;
      }
      // Every key is checked before anything is read or proposed; one message names each bad one.
      const parsed = parseServerChanges(target.rest);
      if (!parsed.ok) {
        await ack(ephemeral(notProposedText(target.gateway, parsed.problems, lang)));
        done('invalid');
        return;
      }
      await later(() => admin.server.propose(ctx, target.gateway, parsed.changes), (v) => proposalReply(v, lang));
      return;
    }

    case 'reconcile':
      if (args.length > 0) {
        await ack(ephemeral(m(lang, 'reconcileUsage')));
        done('invalid');
        return;
      }
      await later(() => always(admin.reconcile(ctx)), (v) => reconcileReply(v, lang));
      return;

    default:
      await ack(ephemeral(unknownSubcommand(rawSub, lang)));
      done('invalid');
  }
}
