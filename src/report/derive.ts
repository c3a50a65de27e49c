// The report's derive stage: tidy observations and summaries, CPP and per-packet events, their means per model, and
// why any model × scenario has no data — the tables every figure, section and claim reads.
import { cppTables, type CppRow, type CppTransactionRow, type FoldedProfile, type PacketEventRow } from '../analysis/cpp.ts';
import { soundItems, type LoadedRun } from '../analysis/loadRun.ts';
import { observationsOfRun, primaryPlacement, summarize, type Observation, type Summary } from '../analysis/observations.ts';
import { runStability, type RunStability } from '../analysis/runStability.ts';
import { cppUnitsOf, eventUnitsOf, launchUnitsOf, perfUnitsOf } from '../analysis/units.ts';
import type { LaunchTiming } from '../launch/record.ts';
import { launchRows, launchTimingsOfRun, summarizeLaunches, type LaunchRow, type LaunchSummary } from '../analysis/launch.ts';
import type { ClaimTables, CppMean, MissingData, PacketEventMean } from '../catalog/claims.ts';
import { isEstimated, orderModels } from '../charts/index.ts';
import { MSG } from './messages.ts';
import type { Notice } from './notices.ts';
import { NETPERF_TESTS } from '../tools/netperf/types.ts';

export interface ReportData {
  runs: LoadedRun[];
  observations: Observation[];
  summaries: Summary[];
  cpp: CppRow[];
  /** Request/response profiles: cycles per transaction by component, one row per profile × component. */
  cppTransactions: CppTransactionRow[];
  /** Folded stacks per profiled model and scenario (flame graphs). */
  folded: FoldedProfile[];
  packetEvents: PacketEventRow[];
  cppMeans: CppMean[];
  packetEventMeans: PacketEventMean[];
  missing: MissingData[];
  /** Per run with netperf items: how far each configuration can be trusted, and the machine's conditions. */
  stability: RunStability[];
  /** The units behind the findings' tests: per round, profile or launch (src/analysis/units.ts). */
  units: Pick<ClaimTables, 'perfUnits' | 'cppUnits' | 'eventUnits' | 'launchUnits'>;
  /** Pod launches: one row per launch × phase, and summaries per backend × model. */
  launchRows: LaunchRow[];
  launches: LaunchSummary[];
  notices: Notice[];
}

const SCENARIO_ORDER = ['intra', 'inter'];
const TEST_ORDER: readonly string[] = NETPERF_TESTS;
const METRIC_ORDER = ['throughput', 'transaction_rate', 'mean_latency', 'p50_latency', 'p90_latency', 'p99_latency'];

/** Models in registry order, then scenario, test and metric: every table lists rows alike. */
function sortSummaries(rows: Summary[]): Summary[] {
  const models = orderModels(rows.map((r) => r.model));
  const rank = (list: readonly string[], v: string) => (list.indexOf(v) < 0 ? list.length : list.indexOf(v));
  return rows.sort((a, b) => rank(models, a.model) - rank(models, b.model) || rank(SCENARIO_ORDER, a.scenario) - rank(SCENARIO_ORDER, b.scenario)
    || rank(TEST_ORDER, a.test) - rank(TEST_ORDER, b.test) || rank(METRIC_ORDER, a.metric) - rank(METRIC_ORDER, b.metric));
}

function meanOver<T>(rows: readonly T[], value: (r: T) => number): number {
  return rows.reduce((s, r) => s + value(r), 0) / rows.length;
}

/** One key per group, in first-seen order. */
function groupBy<T>(rows: readonly T[], key: (r: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const r of rows) out.set(key(r), [...(out.get(key(r)) ?? []), r]);
  return out;
}

function cppMeans(rows: readonly CppRow[]): CppMean[] {
  return [...groupBy(rows, (r) => `${r.model}\u0000${r.scenario}\u0000${r.component}`).values()].map((g) => ({
    model: g[0]!.model,
    scenario: g[0]!.scenario as CppMean['scenario'],
    component: g[0]!.component,
    cpp: meanOver(g, (r) => r.cpp),
    totalCpp: meanOver(g, (r) => r.totalCpp),
    cppPerSkb: meanOver(g, (r) => r.cppPerSkb),
    cppPerKB: meanOver(g, (r) => r.cppPerKB),
    share: meanOver(g, (r) => r.share),
    foreignShare: meanOver(g, (r) => r.foreignShare),
    estimated: g.some((r) => isEstimated(r.cycles)),
    runs: g.length,
  }));
}

function eventMeans(rows: readonly PacketEventRow[]): PacketEventMean[] {
  return [...groupBy(rows, (r) => `${r.model}\u0000${r.scenario}`).values()].map((g) => ({
    model: g[0]!.model,
    scenario: g[0]!.scenario as PacketEventMean['scenario'],
    fibPer100k: meanOver(g, (r) => r.fibPer100k),
    contextSwitchesPerPacket: meanOver(g, (r) => r.contextSwitchesPerPacket),
    runs: g.length,
  }));
}

/** Why each item that gave no data gave none, from the manifests and the CPP stage's problems. */
function missingData(runs: readonly LoadedRun[], problems: readonly { item: string; reason: string }[]): MissingData[] {
  const out: MissingData[] = [];
  for (const run of runs) {
    const sound = new Set([...soundItems(run, 'netperf'), ...soundItems(run, 'profile'), ...soundItems(run, 'launch')].map((i) => i.id));
    for (const item of run.manifest.items) {
      if (sound.has(item.id)) continue;
      const reason = item.status === 'ok' ? 'its raw files changed after collection (checksum mismatch)'
        : item.status === 'pending' ? (run.manifest.status === 'running' ? 'not finished (the run is still marked running)' : `never finished (the run is ${run.manifest.status})`)
        : `${item.status}: ${item.reason ?? 'no reason recorded'}`;
      out.push({ model: item.model, scenario: item.scenario, kind: item.kind, ...(item.kind === 'netperf' ? { test: item.test } : {}), reason });
    }
    for (const p of problems) {
      const item = run.manifest.items.find((i) => `${run.runId}/${i.id}` === p.item);
      if (item && sound.has(item.id)) out.push({ model: item.model, scenario: item.scenario, kind: 'profile', reason: p.reason });
    }
  }
  return out;
}

export async function deriveReportData(runs: LoadedRun[], opts: { cacheDir?: string } = {}): Promise<ReportData> {
  const observations: Observation[] = [];
  const stability: RunStability[] = [];
  for (const run of runs) {
    // Figures and claims read each run's one placement (a run that measured both shows "same"; Appendix B has both).
    observations.push(...(await observationsOfRun(run)).filter((o) => o.placement === primaryPlacement(run)));
    if (run.manifest.plan.tests.length) stability.push(await runStability(run));
  }
  const tables = await cppTables(runs, opts);
  const cpp = tables.cpp.objects() as CppRow[];
  const packetEvents = tables.packetEvents.objects() as PacketEventRow[];
  // Skipped, failed and damaged profiles are already noticed from the manifest; only new problems are news here.
  const notices: Notice[] = [];
  const launchTimings: (LaunchTiming & { run: string })[] = [];
  const rows: LaunchRow[] = [];
  for (const run of runs) {
    const { timings, problems } = await launchTimingsOfRun(run);
    launchTimings.push(...timings.map((t) => ({ ...t, run: run.runId })));
    rows.push(...launchRows(run.runId, timings));
    for (const p of problems) notices.push({ level: 'warning', text: MSG.launchUnusable(p.item, p.reason) });
  }
  for (const p of tables.problems) {
    const [runId, ...rest] = p.item.split('/');
    const run = runs.find((r) => r.runId === runId);
    const item = run?.manifest.items.find((i) => i.id === rest.join('/'));
    if (run && item && soundItems(run, 'profile').includes(item)) notices.push({ level: 'warning', text: MSG.profileUnusable(p.item, p.reason) });
  }
  return {
    runs,
    observations,
    stability,
    summaries: sortSummaries(summarize(observations)),
    cpp,
    cppTransactions: tables.transactions.objects() as CppTransactionRow[],
    folded: tables.folded,
    packetEvents,
    cppMeans: cppMeans(cpp),
    packetEventMeans: eventMeans(packetEvents),
    missing: missingData(runs, tables.problems),
    launchRows: rows,
    launches: summarizeLaunches(launchTimings),
    units: {
      perfUnits: perfUnitsOf(runs, observations),
      cppUnits: cppUnitsOf(runs, cpp),
      eventUnits: eventUnitsOf(runs, packetEvents),
      launchUnits: launchUnitsOf(launchTimings),
    },
    notices,
  };
}

export function claimTables(d: ReportData): ClaimTables {
  return { summaries: d.summaries, cpp: d.cppMeans, packetEvents: d.packetEventMeans, missing: d.missing, launches: d.launches, ...d.units };
}
