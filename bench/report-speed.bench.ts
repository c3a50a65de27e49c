// Benchmark (not a test) of `cnibench report` against the floor of reading its data, as ratios measured in one run
// (issue 13's targets): a COLD build (empty cache: every perf script parsed, every figure drawn, the PDF printed)
// against decompressing every raw file of data/runs; a FORCED rebuild with warm caches (what an edit of the code
// costs: everything recomputed but the attributions, figures and the PDF, whose HTML did not change); and an
// UNCHANGED run (nothing read or written changed since the last build: it says so and stops), whole command with
// the PDF, against `node -e 0`. Every measurement is a fresh process, the kinds alternate round by round so a slow
// moment of the machine hits all alike; the table gives medians. Output and caches live in a temp dir, deleted at the
// end; reports/ and data/ are never written.
// Run: npm run bench:report-speed [-- --rounds 3]   (writes bench/results/report-speed.json)
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = join(ROOT, 'bench', 'results', 'report-speed.json');
const { values } = parseArgs({ options: { rounds: { type: 'string', default: '3' } } });
const rounds = Number(values.rounds);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds must be a whole number of at least 1');

// Reads every file under data/runs and gunzips the compressed ones (perf scripts): the least any report must do.
const DECOMPRESS = `
const { readdirSync, readFileSync } = require('node:fs');
const { join } = require('node:path');
const { gunzipSync } = require('node:zlib');
let bytes = 0;
for (const e of readdirSync(process.argv[1], { recursive: true, withFileTypes: true })) {
  if (!e.isFile()) continue;
  const b = readFileSync(join(e.parentPath, e.name));
  bytes += e.name.endsWith('.gz') ? gunzipSync(b).length : b.length;
}
console.error(bytes);`;

const tmp = await mkdtemp(join(tmpdir(), 'cnibench-report-speed-'));
const out = join(tmp, 'reports');
const warmCache = join(tmp, 'cache-warm');
const BIN = join(ROOT, 'bin', 'cnibench.mjs');

function timed(argv: string[], env: Record<string, string> = {}): { ms: number; stdout: string } {
  const t0 = performance.now();
  const stdout = execFileSync(process.execPath, argv, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] }).toString();
  return { ms: performance.now() - t0, stdout };
}

const KINDS = {
  'decompress every raw file (floor)': () => timed(['-e', DECOMPRESS, join(ROOT, 'data', 'runs')]),
  'node -e 0': () => timed(['-e', '0']),
  'report, cold (no cache, PDF printed)': () => timed([BIN, 'report', '--out', join(tmp, 'cold'), '--force'], { CNIBENCH_CACHE_DIR: join(tmp, `cache-cold-${Math.random()}`) }),
  'report --force, warm caches (PDF kept)': () => timed([BIN, 'report', '--out', out, '--force'], { CNIBENCH_CACHE_DIR: warmCache }),
  'report, nothing changed (incl. PDF)': () => timed([BIN, 'report', '--out', out], { CNIBENCH_CACHE_DIR: warmCache }),
} as const;
type Kind = keyof typeof KINDS;

try {
  // Build dist/ if needed, and warm the caches the warm kinds use (not measured).
  timed([BIN, 'report', '--out', out, '--force'], { CNIBENCH_CACHE_DIR: warmCache });
  const times = new Map<Kind, number[]>(Object.keys(KINDS).map((k) => [k as Kind, []]));
  for (let r = 0; r < rounds; r++) {
    for (const [kind, fn] of Object.entries(KINDS) as [Kind, () => { ms: number; stdout: string }][]) {
      const { ms, stdout } = fn();
      if (kind === 'report, nothing changed (incl. PDF)' && !/up to date/.test(stdout)) throw new Error(`expected "up to date", got: ${stdout}`);
      times.get(kind)!.push(ms);
      process.stderr.write(`round ${r + 1}/${rounds}: ${kind}: ${Math.round(ms)} ms\n`);
    }
  }
  const median = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const m = (k: Kind) => median(times.get(k)!);
  const rows = [...times].map(([kind, xs]) => ({ kind, medianMs: Math.round(median(xs)), minMs: Math.round(Math.min(...xs)), maxMs: Math.round(Math.max(...xs)) }));
  console.log('| what | median ms | min–max ms |\n|---|---:|---:|');
  for (const r of rows) console.log(`| ${r.kind} | ${r.medianMs} | ${r.minMs}–${r.maxMs} |`);
  const cold = m('report, cold (no cache, PDF printed)') / m('decompress every raw file (floor)');
  const unchanged = m('report, nothing changed (incl. PDF)');
  console.log(`\ncold build ÷ decompressing every raw file: ${cold.toFixed(1)}× (target ≤ 3×: ${cold <= 3 ? 'met' : 'NOT met'})`);
  console.log(`nothing changed, whole command with the PDF: ${Math.round(unchanged)} ms (target ≤ 1,500 ms: ${unchanged <= 1500 ? 'met' : 'NOT met'}); ${(unchanged / m('node -e 0')).toFixed(1)}× node -e 0`);
  await mkdir(join(ROOT, 'bench', 'results'), { recursive: true });
  await writeFile(RESULTS, JSON.stringify({ date: new Date().toISOString(), node: process.version, kernel: release(), cpus: cpus().length, rounds, rows, coldOverDecompress: cold, unchangedMs: unchanged }, null, 2) + '\n');
} finally {
  await rm(tmp, { recursive: true, force: true });
}
