// Benchmark (not a test) of the report pipeline, i.e. the work of `npm run report`: HTML time (load, derive, chart,
// render, write), PDF time (the pdf stage) and peak RSS, cold (fresh empty figure cache) and cached (same cache again),
// every build in a fresh child process. First on the committed reference data (data/runs), then on SYNTHETIC
// paper-scale runs (15 model × scenario configurations × 3 tests × N repetitions + one profile each) generated from the
// real fixture run at several sizes, to see how time grows with raw MB. Output, caches and the synthetic runs live in
// a temp dir that is deleted at the end; reports/ and data/ are never written.
// Run: npm run bench:report [-- --reps 3 --scales 12,25,50 --profile-scales 1,4,16 --no-synthetic]
// Writes bench/results/report.json and prints markdown tables.
import { prng as seededRandom, seedOf } from '../src/util/random.ts';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, release, tmpdir, totalmem } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { gunzipSync, gzipSync } from 'node:zlib';
import { MANIFEST_SCHEMA, type ItemRecord, type RunManifest } from '../src/collect/manifest.ts';
import type { ProfileCounters } from '../src/collect/profileRecord.ts';
import { MODEL_IDS, findModel } from '../src/testbed/models/index.ts';
import { writeFileAtomic, writeJsonAtomic } from '../src/util/atomic.ts';
import { run } from '../src/util/exec.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const SELF = fileURLToPath(import.meta.url);
const DATA_DIR = fileURLToPath(new URL('../data', import.meta.url));
const FIXTURE_RUN = fileURLToPath(new URL('../test/fixtures/runs/20261126-120831-e600', import.meta.url));
const RESULTS = join(HERE, 'results', 'report.json');
const MB = 1024 * 1024;
const TESTS = ['tcp_stream', 'tcp_rr', 'udp_rr'] as const;
/** Targets from the issue: HTML (all stages but pdf) cached and cold, and the PDF on top. */
const TARGET_MS = { htmlCached: 2_000, htmlCold: 10_000, pdf: 10_000 };
/** Configurations the fixture run has no data for, and whose real files stand in for them (same scenario). */
const STAND_INS: Record<string, string> = { 'weave/intra': 'flannel/intra', 'weave/inter': 'flannel/inter' };

type Stage = 'load' | 'derive' | 'chart' | 'render' | 'write' | 'pdf';
const STAGES: Stage[] = ['load', 'derive', 'chart', 'render', 'write', 'pdf'];

/** What one child process measured while building one report. */
interface BuildMeasure {
  timings: Record<Stage, number>;
  htmlMs: number;
  pdfMs: number;
  maxRssMb: number;
  /** Importing the report code (vega, vega-lite, arquero, puppeteer) in the child, before buildReport. */
  importMs: number;
  runs: string[];
  notices: string[];
  figures: number;
  htmlKb: number;
  pdfKb: number;
  /** Whole child process as the parent saw it: node start, tsx, import, build, exit. */
  processMs: number;
}

interface ChildSpec {
  dataDir: string;
  outDir: string;
  cacheDir: string;
}

/** Child mode: one buildReport with PDF in this fresh process, so that its peak RSS is that build's alone. */
async function child(specJson: string): Promise<void> {
  const spec = JSON.parse(specJson) as ChildSpec;
  const t0 = performance.now();
  const { buildReport } = await import('../src/report/build.ts');
  const importMs = performance.now() - t0;
  const notices: string[] = [];
  const r = await buildReport({ dataDir: spec.dataDir, outDir: spec.outDir, pdf: true, cacheDir: spec.cacheDir, log: (line) => notices.push(line) });
  const t = r.timings;
  const hwm = /VmHWM:\s+(\d+) kB/.exec(await readFile('/proc/self/status', 'utf8').catch(() => ''));
  const maxRssKb = Math.max(process.resourceUsage().maxRSS, hwm ? Number(hwm[1]) : 0);
  const out: Omit<BuildMeasure, 'processMs'> = {
    timings: t,
    htmlMs: t.load + t.derive + t.chart + t.render + t.write,
    pdfMs: t.pdf,
    maxRssMb: maxRssKb / 1024,
    importMs: Math.round(importMs),
    runs: r.runs.map((x) => x.runId),
    notices,
    figures: r.figurePaths.length,
    htmlKb: Buffer.byteLength(r.html) / 1024,
    pdfKb: r.pdfPath ? (await stat(r.pdfPath)).size / 1024 : 0,
  };
  process.stdout.write(`\n${JSON.stringify(out)}\n`);
}

async function measureInChild(work: string, dataDir: string, cacheDir: string): Promise<BuildMeasure> {
  const outDir = await mkdtemp(join(work, 'out-'));
  const tsx = import.meta.resolve('tsx');
  const spec: ChildSpec = { dataDir, outDir, cacheDir };
  const t0 = performance.now();
  const res = await run([process.execPath, '--import', tsx, SELF, '--child', JSON.stringify(spec)], { timeoutMs: 10 * 60_000 });
  const processMs = performance.now() - t0;
  await rm(outDir, { recursive: true, force: true });
  const last = res.stdout.trim().split('\n').pop() ?? '';
  return { ...(JSON.parse(last) as Omit<BuildMeasure, 'processMs'>), processMs: Math.round(processMs) };
}

interface Spread {
  median: number;
  min: number;
  max: number;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const spread = (xs: number[]): Spread => ({ median: median(xs), min: Math.min(...xs), max: Math.max(...xs) });

interface ModeResult {
  htmlMs: Spread;
  pdfMs: Spread;
  maxRssMb: Spread;
  processMs: Spread;
  importMs: Spread;
  /** Median per stage, ms. */
  stages: Record<Stage, number>;
  builds: BuildMeasure[];
}

function summarizeMode(builds: BuildMeasure[]): ModeResult {
  return {
    htmlMs: spread(builds.map((b) => b.htmlMs)),
    pdfMs: spread(builds.map((b) => b.pdfMs)),
    maxRssMb: spread(builds.map((b) => b.maxRssMb)),
    processMs: spread(builds.map((b) => b.processMs)),
    importMs: spread(builds.map((b) => b.importMs)),
    stages: Object.fromEntries(STAGES.map((s) => [s, median(builds.map((b) => b.timings[s]))])) as Record<Stage, number>,
    builds,
  };
}

interface DataSetResult {
  label: string;
  synthetic: boolean;
  rawMb: number;
  rawFiles: number;
  /** Uncompressed perf script text of all profiles, MB. */
  profileTextMb: number;
  reps?: number;
  profileScale?: number;
  runs: string[];
  notices: string[];
  figures: number;
  htmlKb: number;
  pdfKb: number;
  cold: ModeResult;
  cached: ModeResult;
}

/** `reps` × (cold build with a fresh empty figure cache, then a cached build on that cache), each in a new process. */
async function measureDataSet(work: string, dataDir: string, reps: number, label: string): Promise<{ cold: ModeResult; cached: ModeResult; first: BuildMeasure }> {
  const cold: BuildMeasure[] = [];
  const cached: BuildMeasure[] = [];
  for (let i = 0; i < reps; i++) {
    const cacheDir = await mkdtemp(join(work, 'figure-cache-'));
    cold.push(await measureInChild(work, dataDir, cacheDir));
    cached.push(await measureInChild(work, dataDir, cacheDir));
    await rm(cacheDir, { recursive: true, force: true });
    const c = cold.at(-1)!;
    const h = cached.at(-1)!;
    console.error(`${label} #${i + 1}: cold HTML ${c.htmlMs} ms + PDF ${c.pdfMs} ms (${c.maxRssMb.toFixed(0)} MB); cached HTML ${h.htmlMs} ms + PDF ${h.pdfMs} ms (${h.maxRssMb.toFixed(0)} MB)`);
  }
  return { cold: summarizeMode(cold), cached: summarizeMode(cached), first: cold[0]! };
}

/** Raw bytes and files of every run under dataDir/runs, as their manifests record them, and the profile text size. */
async function rawSize(dataDir: string): Promise<{ rawMb: number; rawFiles: number; profileTextMb: number }> {
  let bytes = 0;
  let files = 0;
  let text = 0;
  const runsDir = join(dataDir, 'runs');
  for (const name of (await readdir(runsDir)).sort()) {
    if (name.startsWith('.') || !(await stat(join(runsDir, name))).isDirectory()) continue; // as loadInputs skips them
    const m = JSON.parse(await readFile(join(runsDir, name, 'manifest.json'), 'utf8')) as RunManifest;
    for (const [rel, f] of Object.entries(m.files)) {
      bytes += f.bytes;
      files++;
      if (rel.endsWith('.perf-script.txt.gz')) text += gunzipSync(await readFile(join(runsDir, name, rel))).length;
    }
  }
  return { rawMb: bytes / MB, rawFiles: files, profileTextMb: text / MB };
}

// ---- synthetic runs ----------------------------------------------------------------------------------------------

/** Small deterministic PRNG seeded by a string. */
const prng = (seed: string) => seededRandom(seedOf(seed));

const RATE_KEYS = new Set(['THROUGHPUT', 'TRANSACTION_RATE', 'LOCAL_TRANSPORT_RETRANS']);
const LATENCY_KEYS = new Set(['MEAN_LATENCY', 'P50_LATENCY', 'P90_LATENCY', 'P99_LATENCY', 'STDDEV_LATENCY']);

/** A real netperf keyval output with its rate scaled by a factor within ±5% and its latencies by the inverse, same digits. */
function perturbNetperf(text: string, rand: () => number): string {
  const f = 1 + (rand() - 0.5) * 0.1;
  return text.replace(/^([A-Z0-9_]+)=(.*)$/gm, (line, key: string, val: string) => {
    const scale = RATE_KEYS.has(key) ? f : LATENCY_KEYS.has(key) ? 1 / f : 1;
    const n = Number(val);
    if (scale === 1 || val.trim() === '' || !Number.isFinite(n)) return line;
    return `${key}=${(n * scale).toFixed(val.split('.')[1]?.length ?? 0)}`;
  });
}

/** Header of a perf script sample, split around the pid and the time that vary between copies. */
const SAMPLE_RE = /^(\S.*?\s)(\d+)(\s+\[\d+\]\s+)(\d+\.\d+)(:[^\n]*\n[\s\S]*)$/;

/** The real capture repeated `k` times as one longer recording (pids and times shifted per copy), gzipped as collect does. */
function multiplyPerfScript(gz: Buffer, k: number): Buffer {
  if (k === 1) return gz;
  const blocks = gunzipSync(gz).toString('utf8').split('\n\n').filter((b) => b.trim() !== '');
  const parsed = blocks.map((b) => SAMPLE_RE.exec(b));
  const times = parsed.flatMap((m) => (m ? [Number(m[4])] : []));
  const span = Math.max(...times) - Math.min(...times) + 1;
  const out: string[] = [];
  for (let rep = 0; rep < k; rep++) {
    for (let i = 0; i < blocks.length; i++) {
      const m = parsed[i];
      if (!m || rep === 0) {
        out.push(blocks[i]!);
        continue;
      }
      const pid = Number(m[2]);
      out.push(`${m[1]}${pid === 0 ? 0 : 1000 + ((pid + rep * 7919) % 4_000_000)}${m[3]}${(Number(m[4]) + rep * span).toFixed(6)}${m[5]}`);
    }
  }
  return gzipSync(out.join('\n\n') + '\n\n');
}

interface Config {
  model: string;
  scenario: string;
  /** Fixture configuration whose files are reused. */
  source: string;
}

/** 15 configurations: every model × scenario the fixture run profiled, plus STAND_INS, in registry order. */
function configsOf(fixture: RunManifest): Config[] {
  const seen = new Set(fixture.items.filter((i) => i.kind === 'profile' && i.status === 'ok').map((i) => `${i.model}/${i.scenario}`));
  const list: Config[] = [...seen].map((k) => ({ model: k.split('/')[0]!, scenario: k.split('/')[1]!, source: k }));
  for (const [k, source] of Object.entries(STAND_INS)) if (!seen.has(k) && seen.has(source)) list.push({ model: k.split('/')[0]!, scenario: k.split('/')[1]!, source });
  for (const c of list) if (!findModel(c.model)?.scenarios.includes(c.scenario as 'intra' | 'inter')) throw new Error(`the registry has no ${c.model}/${c.scenario}`);
  const rank = (m: string) => MODEL_IDS.indexOf(m);
  return list.sort((a, b) => rank(a.model) - rank(b.model) || (a.scenario === 'intra' ? 0 : 1) - (b.scenario === 'intra' ? 0 : 1));
}

/**
 * Writes a synthetic run under dataDir/runs: every configuration × test × `reps` repetitions (the fixture's real
 * netperf outputs, cycled, with perturbed numbers; its real datapath checks), and one profile per configuration
 * (the fixture's real files, the perf script repeated `profileScale` times with the packet counters scaled alike).
 * A proper run: manifest schema cnibench.run/1 with the sha256 of every raw file.
 */
async function generateRun(dataDir: string, reps: number, profileScale: number): Promise<{ runId: string; seconds: number }> {
  const t0 = performance.now();
  const fixture = JSON.parse(await readFile(join(FIXTURE_RUN, 'manifest.json'), 'utf8')) as RunManifest;
  const configs = configsOf(fixture);
  const runId = `synthetic-r${String(reps).padStart(3, '0')}-p${profileScale}x`;
  const runDir = join(dataDir, 'runs', runId);
  const models = [...new Set(configs.map((c) => c.model))];
  const start = Date.parse('2026-12-01T00:00:00.000Z');
  const m: RunManifest = {
    schema: MANIFEST_SCHEMA,
    runId,
    createdAt: new Date(start).toISOString(),
    updatedAt: new Date(start).toISOString(),
    status: 'complete',
    backend: 'local',
    plan: {
      ...fixture.plan,
      models,
      scenarios: ['intra', 'inter'],
      reps,
      ...(fixture.plan.profile ? { profile: { ...fixture.plan.profile, durationS: fixture.plan.profile.durationS * profileScale } } : {}),
    },
    host: fixture.host,
    tools: fixture.tools,
    emulation: Object.fromEntries(models.map((id) => [id, [...findModel(id)!.emulation]])),
    items: [],
    files: {},
    sessions: [],
  };
  const byId = new Map(fixture.items.map((i) => [i.id, i]));
  const sourceFile = (item: ItemRecord, suffix: string) => {
    const f = item.files.find((x) => x.endsWith(suffix));
    if (!f) throw new Error(`fixture item ${item.id} has no ${suffix}`);
    return f;
  };
  const put = async (rel: string, data: string | Buffer) => { m.files[rel] = await writeFileAtomic(join(runDir, rel), data); return rel; };
  let clock = start;
  const stamp = (ms: number) => { clock += ms; return new Date(clock).toISOString(); };

  for (const model of models) {
    // The testbed description of the source model, as collect writes one per model.
    const src = configs.find((c) => c.model === model)!.source.split('/')[0]!;
    const tb = Object.keys(fixture.files).find((f) => f.startsWith(`raw/${src}/testbed-`));
    if (tb) await put(`raw/${model}/${basename(tb)}`, await readFile(join(FIXTURE_RUN, tb)));
  }
  for (const c of configs) {
    const [srcModel, srcScenario] = c.source.split('/') as [string, string];
    const testbed = byId.get(`${c.source}/tcp_stream/001`)?.testbed ?? 'synthetic';
    for (const test of TESTS) {
      const sources = [1, 2, 3].map((r) => byId.get(`${srcModel}/${srcScenario}/${test}/${String(r).padStart(3, '0')}`)).filter((i): i is ItemRecord => i?.status === 'ok');
      if (!sources.length) throw new Error(`fixture has no ${c.source}/${test}`);
      for (let rep = 1; rep <= reps; rep++) {
        const srcItem = sources[(rep - 1) % sources.length]!;
        const rr = String(rep).padStart(3, '0');
        const dir = `raw/${c.model}/${c.scenario}/${test}`;
        const netperf = perturbNetperf(await readFile(join(FIXTURE_RUN, sourceFile(srcItem, '.netperf.txt')), 'utf8'), prng(`${c.model}/${c.scenario}/${test}/${rep}`));
        const files = [await put(`${dir}/rep-${rr}.netperf.txt`, netperf), await put(`${dir}/rep-${rr}.datapath.json`, await readFile(join(FIXTURE_RUN, sourceFile(srcItem, '.datapath.json'))))];
        const tp = /^THROUGHPUT=(.*)$/m.exec(netperf)?.[1];
        const units = /^THROUGHPUT_UNITS=(.*)$/m.exec(netperf)?.[1] ?? '';
        m.items.push({
          id: `${c.model}/${c.scenario}/${test}/${rr}`, kind: 'netperf', model: c.model, scenario: c.scenario as ItemRecord['scenario'], test, rep,
          status: 'ok', files, startedAt: stamp(3), testbed, finishedAt: stamp(1020), datapath: true, headline: { value: Number(tp), units },
        });
      }
    }
    const srcProfile = byId.get(`${c.source}/profile`);
    if (!srcProfile?.profile) throw new Error(`fixture has no profile of ${c.source}`);
    const files: string[] = [];
    for (const f of srcProfile.files) {
      const rel = `raw/${c.model}/${c.scenario}/profile/${basename(f)}`;
      let data: Buffer | string = await readFile(join(FIXTURE_RUN, f));
      if (f.endsWith('record.perf-script.txt.gz')) data = multiplyPerfScript(data, profileScale);
      else if (f.endsWith('record.counters.json') && profileScale > 1) {
        // k times the samples over k times the packets: cycles per packet stay what the real capture says.
        const counters = JSON.parse(data.toString('utf8')) as ProfileCounters;
        data = JSON.stringify({ ...counters, rxPackets: counters.rxPackets * profileScale, rxBytes: counters.rxBytes * profileScale, durationS: counters.durationS * profileScale }, null, 2) + '\n';
      }
      files.push(await put(rel, data));
    }
    m.items.push({
      ...srcProfile,
      id: `${c.model}/${c.scenario}/profile`, model: c.model, scenario: c.scenario as ItemRecord['scenario'], files, startedAt: stamp(3), testbed, finishedAt: stamp(5000),
      profile: { ...srcProfile.profile, durationS: srcProfile.profile.durationS * profileScale },
      ...(srcProfile.headline ? { headline: { ...srcProfile.headline, value: srcProfile.headline.value * profileScale } } : {}),
    });
  }
  m.sessions = [{ startedAt: m.createdAt, endedAt: stamp(1000), outcome: 'complete' }];
  m.updatedAt = new Date(clock).toISOString();
  await writeJsonAtomic(join(runDir, 'manifest.json'), m);
  return { runId, seconds: (performance.now() - t0) / 1000 };
}

// ---- fits and tables ---------------------------------------------------------------------------------------------

interface Fit {
  slopeMsPerMb: number;
  interceptMs: number;
  r2: number;
}

/** Least squares y = a + b·x. */
function linearFit(xs: number[], ys: number[]): Fit {
  const n = xs.length;
  const mx = xs.reduce((a, b) => a + b, 0) / n;
  const my = ys.reduce((a, b) => a + b, 0) / n;
  let sxy = 0;
  let sxx = 0;
  let syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i]! - mx) * (ys[i]! - my);
    sxx += (xs[i]! - mx) ** 2;
    syy += (ys[i]! - my) ** 2;
  }
  const b = sxy / sxx;
  const a = my - b * mx;
  const ssRes = xs.reduce((s, x, i) => s + (ys[i]! - (a + b * x)) ** 2, 0);
  return { slopeMsPerMb: b, interceptMs: a, r2: syy === 0 ? 1 : 1 - ssRes / syy };
}

interface Series {
  name: string;
  varied: string;
  points: { label: string; rawMb: number; profileTextMb: number; htmlColdMs: number; htmlCachedMs: number; deriveMs: number; pdfMs: number; maxRssMb: number }[];
  fits: { htmlCold: Fit; htmlCached: Fit; derive: Fit; pdf: Fit };
}

function seriesOf(name: string, varied: string, sets: DataSetResult[]): Series {
  const points = sets.map((s) => ({
    label: s.label, rawMb: s.rawMb, profileTextMb: s.profileTextMb,
    htmlColdMs: s.cold.htmlMs.median, htmlCachedMs: s.cached.htmlMs.median, deriveMs: s.cached.stages.derive, pdfMs: s.cached.pdfMs.median, maxRssMb: s.cached.maxRssMb.median,
  }));
  const xs = points.map((p) => p.rawMb);
  return {
    name, varied, points,
    fits: {
      htmlCold: linearFit(xs, points.map((p) => p.htmlColdMs)),
      htmlCached: linearFit(xs, points.map((p) => p.htmlCachedMs)),
      derive: linearFit(xs, points.map((p) => p.deriveMs)),
      pdf: linearFit(xs, points.map((p) => p.pdfMs)),
    },
  };
}

const s1 = (ms: number) => (ms / 1000).toFixed(2);
const range = (x: Spread, f: (v: number) => string) => `${f(x.median)} (${f(x.min)}–${f(x.max)})`;
const ok = (pass: boolean) => (pass ? 'pass' : '**FAIL**');

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      reps: { type: 'string', default: '3' },
      scales: { type: 'string', default: '12,25,50' },
      'profile-scales': { type: 'string', default: '1,4,16' },
      'no-synthetic': { type: 'boolean', default: false },
    },
  });
  if (values.child) return child(values.child);

  const reps = Number(values.reps);
  const scales = values.scales.split(',').map(Number);
  const profileScales = values['profile-scales'].split(',').map(Number);
  const paperReps = Math.max(...scales);
  const work = await mkdtemp(join(tmpdir(), 'cnib-report-bench-'));
  const cleanup = () => rm(work, { recursive: true, force: true });
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  const tStart = performance.now();
  try {
    const chromium = (await run(['/usr/bin/chromium', '--version'], { reject: false })).stdout.trim().split('\n').pop() ?? '?';
    const env = { date: new Date().toISOString(), cpu: cpus()[0]?.model ?? '?', cores: cpus().length, memoryGiB: Math.round(totalmem() / 2 ** 30), kernel: release(), node: process.version, chromium };

    // 1. the committed reference data
    const sets: DataSetResult[] = [];
    const refSize = await rawSize(DATA_DIR);
    console.error(`reference data: ${refSize.rawMb.toFixed(1)} MB raw in ${refSize.rawFiles} files`);
    const ref = await measureDataSet(work, DATA_DIR, reps, 'reference');
    sets.push({ label: 'reference (data/runs)', synthetic: false, ...refSize, runs: ref.first.runs, notices: ref.first.notices, figures: ref.first.figures, htmlKb: ref.first.htmlKb, pdfKb: ref.first.pdfKb, cold: ref.cold, cached: ref.cached });

    // 2. synthetic runs, one at a time (generated, measured, deleted)
    const wanted = values['no-synthetic'] ? [] : [
      ...scales.map((r) => ({ reps: r, profileScale: 1 })),
      ...profileScales.filter((p) => p !== 1).map((p) => ({ reps: paperReps, profileScale: p })),
    ];
    const generation: { runId: string; seconds: number }[] = [];
    for (const w of wanted) {
      const dataDir = join(work, `synthetic-${w.reps}-${w.profileScale}`);
      const g = await generateRun(dataDir, w.reps, w.profileScale);
      generation.push(g);
      const size = await rawSize(dataDir);
      const label = `SYNTHETIC ${w.reps} reps, profiles ${w.profileScale}×`;
      console.error(`${label}: ${size.rawMb.toFixed(1)} MB raw in ${size.rawFiles} files (generated in ${g.seconds.toFixed(1)} s)`);
      const r = await measureDataSet(work, dataDir, reps, label);
      if (r.first.notices.some((n) => n.startsWith('warning'))) console.error(`  notices: ${r.first.notices.filter((n) => n.startsWith('warning')).join(' | ')}`);
      sets.push({ label, synthetic: true, ...size, reps: w.reps, profileScale: w.profileScale, runs: r.first.runs, notices: r.first.notices, figures: r.first.figures, htmlKb: r.first.htmlKb, pdfKb: r.first.pdfKb, cold: r.cold, cached: r.cached });
      await rm(dataDir, { recursive: true, force: true });
    }

    const synthetic = sets.filter((s) => s.synthetic);
    const repSeries = synthetic.filter((s) => s.profileScale === 1);
    const profSeries = synthetic.filter((s) => s.reps === paperReps).sort((a, b) => a.profileScale! - b.profileScale!);
    const series = [
      ...(repSeries.length >= 3 ? [seriesOf('repetitions', `netperf repetitions ${scales.join(', ')} (profiles 1×)`, repSeries)] : []),
      ...(profSeries.length >= 3 ? [seriesOf('profile size', `perf script ${profSeries.map((s) => `${s.profileScale}×`).join(', ')} (${paperReps} repetitions)`, profSeries)] : []),
    ];
    const judge = (s: DataSetResult) => ({
      htmlCached: s.cached.htmlMs.median < TARGET_MS.htmlCached,
      htmlCold: s.cold.htmlMs.median < TARGET_MS.htmlCold,
      pdf: Math.max(s.cold.pdfMs.median, s.cached.pdfMs.median) < TARGET_MS.pdf,
    });
    const benchSeconds = (performance.now() - tStart) / 1000;
    const result = {
      ...env,
      benchSeconds,
      method:
        `Each build is buildReport({ dataDir, outDir: <temp>, pdf: true, cacheDir, log }) in a fresh child process (node --import tsx); ` +
        `cold = a fresh empty figure cache dir, cached = the same cache dir again in a new process (the OS page cache is warm in both). ` +
        `HTML = load + derive + chart + render + write; PDF = the pdf stage (system Chromium via puppeteer-core). ` +
        `Peak RSS = max(process.resourceUsage().maxRSS, VmHWM) of the Node child only (Chromium's own processes are not counted). ` +
        `${reps} repetitions of each (cold, then cached); median and range. ` +
        `SYNTHETIC runs: 15 model × scenario configurations × 3 tests × N repetitions + one profile each, generated from the real fixture run ` +
        `test/fixtures/runs/20261126-120831-e600 (netperf outputs cycled with numbers perturbed ±5% by a seeded PRNG, real datapath checks, real profile files; ` +
        `${Object.entries(STAND_INS).map(([k, v]) => `${k} reuses ${v}`).join(', ')}); profile scale k repeats the perf script k times (pids and times shifted) and scales the packet counters by k. ` +
        `Raw MB = bytes of the raw files the manifests record (gzipped perf scripts as stored).`,
      targets: TARGET_MS,
      dataSets: sets.map((s) => ({ ...s, pass: judge(s) })),
      scaling: series,
      generation,
    };
    await mkdir(join(HERE, 'results'), { recursive: true });
    await writeFile(RESULTS, JSON.stringify(result, null, 2) + '\n');

    const lines: string[] = [];
    lines.push(`Host: ${env.cpu}, ${env.cores} cores, ${env.memoryGiB} GiB, kernel ${env.kernel}; Node ${env.node}; ${env.chromium}; ${env.date.slice(0, 10)}; ${reps} builds each\n`);
    lines.push('| data | raw MB | figure cache | HTML s | PDF s | peak RSS MB (node) | process wall s |');
    lines.push('|---|--:|---|--:|--:|--:|--:|');
    for (const s of sets) {
      for (const [mode, r] of [['cold', s.cold], ['cached', s.cached]] as const) {
        lines.push(`| ${s.label} | ${s.rawMb.toFixed(1)} | ${mode} | ${range(r.htmlMs, s1)} | ${range(r.pdfMs, s1)} | ${range(r.maxRssMb, (v) => v.toFixed(0))} | ${range(r.processMs, s1)} |`);
      }
    }
    lines.push('\nMedian ms per stage:\n');
    lines.push(`| data | figure cache | ${STAGES.join(' | ')} |`);
    lines.push(`|---|---|${STAGES.map(() => '--:').join('|')}|`);
    for (const s of sets) for (const [mode, r] of [['cold', s.cold], ['cached', s.cached]] as const) lines.push(`| ${s.label} | ${mode} | ${STAGES.map((st) => r.stages[st]).join(' | ')} |`);
    lines.push(`\nTargets (medians): HTML cached < ${TARGET_MS.htmlCached / 1000} s, HTML cold < ${TARGET_MS.htmlCold / 1000} s, PDF < ${TARGET_MS.pdf / 1000} s more\n`);
    lines.push('| data | HTML cached | HTML cold | PDF |');
    lines.push('|---|---|---|---|');
    for (const s of sets) {
      const j = judge(s);
      lines.push(`| ${s.label} | ${ok(j.htmlCached)} (${s1(s.cached.htmlMs.median)} s) | ${ok(j.htmlCold)} (${s1(s.cold.htmlMs.median)} s) | ${ok(j.pdf)} (${s1(Math.max(s.cold.pdfMs.median, s.cached.pdfMs.median))} s) |`);
    }
    for (const se of series) {
      lines.push(`\nScaling with raw size (SYNTHETIC), varying ${se.varied}:\n`);
      lines.push('| data | raw MB | perf script text MB | HTML cold ms | HTML cached ms | derive ms | cached HTML ms/MB | marginal ms/MB | PDF ms | peak RSS MB |');
      lines.push('|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|');
      se.points.forEach((p, i) => {
        const prev = se.points[i - 1];
        const marginal = prev ? ((p.htmlCachedMs - prev.htmlCachedMs) / (p.rawMb - prev.rawMb)).toFixed(0) : '–';
        lines.push(`| ${p.label} | ${p.rawMb.toFixed(2)} | ${p.profileTextMb.toFixed(1)} | ${p.htmlColdMs} | ${p.htmlCachedMs} | ${p.deriveMs} | ${(p.htmlCachedMs / p.rawMb).toFixed(0)} | ${marginal} | ${p.pdfMs} | ${p.maxRssMb.toFixed(0)} |`);
      });
      const f = (x: Fit) => `${x.interceptMs.toFixed(0)} ms + ${x.slopeMsPerMb.toFixed(0)} ms/MB (R² ${x.r2.toFixed(3)})`;
      lines.push(`\nLinear fits: HTML cold ${f(se.fits.htmlCold)}; HTML cached ${f(se.fits.htmlCached)}; derive ${f(se.fits.derive)}; PDF ${f(se.fits.pdf)}`);
    }
    lines.push(`\nbenchmark wall time ${benchSeconds.toFixed(0)} s; results in ${RESULTS}`);
    console.log(lines.join('\n'));
  } finally {
    await cleanup();
  }
}

await main();
