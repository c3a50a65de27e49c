// The report pipeline: load → derive → chart → write the document → render HTML → write → print the PDF.
// Effects (where notices go, the Chromium binary, the figure cache) are injected so tests can pin them.
import { join } from 'node:path';
import { rm } from 'node:fs/promises';
import type { LoadedRun } from '../analysis/loadRun.ts';
import { writeFileAtomic } from '../util/atomic.ts';
import { errorMessage } from '../util/errors.ts';
import { TableNumbers, type EvaluatedClaim, type SectionContext } from './context.ts';
import { deriveTables } from '../analysis/derive.ts';
import { claimTables } from '../catalog/claims.ts';
import { writeDocument } from './document.ts';
import { drawFigures } from './figures.ts';
import { evaluateFindings, findingsCsv } from './findings.ts';
import { renderHtml } from './html.ts';
import { loadInputs } from './inputs.ts';
import { MSG } from './messages.ts';
import { type Notice, type NoticeSink, noticeLine, stderrSink } from './notices.ts';
import { CHROMIUM, ChromiumMissingError, printPdf, stampPdfDate } from './pdf.ts';
import { buildVersions, digestRun } from './provenance.ts';
import { svgRenderer } from './svgCache.ts';
import { writeReport } from './write.ts';
import { stabilityCsvs } from './method.ts';
import { transactionCsvs } from './cycles.ts';
import { foldedFiles } from './folded.ts';

export interface BuildOptions {
  dataDir: string;
  outDir: string;
  /** Runs to report on; default every run under dataDir/runs. */
  runIds?: readonly string[];
  /** 'auto' (default): print when Chromium is there, else say why not; true: a missing Chromium is an error. */
  pdf?: boolean | 'auto';
  chromium?: string;
  /** Cache rendered figures and profile attributions here (keyed by spec / raw-file checksum and code); none when absent. */
  cacheDir?: string;
  /** Where notices go, one line each (default stderr). */
  log?: NoticeSink;
}

export interface BuildResult {
  htmlPath: string;
  html: string;
  pdfPath?: string;
  figurePaths: string[];
  tablePaths: string[];
  runs: LoadedRun[];
  notices: Notice[];
  findings: EvaluatedClaim[];
  /** Milliseconds per stage. */
  timings: Record<'load' | 'derive' | 'chart' | 'render' | 'write' | 'pdf', number>;
}

export async function buildReport(opts: BuildOptions): Promise<BuildResult> {
  const log = opts.log ?? stderrSink;
  const timings: BuildResult['timings'] = { load: 0, derive: 0, chart: 0, render: 0, write: 0, pdf: 0 };
  let t0 = performance.now();
  const lap = (stage: keyof BuildResult['timings']) => { timings[stage] = Math.round(performance.now() - t0); t0 = performance.now(); };

  const inputs = await loadInputs(opts.dataDir, opts.runIds ?? []);
  lap('load');
  const data = await deriveTables(inputs.runs, { cacheDir: opts.cacheDir && join(opts.cacheDir, 'profiles') });
  const findings = evaluateFindings(claimTables(data));
  lap('derive');
  const { figures, notices: figureNotices } = await drawFigures(data, await svgRenderer(opts.cacheDir));
  lap('chart');

  const notices = [...inputs.notices, ...data.notices, ...figureNotices];
  for (const n of notices) log(noticeLine(n));
  const ctx: SectionContext = { data, figures: new Map(figures.map((f) => [f.id, f])), findings, tables: new TableNumbers() };
  const digests = await Promise.all(inputs.runs.map(digestRun));
  const doc = writeDocument({ ctx, notices, digests, versions: buildVersions() });
  const html = renderHtml(doc, figures);
  lap('render');

  const written = await writeReport(opts.outDir, {
    html,
    figures: figures.flatMap((f) => f.panels),
    tables: [...figures.flatMap((f) => (f.table ? [f.table] : [])), ...digests.map((d) => d.csv), ...stabilityCsvs(data.stability), ...transactionCsvs(data.cppTransactions), findingsCsv(findings), ...foldedFiles(data.folded)],
  });
  lap('write');

  let pdfPath: string | undefined;
  const pdf = opts.pdf ?? 'auto';
  const target = join(opts.outDir, 'report.pdf');
  if (pdf !== false) {
    try {
      await writeFileAtomic(target, stampPdfDate(Buffer.from(await printPdf(written.htmlPath, opts.chromium ?? CHROMIUM)), doc.date));
      pdfPath = target;
    } catch (err) {
      if (pdf === true || !(err instanceof ChromiumMissingError)) throw err instanceof ChromiumMissingError ? err : new Error(MSG.pdfFailed(errorMessage(err)));
      // An old PDF beside a new HTML would disagree with it.
      await rm(target, { force: true });
      log(`note: ${errorMessage(err)}`);
    }
    lap('pdf');
  } else if (await rm(target).then(() => true, () => false)) {
    log(`note: removed the earlier ${target}, which would not match this HTML`);
  }
  return { htmlPath: written.htmlPath, html, ...(pdfPath ? { pdfPath } : {}), figurePaths: written.figurePaths, tablePaths: written.tablePaths, runs: inputs.runs, notices, findings, timings };
}
