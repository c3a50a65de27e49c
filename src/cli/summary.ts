// `cnibench summary [RUN]`: how far each configuration of a run can be trusted — spread, CI, control ratio, why it
// stopped, flagged conditions — and the share that meets the bar (CV ≤ 5% and max/min ≤ 1.3).
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import * as aq from 'arquero';
import { HELP } from './help.ts';
import { DEFAULT_DATA_DIR, parseOptions } from './options.ts';
import { UsageError } from '../util/errors.ts';
import { listRuns, loadRun } from '../analysis/loadRun.ts';
import { methodWords, runStability } from '../analysis/runStability.ts';
import { STABLE, type StabilityRow } from '../analysis/stability.ts';
import { runTimeLines } from '../analysis/runTime.ts';

const fmt = (v: number, digits: number) => (Number.isFinite(v) ? v.toFixed(digits) : '–');

function big(v: number): string {
  return v >= 10_000 ? `${(v / 1000).toFixed(1)}k` : v >= 100 ? v.toFixed(0) : v.toPrecision(3);
}

/** The table rows as printed (and written with --csv). */
function summaryTable(rows: readonly StabilityRow[]) {
  return aq.from(rows.map((r) => ({
    config: r.config,
    n: r.setAside ? `${r.n} of ${r.all.n}` : String(r.n),
    mean: `${big(r.mean)} ${r.unit}`,
    'CV %': fmt(r.cvPct, 1),
    'max/min': fmt(r.maxOverMin, 2),
    'CI ±%': fmt(r.halfWidthPct, 1),
    'vs control': r.relative ? `${r.relative.mean.toFixed(3)} ±${fmt(r.relative.halfWidthPct, 1)}%` : '',
    stable: r.stable ? 'yes' : 'NO',
    stop: r.stop,
    flags: r.flaggedItems ? `${r.flaggedItems}: ${r.flags.join('; ')}` : '',
  })));
}

export async function runSummary(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions('summary', args, { 'data-dir': { type: 'string' }, csv: { type: 'string' } }, true);
  if (values.help) { process.stdout.write(HELP.summary + '\n'); return 0; }
  if (positionals.length > 1) throw new UsageError(`summary takes one run (got ${positionals.length}); see cnibench summary --help.`);
  const dataDir = resolve(values['data-dir'] ?? DEFAULT_DATA_DIR);
  let id = positionals[0];
  if (!id) {
    const candidates = [];
    for (const name of await listRuns(dataDir)) {
      const run = await loadRun(dataDir, name).catch(() => undefined);
      if (run && run.manifest.plan.tests.length) candidates.push(name);
    }
    id = candidates.at(-1);
    if (!id) throw new UsageError(`no run with netperf items in ${join(dataDir, 'runs')}: collect one with cnibench collect.`);
  }
  const run = await loadRun(dataDir, id);
  const s = await runStability(run);
  if (!s.rows.length) throw new UsageError(`run ${run.runId} has no usable netperf items (cnibench report lists why).`);
  const out = process.stdout;
  out.write(`run ${run.runId} (${run.manifest.status}): ${methodWords(run)}\n`);
  if (!s.conditionsRecorded) out.write('conditions not recorded (a run made before cnibench recorded them)\n');
  out.write(`\n${summaryTable(s.rows).toMarkdown()}\n`);
  const pct = s.share.total ? (100 * s.share.stable) / s.share.total : 0;
  out.write(`stable (CV ≤ ${STABLE.cvPct}% and max/min ≤ ${STABLE.maxOverMin}): ${s.share.stable} of ${s.share.total} configurations (${pct.toFixed(0)}%)${s.setAside.length ? `; ${s.share.stableAll} with every item kept` : ''}\n`);
  for (const r of s.rows.filter((x) => !x.stable && x.outlier)) {
    const o = r.outlier!;
    out.write(`  ${r.config}: farthest repetition ${o.rep} at ${o.ofMedian.toFixed(2)}× the median; ${o.differences.length ? o.differences.join(', ') : 'no recorded condition set it apart'}\n`);
  }
  if (s.setAside.length) {
    out.write(`set aside as measured in a whole-machine disturbance (in no statistic above): ${s.setAside.length} items\n`);
    for (const a of s.setAside) out.write(`  ${a.config} round ${a.rep}: ${a.ofMedian.toFixed(2)}× its median; ${a.reason}\n`);
  }
  if (s.time) out.write(`${runTimeLines(s.time).join('\n')}\n`);
  if (values.csv) {
    await mkdir(dirname(resolve(values.csv)), { recursive: true });
    await writeFile(values.csv, summaryTable(s.rows).toCSV() + '\n');
    process.stderr.write(`wrote ${values.csv}\n`);
  }
  return 0;
}
