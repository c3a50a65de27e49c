// Loads runs from data/runs for analysis: the manifest, and every raw file checked against its recorded sha256 —
// a raw file edited or damaged after collection is reported and never silently used. Checking reads every file
// anyway, so the small text files (netperf output, conditions, counters: thousands per run) are kept from that read
// and the later stages take them from memory (`rawText`); the big compressed perf scripts are streamed again.
import { readFileSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { sha256 } from '../util/atomic.ts';
import { loadManifest, runDirOf, type ItemRecord, type RunManifest } from '../collect/manifest.ts';
import { parseTestbedState } from '../testbed/stateSchema.ts';
import type { Testbed } from '../testbed/topology.ts';

export interface LoadedRun {
  runId: string;
  runDir: string;
  manifest: RunManifest;
  /** Raw files whose checksum no longer matches the manifest (or that are missing), with why. */
  badFiles: Map<string, string>;
  /** The sound uncompressed raw files as read for their checksum (see rawText). */
  texts?: Map<string, Buffer>;
}

export async function listRuns(dataDir: string): Promise<string[]> {
  const names = await readdir(join(dataDir, 'runs')).catch(() => [] as string[]);
  return names.sort();
}

export async function loadRun(dataDir: string, runId: string): Promise<LoadedRun> {
  const runDir = runDirOf(dataDir, runId);
  const manifest = await loadManifest(runDir);
  const badFiles = new Map<string, string>();
  const texts = new Map<string, Buffer>();
  // One synchronous read per file: for thousands of small files that is several times faster than as many async reads.
  for (const [rel, rec] of Object.entries(manifest.files)) {
    let buf: Buffer;
    try {
      buf = readFileSync(join(runDir, rel));
    } catch {
      badFiles.set(rel, 'missing');
      continue;
    }
    if (sha256(buf) !== rec.sha256) badFiles.set(rel, 'changed since collection (checksum mismatch)');
    else if (!rel.endsWith('.gz')) texts.set(rel, buf);
  }
  return { runId: manifest.runId, runDir, manifest, badFiles, texts };
}

/** A raw file's text (path relative to the run): as loadRun read and checked it, else read now. */
export async function rawText(run: Pick<LoadedRun, 'runDir' | 'texts'>, rel: string): Promise<string> {
  return run.texts?.get(rel)?.toString('utf8') ?? readFile(join(run.runDir, rel), 'utf8');
}

/** The testbed records of a run (raw/<model>/testbed-<prefix>.json), read and checked once per loaded run. */
const testbedsRead = new WeakMap<LoadedRun, Promise<Testbed[]>>();

/** Every testbed a run brought up, in file order; several derive steps read them, the first call parses them. */
export function testbedsOfRun(run: LoadedRun): Promise<Testbed[]> {
  let read = testbedsRead.get(run);
  if (!read) {
    const files = Object.keys(run.manifest.files).filter((f) => /^raw\/[^/]+\/testbed-[^/]+\.json$/.test(f));
    read = Promise.all(files.map(async (rel) => parseTestbedState(await rawText(run, rel), `${run.runId}/${rel}`)));
    testbedsRead.set(run, read);
  }
  return read;
}

/** Items whose raw files are all sound; the rest are reported by the caller. */
export function soundItems(run: LoadedRun, kind: ItemRecord['kind']): ItemRecord[] {
  return run.manifest.items.filter((i) => i.kind === kind && i.status === 'ok' && i.files.every((f) => !run.badFiles.has(f)));
}
