// Tests the streaming perf script reader on output captured with perf 6.1 (test/fixtures/perf, see its README).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { gunzipSync } from 'node:zlib';
import { attributeProfile, PerfParseError, readPerfScript, type PerfSample } from '../src/tools/perf/index.ts';

const FIXTURES = new URL('./fixtures/perf/', import.meta.url);
const path = (name: string): string => new URL(name, FIXTURES).pathname;
const text = (name: string): string => (name.endsWith('.gz') ? gunzipSync(readFileSync(path(name))).toString('utf8') : readFileSync(path(name), 'utf8'));

async function collect(source: string | NodeJS.ReadableStream, name?: string): Promise<PerfSample[]> {
  const out: PerfSample[] = [];
  for await (const s of readPerfScript(source, name ? { name } : {})) out.push(s);
  return out;
}

/** Asserts that reading `source` fails with a PerfParseError whose message has every one of `parts`. */
async function rejectsParse(source: string | NodeJS.ReadableStream, ...parts: string[]): Promise<PerfParseError> {
  let caught: unknown;
  try {
    await collect(source);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof PerfParseError, `expected PerfParseError, got ${String(caught)}`);
  for (const p of parts) assert.ok(caught.message.includes(p), `message ${JSON.stringify(caught.message)} should contain ${JSON.stringify(p)}`);
  return caught;
}

/** Sample headers counted with a plain regex on the text, not with the parser. */
function headerCount(t: string): number {
  return t.split('\n').filter((l) => l !== '' && !l.startsWith('\t')).length;
}

test('main fixture: every sample perf recorded, each with a call chain', async () => {
  const t = text('main.perf-script.txt.gz');
  const recorded = Number(/\((\d+) samples\)/.exec(readFileSync(path('main.record.stderr'), 'utf8'))![1]);
  const samples = await collect(path('main.perf-script.txt.gz'));
  assert.equal(recorded, 16956);
  assert.equal(samples.length, recorded);
  assert.equal(samples.length, headerCount(t));
  assert.equal(samples.reduce((n, s) => n + s.frames.length, 0), t.split('\n').filter((l) => l.startsWith('\t')).length);
  for (const s of samples) {
    assert.ok(s.frames.length > 0);
    assert.equal(s.frames.length, s.dsos.length);
    assert.equal(s.frames.length, s.addrs?.length);
    assert.equal(s.event, 'cpu-clock');
    assert.equal(s.period, 1001001);
  }
});

test('excerpt: header fields, offsets stripped, [unknown] kept, DSOs with parentheses whole', async () => {
  const samples = await collect(path('excerpt.perf-script.txt'));
  assert.equal(samples.length, 39);
  const [idle] = samples;
  assert.deepEqual(
    { comm: idle!.comm, pid: idle!.pid, tid: idle!.tid, cpu: idle!.cpu, time: idle!.time, period: idle!.period, event: idle!.event },
    { comm: 'swapper', pid: 0, tid: 0, cpu: 0, time: 4875.721085, period: 1001001, event: 'cpu-clock' },
  );
  assert.deepEqual(idle!.frames.slice(0, 3), ['pv_native_safe_halt', 'default_idle', 'default_enter_idle']);
  assert.equal(idle!.dsos[0], '[kernel.kallsyms]');
  assert.equal(idle!.addrs?.[0], 'ffffffff821f4dab');

  const user = samples[2]!; // netserver, "[unknown] (/usr/bin/netserver)" then "[unknown] ([unknown])"
  assert.deepEqual(user.frames, ['[unknown]', '[unknown]']);
  assert.deepEqual(user.dsos, ['/usr/bin/netserver', '[unknown]']);

  const bpf = samples[13]!;
  assert.equal(bpf.frames[0], 'bpf_prog_6fb71ee114af4e32_cnib_perf_probe');
  assert.equal(bpf.dsos[0], 'bpf_prog_6fb71ee114af4e32_cnib_perf_probe');
  assert.ok(bpf.frames.includes('__tcf_classify.constprop.0'), 'clone suffixes are part of the symbol');

  const kworker = samples[22]!;
  assert.equal(kworker.comm, 'kworker/u8:0-ip');
  assert.equal(kworker.pid, 8513);

  const memfd = samples[37]!;
  assert.equal(memfd.comm, 'memfd:sealed-91');
  assert.ok(memfd.dsos.every((d) => d === '/memfd:sealed-91173221a7ea (deleted)'));
});

test('two events in one file: tracepoint headers with fields and no period', async () => {
  const samples = await collect(path('mixed-events.perf-script.txt.gz'));
  const recorded = Number(/\((\d+) samples\)/.exec(readFileSync(path('mixed.record.stderr'), 'utf8'))![1]);
  assert.equal(samples.length, recorded);
  const byEvent = new Map<string, number>();
  for (const s of samples) byEvent.set(s.event, (byEvent.get(s.event) ?? 0) + 1);
  assert.deepEqual([...byEvent], [
    ['cpu-clock', 2467],
    ['fib:fib_table_lookup', 1760],
  ]);
  const tp = samples.find((s) => s.event === 'fib:fib_table_lookup')!;
  assert.equal(tp.period, undefined);
  assert.ok(tp.frames.includes('fib_table_lookup'), 'tracepoint samples carry call chains too');
});

test('pid/tid header variant (-F comm,pid,tid,…) without symbol offsets', async () => {
  const samples = await collect(path('pid-tid.perf-script.txt'));
  assert.equal(samples.length, 60);
  const first = samples[0]!;
  assert.deepEqual([first.comm, first.pid, first.tid, first.cpu, first.period], ['sleep', 10232, 10232, 0, 1001001]);
  assert.deepEqual(first.frames, ['handle_amd', '[unknown]']);
  const idle = samples[1]!;
  assert.deepEqual([idle.comm, idle.pid, idle.tid, idle.frames[0]], ['swapper', 0, 0, 'pv_native_safe_halt']);
  const tp = samples.find((s) => s.event === 'fib:fib_table_lookup');
  assert.ok(tp, 'the fixture has tracepoint samples');
  assert.equal(tp.period, 1);
});

test('a stream in odd-sized chunks gives the same samples as the file', async () => {
  const t = text('excerpt.perf-script.txt');
  const buf = Buffer.from(t);
  const chunks: Buffer[] = [];
  for (let i = 0; i < buf.length; i += 7) chunks.push(buf.subarray(i, i + 7));
  const fromStream = await collect(Readable.from(chunks), 'excerpt-stream');
  const fromFile = await collect(path('excerpt.perf-script.txt'));
  assert.deepEqual(fromStream, fromFile);
});

test('call-chain lines are told apart by every byte: lines alike in length and start keep their own symbol and DSO', async () => {
  // The reader looks frame lines up by a hash of their length and first bytes, then compares them whole: these two
  // lines hash alike and must still give two frames. CRLF line ends and a UTF-8 process name are read as perf wrote them.
  const a = '\tffffffff8100aaaa tcp_sendmsg+0x1f ([kernel.kallsyms])';
  const b = '\tffffffff8100aaaa tcp_sendmsg+0x1f ([kernel.kallsymz])';
  assert.equal(a.length, b.length);
  const sample = (frame: string, t: string) => `netperf\u00e9  1300 [000]  3712.${t}:    1001001 cpu-clock: \r\n${frame}\r\n\tffffffff81000001 do_syscall_64+0x5 ([kernel.kallsyms])\r\n\r\n`;
  const input = sample(a, '870346') + sample(b, '871346') + sample(a, '872346');
  for (const step of [input.length, 5]) {
    const buf = Buffer.from(input);
    const chunks: Buffer[] = [];
    for (let i = 0; i < buf.length; i += step) chunks.push(buf.subarray(i, i + step));
    const got = await collect(Readable.from(chunks), 'alike');
    assert.deepEqual(got.map((s) => [s.comm, s.frames, s.dsos]), [
      ['netperf\u00e9', ['tcp_sendmsg', 'do_syscall_64'], ['[kernel.kallsyms]', '[kernel.kallsyms]']],
      ['netperf\u00e9', ['tcp_sendmsg', 'do_syscall_64'], ['[kernel.kallsymz]', '[kernel.kallsyms]']],
      ['netperf\u00e9', ['tcp_sendmsg', 'do_syscall_64'], ['[kernel.kallsyms]', '[kernel.kallsyms]']],
    ]);
  }
});

test('headers in the no -g format are refused with how to record call chains', async () => {
  const e = await rejectsParse(path('no-callchain.perf-script.txt'), 'no-callchain.perf-script.txt', 'without -g', 'perf record -a -g');
  assert.equal(e.line, 1);
  await rejectsParse(path('no-callchain-fields.perf-script.txt'), 'no-callchain-fields.perf-script.txt', 'without -g', 'perf record -a -g');
});

test('truncated gzip names the file', async () => {
  await rejectsParse(path('truncated.perf-script.txt.gz'), 'truncated.perf-script.txt.gz', 'truncated or corrupt');
});

test('unparseable header lines name the file and line', async () => {
  const mid = await rejectsParse(path('truncated-midline.perf-script.txt'), 'truncated-midline.perf-script.txt', 'not a perf script sample header');
  assert.equal(mid.line, text('truncated-midline.perf-script.txt').split('\n').length);
  const warn = await rejectsParse(path('with-stderr.perf-script.txt'), 'with-stderr.perf-script.txt', '"Warning:"');
  assert.equal(warn.line, text('with-stderr.perf-script.txt').split('\n').indexOf('Warning:') + 1);
});

test('missing file, gzip data without .gz, a perf.data file: errors that name the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'cnib-perf-test-'));
  try {
    await rejectsParse(join(dir, 'absent.txt'), 'absent.txt', 'cannot read');
    const gzAsText = join(dir, 'script.txt');
    writeFileSync(gzAsText, readFileSync(path('main.perf-script.txt.gz')));
    await rejectsParse(gzAsText, 'script.txt', 'gzip-compressed');
    const perfData = join(dir, 'perf.data');
    writeFileSync(perfData, Buffer.concat([Buffer.from('PERFILE2'), Buffer.alloc(64)]));
    await rejectsParse(perfData, 'perf.data', 'perf script -i');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** An endless-looking 50 MB stream: the excerpt repeated with new pids and times, made lazily as it is read. */
function generated(totalBytes: number): Readable {
  const blocks = text('excerpt.perf-script.txt').split('\n\n').filter((b) => b.trim() !== '');
  let produced = 0;
  let rep = 0;
  return new Readable({
    read() {
      if (produced >= totalBytes) return void this.push(null);
      const out = blocks.map((b) => b.replace(/^(\S.*?\s)(\d+)(\s+\[\d+\]\s+)(\d+)\.(\d+):/, (_m, c: string, pid: string, mid: string, s: string, us: string) => `${c}${Number(pid) + rep}${mid}${Number(s) + rep * 10}.${us}:`)).join('\n\n') + '\n\n';
      rep++;
      produced += Buffer.byteLength(out);
      this.push(out);
    },
  });
}

test('memory stays bounded on a 50 MB stream', async () => {
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc') as () => void;
  gc();
  const base = process.memoryUsage().heapUsed;
  let peak = base;
  let n = 0;
  async function* watched(): AsyncGenerator<PerfSample> {
    for await (const s of readPerfScript(generated(50 * 1024 * 1024), { name: 'generated' })) {
      // Collect first so that the figure is what the reader holds on to, not garbage V8 has yet to reclaim.
      if (++n % 5000 === 0) {
        gc();
        peak = Math.max(peak, process.memoryUsage().heapUsed);
      }
      yield s;
    }
  }
  const r = await attributeProfile(watched());
  assert.ok(r.samples > 40_000, `parsed ${r.samples} samples`);
  const growthMb = (peak - base) / 1024 / 1024;
  assert.ok(growthMb < 50, `heap grew by ${growthMb.toFixed(1)} MB`);
  console.error(`# 50 MB stream: ${r.samples} samples, peak live-heap growth ${growthMb.toFixed(1)} MB`);
});
