// Benchmark (not a test) of the perf script reader + component attribution: MB/s of uncompressed text and peak RSS at
// three input sizes (the largest ≥ 500 MB), and side by side `perf script` / `perf report` on a real perf.data recorded
// under netperf load in throwaway namespaces (test/fixtures/perf/capture.sh --load).
// Run: node --import tsx bench/perf-parse.bench.ts [--sizes 50,200,520] [--record-seconds 90] [--freq 4999] [--no-record]
// Writes bench/results/perf-parse.json, prints a markdown table, and deletes every large file it made.
import { once } from 'node:events';
import { createWriteStream, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, release, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { createGzip, gunzipSync } from 'node:zlib';
import { execa } from 'execa';
import { attributeProfile, readPerfScript, type Component } from '../src/tools/perf/index.ts';
import { run } from '../src/util/exec.ts';
import { which } from '../src/util/which.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const FIXTURE = fileURLToPath(new URL('../test/fixtures/perf/main.perf-script.txt.gz', import.meta.url));
const CAPTURE = fileURLToPath(new URL('../test/fixtures/perf/capture.sh', import.meta.url));
const RESULTS = join(HERE, 'results', 'perf-parse.json');
const MB = 1024 * 1024;
const TARGET_MB_S = 50;
const TARGET_RSS_MB = 300;

/** What one child process measured while reading one file. */
interface ParseMeasure {
  file: string;
  samples: number;
  idleSamples: number;
  byComponent: Record<Component, number>;
  seconds: number;
  maxRssMb: number;
}

/** Child mode: parse and attribute one file in a fresh process, so that its peak RSS is this work's alone. */
async function child(file: string): Promise<void> {
  const t0 = performance.now();
  const r = await attributeProfile(readPerfScript(file));
  const seconds = (performance.now() - t0) / 1000;
  const hwm = /VmHWM:\s+(\d+) kB/.exec(await readFile('/proc/self/status', 'utf8').catch(() => ''));
  const maxRssKb = Math.max(process.resourceUsage().maxRSS, hwm ? Number(hwm[1]) : 0);
  const out: ParseMeasure = { file, samples: r.samples, idleSamples: r.idleSamples, byComponent: r.byComponent, seconds, maxRssMb: maxRssKb / 1024 };
  process.stdout.write(JSON.stringify(out));
}

async function measureInChild(file: string): Promise<ParseMeasure> {
  const tsx = import.meta.resolve('tsx');
  const res = await run([process.execPath, '--import', tsx, fileURLToPath(import.meta.url), '--child', file], { timeoutMs: 30 * 60_000 });
  return JSON.parse(res.stdout) as ParseMeasure;
}

/** A real sample's header split around the fields that vary between copies. */
interface Template {
  head: string;
  pid: number;
  mid: string;
  time: number;
  tail: string;
}

const HEADER_RE = /^(\S.*?\s)(\d+)(\s+\[\d+\]\s+)(\d+\.\d+)(:[^\n]*\n[\s\S]*)$/;

function templates(): { list: Template[]; span: number } {
  const blocks = gunzipSync(readFileSync(FIXTURE)).toString('utf8').split('\n\n').filter((b) => b.trim() !== '');
  const list = blocks.map((b) => {
    const m = HEADER_RE.exec(b);
    if (!m) throw new Error(`fixture block without a header: ${b.slice(0, 80)}`);
    return { head: m[1]!, pid: Number(m[2]), mid: m[3]!, time: Number(m[4]), tail: m[5]! };
  });
  const span = list[list.length - 1]!.time - list[0]!.time + 1;
  return { list, span };
}

/**
 * Writes ≥ `bytes` of perf script text, gzipped, by repeating the real capture: each copy shifts the (non-zero) pids
 * and the times, so the text is not trivially compressible and looks like one long recording. Streamed in 1 MB pieces.
 */
async function generate(path: string, bytes: number): Promise<{ bytes: number; samples: number; seconds: number }> {
  const t0 = performance.now();
  const { list, span } = templates();
  const gz = createGzip({ level: 1 });
  const done = pipeline(gz, createWriteStream(path));
  let written = 0;
  let samples = 0;
  let buf: string[] = [];
  let bufLen = 0;
  for (let rep = 0; written + bufLen < bytes; rep++) {
    for (const t of list) {
      if (written + bufLen >= bytes) break;
      const pid = t.pid === 0 ? 0 : 1000 + ((t.pid + rep * 7919) % 4_000_000);
      const s = `${t.head}${pid}${t.mid}${(t.time + rep * span).toFixed(6)}${t.tail}\n\n`;
      buf.push(s);
      bufLen += s.length;
      samples++;
      if (bufLen >= MB) {
        written += bufLen;
        if (!gz.write(buf.join(''))) await once(gz, 'drain');
        buf = [];
        bufLen = 0;
      }
    }
  }
  written += bufLen;
  gz.end(buf.join(''));
  await done;
  return { bytes: written, samples, seconds: (performance.now() - t0) / 1000 };
}

/** Counts bytes of a stream it throws away. */
function counter(): Writable & { bytes: number } {
  const w = new Writable({
    write(chunk: Buffer, _enc, cb) {
      w.bytes += chunk.length;
      cb();
    },
  }) as Writable & { bytes: number };
  w.bytes = 0;
  return w;
}

interface RealMeasure {
  recordSeconds: number;
  freqHz: number;
  recordedSamples: number;
  perfDataMb: number;
  scriptMb: number;
  perfScriptSeconds: number;
  perfReportSeconds: number;
  perfReportMaxRssMb?: number;
  ours: ParseMeasure;
}

/** Records a perf.data under netperf load, then times perf script, perf report and our reader on it. */
async function realComparison(dir: string, seconds: number, freq: number): Promise<RealMeasure | { skipped: string }> {
  if (process.getuid?.() !== 0) return { skipped: 'not root (the load runs in network namespaces)' };
  for (const tool of ['perf', 'netperf', 'netserver', 'clang', 'tc', 'iptables-legacy']) if (!(await which(tool))) return { skipped: `${tool} not found` };
  const data = join(dir, 'perf.data');
  console.error(`recording ${seconds} s at ${freq} Hz under netperf load …`);
  const rec = await run(['bash', CAPTURE, '--load', String(seconds), String(freq), data], { timeoutMs: (seconds + 180) * 1000 });
  const recorded = Number(/\((\d+) samples\)/.exec(rec.stderr)?.[1] ?? NaN);
  const perfDataMb = (await stat(data)).size / MB;

  // perf script alone (output counted and dropped), then again into the gzip file our reader gets.
  let t0 = performance.now();
  const sink = counter();
  const s1 = execa('perf', ['script', '-i', data], { buffer: { stdout: false }, stderr: 'ignore', reject: false });
  await pipeline(s1.stdout!, sink);
  await s1;
  const perfScriptSeconds = (performance.now() - t0) / 1000;
  const gzPath = join(dir, 'real.perf-script.txt.gz');
  // execa with a stream, not run(): run() would hold the whole (~500 MB) output in memory.
  const s2 = execa('perf', ['script', '-i', data], { buffer: { stdout: false }, stderr: 'ignore', reject: false });
  await pipeline(s2.stdout!, createGzip({ level: 1 }), createWriteStream(gzPath));
  await s2;

  t0 = performance.now();
  const time = await which('time');
  const reportArgv = ['perf', 'report', '--stdio', '--no-children', '--sort', 'sym', '-i', data];
  const rep = await run(time ? [time, '-f', '%e %M', ...reportArgv] : reportArgv, { timeoutMs: 30 * 60_000 });
  const perfReportSeconds = (performance.now() - t0) / 1000;
  const rss = time ? /(\d+(?:\.\d+)?) (\d+)\s*$/.exec(rep.stderr.trim()) : null;
  const ours = { ...(await measureInChild(gzPath)), file: 'perf script of the recorded perf.data (gzipped)' };
  await rm(gzPath, { force: true });
  const out: RealMeasure = { recordSeconds: seconds, freqHz: freq, recordedSamples: recorded, perfDataMb, scriptMb: sink.bytes / MB, perfScriptSeconds, perfReportSeconds, ours };
  if (rss) out.perfReportMaxRssMb = Number(rss[2]) / 1024;
  return out;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      child: { type: 'string' },
      sizes: { type: 'string', default: '50,200,520' },
      'record-seconds': { type: 'string', default: '90' },
      freq: { type: 'string', default: '4999' },
      'no-record': { type: 'boolean', default: false },
    },
  });
  if (values.child) return child(values.child);

  const sizes = values.sizes.split(',').map(Number);
  const dir = await mkdtemp(join(tmpdir(), 'cnib-perf-bench-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));
  try {
    const generated: (ParseMeasure & { uncompressedMb: number; gzMb: number; mbPerS: number; generateSeconds: number })[] = [];
    for (const sizeMb of sizes) {
      const file = join(dir, `gen-${sizeMb}.perf-script.txt.gz`);
      const g = await generate(file, sizeMb * MB);
      const gzMb = (await stat(file)).size / MB;
      const m = await measureInChild(file);
      await rm(file, { force: true });
      if (m.samples !== g.samples) throw new Error(`read ${m.samples} samples of ${g.samples} written`);
      const uncompressedMb = g.bytes / MB;
      generated.push({ ...m, file: `generated ${sizeMb} MB`, uncompressedMb, gzMb, mbPerS: uncompressedMb / m.seconds, generateSeconds: g.seconds });
      console.error(`generated ${uncompressedMb.toFixed(0)} MB: ${(uncompressedMb / m.seconds).toFixed(1)} MB/s, peak RSS ${m.maxRssMb.toFixed(0)} MB`);
    }
    const real = values['no-record'] ? { skipped: '--no-record' } : await realComparison(dir, Number(values['record-seconds']), Number(values.freq));

    const rates = generated.map((g) => g.mbPerS);
    const flat = Math.min(...rates) / Math.max(...rates);
    const worstRss = Math.max(...generated.map((g) => g.maxRssMb), 'ours' in real ? real.ours.maxRssMb : 0);
    const perfVersion = (await run(['perf', '--version'], { reject: false })).stdout.trim();
    const result = {
      date: new Date().toISOString(),
      host: `${cpus()[0]?.model ?? '?'}, ${cpus().length} cores, kernel ${release()}`,
      node: process.version,
      perf: perfVersion,
      method:
        'Generated inputs repeat the real capture test/fixtures/perf/main.perf-script.txt.gz (pids and times shifted per copy), gzip level 1; ' +
        'each is read by readPerfScript + attributeProfile in a fresh child process (time of that work, peak RSS of that process). ' +
        'The real comparison records one perf.data under netperf load (capture.sh --load), then times `perf script` (output discarded), ' +
        '`perf report --stdio --no-children --sort sym`, and our reader on the gzipped perf script output of the same perf.data.',
      targets: { mbPerS: TARGET_MB_S, maxRssMb: TARGET_RSS_MB },
      generated: generated.map(({ byComponent: _b, ...g }) => g),
      throughputFlatness: flat,
      real,
      pass: Math.min(...rates) >= TARGET_MB_S && worstRss < TARGET_RSS_MB,
    };
    await mkdir(join(HERE, 'results'), { recursive: true });
    await writeFile(RESULTS, JSON.stringify(result, null, 2) + '\n');

    const rows = [
      '| input | uncompressed MB | samples | our parse+attribute s | MB/s | our peak RSS MB | perf script s | perf report s | perf report peak RSS MB |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...generated.map((g) => `| ${g.file} | ${g.uncompressedMb.toFixed(0)} | ${g.samples} | ${g.seconds.toFixed(2)} | ${g.mbPerS.toFixed(1)} | ${g.maxRssMb.toFixed(0)} | – | – | – |`),
    ];
    if ('ours' in real) {
      const o = real.ours;
      rows.push(
        `| real perf.data (${real.recordSeconds} s at ${real.freqHz} Hz, ${real.perfDataMb.toFixed(0)} MB) | ${real.scriptMb.toFixed(0)} | ${o.samples} | ${o.seconds.toFixed(2)} | ${(real.scriptMb / o.seconds).toFixed(1)} | ${o.maxRssMb.toFixed(0)} | ${real.perfScriptSeconds.toFixed(2)} | ${real.perfReportSeconds.toFixed(2)} | ${real.perfReportMaxRssMb?.toFixed(0) ?? '?'} |`,
      );
    } else {
      rows.push(`| real perf.data | skipped: ${real.skipped} | | | | | | | |`);
    }
    console.log(rows.join('\n'));
    console.log(`\nthroughput flatness (slowest/fastest over sizes): ${flat.toFixed(2)}; targets ≥ ${TARGET_MB_S} MB/s and < ${TARGET_RSS_MB} MB RSS: ${result.pass ? 'met' : 'NOT met'}`);
  } finally {
    await cleanup();
  }
}

await main();
