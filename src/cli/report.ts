// `cnibench report`: rebuilds the paper-style report (HTML, PDF, figure SVGs, table CSVs) from raw run data — or
// says it is up to date when nothing it reads or wrote has changed since the last build (src/report/upToDate.ts).
import { join, relative, resolve } from 'node:path';
import { DEFAULT_DATA_DIR, parseOptions } from './options.ts';
import { PROJECT_ROOT } from '../util/projectRoot.ts';
import { UsageError } from '../util/errors.ts';
import { HELP } from './help.ts';
import { CHROMIUM } from '../report/chromiumPath.ts';
import { inputsFingerprint, isUpToDate, recordBuild } from '../report/upToDate.ts';

export async function runReport(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions('report', args, {
    run: { type: 'string', multiple: true },
    'data-dir': { type: 'string' },
    out: { type: 'string' },
    pdf: { type: 'boolean' },
    'no-pdf': { type: 'boolean' },
    force: { type: 'boolean' },
    interactive: { type: 'boolean' },
  }, true);
  if (values.help) { process.stdout.write(HELP.report + '\n'); return 0; }
  if (values.pdf && values['no-pdf']) throw new UsageError('--pdf and --no-pdf contradict each other; give one.');
  const runIds = [...(values.run ?? []), ...positionals].flatMap((r) => r.split(',')).map((r) => r.trim()).filter(Boolean);
  const dataDir = resolve(values['data-dir'] ?? DEFAULT_DATA_DIR);
  const outDir = resolve(values.out ?? join(PROJECT_ROOT, 'reports'));
  // Figures, profile attributions, printed PDFs and build stamps; CNIBENCH_CACHE_DIR moves it (a benchmark's cold build).
  const cacheDir = resolve(process.env.CNIBENCH_CACHE_DIR ?? join(PROJECT_ROOT, '.cache', 'report'));
  const pdf = values['no-pdf'] ? false : values.pdf ? true : 'auto';
  const show = (p: string) => (relative(process.cwd(), p).startsWith('..') ? p : relative(process.cwd(), p) || '.');
  const interactive = values.interactive === true;
  const fingerprint = await inputsFingerprint({ dataDir, runIds, pdf, chromium: CHROMIUM, interactive });
  if (!values.force && await isUpToDate(cacheDir, outDir, fingerprint)) {
    process.stdout.write(`${show(outDir)} is up to date: no file under ${show(join(dataDir, 'runs'))}, no source and no output changed since it was built (--force rebuilds it anyway).\n`);
    return 0;
  }
  // The builder (vega, puppeteer, every stage) is loaded only when there is something to build.
  const { buildReport } = await import('../report/build.ts');
  const result = await buildReport({ dataDir, outDir, runIds: [...new Set(runIds)], pdf, cacheDir, interactive });
  await recordBuild(cacheDir, outDir, fingerprint);
  const t = result.timings;
  process.stdout.write([
    `report of ${result.runs.length ? result.runs.map((r) => r.runId).join(', ') : 'no runs (no data yet)'}:`,
    `  ${show(result.htmlPath)}`,
    ...(result.interactivePath ? [`  ${show(result.interactivePath)} (the same page with hover tips on the data figures)`] : []),
    ...(result.pdfPath ? [`  ${show(result.pdfPath)}${result.pdfReused ? ' (the HTML did not change: kept, not printed again)' : ''}`] : []),
    `  ${show(join(outDir, 'figures'))}/ (${result.figurePaths.length} SVG)`,
    `  ${show(join(outDir, 'tables'))}/ (${result.tablePaths.filter((f) => f.endsWith('.csv')).length} CSV, ${result.tablePaths.filter((f) => f.endsWith('.folded.gz')).length} folded stacks)`,
    `${result.notices.length} notice(s); built in ${Object.values(t).reduce((a, b) => a + b, 0)} ms (load ${t.load}, derive ${t.derive}, charts ${t.chart}, render ${t.render}, write ${t.write}, pdf ${t.pdf})`,
    '',
  ].join('\n'));
  return 0;
}
