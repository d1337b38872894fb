// Starts the fake Slack Web API for sandbox runs:
//   tsx src/sim/slack/cli.ts [--port 9200] [--seed seed.json] [--bot-token xoxb-…]
// The seed file holds FakeSlackOptions fields, e.g. {"users":{"U0ALICE":{"name":"alice"}},"usergroups":{"S0ADMINS":["U0ALICE"]}}.
// Prints the SLACK_API_URL to use; stops on SIGINT/SIGTERM.
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { startFakeSlack } from './server.js';
import type { FakeSlackOptions } from './server.js';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '9200' },
      seed: { type: 'string' },
      'bot-token': { type: 'string' },
    },
    strict: true,
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be 0–65535, got ${values.port}`);
  let seed: FakeSlackOptions = {};
  if (values.seed) {
    const parsed = JSON.parse(await readFile(values.seed, 'utf8')) as unknown;
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`--seed ${values.seed}: expected a JSON object`);
    seed = parsed as FakeSlackOptions;
  }
  const fake = await startFakeSlack({ ...seed, port, ...(values['bot-token'] ? { botToken: values['bot-token'] } : {}) });
  process.stdout.write(`fake Slack listening; SLACK_API_URL=${fake.url}\n`);
  const stop = (signal: string): void => {
    process.stdout.write(`fake Slack: ${signal}, stopping\n`);
    fake.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((err: unknown) => {
  process.stderr.write(`fake Slack: ${(err as Error).message}\n`);
  process.exit(1);
});
