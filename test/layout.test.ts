// The shape the code keeps: src/collect/ (plan, schedule, manifest, the backend interface) depends on neither
// backend; each backend lives in its own folder and reaches the other only through src/collect/.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

const SRC = join(import.meta.dirname, '..', 'src');

async function importsOf(dir: string): Promise<{ file: string; from: string }[]> {
  const out: { file: string; from: string }[] = [];
  for (const e of await readdir(join(SRC, dir), { withFileTypes: true, recursive: true })) {
    if (!e.isFile() || !e.name.endsWith('.ts')) continue;
    const file = join(e.parentPath, e.name);
    const text = await readFile(file, 'utf8');
    for (const m of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'|import\(\s*'([^']+)'\s*\)/g)) {
      out.push({ file: relative(SRC, file), from: join(dir, relative(join(SRC, dir), e.parentPath), m[1] ?? m[2]!) });
    }
  }
  return out;
}

test('src/collect/ imports neither backend (src/local/, src/k8s/)', async () => {
  const imports = await importsOf('collect');
  assert.ok(imports.length > 20, 'the scan sees the imports');
  const crossing = imports.filter((i) => /^(local|k8s)\//.test(i.from));
  assert.deepEqual(crossing, [], 'the backend interface is owned by src/collect/');
});

test('the backends do not import each other', async () => {
  const local = (await importsOf('local')).filter((i) => i.from.startsWith('k8s/'));
  const k8s = (await importsOf('k8s')).filter((i) => i.from.startsWith('local/'));
  assert.deepEqual([...local, ...k8s], []);
});
