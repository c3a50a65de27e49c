// The provenance appendix: which runs, the checksums of their raw files (a digest here, every file in a CSV), the
// tools that collected them and the code that built this report — enough to check and rebuild it.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { projectPath } from '../util/projectRoot.ts';
import type { LoadedRun } from '../analysis/loadRun.ts';
import { type SectionContext, appendixHeading } from './context.ts';
import type { CsvFile } from './figures.ts';
import { formatNumber, formatTime } from './format.ts';
import { code, md, mdCell, table } from './markdown.ts';
import { tableOf } from '../util/table.ts';

/** Versions of the code that turns data into this report. */
export interface BuildVersions {
  cnibench: string;
  packages: Record<string, string>;
}

const PACKAGES = ['arquero', 'vega', 'vega-lite', 'markdown-it', 'puppeteer-core'];

const PROJECT_PACKAGE = projectPath('package.json');

export function buildVersions(): BuildVersions {
  const require = createRequire(import.meta.url);
  const version = (p: string) => (require(p) as { version: string }).version;
  return { cnibench: version(PROJECT_PACKAGE), packages: Object.fromEntries(PACKAGES.map((p) => [p, version(`${p}/package.json`)])) };
}

/** A run id fit for a file name whatever its manifest says. */
export function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '_');
}

export interface RunDigest {
  run: LoadedRun;
  manifestSha256: string;
  files: number;
  bytes: number;
  /** sha256 over "sha256  path" lines sorted by path, as sha256sum writes them: one value that pins every raw file. */
  digest: string;
  csv: CsvFile;
}

export async function digestRun(run: LoadedRun): Promise<RunDigest> {
  const manifest = await readFile(join(run.runDir, 'manifest.json'));
  const entries = Object.entries(run.manifest.files).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const lines = entries.map(([path, f]) => `${f.sha256}  ${path}\n`).join('');
  const rows = entries.map(([path, f]) => ({ path, bytes: f.bytes, sha256: f.sha256, status: run.badFiles.get(path) ?? 'ok' }));
  return {
    run,
    manifestSha256: createHash('sha256').update(manifest).digest('hex'),
    files: entries.length,
    bytes: entries.reduce((s, [, f]) => s + f.bytes, 0),
    digest: createHash('sha256').update(lines).digest('hex'),
    csv: { file: `raw-files-${safeName(run.runId)}.csv`, csv: (rows.length ? tableOf(rows).toCSV() : 'path,bytes,sha256,status') + '\n' },
  };
}

function toolsTable(runs: readonly LoadedRun[]): Record<string, string>[] {
  const tools = [...new Set(runs.flatMap((r) => Object.keys(r.manifest.tools)))].sort();
  return tools.map((tool) => {
    const row: Record<string, string> = { Tool: mdCell(tool) };
    for (const r of runs) row[mdCell(r.runId)] = mdCell(r.manifest.tools[tool] ?? '—');
    return row;
  });
}

export function provenanceAppendix(ctx: SectionContext, digests: readonly RunDigest[], versions: BuildVersions): string {
  const t = ctx.tables;
  const out = [
    appendixHeading('appendix-provenance'),
    `This report was built by cnibench ${md(versions.cnibench)} (${Object.entries(versions.packages).map(([p, v]) => `${md(p)} ${md(v)}`).join(', ')}) from raw files only: rebuilding it from the same data and code gives the same bytes (\`npm run report\`, or \`cnibench report --run ID…\`). Its date is that of the newest run, not of the build.`,
  ];
  if (!digests.length) {
    out.push('No runs were read.');
    return out.join('\n\n');
  }
  out.push(
    t.caption('table-runs', 'The runs read: when they were collected, their state, and checksums. "Digest" is the sha256 of their raw files\' checksum list (sorted, in sha256sum\'s format); every file\'s checksum is in tables/raw-files-(run id).csv.'),
    table(digests.map((d) => ({
      Run: mdCell(d.run.runId),
      Collected: mdCell(`${formatTime(d.run.manifest.createdAt)} – ${formatTime(d.run.manifest.updatedAt)}`),
      Status: mdCell(d.run.manifest.status),
      'Raw files': formatNumber(d.files, 0),
      Bytes: formatNumber(d.bytes, 0),
      Unusable: formatNumber(d.run.badFiles.size, 0),
      'Digest (sha256)': code(d.digest),
      'manifest.json (sha256)': code(d.manifestSha256),
    })), { 'Raw files': 'r', Bytes: 'r', Unusable: 'r' }),
  );
  const bad = digests.flatMap((d) => [...d.run.badFiles].map(([path, why]) => `- ${code(d.run.runId)} ${code(path)}: ${md(why)} (recorded sha256 ${code(d.run.manifest.files[path]?.sha256 ?? '?')})`));
  if (bad.length) out.push('Raw files that no longer match their recorded checksum, and were not used:', bad.join('\n'));
  out.push(t.caption('table-tools', 'Tool versions each run recorded.'), table(toolsTable(digests.map((d) => d.run))));
  return out.join('\n\n');
}
