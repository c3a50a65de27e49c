// Perf scripts parsed on worker threads give exactly what parsing in this thread gives, in any order of completion;
// a worker that cannot start leaves the work to this thread instead of losing it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { AttributionPool } from '../src/analysis/attributionPool.ts';
import { attributeProfile, readPerfScript } from '../src/tools/perf/index.ts';

const ROOT = join(import.meta.dirname, '..');

async function scripts(): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(join(ROOT, 'test', 'fixtures', 'runs'), { recursive: true, withFileTypes: true })) {
    if (e.isFile() && e.name.endsWith('perf-script.txt.gz')) out.push(join(e.parentPath, e.name));
  }
  return out.sort().slice(0, 6);
}

const here = (path: string) => attributeProfile(readPerfScript(path, { name: path }), { folded: true });

test('two workers attribute several scripts at once, each exactly as this thread does', async () => {
  const files = await scripts();
  assert.ok(files.length >= 2, `fixture scripts: ${files.length}`);
  const pool = new AttributionPool(2, { file: join(ROOT, 'src', 'analysis', 'attributeWorker.dev.mjs'), execArgv: [] });
  const [viaPool, direct] = await Promise.all([Promise.all(files.map((f) => pool.run(f))), Promise.all(files.map(here))]);
  assert.deepEqual(viaPool, direct);
  await assert.rejects(pool.run(join(ROOT, 'no-such-script.txt.gz')), /no-such-script/);
});

test('a worker that cannot start: the scripts are attributed in this thread all the same', async () => {
  const [file] = await scripts();
  const pool = new AttributionPool(2, { file: join(ROOT, 'test', 'no-such-worker.mjs'), execArgv: [] });
  assert.deepEqual(await Promise.all([pool.run(file!), pool.run(file!)]), [await here(file!), await here(file!)]);
});
