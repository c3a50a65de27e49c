// Where the project lives, found the same way from the TypeScript sources (src/…, run through tsx) and from the
// compiled CLI (dist/…): the nearest folder above this module whose package.json is cnibench's. Files the code reads
// at run time (BPF sources, the sources hashed into cache keys, package.json) are named from here, never relative to
// the module, whose folder differs between the two.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'cnibench') return dir;
    if (dirname(dir) === dir) throw new Error(`cnibench's package.json not found above ${from}`);
  }
}

export const PROJECT_ROOT = findRoot(dirname(fileURLToPath(import.meta.url)));

/** A path inside the project: projectPath('src', 'charts'). */
export function projectPath(...parts: string[]): string {
  return join(PROJECT_ROOT, ...parts);
}
