#!/usr/bin/env node
// Compiles the CLI to dist/ (esbuild: one ES module per command, loaded on demand; npm packages stay external), so
// `cnibench` starts without a TypeScript loader. Run by the setup script and before the tests; bin/cnibench.mjs
// rebuilds on its own when a source is newer than the build. Type checking is `npm run typecheck` (tsc), not this.
import { build } from 'esbuild';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newestSource } from './sources.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist');

/**
 * `clean` empties dist/ first (npm run build). The rebuild bin/cnibench.mjs does when a source changed does not:
 * chunks are named by their content, so a cnibench process still running from the previous build keeps finding the
 * chunks it loads later.
 */
export async function buildCli({ quiet = false, clean = true } = {}) {
  const started = performance.now();
  const sources = newestSource(ROOT);
  if (clean) await rm(OUT, { recursive: true, force: true });
  await mkdir(OUT, { recursive: true });
  await build({
    absWorkingDir: ROOT,
    // The attribution pool's worker thread is a file of its own (src/analysis/attributionPool.ts finds it beside main.js).
    entryPoints: { main: 'src/cli/main.ts', attributeWorker: 'src/analysis/attributeWorker.ts' },
    outdir: OUT,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    sourcemap: 'linked',
    chunkNames: 'chunks/[name]-[hash]',
    logLevel: 'warning',
  });
  await writeFile(join(OUT, 'build.json'), JSON.stringify({ newestSourceMs: sources.mtimeMs, newestSource: sources.file, files: sources.count }) + '\n');
  if (!quiet) process.stderr.write(`built dist/ from ${sources.count} sources in ${Math.round(performance.now() - started)} ms\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildCli();
