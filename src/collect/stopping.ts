// Adaptive stopping (Kalibera & Jones: put repetitions where the variance is). After each complete round every
// configuration whose mean is known to ±precision (95% CI) stops; the rest get another round, up to the most rounds.
// A control keeps running while anything it is the control of runs, so every round has its reference point.
// The decision depends only on the recorded results, so a resumed run takes the same rounds.
import { relativeHalfWidth } from '../util/stats.ts';
import { CONTROL_OF, type CollectPlan } from './plan.ts';
import type { ItemRecord, RunManifest, StopRecord } from './manifest.ts';
import { type Config, configKey, configsOf, roundItems, samePoint } from './schedule.ts';
import { placementsOf } from './placement.ts';

const finished = (i: ItemRecord) => i.status === 'ok' || i.status === 'failed' || i.status === 'skipped';

/** The measured values of a configuration so far (ok items), in round order. */
function valuesOf(items: readonly ItemRecord[], c: Config): number[] {
  return itemsOf(items, c)
    .filter((i) => i.status === 'ok' && i.headline)
    .sort((a, b) => a.rep - b.rep)
    .map((i) => i.headline!.value);
}

/** Items that belong to rounds: netperf items and the profiles shuffled in with them (launches come after). */
const inRounds = (i: ItemRecord) => i.kind === 'netperf' || i.kind === 'profile';

/** The highest round that has netperf items, and whether all of its items (profiles included) are finished. */
export function lastRound(items: readonly ItemRecord[]): { round: number; complete: boolean } {
  const round = Math.max(0, ...items.filter((i) => i.kind === 'netperf').map((i) => i.rep));
  return { round, complete: items.filter((i) => inRounds(i) && i.rep === round).every(finished) };
}

export interface StopDecision {
  /** Configurations that take another round. */
  next: Config[];
  /** Configurations that stop now, with why. */
  stops: Record<string, StopRecord>;
}

/**
 * Which configurations of the last round go on. `configs` are those that took part in round `round`; a
 * configuration none of whose items could run (skipped) is not among them.
 */
export function decideAfterRound(plan: CollectPlan, items: readonly ItemRecord[], round: number, configs: readonly Config[]): StopDecision {
  const stopping = plan.schedule?.stopping;
  if (!stopping) throw new Error('decideAfterRound needs a plan with adaptive stopping');
  const two = placementsOf(plan.placement ?? 'free').length > 1;
  const controls = new Set(plan.schedule?.controls ?? []);
  const isControl = (c: Config) => controls.has(c.model) && CONTROL_OF[c.scenario] === c.model;
  const stops: Record<string, StopRecord> = {};
  const stop = (c: Config, reason: StopRecord['reason']) => {
    const values = valuesOf(items, c);
    stops[configKey(c, two)] = { round, reason, halfWidth: relativeHalfWidth(values), n: values.length };
  };
  const goOn: Config[] = [];
  for (const c of configs) {
    const halfWidth = relativeHalfWidth(valuesOf(items, c));
    const recent = itemsOf(items, c).filter((i) => i.rep > round - stopping.minRounds);
    if (round >= plan.reps) stop(c, 'max-rounds');
    else if (recent.length >= stopping.minRounds && recent.every((i) => i.status === 'failed')) stop(c, 'failing');
    else if (round >= stopping.minRounds && halfWidth <= stopping.precision && !isControl(c)) stop(c, 'precision');
    else goOn.push(c);
  }
  // A control runs while a configuration it is the control of (same scenario, test and placement) runs.
  const next = goOn.filter((c) => !isControl(c) || goOn.some((o) => !isControl(o) && o.scenario === c.scenario && o.test === c.test && o.placement === c.placement));
  for (const c of goOn) if (!next.includes(c)) stop(c, 'control');
  return { next, stops };
}

function itemsOf(items: readonly ItemRecord[], c: Config): ItemRecord[] {
  return items.filter((i) => i.kind === 'netperf' && i.model === c.model && i.scenario === c.scenario && i.test === c.test && (i.placement ?? 'free') === c.placement && samePoint(i, c));
}

/** The configurations that took part in a round (had at least one item that was not skipped). */
export function configsOfRound(plan: CollectPlan, items: readonly ItemRecord[], round: number): Config[] {
  return configsOf(plan).filter((c) => itemsOf(items, c).some((i) => i.rep === round && i.status !== 'skipped'));
}

/**
 * For an adaptive run whose last round is complete: records the configurations that stop and inserts the next
 * round's items (before the profile and launch items). Returns how many items were added (0: no more rounds).
 */
export function extendRounds(m: RunManifest): number {
  if (!m.plan.schedule?.stopping) return 0;
  const { round, complete } = lastRound(m.items);
  if (round === 0 || !complete) return 0;
  const two = placementsOf(m.plan.placement ?? 'free').length > 1;
  const configs = configsOfRound(m.plan, m.items, round).filter((c) => !m.stops?.[configKey(c, two)]);
  if (!configs.length) return 0;
  const { next, stops } = decideAfterRound(m.plan, m.items, round, configs);
  m.stops = { ...(m.stops ?? {}), ...stops };
  if (!next.length) return 0;
  const added = roundItems(m.plan, round + 1, next).map((item): ItemRecord => ({ ...item, status: 'pending', files: [] }));
  // After the last item of the rounds so far, before the launches.
  const at = m.items.reduce((last, i, k) => (inRounds(i) ? k : last), -1) + 1;
  m.items.splice(at, 0, ...added);
  return added.length;
}
