// What notebooks get from `await require('../src/notebook/kernel.cjs').load()`: thin helpers over the library, and
// the library pieces they show. Notebooks call these; they never re-implement analysis, charts or the report.
import * as aq from 'arquero';
import { loadRun, listRuns } from '../analysis/loadRun.ts';
import { observationsOfRun, summarize } from '../analysis/observations.ts';
import { cppTables } from '../analysis/cpp.ts';
import { FIGURES, COMPONENT_NAMES, modelLabel, orderModels, performanceSpec, cppSpec, fibSpec, contextSwitchSpec, renderSvg } from '../charts/index.ts';
import { MODELS, findModel } from '../testbed/models/index.ts';
import { CLAIMS } from '../catalog/claims.ts';
import { CNI_CATALOG } from '../catalog/cnis.ts';
import { showHtml, showMarkdown, displayBundle, VEGA_LITE_MIME } from './display.ts';
import { htmlTable, showTable, showNotices, findingRows, runRows, sinceStudyRows } from './tables.ts';
import { tableIRows } from '../catalog/cnis.ts';
import { showFigure, showFigurePanel, showSpec, showChart } from './figures.ts';
import { NotebookStop, requireRoot, requireRuns } from './guard.ts';
import { PROJECT_ROOT, REFERENCE_RUN, comparisonRun, dataDir, defaultRun, defaultRuns, figuresOf, openStudy, type Study } from './study.ts';
import { compareSummaries, observationTable, pick, repetitionSpec, summariesOfRun as summariesIn } from './observations.ts';
import { topFunctions } from './profile.ts';
import { cppByComponent, cppByModel } from './cpp.ts';
import { launchPhaseRows, launchRuns, launchSummaryRows, launchesOf } from './launch.ts';
import { runsWith } from './runs.ts';
import { keptAtScale, profiledSweepRuns, scaleCyclesTable, serviceRuns, servicePathTable, serviceSyncTable } from './servicePath.ts';
import { policyApplyTable, policyKeptAtScale, policyRuns, policyScaleTable } from './policyScale.ts';
import { collect, statusLine } from './collect.ts';

/** Summaries of one run (default: in the notebooks' data folder). */
const summariesOfRun = (runId: string, dir: string = dataDir()) => summariesIn(runId, dir);

export {
  // the library, for anything beyond the helpers
  aq, loadRun, listRuns, observationsOfRun, summarize, cppTables, FIGURES, COMPONENT_NAMES, MODELS, findModel, modelLabel, orderModels,
  performanceSpec, cppSpec, fibSpec, contextSwitchSpec, renderSvg, CLAIMS, CNI_CATALOG,
  // runs, and the report's view of them
  PROJECT_ROOT, REFERENCE_RUN, dataDir, defaultRun, defaultRuns, runsWith, openStudy, comparisonRun, figuresOf, summariesOfRun,
  // display
  displayBundle, VEGA_LITE_MIME, showHtml, showMarkdown, showTable, htmlTable, showNotices, showFigure, showFigurePanel, showSpec, showChart,
  // tables and views
  tableIRows, sinceStudyRows, findingRows, runRows, observationTable, pick, repetitionSpec, compareSummaries, topFunctions, cppByComponent, cppByModel,
  launchRuns, launchSummaryRows, launchPhaseRows, launchesOf,
  serviceRuns, servicePathTable, serviceSyncTable, keptAtScale, profiledSweepRuns, scaleCyclesTable,
  policyRuns, policyScaleTable, policyKeptAtScale, policyApplyTable,
  // guards and collection
  NotebookStop, requireRoot, requireRuns, collect, statusLine,
};
export type { Study };
