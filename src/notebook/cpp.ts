// Cycles per packet as a wide table: one row per model, one column per component in the figures' order (only the
// components that occur), then the total — the report's per-model means (over runs) behind Figs. 4–5.
import * as aq from 'arquero';
import type { CppMean } from '../analysis/means.ts';
import { COMPONENT_NAMES, COMPONENT_ORDER, modelLabel, orderModels } from '../charts/index.ts';

export function cppByComponent(means: readonly CppMean[], scenario: string): aq.ColumnTable {
  const mine = means.filter((r) => r.scenario === scenario);
  const present = COMPONENT_ORDER.filter((c) => mine.some((r) => r.component === c && r.cpp > 0));
  const out = orderModels(mine.map((r) => r.model)).map((model) => {
    const own = mine.filter((r) => r.model === model);
    const first = own[0]!;
    return {
      model: modelLabel(model),
      ...Object.fromEntries(present.map((c) => [c, own.find((r) => r.component === c)?.cpp ?? 0])),
      total: first.totalCpp,
      cycles: first.estimated ? 'estimated' : 'measured',
      runs: first.runs,
    };
  });
  return aq.from(out);
}

/**
 * The same numbers turned on their side, to read on a page: one row per component (its name as the figures have
 * it, in their order; only those that occur), one column per model, and a last row with each model's total.
 */
export function cppByModel(means: readonly CppMean[], scenario: string): aq.ColumnTable {
  const mine = means.filter((r) => r.scenario === scenario);
  const models = orderModels(mine.map((r) => r.model));
  const present = COMPONENT_ORDER.filter((c) => mine.some((r) => r.component === c && r.cpp > 0));
  const row = (component: string, value: (model: string) => number) => ({
    component,
    ...Object.fromEntries(models.map((m) => [modelLabel(m), value(m)])),
  });
  return aq.from([
    ...present.map((c) => row(COMPONENT_NAMES[c], (m) => mine.find((r) => r.model === m && r.component === c)?.cpp ?? 0)),
    row('Total', (m) => mine.find((r) => r.model === m)?.totalCpp ?? 0),
  ]);
}
