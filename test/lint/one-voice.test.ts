// The lint rule that keeps Slack wording in src/bot (issue #10): jobs and the domain emit typed events,
// and a mention, a <!date>, *bold*, a `code` span, an emoji or Block Kit written anywhere else fails `npm run lint`.
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../helpers/process.js';

const eslint = new ESLint({ cwd: REPO_ROOT });

async function problems(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: `${REPO_ROOT}/${path}` });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-syntax').map((m) => m.message);
}

const SLACK_WORDING = [
  'export const a = (id: string) => `Approved by <@${id}>`;',
  "export const b = '<!here> the gateway is down';",
  'export const c = (ms: number) => `expires <!date^${ms}^{date_short}|now>`;',
  'export const d = (gw: string) => `Creating the certificate on *${gw}*`;',
  "export const e = { type: 'section', text: { type: 'mrkdwn', text: 'x' } };",
  "export const h = (value: string) => '*' + value + '*';",
  "export const i = ':warning: the gateway did not answer';",
  'export const j = (id: string) => `:lock: revoked ${id}`;',
  'export const n = (id: string) => `no pending request \\`${id}\\``;',
  "export const o = 'see `/vpn status`';",
];

describe('one voice: Slack wording only in src/bot', () => {
  it('refuses mentions, <!…> markup, *bold* values (and *…* helpers), code spans, emoji and Block Kit in src/jobs, src/core and src/api', async () => {
    for (const path of ['src/jobs/example.ts', 'src/core/example.ts', 'src/api/example.ts']) {
      for (const code of SLACK_WORDING) expect(await problems(path, code), `${path}: ${code}`).not.toHaveLength(0);
    }
  });

  it('refuses a Slack client in src/jobs', async () => {
    expect(await problems('src/jobs/example.ts', "import { WebClient } from '@slack/web-api';\nexport const w = WebClient;")).not.toHaveLength(0);
  });

  it('allows the same wording in src/bot/views, and plain text elsewhere', async () => {
    for (const code of SLACK_WORDING) expect(await problems('src/bot/views/example.ts', code)).toEqual([]);
    expect(await problems('src/jobs/example.ts', 'export const f = (gw: string) => `gateway ${gw} did not return to active in time`;')).toEqual([]);
    expect(await problems('src/core/example.ts', 'export const g = (tag: string, pem: string) => `<${tag}>\\n${pem}\\n</${tag}>`;')).toEqual([]);
    expect(await problems('src/core/example.ts', 'export const k = (p: string, gw: string) => `${p}:gw:${gw}:updates`;')).toEqual([]);
    expect(await problems('src/core/example.ts', "export const l = 'starts at 10:30:00 UTC';")).toEqual([]);
  });
});
