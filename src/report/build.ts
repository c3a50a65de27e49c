// The report pipeline: load → derive → chart → write the document → render HTML → write → print the PDF.
// Effects (where notices go, the Chromium binary, the figure cache) are injected so tests can pin them.
import { join } from 'node:path';
import { readFile, rm } from 'node:fs/promises';
import type { LoadedRun } from '../analysis/loadRun.ts';
import { fileSha256, sha256, writeFileAtomic } from '../util/atomic.ts';
import { projectPath } from '../util/projectRoot.ts';
import { fileStamp } from './upToDate.ts';
import { errorMessage } from '../util/errors.ts';
import { TableNumbers, type EvaluatedClaim, type SectionContext } from './context.ts';
import { deriveTables } from '../analysis/derive.ts';
import { claimTables } from '../catalog/claims.ts';
import { writeDocument } from './document.ts';
import { drawFigures } from './figures.ts';
import { evaluateFindings, findingsByFigure, findingsCsv } from './findings.ts';
import { renderHtml } from './html.ts';
import { loadInputs } from './inputs.ts';
import { MSG } from './messages.ts';
import { type Notice, type NoticeSink, noticeLine, stderrSink } from './notices.ts';
import { CHROMIUM, ChromiumMissingError, printPdf, stampPdfDate } from './pdf.ts';
import { buildVersions, digestRun } from './provenance.ts';
import { svgRenderer } from './svgCache.ts';
import { writeReport } from './write.ts';
import { stabilityCsvs } from './method.ts';
import { servicePathCsvs } from './servicePath.ts';
import { policyScaleCsvs } from './policyScale.ts';
import { transactionCsvs } from './cycles.ts';
import { foldedFiles } from './folded.ts';
import { interactiveFigures, interactivePage, writeInteractive } from './interactive.ts';

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
  /** Also write interactive.html: the page with hover tips on every data figure (src/report/interactive.ts). */
  interactive?: boolean;
}

export interface BuildResult {
  htmlPath: string;
  html: string;
  /** interactive.html, when asked for. */
  interactivePath?: string;
  pdfPath?: string;
  /** The PDF beside the HTML was printed from this very HTML by an earlier build, so it was kept, not printed again. */
  pdfReused?: boolean;
  figurePaths: string[];
  tablePaths: string[];
  runs: LoadedRun[];
  notices: Notice[];
  findings: EvaluatedClaim[];
  /** Milliseconds per stage. */
  timings: Record<'load' | 'derive' | 'chart' | 'render' | 'write' | 'pdf', number>;
}

/**
 * The PDF an earlier build printed from the same HTML (and date, Chromium and printing code): printing takes seconds,
 * so a rebuild whose HTML did not change keeps report.pdf when it is still the file that build wrote.
 */
async function printedPdf(cacheDir: string, html: string, date: string | undefined, chromium: string): Promise<{ stored: () => Promise<string | undefined>; store: (pdf: Buffer) => Promise<void> }> {
  const key = sha256(`${sha256(html)}\0${date ?? ''}\0${await fileStamp(chromium)}\0${sha256(await readFile(projectPath('src', 'report', 'pdf.ts')))}`);
  const file = join(cacheDir, 'pdf', `${key}.sha256`);
  return {
    stored: () => readFile(file, 'utf8').then((t) => t.trim(), () => undefined),
    store: (pdf) => writeFileAtomic(file, `${sha256(pdf)}\n`).then(() => undefined),
  };
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

  const checkedBy = findingsByFigure(findings, new Set(figures.map((f) => f.id)));
  for (const f of figures) if (checkedBy.has(f.id)) f.checkedBy = checkedBy.get(f.id);
  const notices = [...inputs.notices, ...data.notices, ...figureNotices];
  for (const n of notices) log(noticeLine(n));
  const ctx: SectionContext = { data, figures: new Map(figures.map((f) => [f.id, f])), findings, tables: new TableNumbers(), resultsAppendix: [] };
  const digests = await Promise.all(inputs.runs.map(digestRun));
  const doc = writeDocument({ ctx, notices, digests, versions: buildVersions() });
  const html = renderHtml(doc, figures);
  const interactive = opts.interactive ? interactivePage(renderHtml(doc, await interactiveFigures(data, figures, await svgRenderer(opts.cacheDir, { interactive: true }), log))) : undefined;
  lap('render');

  const written = await writeReport(opts.outDir, {
    html,
    figures: figures.flatMap((f) => f.panels),
    tables: [...figures.flatMap((f) => (f.table ? [f.table] : [])), ...digests.map((d) => d.csv), ...stabilityCsvs(data.stability), ...servicePathCsvs(data.servicePath, data.scaleCycles), ...policyScaleCsvs(data.policyScale), ...transactionCsvs(data.cppTransactions), findingsCsv(findings), ...foldedFiles(data.folded)],
  });
  const interactivePath = await writeInteractive(opts.outDir, interactive, log);
  lap('write');

  let pdfPath: string | undefined;
  const pdf = opts.pdf ?? 'auto';
  const target = join(opts.outDir, 'report.pdf');
  let pdfReused = false;
  if (pdf !== false) {
    try {
      const chromium = opts.chromium ?? CHROMIUM;
      const printed = opts.cacheDir ? await printedPdf(opts.cacheDir, html, doc.date, chromium) : undefined;
      const stored = await printed?.stored();
      if (stored && (await fileSha256(target).catch(() => undefined))?.sha256 === stored) {
        pdfReused = true;
      } else {
        const bytes = stampPdfDate(Buffer.from(await printPdf(written.htmlPath, chromium)), doc.date);
        await writeFileAtomic(target, bytes);
        await printed?.store(bytes);
      }
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
  return { htmlPath: written.htmlPath, html, ...(interactivePath ? { interactivePath } : {}), ...(pdfPath ? { pdfPath, pdfReused } : {}), figurePaths: written.figurePaths, tablePaths: written.tablePaths, runs: inputs.runs, notices, findings, timings };
}
