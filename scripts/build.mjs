#!/usr/bin/env node
// Compiles the CLI to dist/ (esbuild: one ES module per command, loaded on demand; npm packages stay external), so
// `cnibench` starts without a TypeScript loader. Run by the setup script and before the tests; bin/cnibench.mjs
// rebuilds on its own when a source is newer than the build. Type checking is `npm run typecheck` (tsc), not this.
import { build } from 'esbuild';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newestSource } from './sources.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'dist');
const isEntry = (path) => dirname(path) === OUT && /\.js$/.test(path);

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
  const result = await build({
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
    write: false,
  });
  // Each file is written beside its place and renamed into it, chunks before the entry points that import them: a
  // cnibench started while another rebuilds finds either the old file or the new one, never half of one.
  const files = result.outputFiles.sort((a, b) => Number(isEntry(a.path)) - Number(isEntry(b.path)));
  for (const f of files) {
    await mkdir(dirname(f.path), { recursive: true });
    const tmp = `${f.path}.${process.pid}.tmp`;
    await writeFile(tmp, f.contents);
    await rename(tmp, f.path);
  }
  const stamp = join(OUT, 'build.json');
  await writeFile(`${stamp}.${process.pid}.tmp`, JSON.stringify({ newestSourceMs: sources.mtimeMs, newestSource: sources.file, files: sources.count }) + '\n');
  await rename(`${stamp}.${process.pid}.tmp`, stamp);
  if (!quiet) process.stderr.write(`built dist/ from ${sources.count} sources in ${Math.round(performance.now() - started)} ms\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) await buildCli();
