#!/usr/bin/env node
// Entry point of the cnibench CLI. It runs the compiled CLI in dist/ (built by `npm run build`, which the setup script
// and `npm test` run). When a source is newer than that build — an edit since — it rebuilds first (esbuild, well under
// a second), so an edited source never runs stale; if dist/ cannot be written (another user built it), the sources run
// through tsx instead, as they did before there was a build.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { newestSource } from '../scripts/sources.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const MAIN = join(ROOT, 'dist', 'main.js');

function current() {
  if (!existsSync(MAIN)) return false;
  try {
    const built = JSON.parse(readFileSync(join(ROOT, 'dist', 'build.json'), 'utf8'));
    return newestSource(ROOT).mtimeMs <= built.newestSourceMs;
  } catch {
    return false;
  }
}

// Output piped into `head` and the like: a closed pipe ends the command quietly, as for any Unix tool.
for (const stream of [process.stdout, process.stderr]) stream.on('error', (err) => { if (err.code === 'EPIPE') process.exit(0); throw err; });

let main;
if (current() || (await import('../scripts/build.mjs').then((b) => b.buildCli({ quiet: true, clean: false })).then(() => true, () => false))) {
  ({ main } = await import(pathToFileURL(MAIN).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli/main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
