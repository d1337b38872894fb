// Runs the Alibaba Cloud simulator on its own:
//   npx tsx src/sim/alicloud/cli.ts --seed src/sim/alicloud/example-seed.yaml --port 9100 --update-ms 2000
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseSimSeed, startAlibabaSim } from './index.js';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    port: { type: 'string', default: '9100' },
    'update-ms': { type: 'string', default: '2000' },
  },
});

if (!values.seed) {
  console.error('usage: cli.ts --seed <file.yaml> [--port 9100] [--update-ms 2000]');
  process.exit(2);
}

try {
  const seed = parseSimSeed(readFileSync(values.seed, 'utf8'));
  const sim = await startAlibabaSim({ seed, port: Number(values.port), updateMs: Number(values['update-ms']) });
  console.log(`Alibaba Cloud simulator listening on ${sim.url}`);
  const stop = (signal: string) => {
    console.log(`${signal}: stopping`);
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
} catch (err) {
  console.error((err as Error).message);
  process.exit(1);
}
