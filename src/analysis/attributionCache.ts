// Profile attributions cached on disk, keyed by the raw perf script's sha256 (as the manifest records it and the
// loader has just verified) and by the code that attributes samples: a rebuild with unchanged data and code reads a
// small JSON instead of parsing hundreds of MB of perf script text. Unreadable entries are simply computed again.
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProfileAttribution } from '../tools/perf/index.ts';
import { attributeOnAnyCore } from './attributionPool.ts';
import { writeJsonAtomic } from '../util/atomic.ts';
import { projectPath } from '../util/projectRoot.ts';

const PERF_DIR = projectPath('src', 'tools', 'perf');

let codeVersion: Promise<string> | undefined;

/** Hash of the perf parser's and attribution's sources: any change to how samples are counted changes every key. */
function attributionCodeVersion(): Promise<string> {
  codeVersion ??= (async () => {
    const hash = createHash('sha256');
    for (const f of (await readdir(PERF_DIR)).filter((n) => n.endsWith('.ts')).sort()) hash.update(`${f}\n`).update(await readFile(join(PERF_DIR, f)));
    return hash.digest('hex');
  })();
  return codeVersion;
}

/** Attributes the perf script at `path` (folded stacks included), through the cache in `cacheDir` when one is given and the file's sha256 is known. */
export async function attributeScript(path: string, opts: { sha256?: string; cacheDir?: string } = {}): Promise<ProfileAttribution> {
  const compute = () => attributeOnAnyCore(path);
  if (!opts.cacheDir || !opts.sha256) return compute();
  const key = createHash('sha256').update(await attributionCodeVersion()).update(opts.sha256).digest('hex');
  const file = join(opts.cacheDir, `${key}.json`);
  const hit = await readFile(file, 'utf8').then((t) => JSON.parse(t) as ProfileAttribution).catch(() => undefined);
  if (hit && typeof hit.samples === 'number' && hit.byComponent) return hit;
  const fresh = await compute();
  await writeJsonAtomic(file, fresh);
  return fresh;
}
