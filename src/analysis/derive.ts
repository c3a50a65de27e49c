// The derive stage: tidy observations and summaries, CPP and per-packet events, their means per model, and why any
// model × scenario has no data — the tables every figure, report section, notebook and claim reads.
import { cppTables, type CppRow, type CppTransactionRow, type FoldedProfile, type PacketEventRow } from './cpp.ts';
import { soundItems, type LoadedRun } from './loadRun.ts';
import { cppMeans, packetEventMeans, type CppMean, type PacketEventMean } from './means.ts';
import { observationsOfRun, primaryPlacement, summarize, type Observation, type Summary } from './observations.ts';
import { runStability, type RunStability } from './runStability.ts';
import { itemKeyOf } from './stability.ts';
import { isServiceRun, servicePathOfRun, type ServicePathRow, type ServiceSyncRow } from './servicePath.ts';
import { isPolicyScaleRun, policyScaleOfRun, type PolicyApplyRow, type PolicyScaleRow } from './policyScale.ts';
import { scaleCyclesOf, type ScaleCyclesRow } from './scaleCycles.ts';
import { cppUnitsOf, eventUnitsOf, launchUnitsOf, perfUnitsOf, type CppUnit, type EventUnit, type LaunchUnit, type PerfUnit } from './units.ts';
import type { LaunchTiming } from '../launch/record.ts';
import { launchRows, launchTimingsOfRun, summarizeLaunches, type LaunchRow, type LaunchSummary } from './launch.ts';
import { orderModels } from '../charts/order.ts';
import type { Scenario } from '../testbed/model.ts';
import { NETPERF_TESTS } from '../tools/netperf/types.ts';

/** Why a model × scenario has no usable data of a kind (skipped, failed, damaged raw files, or never planned). */
export interface MissingData {
  model: string;
  scenario: Scenario;
  kind: 'netperf' | 'profile' | 'launch';
  /** The netperf test, for netperf items. */
  test?: string;
  reason: string;
}

/** Something in the data a reader should know (a profile or launch that could not be used); the report prints it. */
export interface DataWarning {
  level: 'warning';
  text: string;
}

export interface DerivedTables {
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
  units: { perfUnits: PerfUnit[]; cppUnits: CppUnit[]; eventUnits: EventUnit[]; launchUnits: LaunchUnit[] };
  /** Pod launches: one row per launch × phase, and summaries per backend × model. */
  launchRows: LaunchRow[];
  launches: LaunchSummary[];
  /** Runs with a Service datapath installed (beyond the study; kept out of every table above). */
  servicePath: { rows: ServicePathRow[]; sync: ServiceSyncRow[] };
  /** Runs that added rules to the network policies (beyond the study; kept out of every table but this). */
  policyScale: { rows: PolicyScaleRow[]; apply: PolicyApplyRow[] };
  /** Sweeps profiled with a request/response test: cycles per transaction by part, per size (beyond the study). */
  scaleCycles: ScaleCyclesRow[];
  notices: DataWarning[];
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

export async function deriveTables(allRuns: LoadedRun[], opts: { cacheDir?: string } = {}): Promise<DerivedTables> {
  const observations: Observation[] = [];
  const stability: RunStability[] = [];
  const servicePath: DerivedTables['servicePath'] = { rows: [], sync: [] };
  const policyScale: DerivedTables['policyScale'] = { rows: [], apply: [] };
  // The study's tables compare plugins pod to pod with no Service datapath and policies of one size; runs with a
  // Service datapath or scaled policies are summarised on their own (a run with both, with the policy runs).
  const beyond = (r: LoadedRun) => isServiceRun(r) || isPolicyScaleRun(r);
  const runs = allRuns.filter((r) => !beyond(r));
  for (const run of allRuns) {
    const all = await observationsOfRun(run);
    const s = run.manifest.plan.tests.length ? await runStability(run, all) : undefined;
    if (s) stability.push(s);
    // Items measured in a whole-machine disturbance are out of every mean and claim (the report lists them). Figures
    // and claims read each run's one placement (a run that measured both shows "same"; the stability appendix has both).
    const aside = new Set(s?.setAside.map(itemKeyOf));
    const kept = all.filter((o) => o.placement === primaryPlacement(run) && !aside.has(itemKeyOf(o)));
    if (!beyond(run)) {
      observations.push(...kept);
      continue;
    }
    if (isPolicyScaleRun(run)) {
      const { rows, apply } = await policyScaleOfRun(run, kept);
      policyScale.rows.push(...rows);
      policyScale.apply.push(...apply);
      continue;
    }
    const { rows, sync } = await servicePathOfRun(run, kept);
    servicePath.rows.push(...rows);
    servicePath.sync.push(...sync);
  }
  const tables = await cppTables(runs, opts);
  // The beyond-the-study runs' profiles: cycles per transaction at each size of their sweeps.
  const beyondRuns = allRuns.filter(beyond);
  const beyondTables = beyondRuns.some((r) => r.manifest.plan.profile) ? await cppTables(beyondRuns, opts) : undefined;
  const cpp = tables.cpp.objects() as CppRow[];
  const packetEvents = tables.packetEvents.objects() as PacketEventRow[];
  // Skipped, failed and damaged profiles are already noticed from the manifest; only new problems are news here.
  const notices: DataWarning[] = [];
  const launchTimings: (LaunchTiming & { run: string })[] = [];
  const rows: LaunchRow[] = [];
  for (const run of runs) {
    const { timings, problems } = await launchTimingsOfRun(run);
    launchTimings.push(...timings.map((t) => ({ ...t, run: run.runId })));
    rows.push(...launchRows(run.runId, timings));
    for (const p of problems) notices.push({ level: 'warning', text: `Pod launch ${p.item} could not be used: ${p.reason}` });
  }
  for (const p of [...tables.problems, ...(beyondTables?.problems ?? [])]) {
    const [runId, ...rest] = p.item.split('/');
    const run = allRuns.find((r) => r.runId === runId);
    const item = run?.manifest.items.find((i) => i.id === rest.join('/'));
    if (run && item && soundItems(run, 'profile').includes(item)) notices.push({ level: 'warning', text: `Profile ${p.item} could not be used: ${p.reason}` });
  }
  return {
    runs: allRuns,
    observations,
    stability,
    summaries: sortSummaries(summarize(observations)),
    cpp,
    cppTransactions: tables.transactions.objects() as CppTransactionRow[],
    folded: tables.folded,
    packetEvents,
    cppMeans: cppMeans(cpp),
    packetEventMeans: packetEventMeans(packetEvents),
    missing: missingData(runs, tables.problems),
    launchRows: rows,
    launches: summarizeLaunches(launchTimings),
    servicePath,
    policyScale,
    scaleCycles: beyondTables ? scaleCyclesOf(beyondRuns, beyondTables.transactions.objects() as CppTransactionRow[]) : [],
    units: {
      perfUnits: perfUnitsOf(runs, observations),
      cppUnits: cppUnitsOf(runs, cpp),
      eventUnits: eventUnitsOf(runs, packetEvents),
      launchUnits: launchUnitsOf(launchTimings),
    },
    notices,
  };
}
