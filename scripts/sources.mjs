// The newest file among the CLI's sources (src/**/*.ts and package.json): the compiled CLI in dist/ is current when
// it was built after it. Plain JavaScript, so bin/cnibench.mjs can check before any loader is there.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function newestSource(root) {
  let newest = { file: 'package.json', mtimeMs: statSync(join(root, 'package.json')).mtimeMs, count: 1 };
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith('.ts')) {
        newest.count++;
        const t = statSync(path).mtimeMs;
        if (t > newest.mtimeMs) newest = { ...newest, file: path.slice(root.length + 1), mtimeMs: t };
      }
    }
  };
  walk(join(root, 'src'));
  return newest;
}
