// Loads runs from data/runs for analysis: the manifest, and every raw file checked against its recorded sha256 —
// a raw file edited or damaged after collection is reported and never silently used.
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileSha256 } from '../util/atomic.ts';
import { loadManifest, runDirOf, type ItemRecord, type RunManifest } from '../collect/manifest.ts';

export interface LoadedRun {
  runId: string;
  runDir: string;
  manifest: RunManifest;
  /** Raw files whose checksum no longer matches the manifest (or that are missing), with why. */
  badFiles: Map<string, string>;
}

export async function listRuns(dataDir: string): Promise<string[]> {
  const names = await readdir(join(dataDir, 'runs')).catch(() => [] as string[]);
  return names.sort();
}

export async function loadRun(dataDir: string, runId: string): Promise<LoadedRun> {
  const runDir = runDirOf(dataDir, runId);
  const manifest = await loadManifest(runDir);
  const badFiles = new Map<string, string>();
  await Promise.all(
    Object.entries(manifest.files).map(async ([rel, rec]) => {
      const now = await fileSha256(join(runDir, rel)).catch(() => undefined);
      if (!now) badFiles.set(rel, 'missing');
      else if (now.sha256 !== rec.sha256) badFiles.set(rel, 'changed since collection (checksum mismatch)');
    }),
  );
  return { runId: manifest.runId, runDir, manifest, badFiles };
}

/** Items whose raw files are all sound; the rest are reported by the caller. */
export function soundItems(run: LoadedRun, kind: ItemRecord['kind']): ItemRecord[] {
  return run.manifest.items.filter((i) => i.kind === kind && i.status === 'ok' && i.files.every((f) => !run.badFiles.has(f)));
}
