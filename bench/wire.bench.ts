// What the link between the nodes does to inter-host numbers (a benchmark, not a test): short collections with
// `--wire veth` and `--wire nic`, alternating (which goes first alternates too), each a TCP_STREAM between nodes
// plus one profile per model. Prints per model and wire the throughput, cycles per wire frame and per skb, and how
// many frames the receiving pod's skbs carried. Run as root (about 9 minutes with the defaults):
//   node --import tsx bench/wire.bench.ts [--models host,flannel,cilium,calico-np] [--alternations 3] [--duration 5]
import { parseArgs } from 'node:util';
import { execa } from 'execa';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadRun } from '../src/analysis/loadRun.ts';
import { observationsOfRun } from '../src/analysis/observations.ts';
import { cppTables, type CppRow } from '../src/analysis/cpp.ts';
import { mean, relativeHalfWidth } from '../src/util/stats.ts';
import type { Wire } from '../src/testbed/topology.ts';

const { values } = parseArgs({ options: {
  models: { type: 'string', default: 'host,flannel,cilium,calico-np' },
  alternations: { type: 'string', default: '3' },
  duration: { type: 'string', default: '5' },
} });
if (process.getuid?.() !== 0) { console.error('needs root (builds network namespaces)'); process.exit(2); }
const BIN = join(import.meta.dirname, '..', 'bin', 'cnibench.mjs');
const dataDir = await mkdtemp(join(tmpdir(), 'cnibench-wire-'));

try {
  for (let a = 0; a < Number(values.alternations); a++) {
    for (const wire of (a % 2 ? ['nic', 'veth'] : ['veth', 'nic']) as Wire[]) {
      const argv = ['collect', '--cni', values.models, '--scenario', 'inter', '--tests', 'tcp_stream', '--reps', '1', '--duration', values.duration,
        '--profile', '--profile-reps', '1', '--profile-duration', values.duration, '--no-control', '--wire', wire, '--seed', String(a + 1), '--data-dir', dataDir];
      process.stderr.write(`alternation ${a + 1}, wire ${wire}\n`);
      const r = await execa(process.execPath, [BIN, ...argv], { reject: false });
      if (r.exitCode !== 0) throw new Error(`cnibench ${argv.join(' ')} exited with ${r.exitCode}: ${r.stderr}`);
    }
  }

  const byKey = new Map<string, { model: string; wire: Wire; mbits: number[]; perFrame: number[]; perSkb: number[]; framesPerSkb: number[] }>();
  const entry = (model: string, wire: Wire) => {
    const key = `${model} ${wire}`;
    if (!byKey.has(key)) byKey.set(key, { model, wire, mbits: [], perFrame: [], perSkb: [], framesPerSkb: [] });
    return byKey.get(key)!;
  };
  for (const id of (await readdir(join(dataDir, 'runs'))).sort()) {
    const run = await loadRun(dataDir, id);
    const wire = run.manifest.plan.wire ?? 'veth';
    for (const o of await observationsOfRun(run)) if (o.metric === 'throughput') entry(o.model, wire).mbits.push(o.value);
    const { cpp, problems } = await cppTables([run]);
    if (problems.length) throw new Error(`unusable profiles: ${problems.map((p) => `${p.item}: ${p.reason}`).join('; ')}`);
    const rows = cpp.objects() as CppRow[];
    for (const item of new Set(rows.map((r) => r.item))) {
      const of = rows.filter((r) => r.item === item);
      const e = entry(of[0]!.model, wire);
      e.perFrame.push(of[0]!.totalCpp);
      e.perSkb.push(of.reduce((n, r) => n + r.cppPerSkb, 0));
      e.framesPerSkb.push(of[0]!.packets / of[0]!.devicePackets);
    }
  }

  const rows = [...byKey.values()].map((e) => ({
    model: e.model, wire: e.wire, n: e.mbits.length,
    mbits: mean(e.mbits), mbitsCiPct: 100 * relativeHalfWidth(e.mbits),
    cyclesPerFrame: mean(e.perFrame), cyclesPerSkb: mean(e.perSkb), framesPerSkb: mean(e.framesPerSkb),
  }));
  const fmt = (x: number, d = 0) => x.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });
  console.log('| model | wire | n | Mbit/s | cycles per frame | cycles per skb | frames per skb at the pod |');
  console.log('|---|---|---:|---:|---:|---:|---:|');
  for (const r of rows) console.log(`| ${r.model} | ${r.wire} | ${r.n} | ${fmt(r.mbits)} ±${r.mbitsCiPct.toFixed(1)}% | ${fmt(r.cyclesPerFrame)} | ${fmt(r.cyclesPerSkb)} | ${fmt(r.framesPerSkb, 1)} |`);
  await mkdir(join(import.meta.dirname, 'results'), { recursive: true });
  await writeFile(join(import.meta.dirname, 'results', 'wire.json'), JSON.stringify({ date: new Date().toISOString(), durationS: Number(values.duration), alternations: Number(values.alternations), rows }, null, 2) + '\n');
} finally {
  await rm(dataDir, { recursive: true, force: true });
}
