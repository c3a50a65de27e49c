// Which runs of a data folder hold which kind of data, read from their manifests only (no checksums: cheap).
import { join } from 'node:path';
import { listRuns } from '../analysis/loadRun.ts';
import { loadManifest, type ItemRecord } from '../collect/manifest.ts';

/** Runs of a data folder with at least one finished item of a kind (read from their manifests only). */
export async function runsWith(kind: ItemRecord['kind'], dataDir: string): Promise<string[]> {
  const out: string[] = [];
  for (const id of await listRuns(dataDir)) {
    if (id.startsWith('.')) continue;
    const m = await loadManifest(join(dataDir, 'runs', id)).catch(() => undefined);
    if (m?.items.some((i) => i.kind === kind && i.status === 'ok')) out.push(id);
  }
  return out;
}
