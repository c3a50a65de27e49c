// `cnibench report`: rebuilds the paper-style report (HTML, PDF, figure SVGs, table CSVs) from raw run data.
import { join, relative, resolve } from 'node:path';
import { DEFAULT_DATA_DIR, parseOptions } from './options.ts';
import { PROJECT_ROOT } from '../util/projectRoot.ts';
import { UsageError } from '../util/errors.ts';
import { HELP } from './help.ts';
import { buildReport } from '../report/build.ts';


export async function runReport(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions('report', args, {
    run: { type: 'string', multiple: true },
    'data-dir': { type: 'string' },
    out: { type: 'string' },
    pdf: { type: 'boolean' },
    'no-pdf': { type: 'boolean' },
  }, true);
  if (values.help) { process.stdout.write(HELP.report + '\n'); return 0; }
  if (values.pdf && values['no-pdf']) throw new UsageError('--pdf and --no-pdf contradict each other; give one.');
  const runIds = [...(values.run ?? []), ...positionals].flatMap((r) => r.split(',')).map((r) => r.trim()).filter(Boolean);
  const dataDir = resolve(values['data-dir'] ?? DEFAULT_DATA_DIR);
  const outDir = resolve(values.out ?? join(PROJECT_ROOT, 'reports'));
  const result = await buildReport({
    dataDir,
    outDir,
    runIds: [...new Set(runIds)],
    pdf: values['no-pdf'] ? false : values.pdf ? true : 'auto',
    cacheDir: join(PROJECT_ROOT, '.cache', 'report'),
  });
  const show = (p: string) => (relative(process.cwd(), p).startsWith('..') ? p : relative(process.cwd(), p) || '.');
  const t = result.timings;
  process.stdout.write([
    `report of ${result.runs.length ? result.runs.map((r) => r.runId).join(', ') : 'no runs (no data yet)'}:`,
    `  ${show(result.htmlPath)}`,
    ...(result.pdfPath ? [`  ${show(result.pdfPath)}`] : []),
    `  ${show(join(outDir, 'figures'))}/ (${result.figurePaths.length} SVG)`,
    `  ${show(join(outDir, 'tables'))}/ (${result.tablePaths.filter((f) => f.endsWith('.csv')).length} CSV, ${result.tablePaths.filter((f) => f.endsWith('.folded.gz')).length} folded stacks)`,
    `${result.notices.length} notice(s); built in ${Object.values(t).reduce((a, b) => a + b, 0)} ms (load ${t.load}, derive ${t.derive}, charts ${t.chart}, render ${t.render}, write ${t.write}, pdf ${t.pdf})`,
    '',
  ].join('\n'));
  return 0;
}
