// Whether a report folder is already what a build would write: as `make` does, by the size and modification time of
// every input (each raw file and manifest under the data folder's runs/, the code, the dependencies, the Chromium
// binary) and of every output the last build wrote. Same stamps: nothing to do, in tens of milliseconds instead of
// a rebuild. The build itself stays deterministic and verifies every checksum; `cnibench report --force` rebuilds.
import { createHash } from 'node:crypto';
import { readFile, readdir, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { newestSource } from '../../scripts/sources.mjs';
import { writeJsonAtomic } from '../util/atomic.ts';
import { PROJECT_ROOT } from '../util/projectRoot.ts';

/** What the last build of one output folder saw and wrote. */
interface BuildStamp {
  inputs: string;
  outputs: Record<string, string>;
}

/** "size:mtime" of every file under `dir` (recursively), keyed by its path relative to `dir`; empty when there is no such folder. */
async function fileStamps(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  await Promise.all(entries.filter((e) => e.isFile()).map(async (e) => {
    const path = join(e.parentPath, e.name);
    const s = await stat(path);
    out[relative(dir, path)] = `${s.size}:${s.mtimeMs}`;
  }));
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** "size:mtime" of one file, or "absent". */
export async function fileStamp(path: string): Promise<string> {
  return stat(path).then((s) => `${s.size}:${s.mtimeMs}`, () => 'absent');
}

export interface ReportInputs {
  dataDir: string;
  runIds: readonly string[];
  pdf: boolean | 'auto';
  chromium: string;
  /** --interactive: interactive.html is written too. */
  interactive?: boolean;
}

/** A hash of everything a build reads: options, code and dependency stamps, Chromium's stamp, every file under runs/. */
export async function inputsFingerprint(i: ReportInputs): Promise<string> {
  const code = newestSource(PROJECT_ROOT);
  const hash = createHash('sha256').update(JSON.stringify({
    runIds: [...i.runIds].sort(),
    pdf: i.pdf,
    ...(i.interactive ? { interactive: true } : {}),
    code: [code.file, code.mtimeMs, code.count],
    dependencies: await fileStamp(join(PROJECT_ROOT, 'node_modules', '.package-lock.json')),
    chromium: i.pdf === false ? '' : await fileStamp(i.chromium),
  }));
  for (const [file, s] of Object.entries(await fileStamps(join(i.dataDir, 'runs')))) hash.update(`${file}\0${s}\n`);
  return hash.digest('hex');
}

function stampFile(cacheDir: string, outDir: string): string {
  return join(cacheDir, 'builds', `${createHash('sha256').update(outDir).digest('hex').slice(0, 16)}.json`);
}

/** True when the last build into `outDir` had these inputs and every file it wrote is still there, untouched. */
export async function isUpToDate(cacheDir: string, outDir: string, fingerprint: string): Promise<boolean> {
  const last = await readFile(stampFile(cacheDir, outDir), 'utf8').then((t) => JSON.parse(t) as BuildStamp, () => undefined);
  if (!last || last.inputs !== fingerprint) return false;
  return JSON.stringify(await fileStamps(outDir)) === JSON.stringify(last.outputs);
}

/** Records a finished build: its inputs and the stamps of what is now in `outDir`. */
export async function recordBuild(cacheDir: string, outDir: string, fingerprint: string): Promise<void> {
  const stamp: BuildStamp = { inputs: fingerprint, outputs: await fileStamps(outDir) };
  await writeJsonAtomic(stampFile(cacheDir, outDir), stamp);
}
