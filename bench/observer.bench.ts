// Observer effect of profiling (a benchmark, not a test): TCP_STREAM throughput of the same testbed with and
// without `perf record -a -g` around it, under the method's placement and idle mode, alternating plain and profiled
// runs in a random order per pair so drift hits both alike. Run as root:
//   node --import tsx bench/observer.bench.ts [--models flannel,cilium,calico-wp] [--runs 6] [--duration 5] [--freq 999]
//                                             [--placement same|split|free] [--idle default|awake] [--sender-nice 10]
import { parseArgs } from 'node:util';
import { mkdtemp, rm, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findModel } from '../src/testbed/models/index.ts';
import { testbedDown, testbedUp } from '../src/testbed/lifecycle.ts';
import { NETSERVER_PORT, endpointsOf } from '../src/testbed/topology.ts';
import { parseNetperfKeyval } from '../src/tools/netperf/parse.ts';
import { cyclesEvent, perfRecordArgs } from '../src/tools/perf/command.ts';
import { inNs, run } from '../src/util/exec.ts';
import { DEFAULT_PLACEMENT, DEFAULT_SENDER_NICE, cpusFor, onlineCpus, placedNetperfArgs, type Placement } from '../src/collect/placement.ts';
import { DEFAULT_IDLE, checkIdleMode, holdIdle, type IdleMode } from '../src/collect/idle.ts';
import { mean, relativeHalfWidth } from '../src/util/stats.ts';
import type { Scenario } from '../src/testbed/model.ts';

const { values } = parseArgs({ options: {
  models: { type: 'string', default: 'flannel,cilium,calico-wp' },
  runs: { type: 'string', default: '6' },
  duration: { type: 'string', default: '5' },
  freq: { type: 'string', default: '999' },
  placement: { type: 'string', default: DEFAULT_PLACEMENT === 'both' ? 'same' : DEFAULT_PLACEMENT },
  idle: { type: 'string', default: DEFAULT_IDLE },
  'sender-nice': { type: 'string', default: String(DEFAULT_SENDER_NICE) },
} });
if (process.getuid?.() !== 0) { console.error('needs root (builds network namespaces, runs perf -a)'); process.exit(2); }
const runs = Number(values.runs);
const durationS = Number(values.duration);
const freq = Number(values.freq);
const placement = values.placement as Placement;
const idleMode = values.idle as IdleMode;
const senderNice = Number(values['sender-nice']);
await checkIdleMode(idleMode);
const ends = cpusFor(placement, await onlineCpus());
const event = await cyclesEvent();
const signed = (pct: number) => `${pct >= 0 ? '+' : ''}${pct.toFixed(1)}%`;

interface Row { model: string; scenario: Scenario; plain: number; profiled: number; changePct: number; plainCiPct: number; profiledCiPct: number }
const rows: Row[] = [];
const work = await mkdtemp(join(tmpdir(), 'cnibench-observer-'));
const idle = holdIdle(idleMode);
try {
  for (const id of values.models.split(',')) {
    const model = findModel(id);
    if (!model) throw new Error(`unknown model ${id}`);
    const tb = await testbedUp(model);
    try {
      for (const scenario of tb.scenarios) {
        const ep = endpointsOf(tb, scenario);
        const netperf = inNs(ep.clientNs, placedNetperfArgs({ test: 'tcp_stream', host: ep.serverIp, port: NETSERVER_PORT, durationS }, ends, senderNice));
        const plain: number[] = [];
        const profiled: number[] = [];
        await run(netperf); // warm-up, discarded
        for (let i = 0; i < runs; i++) {
          // Alternate which goes first, so neither always follows the other.
          const order = i % 2 ? ['profiled', 'plain'] : ['plain', 'profiled'];
          for (const which of order) {
            if (which === 'plain') plain.push(parseNetperfKeyval((await run(netperf)).stdout, 'tcp_stream').throughput);
            else profiled.push(parseNetperfKeyval((await run(perfRecordArgs(event, freq, join(work, 'perf.data'), netperf))).stdout, 'tcp_stream').throughput);
          }
        }
        const row = { model: id, scenario, plain: mean(plain), profiled: mean(profiled), changePct: (mean(profiled) / mean(plain) - 1) * 100, plainCiPct: 100 * relativeHalfWidth(plain), profiledCiPct: 100 * relativeHalfWidth(profiled) };
        rows.push(row);
        console.error(`${id} ${scenario}: ${row.plain.toFixed(0)} ±${row.plainCiPct.toFixed(1)}% → ${row.profiled.toFixed(0)} ±${row.profiledCiPct.toFixed(1)}% Mbit/s (${signed(row.changePct)})`);
      }
    } finally {
      await testbedDown(tb, model);
    }
  }
} finally {
  idle.release();
  await rm(work, { recursive: true, force: true });
}
await mkdir('bench/results', { recursive: true });
await writeFile('bench/results/observer.json', JSON.stringify({ date: new Date().toISOString(), event, freq, runs, durationS, placement, idle: idleMode, senderNice, rows }, null, 2) + '\n');
console.log(`perf record -a -g -e ${event} -F ${freq}; ${runs} alternating pairs of ${durationS}-s runs; placement ${placement}, idle ${idleMode}, netperf at nice ${senderNice}\n`);
console.log('| model | scenario | without perf (Mbit/s) | with perf record (Mbit/s) | change |');
console.log('|---|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.model} | ${r.scenario} | ${r.plain.toFixed(0)} ±${r.plainCiPct.toFixed(1)}% | ${r.profiled.toFixed(0)} ±${r.profiledCiPct.toFixed(1)}% | ${signed(r.changePct)} |`);
