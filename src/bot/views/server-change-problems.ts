// What is wrong with a `/vpn admin server set`, one line per problem (src/core/server-changes.ts finds them),
// saying what is allowed, in the reader's language.
import { CIPHERS, FORBIDDEN_PORTS, labelOf, SERVER_KEY_ORDER, type ServerChangeProblem, type ServerKey, type ValueProblem } from '../../core/server-changes.js';
import { EN, localList, messagesOf, type Lang } from '../i18n/index.js';

const m = messagesOf('serverChangeProblems');

/** Shown in errors: user text without mrkdwn controls, bounded. */
const echo = (text: string) => (text.replace(/[`<>&*_~]/g, '').slice(0, 60) || '(nothing)');

const keys = (lang: Lang) => localList(lang, SERVER_KEY_ORDER.map((k) => `\`${labelOf(k)}\``));

export function serverSetUsage(lang: Lang = EN): string {
  return m(lang, 'usage', { keys: keys(lang) });
}

const ALLOWED = {
  name: 'allowedName', port: 'allowedPort', proto: 'allowedProto', cipher: 'allowedCipher', clientIpPool: 'allowedClientIpPool', localSubnet: 'allowedLocalSubnet',
  compress: 'allowedBoolean', enableMultiFactorAuth: 'allowedMfa', idaasInstanceId: 'allowedIdaasInstanceId', idaasRegionId: 'allowedIdaasRegionId',
} as const satisfies Record<ServerKey, string>;

function allowed(key: ServerKey, lang: Lang): string {
  return m(lang, ALLOWED[key], { ports: FORBIDDEN_PORTS.join(', '), ciphers: CIPHERS.join(', ') });
}

function valueProblem(p: ValueProblem, lang: Lang): string {
  switch (p.kind) {
    case 'name-length': return m(lang, 'nameLength', { length: String(p.length) });
    case 'name-url': return m(lang, 'nameUrl');
    case 'name-characters': return m(lang, 'nameCharacters');
    case 'port-not-integer': return m(lang, 'portNotInteger');
    case 'port-range': return m(lang, 'portRange');
    case 'port-reserved': return m(lang, 'portReserved', { port: String(p.port) });
    case 'proto': return m(lang, 'proto');
    case 'cipher': return m(lang, 'cipher', { ciphers: CIPHERS.join(', ') });
    case 'pool-not-network': return m(lang, 'poolNotNetwork');
    case 'pool-netmask': return m(lang, 'poolNetmask', { prefix: String(p.prefix) });
    case 'host-bits': return m(lang, 'hostBits', { value: p.value, suggestion: p.suggestion });
    case 'pool-reserved': return m(lang, 'poolReserved', { value: p.value });
    case 'subnet-empty': return m(lang, 'subnetEmpty');
    case 'subnet-too-many': return m(lang, 'subnetTooMany', { count: String(p.count) });
    case 'subnet-not-network': return m(lang, 'subnetNotNetwork', { part: p.part });
    case 'subnet-netmask': return m(lang, 'subnetNetmask', { part: p.part });
    case 'subnet-reserved': return m(lang, 'subnetReserved', { part: p.part });
    case 'boolean': return m(lang, 'boolean');
    case 'idaas-instance': return m(lang, 'idaasInstance');
    case 'idaas-region': return m(lang, 'idaasRegion');
  }
}

export function serverChangeProblemText(p: ServerChangeProblem, lang: Lang = EN): string {
  switch (p.code) {
    case 'no-changes': return m(lang, 'noChanges', { usage: serverSetUsage(lang) });
    case 'not-key-value': return m(lang, 'notKeyValue', { word: echo(p.word), keys: keys(lang) });
    case 'unknown-key': return m(lang, 'unknownKey', { key: echo(p.key), keys: keys(lang) });
    case 'repeated': return m(lang, 'repeated', { key: labelOf(p.key) });
    case 'bad-value': return m(lang, 'badValue', { key: labelOf(p.key), value: echo(p.value), problem: valueProblem(p.problem, lang), allowed: allowed(p.key, lang) });
    case 'pool-overlaps': return m(lang, 'poolOverlaps', {
      which: p.which, pool: p.pool, poolCurrent: p.poolCurrent ? m(lang, 'current') : '', subnet: p.subnet, subnetCurrent: p.subnetCurrent ? m(lang, 'current') : '',
    });
    case 'pool-too-small': return m(lang, 'poolTooSmall', { prefix: String(p.prefix), connections: String(p.connections), needed: String(p.needed) });
    case 'mfa-needs-idaas': return m(lang, 'mfaNeedsIdaas');
  }
}

/** The header and one bullet per problem of a server change that was not proposed. */
export function notProposedText(gateway: string, problems: readonly ServerChangeProblem[], lang: Lang = EN): string {
  return [messagesOf('refusals')(lang, 'notProposed', { gateway }), ...problems.map((p) => `• ${serverChangeProblemText(p, lang)}`)].join('\n');
}
