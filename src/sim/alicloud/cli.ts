// Runs the Alibaba Cloud simulator on its own:
//   npx tsx src/sim/alicloud/cli.ts --seed src/sim/alicloud/example-seed.yaml --port 9100 --update-ms 30000 --update-jitter 0.3
// --update-ms / --update-jitter override the seed's updateMs / updateJitter (defaults 2000 and 0).
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parseSimSeed, startAlibabaSim } from './index.js';

const USAGE = 'usage: cli.ts --seed <file.yaml> [--port 9100] [--update-ms 2000] [--update-jitter 0.3] [--openvpn]';

try {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      port: { type: 'string', default: '9100' },
      'update-ms': { type: 'string' },
      'update-jitter': { type: 'string' },
      openvpn: { type: 'boolean', default: false },
    },
  });
  if (!values.seed) {
    console.error(USAGE);
    process.exit(2);
  }
  const num = (text: string | undefined) => (text === undefined ? undefined : text.trim() === '' ? NaN : Number(text));
  const seed = parseSimSeed(readFileSync(values.seed, 'utf8'));
  const sim = await startAlibabaSim({ seed, port: Number(values.port), updateMs: num(values['update-ms']), updateJitter: num(values['update-jitter']), openvpn: values.openvpn });
  console.log(`Alibaba Cloud simulator listening on ${sim.url}`);
  if (values.openvpn) {
    const vpn = await sim.openVpn();
    console.log(vpn.enabled ? `OpenVPN servers: ${vpn.servers.map((s) => `${s.host}:${s.port}/${s.proto.toLowerCase()} (${s.sslVpnServerId})`).join(', ')}` : `No OpenVPN servers: ${vpn.reason}`);
  }
  const stop = (signal: string) => {
    console.log(`${signal}: stopping`);
    void sim.close().then(() => process.exit(0));
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
} catch (err) {
  console.error(`${(err as Error).message}\n${USAGE}`);
  process.exit(1);
}
