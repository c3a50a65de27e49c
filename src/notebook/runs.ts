// Which runs of a data folder hold which kind of data, read from their manifests only (no checksums: cheap).
import { join } from 'node:path';
import { listRuns } from '../analysis/loadRun.ts';
import { loadManifest, type ItemRecord, type RunManifest } from '../collect/manifest.ts';

type Kind = ItemRecord['kind'];

/** Each run of a data folder with its manifest, oldest first; a folder that is not a readable run is left out. */
async function runManifests(dataDir: string): Promise<{ id: string; manifest: RunManifest }[]> {
  const out: { id: string; manifest: RunManifest }[] = [];
  for (const id of await listRuns(dataDir)) {
    if (id.startsWith('.')) continue;
    const manifest = await loadManifest(join(dataDir, 'runs', id)).catch(() => undefined);
    if (manifest) out.push({ id, manifest });
  }
  return out;
}

/** Each run of a data folder with the kinds of its finished items. */
async function finishedKinds(dataDir: string): Promise<{ id: string; kinds: Set<Kind> }[]> {
  return (await runManifests(dataDir)).map(({ id, manifest }) => ({ id, kinds: new Set(manifest.items.filter((i) => i.status === 'ok').map((i) => i.kind)) }));
}

/** Runs with at least one finished item of a kind, oldest first. */
export async function runsWith(kind: Kind, dataDir: string): Promise<string[]> {
  return (await finishedKinds(dataDir)).filter((r) => r.kinds.has(kind)).map((r) => r.id);
}

/** Runs whose finished items are all pod launches: they add nothing to Figs. 3–6, only Fig. 7 and its claims. */
export async function launchOnlyRuns(dataDir: string): Promise<string[]> {
  return (await finishedKinds(dataDir)).filter((r) => r.kinds.size === 1 && r.kinds.has('launch')).map((r) => r.id);
}

/**
 * Runs that `sizes` says belong to a kind of scale run (it returns the run's sweep sizes, or [] for a run of that kind
 * with one size, or undefined for any other run) and that finished an item of `kind` (netperf unless told): newest
 * first, sweeps before single-size runs.
 */
export async function scaleRuns(dataDir: string, sizes: (m: RunManifest) => readonly number[] | undefined, kind: Kind = 'netperf'): Promise<string[]> {
  const found = (await runManifests(dataDir))
    .filter(({ manifest: m }) => sizes(m) !== undefined && m.items.some((i) => i.kind === kind && i.status === 'ok'))
    .map(({ id, manifest: m }) => ({ id, sweep: sizes(m)!.length > 1 }))
    .reverse();
  return [...found.filter((r) => r.sweep), ...found.filter((r) => !r.sweep)].map((r) => r.id);
}
