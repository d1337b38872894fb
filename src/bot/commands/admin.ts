// `/vpn admin …`: parse, check the caller is an admin, call the AdminService, reply ephemerally. Quick
// answers (help, list, revoke, bad input, refusals) are the ack body; slow work (cloud calls, the CSV
// export) is acked with "Working on it…" and answered through Bolt's respond() (the response_url).
import type { WebClient } from '@slack/web-api';
import type { Logger } from 'pino';
import { casIdentifierHelp, isClientCertId, parseAuditArgs, parseCasIdentifier, parseUserRef, shown, type AdminService } from '../../core/admin.js';
import type { Outcome } from '../../core/service.js';
import type { PeopleDirectory } from '../../core/ports.js';
import {
  ADMIN_HELP, auditReply, casRevokeReply, grantsList, LIST_CAP, notAvailable, offboardReply, revokeReply, statusReport, unknownSubcommand, WORKING,
} from '../views/admin.js';

type Reply = { response_type: 'ephemeral'; text: string };

export interface AdminCommandInput {
  userId: string;
  /** The words after `/vpn admin`. */
  words: readonly string[];
  ack: (reply?: Reply) => Promise<void>;
  respond: (reply: Reply & { replace_original?: boolean }) => Promise<unknown>;
}

export interface AdminCommandDeps {
  admin: AdminService;
  logger: Logger;
  onHandled?: (kind: string, outcome: string) => void;
}

const ephemeral = (text: string): Reply => ({ response_type: 'ephemeral', text });

const USAGE = {
  list: '`/vpn admin list [@user|gateway]`',
  revoke: '`/vpn admin revoke <@user|vsc-id>`',
  offboard: '`/vpn admin offboard @user`',
};

/** Slack's users.info as the PeopleDirectory port: handle and (with users:read.email) email. */
export function slackPeople(client: WebClient): PeopleDirectory {
  return {
    async profile(userId) {
      const result = await client.users.info({ user: userId });
      const user = result.user;
      return {
        ...(user?.name ? { handle: user.name } : {}),
        ...(user?.profile?.email ? { email: user.profile.email } : {}),
      };
    },
  };
}

export async function handleAdminCommand(input: AdminCommandInput, deps: AdminCommandDeps): Promise<void> {
  const { userId, ack } = input;
  const { admin } = deps;
  const [rawSub = '', ...args] = input.words;
  const sub = rawSub.toLowerCase();
  const kind = `admin-${sub || 'help'}`;
  const done = (outcome: string) => deps.onHandled?.(kind, outcome);

  // Refuse before anything else, including help; the service checks again on every action.
  const auth = await admin.authorize(userId);
  if (!auth.ok) {
    await ack(ephemeral(auth.message));
    done('refused');
    return;
  }

  // Slow work runs after the ack; its answer goes through the response_url.
  const later = async <T>(work: () => Promise<Outcome<T>>, format: (value: T) => string): Promise<void> => {
    await ack(ephemeral(WORKING));
    let text: string;
    try {
      const outcome = await work();
      text = outcome.ok ? format(outcome.value) : outcome.message;
      done(outcome.ok ? 'ok' : 'refused');
    } catch (err) {
      deps.logger.error({ err: (err as Error).message, sub }, '/vpn admin failed');
      text = ':warning: Something went wrong on my side; see the bot\'s logs. Anything listed as done above was done; run the command again to finish.';
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
      await ack(ephemeral(ADMIN_HELP));
      done('ok');
      return;

    case 'list': {
      if (args.length > 1) {
        await ack(ephemeral(`Name at most one user or gateway. Usage: ${USAGE.list}`));
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
          await ack(ephemeral(`\`${shown(target)}\` is neither a user nor a gateway (${admin.policy.gateways.map((g) => `\`${g}\``).join(', ')}). Usage: ${USAGE.list}`));
          done('invalid');
          return;
        }
      }
      const outcome = await admin.listGrants(userId, filter, LIST_CAP);
      await ack(ephemeral(outcome.ok ? grantsList(outcome.value.grants, outcome.value.total, label) : outcome.message));
      done(outcome.ok ? 'ok' : 'refused');
      return;
    }

    case 'revoke': {
      const target = args.length === 1 ? args[0]! : '';
      const user = parseUserRef(target);
      if (!user && !isClientCertId(target)) {
        await ack(ephemeral(`Name one user or one SSL-VPN certificate id (\`vsc-…\`, see \`/vpn admin list\`). Usage: ${USAGE.revoke}`));
        done('invalid');
        return;
      }
      const outcome = user ? await admin.revokeUser(userId, user) : await admin.revokeCertificate(userId, target);
      await ack(ephemeral(outcome.ok ? revokeReply(outcome.value, user) : outcome.message));
      done(outcome.ok ? 'ok' : 'refused');
      return;
    }

    case 'offboard': {
      const user = args.length === 1 ? parseUserRef(args[0]!) : undefined;
      if (!user) {
        await ack(ephemeral(`Name exactly one user. Usage: ${USAGE.offboard}`));
        done('invalid');
        return;
      }
      await later(() => admin.offboard(userId, user), offboardReply);
      return;
    }

    case 'status':
      await later(() => admin.status(userId), statusReport);
      return;

    case 'audit': {
      const parsed = parseAuditArgs(args, Date.now());
      if (!parsed.ok) {
        await ack(ephemeral(parsed.error));
        done('invalid');
        return;
      }
      await later(() => admin.auditReport(userId, parsed.value), auditReply);
      return;
    }

    case 'cert': {
      const [action = '', identifier = '', ...extra] = args;
      if (action.toLowerCase() !== 'revoke' || extra.length > 0) {
        await ack(ephemeral('Usage: `/vpn admin cert revoke <identifier>` (the 32-character identifier of a private-CA client certificate).'));
        done('invalid');
        return;
      }
      if (!parseCasIdentifier(identifier)) {
        await ack(ephemeral(casIdentifierHelp(identifier)));
        done('invalid');
        return;
      }
      await later(() => admin.revokeCasCertificate(userId, identifier), casRevokeReply);
      return;
    }

    case 'server':
    case 'reconcile':
      await ack(ephemeral(notAvailable(sub)));
      done('unavailable');
      return;

    default:
      await ack(ephemeral(unknownSubcommand(rawSub)));
      done('invalid');
  }
}
