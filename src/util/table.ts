// Row objects into an Arquero table with every column any row has. `aq.from(rows)` takes its columns from the
// first row alone, so a field only some rows carry (a sweep point's `policyRules`, say, behind rows of a Services
// sweep) would be dropped from all of them.
import * as aq from 'arquero';

export function tableOf(rows: readonly object[]): aq.ColumnTable {
  const names = [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return aq.from(rows as Record<string, unknown>[], names);
}
