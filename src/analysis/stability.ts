// How far each configuration of a run can be trusted: its repetitions' spread (CV, max/min), the 95% CI of its mean,
// its value relative to the same round's control, why it stopped taking rounds, and which of its items were
// flagged for a machine condition. A run is the unit: configurations are never pooled across runs here.
import { binomialTail, relativeHalfWidth, cv, mean } from '../util/stats.ts';
import { configKey, samePoint, sweepSuffix, type SweepPoint } from '../collect/schedule.ts';
import { CONTROL_OF } from '../collect/plan.ts';
import { placementsOf } from '../collect/placement.ts';
import type { StopRecord } from '../collect/manifest.ts';
import type { LoadedRun } from './loadRun.ts';
import { type Observation, headlineMetric } from './observations.ts';
import type { ConditionRow } from './conditions.ts';

/** The bar the method is held to: a configuration is "stable" when its repetitions agree this closely. */
export const STABLE = { cvPct: 5, maxOverMin: 1.3 } as const;

export interface StabilityRow {
  run: string;
  config: string;
  model: string;
  label: string;
  scenario: string;
  test: string;
  placement: string;
  /** In a --sweep services=… run: the configuration's number of Services. */
  services?: number;
  /** In a --sweep policy-rules=… run: the configuration's number of policy rules. */
  policyRules?: number;
  metric: string;
  unit: string;
  n: number;
  mean: number;
  cvPct: number;
  maxOverMin: number;
  /** Relative half-width of the 95% CI of the mean, %. */
  halfWidthPct: number;
  /** Mean of value ÷ the same round's control value, with its CI half-width (%), when the run has controls. */
  relative?: { mean: number; halfWidthPct: number; n: number };
  /** Why the configuration stopped taking rounds. */
  stop: string;
  stable: boolean;
  /** Items with a flagged condition, and the distinct flags (numbers dropped). */
  flaggedItems: number;
  flags: string[];
  /** For a configuration that misses the bar: its farthest repetition and which recorded conditions set it apart. */
  outlier?: { rep: number; value: number; ofMedian: number; differences: string[] };
  /** How many of its items were set aside as measured in a whole-machine disturbance (see machineDisturbances). */
  setAside: number;
  /** The same judgement over every item, set-aside ones included. */
  all: { n: number; cvPct: number; maxOverMin: number; stable: boolean };
}

/**
 * An item kept out of a run's statistics, openly: it ran at least HIT_SHIFT from its configuration's median while
 * the items of other configurations measured around it did too (windowDifference fired in the same direction) — a
 * disturbance of the whole machine, not of the datapath. Its raw files stay; the report lists it.
 */
export interface SetAsideItem {
  run: string;
  config: string;
  model: string;
  scenario: string;
  test: string;
  placement: string;
  /** In a --sweep services=… run: the configuration's number of Services. */
  services?: number;
  /** In a --sweep policy-rules=… run: the configuration's number of policy rules. */
  policyRules?: number;
  rep: number;
  value: number;
  ofMedian: number;
  reason: string;
}

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : NaN;
};

/**
 * A context-switch rate this many times the typical one (or 1/this) is a different scheduling pattern: with both ends
 * on one vCPU a TCP stream runs in one of two patterns, ~6k switches/s at ~10 Gbit/s or ~16k/s at ~9 (README, Method).
 */
const SWITCH_SHIFT = 1.5;

/** A machine-speed probe this much slower than its configuration's typical one: the machine itself ran slower. */
export const PROBE_SLOWER = 0.1;

const perSecond = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(1)}k` : x.toFixed(0));

/**
 * Which recorded conditions of one item differ from its configuration's typical item (the median of the others):
 * more steal, a CPU much busier, a slower machine-speed probe, halts, a different context-switch rate, drops,
 * retransmissions or UDP errors. Empty
 * when nothing recorded moved.
 */
export function conditionDifferences(item: ConditionRow, others: readonly ConditionRow[]): string[] {
  const out: string[] = [];
  const typical = (f: (r: ConditionRow) => number) => median(others.map(f));
  const steal = typical((r) => r.stealPct);
  if (item.stealPct > Math.max(1, 2 * steal)) out.push(`steal ${item.stealPct.toFixed(1)}% (typical ${steal.toFixed(1)}%)`);
  for (const [cpu, busy] of Object.entries(item.busyPct)) {
    const usual = typical((r) => r.busyPct[cpu] ?? 0);
    if (Math.abs(busy - usual) >= 15) out.push(`${cpu} busy ${busy.toFixed(0)}% (typical ${usual.toFixed(0)}%)`);
  }
  const switches = others.map((r) => r.switchesPerS).filter((x): x is number => x !== undefined);
  if (item.switchesPerS !== undefined && switches.length) {
    const usual = median(switches);
    const ratio = item.switchesPerS / usual;
    if (ratio >= SWITCH_SHIFT || ratio <= 1 / SWITCH_SHIFT) out.push(`${perSecond(item.switchesPerS)} context switches/s (typical ${perSecond(usual)})`);
  }
  const probes = others.map((r) => r.speedProbeMs).filter((x): x is number => x !== undefined);
  if (item.speedProbeMs !== undefined && probes.length) {
    const usual = median(probes);
    if (item.speedProbeMs >= (1 + PROBE_SLOWER) * usual) out.push(`machine-speed probe ${(100 * (item.speedProbeMs / usual - 1)).toFixed(0)}% slower (${item.speedProbeMs.toFixed(2)} ms, typical ${usual.toFixed(2)})`);
  }
  const counts: [string, (r: ConditionRow) => number][] = [['halts', (r) => r.halts], ['dropped packets', (r) => r.drops], ['TCP retransmissions', (r) => r.tcpRetrans], ['UDP errors', (r) => r.udpErrors]];
  for (const [what, f] of counts) {
    const usual = typical(f);
    if (f(item) > Math.max(10, 2 * usual)) out.push(`${f(item)} ${what} (typical ${usual})`);
  }
  return out;
}

function stopWords(stop: StopRecord | undefined, n: number, run: LoadedRun): string {
  if (!stop) return run.manifest.plan.schedule?.stopping ? 'not stopped (run unfinished)' : `fixed count (${n} ${run.manifest.plan.schedule ? 'rounds' : 'repetitions'})`;
  const hw = Number.isFinite(stop.halfWidth) ? `±${(100 * stop.halfWidth).toFixed(1)}%` : 'no CI';
  switch (stop.reason) {
    case 'precision': return `precision reached (${hw}) after ${stop.round} rounds`;
    case 'max-rounds': return `most rounds (${stop.round}) reached at ${hw}`;
    case 'failing': return `stopped after ${stop.round} rounds: its last items all failed`;
    case 'control': return `control: ran while its models ran (${stop.round} rounds, ${hw})`;
  }
}

/** "123 TCP retransmissions" → "TCP retransmissions": the kind of flag, for a compact list. */
function flagKind(flag: string): string {
  return flag.replace(/^\d+ /, '').replace(/ \(.*\)$/, '').replace(/\d+(\.\d+)?%/g, 'N%').replace(/\b\d+ times\b/, 'N times');
}

/** How far either side of an item its neighbours in time are looked at for a machine-wide slow (or fast) window. */
const WINDOW_S = 60;
/** A window whose neighbours ran this far from their own medians moved the whole machine. */
export const WINDOW_SHIFT = 0.05;
/** An item this far from its configuration's median is a "hit" when looking for hits clustered in time. */
export const HIT_SHIFT = 0.1;
/** Hits around an item are named as a machine-wide disturbance when chance scatter would cluster so rarely. */
const CLUSTER_P = 0.01;

/** The items of other configurations measured within WINDOW_S of one item, and how they ran. */
export interface MachineWindow {
  /** Median over them of value ÷ their configuration's median (0.88: everything around ran 12% below its usual). */
  median: number;
  n: number;
  /** How many of them ran at least HIT_SHIFT below / above their configuration's median. */
  low: number;
  high: number;
}

export interface MachineWindows {
  /** By "<model>/<scenario>/<test>@<placement>#<rep>"; only items with at least three neighbours. */
  byItem: Map<string, MachineWindow>;
  /** The share of all the run's items that ran at least HIT_SHIFT below / above their medians. */
  lowShare: number;
  highShare: number;
}

/**
 * The machine's speed around each item, from the items of other configurations that started within WINDOW_S seconds
 * of it: a slow (or fast) window of the whole machine — a busy host, say — which no guest counter shows. Two tests
 * use it: the neighbours' median moved (everything ran slower), or hits cluster around the item far beyond the run's
 * usual share of hits (a disturbance that struck some of the items then, binomial tail below CLUSTER_P).
 */
export function windowIndex(run: LoadedRun, observations: readonly Observation[]): MachineWindows {
  const key = (o: { model: string; scenario: string; test: string; placement?: string } & SweepPoint) => `${o.model}/${o.scenario}/${o.test}@${o.placement ?? 'free'}${sweepSuffix(o)}`;
  const values = new Map<string, number[]>();
  for (const o of observations) {
    const k = key(o);
    const list = values.get(k);
    if (list) list.push(o.value);
    else values.set(k, [o.value]);
  }
  const medians = new Map([...values].map(([k, xs]) => [k, median(xs)]));
  const started = new Map(run.manifest.items.filter((i) => i.kind === 'netperf' && i.startedAt).map((i) => [`${key(i)}#${i.rep}`, Date.parse(i.startedAt!)]));
  const timed = observations.flatMap((o) => {
    const t = started.get(`${key(o)}#${o.rep}`);
    return t === undefined ? [] : [{ o, t, r: o.value / medians.get(key(o))! }];
  });
  const isLow = (r: number) => r <= 1 - HIT_SHIFT;
  const isHigh = (r: number) => r >= 1 + HIT_SHIFT;
  const byItem = new Map<string, MachineWindow>();
  // Sorted by start time, the items within WINDOW_S of one are a contiguous stretch found by two moving bounds.
  timed.sort((x, y) => x.t - y.t);
  const keys = timed.map((x) => key(x.o));
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < timed.length; i++) {
    const a = timed[i]!;
    while (timed[lo]!.t < a.t - WINDOW_S * 1000) lo++;
    while (hi < timed.length && timed[hi]!.t <= a.t + WINDOW_S * 1000) hi++;
    const near: number[] = [];
    for (let j = lo; j < hi; j++) if (keys[j] !== keys[i]) near.push(timed[j]!.r);
    if (near.length >= 3) byItem.set(`${key(a.o)}#${a.o.rep}`, { median: median(near), n: near.length, low: near.filter(isLow).length, high: near.filter(isHigh).length });
  }
  const share = (hit: (r: number) => boolean) => (timed.length ? timed.filter((x) => hit(x.r)).length / timed.length : 0);
  return { byItem, lowShare: share(isLow), highShare: share(isHigh) };
}

/** What the machine-wide window around an item says about it, in words; undefined when neither test fires. */
export function windowDifference(w: MachineWindow | undefined, windows: Pick<MachineWindows, 'lowShare' | 'highShare'>, slow: boolean): string | undefined {
  if (!w) return undefined;
  if (Math.abs(w.median - 1) >= WINDOW_SHIFT) {
    return `the items measured within ${WINDOW_S} s of it ran at ${w.median.toFixed(2)}× their medians (the whole machine was ${w.median < 1 ? 'slower' : 'faster'})`;
  }
  const hits = slow ? w.low : w.high;
  const share = slow ? windows.lowShare : windows.highShare;
  if (hits < 3 || binomialTail(hits, w.n, share) >= CLUSTER_P) return undefined;
  const pct = (x: number) => `${(100 * x).toFixed(x < 0.1 ? 1 : 0)}%`;
  return `${hits} of the ${w.n} items of other configurations measured within ${WINDOW_S} s of it also ran ${100 * HIT_SHIFT}% or more ${slow ? 'below' : 'above'} their medians, against ${pct(share)} of the whole run (a disturbance of the whole machine then)`;
}

/** One item of a run, whatever its metric: "<model>/<scenario>/<test>@<placement>#<rep>". */
export const itemKeyOf = (o: { model: string; scenario: string; test: string; placement: string; rep: number } & SweepPoint) => `${o.model}/${o.scenario}/${o.test}@${o.placement}${sweepSuffix(o)}#${o.rep}`;

/** A run's headline observations grouped by configuration (configKey), in the order first seen. */
function byConfig(run: LoadedRun, observations: readonly Observation[]): Map<string, Observation[]> {
  const two = placementsOf(run.manifest.plan.placement ?? 'free').length > 1;
  const groups = new Map<string, Observation[]>();
  for (const o of observations) {
    if (o.run !== run.runId || o.metric !== headlineMetric(o.test)) continue;
    const key = configKey({ model: o.model, scenario: o.scenario as 'intra', test: o.test as 'tcp_rr', placement: o.placement, proxy: o.proxy, services: o.services, policyRules: o.policyRules }, two);
    const list = groups.get(key);
    if (list) list.push(o);
    else groups.set(key, [o]);
  }
  return groups;
}

/**
 * The items of a run measured in a whole-machine disturbance: at least HIT_SHIFT from their configuration's median,
 * with the machine-wide window around them (windowIndex) slow when they were slow, fast when they were fast. The
 * rule needs evidence from other configurations at the same time, so a configuration that is merely spread (two
 * levels of its own, say) keeps every item. At least two items of each configuration are always kept.
 */
export function machineDisturbances(run: LoadedRun, observations: readonly Observation[], windows = windowIndex(run, headlineOf(run, observations))): SetAsideItem[] {
  const out: SetAsideItem[] = [];
  for (const [config, obs] of byConfig(run, observations)) {
    const mid = median(obs.map((o) => o.value));
    const hits: SetAsideItem[] = [];
    for (const o of obs) {
      const ofMedian = o.value / mid;
      if (Math.abs(ofMedian - 1) < HIT_SHIFT) continue;
      const reason = windowDifference(windows.byItem.get(itemKeyOf(o)), windows, ofMedian < 1);
      if (reason) hits.push({ run: run.runId, config, model: o.model, scenario: o.scenario, test: o.test, placement: o.placement, ...(o.services === undefined ? {} : { services: o.services }), ...(o.policyRules === undefined ? {} : { policyRules: o.policyRules }), rep: o.rep, value: o.value, ofMedian, reason });
    }
    // Farthest first, and never below two kept items: a spread that wide is the configuration's own.
    hits.sort((a, b) => Math.abs(b.ofMedian - 1) - Math.abs(a.ofMedian - 1));
    out.push(...hits.slice(0, Math.max(0, obs.length - 2)));
  }
  return out.sort((a, b) => a.config.localeCompare(b.config) || a.rep - b.rep);
}

const headlineOf = (run: LoadedRun, observations: readonly Observation[]) => observations.filter((o) => o.run === run.runId && o.metric === headlineMetric(o.test));

const meetsBar = (values: readonly number[]) => {
  const cvPct = 100 * cv(values);
  const maxOverMin = Math.max(...values) / Math.min(...values);
  return { n: values.length, cvPct, maxOverMin, stable: values.length >= 2 && cvPct <= STABLE.cvPct && maxOverMin <= STABLE.maxOverMin };
};

/**
 * The stability of every configuration of a run, judged on the items that were not set aside (`setAside`, usually
 * machineDisturbances of the same observations); `all` keeps the judgement over every item beside it.
 */
export function stabilityOfRun(run: LoadedRun, observations: readonly Observation[], conditions: readonly ConditionRow[], setAside: readonly SetAsideItem[] = []): StabilityRow[] {
  const mine = headlineOf(run, observations);
  const groups = byConfig(run, mine);
  const aside = new Set(setAside.filter((s) => s.run === run.runId).map(itemKeyOf));
  const kept = mine.filter((o) => !aside.has(itemKeyOf(o)));
  const controls = new Set(run.manifest.plan.schedule?.controls ?? []);
  const windows = windowIndex(run, mine);
  const rows: StabilityRow[] = [];
  for (const [config, every] of groups) {
    const obs = every.filter((o) => !aside.has(itemKeyOf(o)));
    const first = obs[0]!;
    const values = obs.map((o) => o.value);
    const controlModel = CONTROL_OF[first.scenario as 'intra' | 'inter'];
    let relative: StabilityRow['relative'];
    if (controls.has(controlModel) && first.model !== controlModel) {
      const ratios = obs.flatMap((o) => {
        const c = kept.find((x) => x.model === controlModel && x.scenario === o.scenario && x.test === o.test && x.placement === o.placement && x.rep === o.rep);
        return c ? [o.value / c.value] : [];
      });
      if (ratios.length) relative = { mean: mean(ratios), halfWidthPct: 100 * relativeHalfWidth(ratios), n: ratios.length };
    }
    // The configuration's own items: at a sweep's point too (one model measured at ten sizes is ten configurations).
    const rowsOf = conditions.filter((c) => c.run === run.runId && c.model === first.model && c.scenario === first.scenario && c.test === first.test && c.placement === first.placement && samePoint(c, first));
    const flagged = rowsOf.filter((c) => c.flags.length);
    const { cvPct, maxOverMin, stable } = meetsBar(values);
    let outlier: StabilityRow['outlier'];
    if (!stable && values.length >= 2) {
      const mid = median(values);
      const far = obs.reduce((a, b) => (Math.abs(b.value - mid) > Math.abs(a.value - mid) ? b : a));
      const mineRow = rowsOf.find((c) => c.rep === far.rep);
      const differences = mineRow ? conditionDifferences(mineRow, rowsOf.filter((c) => c !== mineRow)) : [];
      const around = windowDifference(windows.byItem.get(itemKeyOf(far)), windows, far.value < mid);
      if (around) differences.push(around);
      outlier = { rep: far.rep, value: far.value, ofMedian: far.value / mid, differences };
    }
    rows.push({
      run: run.runId, config, model: first.model, label: first.label, scenario: first.scenario, test: first.test, placement: first.placement,
      ...(first.services === undefined ? {} : { services: first.services }),
      ...(first.policyRules === undefined ? {} : { policyRules: first.policyRules }),
      metric: first.metric, unit: first.unit, n: values.length, mean: mean(values), cvPct, maxOverMin,
      halfWidthPct: 100 * relativeHalfWidth(values),
      ...(relative ? { relative } : {}),
      stop: stopWords(run.manifest.stops?.[config], values.length, run),
      stable,
      flaggedItems: flagged.length,
      flags: [...new Set(flagged.flatMap((c) => c.flags.map(flagKind)))],
      ...(outlier ? { outlier } : {}),
      setAside: every.length - obs.length,
      all: meetsBar(every.map((o) => o.value)),
    });
  }
  // Catalogue order: the plan's models, then scenario, test and placement as planned.
  const rank = (list: readonly string[], v: string) => list.indexOf(v);
  const p = run.manifest.plan;
  return rows.sort((a, b) => rank(p.models, a.model) - rank(p.models, b.model) || rank(p.scenarios, a.scenario) - rank(p.scenarios, b.scenario)
    || rank(p.tests, a.test) - rank(p.tests, b.test) || a.placement.localeCompare(b.placement) || (a.services ?? 0) - (b.services ?? 0) || (a.policyRules ?? 0) - (b.policyRules ?? 0));
}

/** The share of a run's configurations that meet the bar (those with at least two repetitions), set-aside items out and in. */
export function stableShare(rows: readonly StabilityRow[]): { stable: number; stableAll: number; total: number } {
  const measured = rows.filter((r) => r.n >= 2);
  return { stable: measured.filter((r) => r.stable).length, stableAll: measured.filter((r) => r.all.stable).length, total: measured.length };
}
