// Writes the report folder atomically: index.html, figures/*.svg, tables/*.csv and *.folded.gz (flame-graph stacks) — and removes figure and table
// files an earlier build left that this one did not write, so the folder never mixes two builds. A file whose bytes
// did not change is left alone.
import { readFile, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic.ts';

export interface ReportFiles {
  html: string;
  figures: { file: string; svg: string }[];
  /** CSV text, or bytes for compressed files (folded stacks). */
  tables: { file: string; csv: string | Buffer }[];
}

export interface WrittenReport {
  htmlPath: string;
  figurePaths: string[];
  tablePaths: string[];
}

/** Writes a file unless it already holds exactly these bytes: an unchanged figure keeps its time stamp. */
async function writeIfChanged(path: string, data: string | Buffer): Promise<void> {
  const bytes = typeof data === 'string' ? Buffer.from(data) : data;
  const old = await readFile(path).catch(() => undefined);
  if (!old || !old.equals(bytes)) await writeFileAtomic(path, bytes);
}

async function prune(dir: string, ext: string, keep: ReadonlySet<string>): Promise<void> {
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    if (name.endsWith(ext) && !keep.has(name)) await rm(join(dir, name), { force: true });
  }
}

export async function writeReport(outDir: string, files: ReportFiles): Promise<WrittenReport> {
  const figuresDir = join(outDir, 'figures');
  const tablesDir = join(outDir, 'tables');
  const figurePaths: string[] = [];
  const tablePaths: string[] = [];
  for (const f of files.figures) {
    figurePaths.push(join(figuresDir, f.file));
    await writeIfChanged(join(figuresDir, f.file), f.svg);
  }
  for (const t of files.tables) {
    tablePaths.push(join(tablesDir, t.file));
    await writeIfChanged(join(tablesDir, t.file), t.csv);
  }
  await prune(figuresDir, '.svg', new Set(files.figures.map((f) => f.file)));
  await prune(tablesDir, '.csv', new Set(files.tables.map((t) => t.file)));
  await prune(tablesDir, '.folded.gz', new Set(files.tables.map((t) => t.file)));
  const htmlPath = join(outDir, 'index.html');
  await writeIfChanged(htmlPath, files.html);
  return { htmlPath, figurePaths, tablePaths };
}
