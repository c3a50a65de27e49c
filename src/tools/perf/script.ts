// Streaming reader of `perf script` text from `perf record -g`: yields one PerfSample at a time, never the whole file.
import { createReadStream } from 'node:fs';
import { pipeline } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { PerfParseError, type PerfSample } from './types.ts';

export interface ReadPerfScriptOptions {
  /** Name used in error messages; defaults to the path, or `<stream>`. */
  name?: string;
}

/** A line longer than this is not perf script output (and would otherwise grow without bound). */
const MAX_LINE_BYTES = 1 << 20;
/** perf's own ceiling is kernel.perf_event_max_stack (127 by default) kernel plus user frames; far above that is corrupt. */
const MAX_FRAMES = 16384;
const READ_CHUNK_BYTES = 256 * 1024;

/**
 * Header line of a sample, in the variants perf script prints:
 *   `netperf  1300 [000]  3712.870346:    1001001 cpu-clock: `              (default, -g)
 *   `           sleep  1339 [000]  3727.449585:    1001001 cpu-clock:  7f3f… sym+0x2 (dso)`  (no -g: ip inline)
 *   `netperf  1330 [000]  3724.228630: fib:fib_table_lookup: table 254 …`  (tracepoint: no period, fields after)
 *   `:-1    -1 [000]  3725.230405:    1001001            cpu-clock: `      (a task that exited: comm ":-1", pid -1)
 *   `comm 123/456 …` with -F pid,tid; `cycles:P:` with modifiers.
 * The event is the first `name:` followed by white space or the end, so `fib:fib_table_lookup` and `cycles:P` stay whole.
 */
const HEADER_RE = /^\s*(.*?)\s+(-?\d+)(?:\/(-?\d+))?\s+(?:\[(\d+)\]\s+)?(?:(\d+\.\d+):\s+)?(?:(\d+)\s+)?(\S+?):(?=\s|$)(.*)$/;
/** What follows the event when perf printed the sample's ip on the header line: recorded without call chains. */
const INLINE_IP_RE = /^\s+[0-9a-f]+\s+\S.*\)\s*$/;
const HEX_RE = /^[0-9a-f]+$/;

const NO_CALLCHAIN_HINT =
  'the samples have no call chains: the data was recorded without -g. Record with `perf record -a -g …` (as cnibench collect does) and run `perf script` again';

/** Parsed frame line: `addr sym+off (dso)`. */
interface Frame {
  addr: string;
  sym: string;
  dso: string;
}

/** Index of the first non-blank character, or the length. */
function skipBlanks(s: string, from: number): number {
  let i = from;
  while (i < s.length) {
    const c = s.charCodeAt(i);
    if (c !== 32 && c !== 9) break;
    i++;
  }
  return i;
}

/** `+0x1f` at the end of a symbol is perf's offset into it; anything else stays. */
function stripOffset(sym: string): string {
  const plus = sym.lastIndexOf('+0x');
  if (plus <= 0 || plus + 3 >= sym.length) return sym;
  return HEX_RE.test(sym.slice(plus + 3)) ? sym.slice(0, plus) : sym;
}

/** Reads `addr sym+off (dso)`; the DSO is the last balanced parenthesised group, so `(/memfd:x (deleted))` stays whole. */
function parseFrame(line: string): Frame | undefined {
  const start = skipBlanks(line, 0);
  const sp = line.indexOf(' ', start);
  if (sp < 0) return undefined;
  const addr = line.slice(start, sp);
  if (!HEX_RE.test(addr)) return undefined;
  let end = line.length;
  while (end > sp && line.charCodeAt(end - 1) === 32) end--;
  let dso = '';
  let symEnd = end;
  if (line.charCodeAt(end - 1) === 41 /* ) */) {
    let depth = 0;
    let j = end - 1;
    for (; j > sp; j--) {
      const c = line.charCodeAt(j);
      if (c === 41) depth++;
      else if (c === 40 /* ( */ && --depth === 0) break;
    }
    if (j > sp && depth === 0) {
      dso = line.slice(j + 1, end - 1);
      symEnd = j;
    }
  }
  const symStart = skipBlanks(line, sp + 1);
  while (symEnd > symStart && line.charCodeAt(symEnd - 1) === 32) symEnd--;
  const sym = stripOffset(line.slice(symStart, symEnd));
  return { addr, sym: sym === '' ? '[unknown]' : sym, dso };
}

/**
 * Call-chain lines repeat: a profile of a few thousand samples has tens of thousands of frame lines but only a few
 * thousand distinct ones (the same call sites, sampled again and again). Each distinct line is parsed once and its
 * strings are shared by every sample that has it — which also lets the attribution's symbol caches hash each symbol
 * once. Bounded: past this many distinct lines the cache starts again.
 */
const FRAME_CACHE_MAX = 200_000;

const HASHED_BYTES = 32;

/** One distinct call-chain line: its bytes (to tell hash collisions apart) and what it parsed to (null: not a frame). */
interface InternedLine {
  bytes: Buffer;
  frame: Frame | null;
  next: InternedLine | undefined;
}

/**
 * Distinct call-chain lines, looked up by their bytes without decoding them: a 32-bit FNV-1a hash of the length and
 * the first HASHED_BYTES bytes (the address and the start of the symbol: distinct enough) picks a chain, and the
 * bytes are compared in full, so two lines share an entry only when they are the same line.
 */
class FrameLines {
  readonly #chains = new Map<number, InternedLine>();
  #size = 0;

  static hash(buf: Buffer, start: number, end: number): number {
    let h = Math.imul(0x811c9dc5 ^ (end - start), 0x01000193);
    const stop = Math.min(end, start + HASHED_BYTES);
    for (let i = start; i < stop; i++) h = Math.imul(h ^ buf[i]!, 0x01000193);
    return h;
  }

  get(hash: number, buf: Buffer, start: number, end: number): InternedLine | undefined {
    const len = end - start;
    for (let e = this.#chains.get(hash); e; e = e.next) if (e.bytes.length === len && buf.compare(e.bytes, 0, len, start, end) === 0) return e;
    return undefined;
  }

  add(hash: number, buf: Buffer, start: number, end: number, frame: Frame | null): void {
    if (this.#size >= FRAME_CACHE_MAX) {
      this.#chains.clear();
      this.#size = 0;
    }
    this.#chains.set(hash, { bytes: Buffer.from(buf.subarray(start, end)), frame, next: this.#chains.get(hash) });
    this.#size++;
  }
}

/** The line-by-line state machine; finished samples collect in `ready` until the reader takes them. */
class ScriptParser {
  private current: PerfSample | undefined;
  private ready: PerfSample[] = [];
  private samples = 0;
  private samplesWithFrames = 0;
  private readonly frameLines = new FrameLines();

  constructor(private readonly file: string) {}

  fail(problem: string, line?: number): never {
    throw new PerfParseError(this.file, problem, line);
  }

  /** One line, bytes [start, end) of `buf` without the newline; `n` is its 1-based number. */
  lineBytes(buf: Buffer, start: number, end: number, n: number): void {
    if (end > start && buf[end - 1] === 13) end--;
    // The common case, a tab-indented call-chain line, is looked up by its bytes; everything else is decoded.
    if (end > start && buf[start] === 9 && this.current) {
      const hash = FrameLines.hash(buf, start, end);
      let line = this.frameLines.get(hash, buf, start, end);
      if (!line) {
        this.frameLines.add(hash, buf, start, end, parseFrame(buf.toString('utf8', start, end)) ?? null);
        line = this.frameLines.get(hash, buf, start, end)!;
      }
      if (!line.frame) this.notAFrame(buf.toString('utf8', start, end), n);
      return this.addFrame(line.frame, n);
    }
    this.line(buf.toString('utf8', start, end), n);
  }

  /** One line without its newline; `n` is its 1-based number. */
  line(text: string, n: number): void {
    if (text.length === 0) {
      this.finish();
      return;
    }
    const first = text.charCodeAt(0);
    // perf indents call-chain lines with a tab; the right-aligned comm of a header is padded with spaces.
    if (first === 9) return this.frame(text, n);
    const m = HEADER_RE.exec(text);
    if (m) return this.header(m, n);
    if (first === 32 && this.current) return this.frame(text, n);
    if (text.trim() === '') {
      this.finish();
      return;
    }
    this.fail(`not a perf script sample header: ${JSON.stringify(text.slice(0, 160))}`, n);
  }

  private header(m: RegExpExecArray, n: number): void {
    this.finish();
    const tail = m[8] ?? '';
    if (INLINE_IP_RE.test(tail)) this.fail(NO_CALLCHAIN_HINT, n);
    const tid = Number(m[3] ?? m[2]);
    const sample: PerfSample = { comm: m[1] ?? '', pid: Number(m[2]), tid, event: m[7] ?? '', frames: [], dsos: [], addrs: [] };
    if (m[4] !== undefined) sample.cpu = Number(m[4]);
    if (m[5] !== undefined) sample.time = Number(m[5]);
    if (m[6] !== undefined) sample.period = Number(m[6]);
    this.current = sample;
  }

  private frame(text: string, n: number): void {
    if (!this.current) this.fail(`call-chain line before any sample header: ${JSON.stringify(text.slice(0, 160))}`, n);
    this.addFrame(parseFrame(text) ?? this.notAFrame(text, n), n);
  }

  private notAFrame(text: string, n: number): never {
    this.fail(`not a perf script call-chain line (addr sym (dso)): ${JSON.stringify(text.slice(0, 160))}`, n);
  }

  /** Appends a parsed frame to the sample being read. */
  private addFrame(f: Frame, n: number): void {
    const s = this.current!;
    if (s.frames.length >= MAX_FRAMES) this.fail(`sample has more than ${MAX_FRAMES} call-chain frames`, n);
    s.frames.push(f.sym);
    s.dsos.push(f.dso);
    s.addrs?.push(f.addr);
  }

  /** Completes the sample being read, if any. */
  finish(): void {
    const s = this.current;
    if (!s) return;
    this.current = undefined;
    this.samples++;
    if (s.frames.length > 0) this.samplesWithFrames++;
    this.ready.push(s);
  }

  take(): PerfSample[] {
    const out = this.ready;
    this.ready = [];
    return out;
  }

  /** At the end of the input: a file with samples but not one call chain was recorded without -g. */
  end(): void {
    this.finish();
    if (this.samples > 0 && this.samplesWithFrames === 0) this.fail(NO_CALLCHAIN_HINT);
  }
}

function openFile(path: string): NodeJS.ReadableStream {
  const raw = createReadStream(path, { highWaterMark: READ_CHUNK_BYTES });
  if (!path.endsWith('.gz')) return raw;
  // pipeline() destroys both streams on an error in either, and the error surfaces when the gunzip stream is read.
  return pipeline(raw, createGunzip({ chunkSize: READ_CHUNK_BYTES }), () => undefined);
}

/** Turns stream failures (missing file, truncated gzip) into errors that name the file. */
function streamError(file: string, err: unknown, gz: boolean): PerfParseError {
  if (err instanceof PerfParseError) return err;
  const e = err as NodeJS.ErrnoException;
  const msg = e instanceof Error ? e.message : String(err);
  if (gz && typeof e.code === 'string' && e.code.startsWith('Z_')) return new PerfParseError(file, `gzip data is truncated or corrupt (${msg})`);
  return new PerfParseError(file, `cannot read: ${msg}`);
}

/** Refuses input that is plainly not perf script text, with what to do instead. */
function checkStart(parser: ScriptParser, head: Buffer): void {
  if (head.length >= 2 && head[0] === 0x1f && head[1] === 0x8b) parser.fail('the data is gzip-compressed: give the file a .gz name, or pass a gunzip stream');
  if (head.subarray(0, 8).toString('latin1') === 'PERFILE2') parser.fail('this is a perf.data file, not perf script text: run `perf script -i FILE` and read its output');
}

/**
 * Reads `perf script` output (default fields) of `perf record -g`, one sample at a time, in bounded memory.
 * `source` is a path (`.gz` is gunzipped on the fly) or a readable stream of the text.
 */
export async function* readPerfScript(source: string | NodeJS.ReadableStream, opts: ReadPerfScriptOptions = {}): AsyncGenerator<PerfSample> {
  const file = opts.name ?? (typeof source === 'string' ? source : '<stream>');
  const gz = typeof source === 'string' && source.endsWith('.gz');
  const parser = new ScriptParser(file);
  let carry: Buffer | undefined;
  let lineNo = 0;
  let first = true;
  const input = typeof source === 'string' ? openFile(source) : source;
  // Lines are found as bytes (a newline byte never occurs inside a UTF-8 sequence) and each is decoded on its own.
  const line = (buf: Buffer, start: number, end: number) => parser.lineBytes(buf, start, end, ++lineNo);
  try {
    for await (const chunk of input) {
      let buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : (chunk as Buffer);
      if (first) {
        first = false;
        if (typeof chunk !== 'string') checkStart(parser, buf);
      }
      if (carry) buf = Buffer.concat([carry, buf]);
      let start = 0;
      for (let nl = buf.indexOf(10, start); nl !== -1; nl = buf.indexOf(10, start)) {
        line(buf, start, nl);
        start = nl + 1;
      }
      carry = start < buf.length ? buf.subarray(start) : undefined;
      if (carry && carry.length > MAX_LINE_BYTES) parser.fail(`line longer than ${MAX_LINE_BYTES} bytes: not perf script output`, lineNo + 1);
      for (const s of parser.take()) yield s;
    }
    if (carry) line(carry, 0, carry.length);
    parser.end();
    for (const s of parser.take()) yield s;
  } catch (err) {
    throw streamError(file, err, gz);
  } finally {
    // On an early return by the consumer the for-await above already closed the stream; this covers the rest.
    const closable = input as NodeJS.ReadableStream & { destroy?: () => void };
    closable.destroy?.();
  }
}
