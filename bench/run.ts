// `npm run bench`: the Slack ack benchmark, then the provisioning benchmark, then a summary table against
// the targets of PRODUCT §5. Results go to bench/results/*.json (gitignored). Needs Redis on 127.0.0.1:6379
// (REDIS_URL to change it); uses databases 13 and 14, flushed before and after. Exits 1 if a benchmark
// could not run; a missed target is reported in the table (and in the exit code only with BENCH_STRICT=1).
import { runAck, type AckResult } from './ack.js';
import { runProvision, type ProvisionResult } from './provision.js';
import { machine, writeResult } from './lib.js';

const HARD_LIMIT_MS = 240_000;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

export function summaryTable(ack: AckResult, provision: ProvisionResult): string {
  const rows: string[][] = [['benchmark', 'measure', 'value', 'target', 'result']];
  for (const r of ack.rates) {
    rows.push([`ack ${r.rate}/s`, 'p50 / p99 / max (ms), errors', `${r.all.p50} / ${r.all.p99} / ${r.all.max}, ${r.all.errors}`,
      r.rate === 200 ? 'p99 ≤ 100 ms' : '(info)', r.rate === 200 ? verdict(r.all.p99 <= ack.targetP99Ms && r.all.errors === 0) : '']);
    rows.push(['', '  CPU % of a core: product / bench / others', `${r.cpu.productPct} / ${r.cpu.benchPct} / ${r.cpu.othersPct}`, '', '']);
    for (const [kind, s] of Object.entries(r.byKind)) {
      rows.push(['', `  ${kind}`, `${s.p50} / ${s.p99} / ${s.max}, ${s.errors}`, '', '']);
    }
  }
  for (const run of provision.runs) {
    const name = `provision ${run.label}`;
    rows.push([name, 'makespan (ms, × ideal)', `${run.makespanMs} (${run.makespanRatio}×)`, `≤ ${provision.targets.makespanRatio}× ${run.idealMs}`, verdict(run.pass.makespan)]);
    rows.push(['', 'active → DM p50 / p95 (ms)', `${run.activeToDm.p50} / ${run.activeToDm.p95}`, `p50 ≤ ${provision.targets.medianActiveToDmMs}`, verdict(run.pass.medianDelay)]);
    rows.push(['', 'DescribeVpnGateway per change', String(run.describesPerChange), `≤ ${provision.targets.describesPerChange}`, verdict(run.pass.describes)]);
    rows.push(['', 'Configuring rejections', String(run.configuringRejections), '0', verdict(run.pass.rejections)]);
    rows.push(['', 'certificates / duplicates', `${run.certificates} / ${run.duplicates}`, '30 / 0', verdict(run.certificates === 30 && run.duplicates === 0)]);
  }
  return table(rows);
}

async function main(): Promise<void> {
  const hardStop = setTimeout(() => { process.stderr.write(`benchmarks exceeded ${HARD_LIMIT_MS / 1000} s; aborting\n`); process.exit(3); }, HARD_LIMIT_MS);
  hardStop.unref();
  const started = Date.now();
  const ack = await runAck();
  const ackPath = writeResult('ack', ack);
  const provision = await runProvision();
  const provisionPath = writeResult('provision', provision);
  const summary = summaryTable(ack, provision);
  const m = machine();
  const allPass = ack.pass && provision.pass;
  writeResult('summary', { date: new Date().toISOString(), machine: m, ack: ackPath, provision: provisionPath, pass: allPass, table: summary });
  process.stdout.write(`\nBenchmarks ${new Date().toISOString()} on ${m.nproc} cores (${m.cpu}), Node ${m.node}, commit ${m.commit}` +
    `${m.dirtySrc.length ? ` + uncommitted src changes (${m.dirtySrc.join(', ')})` : ''}; ${Math.round((Date.now() - started) / 1000)} s\n\n${summary}\n\n` +
    `${allPass ? 'All targets met.' : 'Some targets MISSED (see above).'} JSON: ${ackPath}, ${provisionPath}\n`);
  process.exit(process.env.BENCH_STRICT === '1' && !allPass ? 2 : 0);
}

main().catch((err: Error) => {
  process.stderr.write(`benchmarks failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
