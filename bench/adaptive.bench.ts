// Adaptive stopping against the study's fixed schedule (a benchmark, not a test), side by side in one invocation on
// the same testbeds: first the fixed schedule (default 50 rounds × 10 s, as the study), then an adaptive run that
// stops each configuration at the precision the fixed schedule reached (the median of its configurations' 95% CI
// half-widths, or --precision). Prints, per configuration, each run's repetitions, mean and CI, and both runs' wall
// time. Run as root (about 40 minutes with the defaults):
//   node --import tsx bench/adaptive.bench.ts [--cni flannel,cilium] [--scenario intra] [--tests tcp_rr]
//     [--fixed-reps 50] [--fixed-duration 10] [--duration 5] [--precision P] [--max-rounds 50]
import { parseArgs } from 'node:util';
import { mkdtemp, mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { RunManifest } from '../src/collect/manifest.ts';
import { mean, relativeHalfWidth } from '../src/util/stats.ts';

const { values } = parseArgs({ options: {
  cni: { type: 'string', default: 'flannel,cilium' },
  scenario: { type: 'string', default: 'intra' },
  tests: { type: 'string', default: 'tcp_rr' },
  'fixed-reps': { type: 'string', default: '50' },
  'fixed-duration': { type: 'string', default: '10' },
  duration: { type: 'string', default: '5' },
  precision: { type: 'string' },
  'max-rounds': { type: 'string', default: '50' },
} });
if (process.getuid?.() !== 0) { console.error('needs root (builds network namespaces)'); process.exit(2); }
const BIN = join(import.meta.dirname, '..', 'bin', 'cnibench.mjs');
const common = ['--cni', values.cni, '--scenario', values.scenario, '--tests', values.tests];

async function collect(dataDir: string, args: string[]): Promise<{ m: RunManifest; wallS: number }> {
  const t0 = performance.now();
  const r = await execa(process.execPath, [BIN, 'collect', ...common, ...args, '--data-dir', dataDir], { reject: false, stderr: 'inherit' });
  if (r.exitCode !== 0) throw new Error(`collect exited with ${r.exitCode}`);
  const wallS = (performance.now() - t0) / 1000;
  const [id] = await readdir(join(dataDir, 'runs'));
  return { m: JSON.parse(await readFile(join(dataDir, 'runs', id!, 'manifest.json'), 'utf8')) as RunManifest, wallS };
}

function perConfig(m: RunManifest): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const i of m.items) {
    if (i.kind !== 'netperf' || i.status !== 'ok' || !i.headline) continue;
    const key = `${i.model}/${i.scenario}/${i.test}`;
    out.set(key, [...(out.get(key) ?? []), i.headline.value]);
  }
  return out;
}

const work = await mkdtemp(join(tmpdir(), 'cnibench-adaptive-bench-'));
try {
  console.error(`fixed: ${values['fixed-reps']} rounds × ${values['fixed-duration']} s …`);
  const fixed = await collect(join(work, 'fixed'), ['--reps', values['fixed-reps'], '--duration', values['fixed-duration'], '--seed', '1']);
  const fixedValues = perConfig(fixed.m);
  const widths = [...fixedValues.values()].map((v) => relativeHalfWidth(v)).sort((a, b) => a - b);
  const precision = values.precision ? Number(values.precision) : widths[Math.floor((widths.length - 1) / 2)]!;
  console.error(`fixed schedule: ${fixed.wallS.toFixed(0)} s; its median precision ±${(100 * precision).toFixed(2)}%`);
  console.error(`adaptive to ±${(100 * precision).toFixed(2)}% with ${values.duration}-s runs …`);
  const adaptive = await collect(join(work, 'adaptive'), ['--precision', precision.toFixed(4), '--duration', values.duration, '--max-rounds', values['max-rounds'], '--seed', '2']);
  const adaptiveValues = perConfig(adaptive.m);
  const rows = [...fixedValues].map(([config, f]) => {
    const a = adaptiveValues.get(config) ?? [];
    return {
      config,
      fixed: { n: f.length, mean: mean(f), halfWidthPct: 100 * relativeHalfWidth(f) },
      adaptive: { n: a.length, mean: mean(a), halfWidthPct: 100 * relativeHalfWidth(a), stop: adaptive.m.stops?.[config]?.reason ?? '' },
    };
  });
  const result = {
    date: new Date().toISOString(), cni: values.cni, scenario: values.scenario, tests: values.tests,
    fixed: { reps: Number(values['fixed-reps']), durationS: Number(values['fixed-duration']), wallS: fixed.wallS },
    adaptive: { precision, durationS: Number(values.duration), maxRounds: Number(values['max-rounds']), wallS: adaptive.wallS },
    timeRatio: adaptive.wallS / fixed.wallS,
    rows,
  };
  await mkdir('bench/results', { recursive: true });
  await writeFile('bench/results/adaptive.json', JSON.stringify(result, null, 2) + '\n');
  const fmt = (x: number) => (x >= 100 ? x.toFixed(0) : x.toPrecision(3));
  console.log(`fixed: ${result.fixed.reps} × ${result.fixed.durationS} s in ${fixed.wallS.toFixed(0)} s; adaptive (±${(100 * precision).toFixed(2)}%, ${result.adaptive.durationS}-s runs) in ${adaptive.wallS.toFixed(0)} s = ${(100 * result.timeRatio).toFixed(0)}% of the fixed schedule's time\n`);
  console.log('| configuration | fixed n | fixed mean | fixed ±CI | adaptive n | adaptive mean | adaptive ±CI | stopped |');
  console.log('|---|---:|---:|---:|---:|---:|---:|---|');
  for (const r of rows) console.log(`| ${r.config} | ${r.fixed.n} | ${fmt(r.fixed.mean)} | ${r.fixed.halfWidthPct.toFixed(2)}% | ${r.adaptive.n} | ${fmt(r.adaptive.mean)} | ${r.adaptive.halfWidthPct.toFixed(2)}% | ${r.adaptive.stop} |`);
} finally {
  await rm(work, { recursive: true, force: true });
}
