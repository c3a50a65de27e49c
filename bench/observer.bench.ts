// Observer effect of profiling (a benchmark, not a test): TCP_STREAM throughput of the same testbed with and
// without `perf record -a -g` around it, alternating runs so drift hits both alike. Run as root:
//   node --import tsx bench/observer.bench.ts [--models flannel,cilium,calico-wp] [--runs 5] [--duration 5] [--freq 999]
import { parseArgs } from 'node:util';
import { mkdtemp, rm, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findModel } from '../src/testbed/models/index.ts';
import { testbedDown, testbedUp } from '../src/testbed/lifecycle.ts';
import { NETSERVER_PORT, endpointsOf } from '../src/testbed/topology.ts';
import { netperfArgs } from '../src/tools/netperf/command.ts';
import { parseNetperfKeyval } from '../src/tools/netperf/parse.ts';
import { cyclesEvent, perfRecordArgs } from '../src/tools/perf/command.ts';
import { inNs, run } from '../src/util/exec.ts';
import type { Scenario } from '../src/testbed/model.ts';

const { values } = parseArgs({ options: {
  models: { type: 'string', default: 'flannel,cilium,calico-wp' },
  runs: { type: 'string', default: '5' },
  duration: { type: 'string', default: '5' },
  freq: { type: 'string', default: '999' },
} });
if (process.getuid?.() !== 0) { console.error('needs root (builds network namespaces, runs perf -a)'); process.exit(2); }
const runs = Number(values.runs);
const durationS = Number(values.duration);
const freq = Number(values.freq);
const event = await cyclesEvent();
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const signed = (pct: number) => `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;

const rows: { model: string; scenario: Scenario; plain: number; profiled: number; changePct: number }[] = [];
const work = await mkdtemp(join(tmpdir(), 'cnibench-observer-'));
try {
  for (const id of values.models.split(',')) {
    const model = findModel(id);
    if (!model) throw new Error(`unknown model ${id}`);
    const tb = await testbedUp(model);
    try {
      for (const scenario of tb.scenarios) {
        const ep = endpointsOf(tb, scenario);
        const netperf = inNs(ep.clientNs, netperfArgs({ test: 'tcp_stream', host: ep.serverIp, port: NETSERVER_PORT, durationS }));
        const plain: number[] = [];
        const profiled: number[] = [];
        for (let i = 0; i < runs; i++) {
          const a = await run(netperf);
          plain.push(parseNetperfKeyval(a.stdout, 'tcp_stream').throughput);
          const b = await run(perfRecordArgs(event, freq, join(work, 'perf.data'), netperf));
          profiled.push(parseNetperfKeyval(b.stdout, 'tcp_stream').throughput);
        }
        const row = { model: id, scenario, plain: mean(plain), profiled: mean(profiled), changePct: (mean(profiled) / mean(plain) - 1) * 100 };
        rows.push(row);
        console.error(`${id} ${scenario}: ${row.plain.toFixed(0)} → ${row.profiled.toFixed(0)} Mbit/s (${signed(row.changePct)})`);
      }
    } finally {
      await testbedDown(tb, model);
    }
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
await mkdir('bench/results', { recursive: true });
await writeFile('bench/results/observer.json', JSON.stringify({ date: new Date().toISOString(), event, freq, runs, durationS, rows }, null, 2) + '\n');
console.log(`perf record -a -g -e ${event} -F ${freq}; ${runs} alternating runs of ${durationS} s each\n`);
console.log('| model | scenario | without perf (Mbit/s) | with perf record (Mbit/s) | change |');
console.log('|---|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.model} | ${r.scenario} | ${r.plain.toFixed(0)} | ${r.profiled.toFixed(0)} | ${signed(r.changePct)} |`);
