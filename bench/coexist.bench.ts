// Does keeping every model's testbed up change what one model measures? (A benchmark, not a test.) A collection
// keeps all testbeds up across rounds; this alternates "alone" (only the measured testbed) and "all up" (every other
// model's testbed built beside it, netservers idle) and measures the same configurations in both, pinned as a run
// pins them. Run as root (about 4 minutes with the defaults):
//   node --import tsx bench/coexist.bench.ts [--model flannel] [--alternations 5] [--duration 5]
import { parseArgs } from 'node:util';
import { mkdir, writeFile } from 'node:fs/promises';
import { MODELS, findModel } from '../src/testbed/models/index.ts';
import { testbedDown, testbedUp } from '../src/testbed/lifecycle.ts';
import { missingFeatures } from '../src/testbed/features.ts';
import { requiredFeatures } from '../src/testbed/kinds/index.ts';
import { NETSERVER_PORT, endpointsOf, type Testbed } from '../src/testbed/topology.ts';
import { netperfArgs } from '../src/tools/netperf/command.ts';
import { parseNetperfKeyval } from '../src/tools/netperf/parse.ts';
import type { NetperfTest } from '../src/tools/netperf/types.ts';
import { run } from '../src/util/exec.ts';
import { DEFAULT_PLACEMENT, cpusFor, onlineCpus } from '../src/collect/placement.ts';
import { mean, relativeHalfWidth } from '../src/util/stats.ts';

const { values } = parseArgs({ options: {
  model: { type: 'string', default: 'flannel' },
  alternations: { type: 'string', default: '5' },
  duration: { type: 'string', default: '5' },
} });
if (process.getuid?.() !== 0) { console.error('needs root (builds network namespaces)'); process.exit(2); }
const durationS = Number(values.duration);
const model = findModel(values.model) ?? (() => { throw new Error(`unknown model ${values.model}`); })();
const ends = cpusFor(DEFAULT_PLACEMENT === 'both' ? 'same' : DEFAULT_PLACEMENT, await onlineCpus());
const tests: NetperfTest[] = ['tcp_rr', 'tcp_stream'];
const others = [];
for (const m of MODELS) {
  if (m.id === model.id) continue;
  if ((await missingFeatures(m.scenarios.flatMap((s) => requiredFeatures(m, s)))).length === 0) others.push(m);
}
const measured = await testbedUp(model);
const results: Record<string, Record<'alone' | 'all up', number[]>> = {};
let bystanders: Testbed[] = [];
try {
  for (let a = 0; a < Number(values.alternations); a++) {
    for (const state of (a % 2 ? ['all up', 'alone'] : ['alone', 'all up']) as ('alone' | 'all up')[]) {
      if (state === 'all up') for (const m of others) bystanders.push(await testbedUp(m));
      for (const scenario of measured.scenarios) {
        const ep = endpointsOf(measured, scenario);
        for (const test of tests) {
          const argv = netperfArgs({ test, host: ep.serverIp, port: NETSERVER_PORT, durationS, ...(ends ? { cpus: { local: ends.client, remote: ends.server } } : {}) });
          const value = parseNetperfKeyval((await run(argv, { ns: ep.clientNs })).stdout, test).throughput;
          const key = `${model.id}/${scenario}/${test}`;
          ((results[key] ??= { alone: [], 'all up': [] })[state]).push(value);
        }
      }
      for (const tb of bystanders) await testbedDown(tb, findModel(tb.model));
      bystanders = [];
    }
    console.error(`alternation ${a + 1} done`);
  }
} finally {
  for (const tb of bystanders) await testbedDown(tb, findModel(tb.model));
  await testbedDown(measured, model);
}
const rows = Object.entries(results).map(([config, r]) => ({
  config, alone: mean(r.alone), allUp: mean(r['all up']), changePct: 100 * (mean(r['all up']) / mean(r.alone) - 1),
  aloneCiPct: 100 * relativeHalfWidth(r.alone), allUpCiPct: 100 * relativeHalfWidth(r['all up']),
}));
await mkdir('bench/results', { recursive: true });
await writeFile('bench/results/coexist.json', JSON.stringify({ date: new Date().toISOString(), bystanders: others.map((m) => m.id), durationS, rows }, null, 2) + '\n');
console.log(`${model.id} measured alone and beside ${others.length} other testbeds; ${values.alternations} alternations × ${durationS} s\n`);
console.log('| configuration | alone | beside every other testbed | change |');
console.log('|---|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.config} | ${r.alone.toFixed(0)} ±${r.aloneCiPct.toFixed(1)}% | ${r.allUp.toFixed(0)} ±${r.allUpCiPct.toFixed(1)}% | ${r.changePct >= 0 ? '+' : ''}${r.changePct.toFixed(1)}% |`);
