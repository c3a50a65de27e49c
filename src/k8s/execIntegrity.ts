// Fetching a file out of a pod through `kubectl exec … cat`, checked. kubectl exec can lose the end of a command's
// stdout and still exit 0 (kubernetes/kubernetes#124571: on the SPDY path the stream is closed before the last
// frames are copied), which would leave a perf profile silently cut short. So the file is first measured inside the
// pod (size and sha256, by `wc -c` and `sha256sum` there), streamed back through gzip while the same two are computed
// over the bytes that arrived, fetched a second time when they differ, and refused with a clear error when they
// differ again.
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { execa } from 'execa';

/** Size and sha256 of a file's bytes. */
export interface ContentCheck {
  bytes: number;
  sha256: string;
}

/**
 * A fixed script for `sh -c SCRIPT sh OUT CMD ARGS…`: runs CMD with its stdout into OUT, then prints OUT's size and
 * sha256 ("<bytes>\n<sha256>  <OUT>"). The paths and the command come in as arguments ("$@"), never through the
 * shell's parser.
 */
export const WRITE_AND_MEASURE = 'out=$1; shift; "$@" > "$out" && wc -c < "$out" && sha256sum "$out"';

/** Parses what WRITE_AND_MEASURE printed. */
export function parseMeasure(stdout: string): ContentCheck | undefined {
  const m = stdout.trim().match(/^\s*(\d+)\s*\n([0-9a-f]{64})\b/);
  return m ? { bytes: Number(m[1]), sha256: m[2]! } : undefined;
}

/** A command that streams a file's bytes to stdout (kubectl exec … cat FILE), as an argv. */
export type StreamCommand = string[];

/** Streams `argv`'s stdout through gzip into `dest` (atomically), returning the size and sha256 of what arrived. */
async function fetchOnce(argv: StreamCommand, dest: string, timeoutMs: number): Promise<{ got: ContentCheck; exitCode: number; stderr: string }> {
  await mkdir(dirname(dest), { recursive: true });
  const tmp = `${dest}.${process.pid}.tmp`;
  const [file, ...args] = argv as [string, ...string[]];
  const child = execa(file, args, { reject: false, buffer: { stdout: false }, stderr: 'pipe', timeout: timeoutMs });
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  try {
    await pipeline(child.stdout!, tap, createGzip(), createWriteStream(tmp));
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
  const done = await child;
  if (done.exitCode === 0) await rename(tmp, dest);
  else await rm(tmp, { force: true });
  return { got: { bytes, sha256: hash.digest('hex') }, exitCode: done.exitCode ?? -1, stderr: String(done.stderr ?? '') };
}

/** A fetch whose bytes did not match what the pod measured, twice. */
export class TruncatedExecError extends Error {
  override name = 'TruncatedExecError';
}

/**
 * Fetches a file measured in the pod (`expected`) with `argv` into `dest` (gzipped), at most twice; returns how many
 * fetches it took. Throws TruncatedExecError when both fetches differ from `expected`, Error when the fetch failed.
 */
export async function fetchChecked(argv: StreamCommand, dest: string, expected: ContentCheck, o: { what: string; timeoutMs: number }): Promise<{ attempts: number; mismatches: string[] }> {
  const mismatches: string[] = [];
  for (let attempt = 1; attempt <= 2; attempt++) {
    const r = await fetchOnce(argv, dest, o.timeoutMs);
    if (r.exitCode !== 0) throw new Error(`fetching ${o.what} failed (exit ${r.exitCode}): ${r.stderr.trim().split('\n').pop()}`);
    if (r.got.bytes === expected.bytes && r.got.sha256 === expected.sha256) return { attempts: attempt, mismatches };
    await rm(dest, { force: true });
    mismatches.push(`fetch ${attempt}: ${r.got.bytes} of ${expected.bytes} bytes, sha256 ${r.got.sha256 === expected.sha256 ? 'equal' : 'different'}`);
  }
  throw new TruncatedExecError(`${o.what} arrived damaged twice through kubectl exec (${mismatches.join('; ')}; the pod measured ${expected.bytes} bytes, sha256 ${expected.sha256.slice(0, 12)}…): kubectl exec lost part of the stream (kubernetes/kubernetes#124571). Run the item again (cnibench collect --resume), or use a kubectl and an API server that exec over WebSockets instead of SPDY (KEP 4006, 1.30 and later; users of #73056 report the loss gone there).`);
}
