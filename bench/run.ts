// `npm run bench`: the Slack ack, provisioning, scale and CAS rate-limit benchmarks, then a summary
// table against the targets of PRODUCT §5. Results go to bench/results/*.json (gitignored). Starts a
// redis-server of its own (BENCH_REDIS_URL names another); uses databases 12, 13, 14 and 15, flushed before and after. Exits 1 if a benchmark
// could not run; a missed target is reported in the table (and in the exit code only with BENCH_STRICT=1).
import { runAck, type AckResult } from './ack.js';
import { runCasLimit, type CasLimitResult } from './cas-limit.js';
import { runProvision, type ProvisionResult } from './provision.js';
import { runScale, type ScaleResult } from './scale.js';
import { machine, writeResult } from './lib.js';

const HARD_LIMIT_MS = 330_000;

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  const line = (r: string[]) => `| ${r.map((c, i) => c.padEnd(widths[i]!)).join(' | ')} |`;
  return [line(rows[0]!), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...rows.slice(1).map(line)].join('\n');
}

const verdict = (ok: boolean) => (ok ? 'PASS' : 'MISS');

export function summaryTable(ack: AckResult, provision: ProvisionResult, scale?: ScaleResult, casLimit?: CasLimitResult): string {
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
  if (scale) {
    const t = `≤ ${scale.targetMs} ms`;
    const sc = scale.scheduling;
    rows.push([`scale ${scale.setup.grants} grants`, 'scheduleExpiry per grant p50 / p99 / max (ms)', `${sc.perGrant.p50} / ${sc.perGrant.p99} / ${sc.perGrant.max}`, `p99 ${t}`, verdict(sc.perGrant.p99 <= scale.targetMs)]);
    rows.push(['', `  all ${scale.setup.grants}, sequential (ms)`, String(sc.totalMs), '(info)', '']);
    rows.push(['', `sweepExpiries, ${sc.sweepExisting.due} due: jobs present / missing (ms)`, `${sc.sweepExisting.ms.join(', ')} / ${sc.sweepMissing.ms}`, t, verdict(Math.max(...sc.sweepExisting.ms, sc.sweepMissing.ms) <= scale.targetMs)]);
    rows.push(['', 'start-up to /readyz: with grants / empty (ms)', `${scale.startupMs} / ${scale.baselineStartupMs}`, '(info)', '']);
    for (const m of scale.measures) {
      rows.push(['', m.name, `${m.p50} / ${m.p99} / ${m.max}, ${m.errors}`, m.targeted ? `p99 ${t}` : '(info)', m.targeted ? verdict(!!m.pass) : '']);
    }
  }
  if (casLimit) {
    const r = casLimit.rounds;
    rows.push([`cas-limit ${r.length} rounds`, 'CAS calls in the busiest rolling second (2 processes, 25 certificates)', String(casLimit.busiestRollingSecond), `≤ ${casLimit.limitPerRollingSecond}`, verdict(casLimit.pass)]);
    rows.push(['', '  throttled / not revoked, per round', r.map((x) => `${x.throttled} / ${x.notRevoked}`).join(', '), '0 / 0', '']);
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
  const scale = await runScale();
  const scalePath = writeResult('scale', scale);
  const casLimit = await runCasLimit();
  const casLimitPath = writeResult('cas-limit', casLimit);
  const summary = summaryTable(ack, provision, scale, casLimit);
  const m = machine();
  const allPass = ack.pass && provision.pass && scale.pass && casLimit.pass;
  writeResult('summary', { date: new Date().toISOString(), machine: m, ack: ackPath, provision: provisionPath, scale: scalePath, casLimit: casLimitPath, pass: allPass, table: summary });
  process.stdout.write(`\nBenchmarks ${new Date().toISOString()} on ${m.nproc} cores (${m.cpu}), Node ${m.node}, commit ${m.commit}` +
    `${m.dirtySrc.length ? ` + uncommitted src changes (${m.dirtySrc.join(', ')})` : ''}; ${Math.round((Date.now() - started) / 1000)} s\n\n${summary}\n\n` +
    `${allPass ? 'All targets met.' : 'Some targets MISSED (see above).'} JSON: ${ackPath}, ${provisionPath}, ${scalePath}, ${casLimitPath}\n`);
  process.exit(process.env.BENCH_STRICT === '1' && !allPass ? 2 : 0);
}

main().catch((err: Error) => {
  process.stderr.write(`benchmarks failed: ${err.stack ?? err.message}\n`);
  process.exit(1);
});
