// A notebook's view of one or more runs, built by the report's own pipeline — load (checksums verified) → derive →
// findings → figures — so every number and every figure is the very one `cnibench report` writes for those runs.
import { join, resolve } from 'node:path';
import { PROJECT_ROOT } from '../util/projectRoot.ts';
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg } from '../charts/index.ts';
import { deriveTables, type DerivedTables } from '../analysis/derive.ts';
import { claimTables } from '../catalog/claims.ts';
import { drawFigures, scopeSvgIds, type ReportFigure } from '../report/figures.ts';
import { evaluateFindings } from '../report/findings.ts';
import { loadInputs } from '../report/inputs.ts';
import type { Notice } from '../report/notices.ts';
import type { EvaluatedClaim } from '../report/context.ts';
import { UsageError, errorMessage } from '../util/errors.ts';
import { listRuns } from '../analysis/loadRun.ts';
import { launchOnlyRuns, runsWith } from './runs.ts';
import { NotebookStop, requireRuns } from './guard.ts';

export { PROJECT_ROOT };

/** The committed reference run (README: every model, intra and inter, adaptive 10–12 rounds × 5 s, netperf at nice 10, profiles). */
export const REFERENCE_RUN = '20261130-203251-c676';

/** Where notebooks read and write runs: $CNIBENCH_DATA_DIR, else the project's data/ folder. */
export function dataDir(): string {
  return resolve(process.env.CNIBENCH_DATA_DIR || join(PROJECT_ROOT, 'data'));
}

/** One drawn panel of a report figure: its SVG exactly as the report has it, and the Vega-Lite spec it came from. */
export interface NotebookFigure {
  /** The report figure's id (fig3a, fig1a, …) and label ("Fig. 3a"). */
  id: string;
  label: string;
  title: string;
  caption: string;
  /** File name under the report's figures/ folder. */
  file: string;
  svg: string;
  spec: TopLevelSpec;
  /** The runs it was drawn from. */
  runs: string[];
}

export interface Study {
  dataDir: string;
  runIds: string[];
  data: DerivedTables;
  findings: EvaluatedClaim[];
  /** Every report figure with its panels (or why it is missing). */
  reportFigures: ReportFigure[];
  /** Every drawn panel, in the report's order. */
  figures: NotebookFigure[];
  /** What the report would say on stderr: damaged files, failed or skipped items, figures not drawn. */
  notices: Notice[];
}

/** The run to open by default: the reference run when it is there, else the newest with netperf results, else the newest. */
export async function defaultRun(dir = dataDir()): Promise<string> {
  const runs = await requireRuns(dir);
  if (runs.includes(REFERENCE_RUN)) return REFERENCE_RUN;
  const measured = await runsWith('netperf', dir);
  return measured[measured.length - 1] ?? runs[runs.length - 1]!;
}

/**
 * The runs a notebook opens by default: defaultRun(), plus the runs that hold nothing but pod-launch timings. Those
 * add no numbers to Figs. 3–6, only Fig. 7 and its claims, so the findings come out as the report of the whole data
 * folder has them.
 */
export async function defaultRuns(dir = dataDir()): Promise<string[]> {
  const first = await defaultRun(dir);
  return [first, ...(await launchOnlyRuns(dir)).filter((id) => id !== first)];
}

/** Renders like the report and remembers which spec gave which SVG, so each panel keeps its spec. */
function recordingRenderer() {
  const drawn: { svg: string; spec: TopLevelSpec }[] = [];
  const render = async (spec: TopLevelSpec) => {
    const svg = await renderSvg(spec);
    drawn.push({ svg, spec });
    return svg;
  };
  return { drawn, render };
}

function panelsOf(figures: readonly ReportFigure[], drawn: readonly { svg: string; spec: TopLevelSpec }[], runs: string[]): NotebookFigure[] {
  return figures.flatMap((f) => f.panels.map((p, i) => {
    // drawFigures scopes each panel's ids with `${figure id}-${panel number}`; the same scoping finds its spec.
    const source = drawn.find((d) => scopeSvgIds(d.svg, `${f.id}-${i + 1}`) === p.svg);
    if (!source) throw new Error(`no spec recorded for ${f.label} panel ${p.file}`);
    return { id: f.id, label: f.label, title: f.title, caption: f.caption, file: p.file, svg: p.svg, spec: source.spec, runs };
  }));
}

/** Opens runs (default: defaultRuns()) as the report sees them. */
export async function openStudy(runIds?: readonly string[], dir = dataDir()): Promise<Study> {
  const ids = runIds?.length ? [...runIds] : await defaultRuns(dir);
  let inputs;
  try {
    inputs = await loadInputs(dir, ids);
  } catch (err) {
    if (err instanceof UsageError) throw new NotebookStop(`${errorMessage(err)} Pick one of those run ids, or leave the list empty for the default run.`);
    throw err;
  }
  const data = await deriveTables(inputs.runs);
  const findings = evaluateFindings(claimTables(data));
  const { drawn, render } = recordingRenderer();
  const { figures: reportFigures, notices: figureNotices } = await drawFigures(data, render);
  const runs = inputs.runs.map((r) => r.runId);
  return {
    dataDir: dir,
    runIds: runs,
    data,
    findings,
    reportFigures,
    figures: panelsOf(reportFigures, drawn, runs),
    notices: [...inputs.notices, ...data.notices, ...figureNotices],
  };
}

/** The drawn panels of one report figure (fig3a, fig4, fig1a, …); a figure the runs cannot draw says why. */
export function figuresOf(study: Study, id: string): NotebookFigure[] {
  const report = study.reportFigures.find((f) => f.id === id);
  if (!report) throw new NotebookStop(`there is no figure "${id}"; the report's figures are: ${study.reportFigures.map((f) => f.id).join(', ')}.`);
  return study.figures.filter((f) => f.id === id);
}

/** A run somewhere on disk, and why it was chosen. */
export interface RunRef {
  runId: string;
  dataDir: string;
  why: string;
}

/** The real small run kept for the analysis tests (test/fixtures/runs/), if this checkout has it. */
async function fixtureRun(): Promise<RunRef | undefined> {
  const dir = join(PROJECT_ROOT, 'test', 'fixtures');
  const id = (await listRuns(dir)).find((n) => /^\d{8}-\d{6}-/.test(n));
  return id ? { runId: id, dataDir: dir, why: `this data folder has no other run with netperf results, so the comparison uses the small real run kept as a test fixture (${join(dir, 'runs', id)}; short repetitions on a busy machine: real numbers, not representative ones)` } : undefined;
}

/** A second run to compare a study with: the newest other run with netperf results in its data folder, else the fixture run. */
export async function comparisonRun(study: Pick<Study, 'dataDir' | 'runIds'>): Promise<RunRef> {
  const others = (await runsWith('netperf', study.dataDir)).filter((n) => !study.runIds.includes(n));
  if (others.length) return { runId: others[others.length - 1]!, dataDir: study.dataDir, why: `the newest other run with netperf results in ${join(study.dataDir, 'runs')}` };
  const fixture = await fixtureRun();
  if (fixture) return fixture;
  throw new NotebookStop(`there is no second run to compare with in ${join(study.dataDir, 'runs')}: collect another (for example with notebook 05-collect.ipynb), then run this cell again.`);
}
