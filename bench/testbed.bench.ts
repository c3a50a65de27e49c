// Benchmarks of the local testbed (not tests): `testbed up` + `down` time per model, and a collection's wall time
// against the sum of its netperf durations. Run as root: npm run bench -- [--rounds N] [--duration S] [--reps N]
// [--collection-only] (skips the up/down table and writes bench/results/collection.json instead)
import { parseArgs } from 'node:util';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MODELS } from '../src/testbed/models/index.ts';
import { type Scenario } from '../src/testbed/model.ts';
import { requiredFeatures } from '../src/testbed/kinds/index.ts';
import { missingFeatures } from '../src/testbed/features.ts';
import { testbedDown, testbedUp } from '../src/testbed/lifecycle.ts';
import { parsePlan } from '../src/collect/plan.ts';
import { createRun, executeRun } from '../src/local/run.ts';
import { silentProgress } from '../src/collect/progress.ts';
import { hostFacts } from '../src/collect/hostFacts.ts';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, duration: { type: 'string', default: '2' }, reps: { type: 'string', default: '1' }, 'collection-only': { type: 'boolean' } } });
const rounds = Number(values.rounds);

if (process.getuid?.() !== 0) {
  console.error('the testbed benchmarks need root (they build network namespaces)');
  process.exit(2);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

// 1. up + down per model (both scenarios where the kernel can build them, netservers started as collect does)
const rows: { model: string; upMedian: number; upMax: number; downMedian: number; downMax: number }[] = [];
for (const model of values['collection-only'] ? [] : MODELS) {
  const scenarios: Scenario[] = [];
  for (const s of model.scenarios) if ((await missingFeatures(requiredFeatures(model, s))).length === 0) scenarios.push(s);
  if (!scenarios.length) continue;
  const ups: number[] = [];
  const downs: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    const tb = await testbedUp(model, { scenarios });
    const t1 = performance.now();
    await testbedDown(tb, model);
    ups.push(t1 - t0);
    downs.push(performance.now() - t1);
  }
  rows.push({ model: model.id, upMedian: median(ups), upMax: Math.max(...ups), downMedian: median(downs), downMax: Math.max(...downs) });
  console.error(`${model.id}: up ${median(ups).toFixed(0)} ms, down ${median(downs).toFixed(0)} ms`);
}

// 2. collection overhead: every model, every test, intra and inter
const dataDir = await mkdtemp(join(tmpdir(), 'cnibench-bench-'));
const plan = parsePlan({ reps: values.reps, duration: values.duration });
const { runDir, manifest } = await createRun(dataDir, plan);
const t0 = performance.now();
const result = await executeRun(runDir, manifest, { progress: silentProgress, signal: new AbortController().signal });
const wallS = (performance.now() - t0) / 1000;
const ran = result.manifest.items.filter((i) => i.status === 'ok' || i.status === 'failed').length;
const netperfS = ran * plan.durationS;
// The discarded warm-ups (one per configuration and testbed bring-up, issue 10's method) are measurement time the
// method spends on purpose; the overhead is given with them counted as overhead and without.
const warmups = result.manifest.warmups?.length ?? 0;
const warmupS = warmups * (plan.schedule?.warmupS ?? 0);
await rm(dataDir, { recursive: true, force: true });

const host = await hostFacts();
const out = {
  date: new Date().toISOString(),
  host: `${host.cpuModel}, ${host.cores} cores, kernel ${host.kernel}${host.virtualized ? ' (VM)' : ''}`,
  rounds,
  upDown: rows,
  collection: {
    items: ran, durationS: plan.durationS, reps: plan.reps, wallS, netperfS, warmups, warmupS,
    overheadPct: ((wallS - netperfS) / netperfS) * 100,
    overheadBesideWarmupsPct: ((wallS - netperfS - warmupS) / (netperfS + warmupS)) * 100,
  },
};
await mkdir('bench/results', { recursive: true });
await writeFile(values['collection-only'] ? 'bench/results/collection.json' : 'bench/results/testbed.json', JSON.stringify(out, null, 2) + '\n');

console.log(`Host: ${out.host}; ${rounds} rounds per model; ${out.date.slice(0, 10)}\n`);
console.log('| model | up median (ms) | up max | down median (ms) | down max |');
console.log('|---|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.model} | ${r.upMedian.toFixed(0)} | ${r.upMax.toFixed(0)} | ${r.downMedian.toFixed(0)} | ${r.downMax.toFixed(0)} |`);
const c = out.collection;
console.log(`\nCollection: ${c.items} netperf runs × ${c.durationS} s = ${c.netperfS} s of netperf, ${c.warmups} discarded warm-ups (${c.warmupS} s); wall ${c.wallS.toFixed(1)} s; overhead ${c.overheadPct.toFixed(1)}% (warm-ups counted as overhead), ${c.overheadBesideWarmupsPct.toFixed(1)}% beside them`);
