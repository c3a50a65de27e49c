// The method and how far it held: per run, how items were ordered, pinned and kept awake, what the machine did
// meanwhile (steal, drops, retransmissions, flagged items), and how many configurations met the stability bar —
// with an appendix listing every configuration. Runs made before conditions were recorded are said to be so.
import type { RunStability } from '../analysis/runStability.ts';
import { methodWords } from '../analysis/runStability.ts';
import { HIT_SHIFT, PROBE_SLOWER, STABLE, WINDOW_SHIFT, type SetAsideItem, type StabilityRow } from '../analysis/stability.ts';
import { mean } from '../util/stats.ts';
import { type SectionContext, appendixHeading, appendixRef, sectionNumber } from './context.ts';
import type { CsvFile } from './figures.ts';
import { count, formatNumber, joinWords } from './format.ts';
import { code, md, mdCell, table } from './markdown.ts';
import { safeName } from './provenance.ts';
import { tableOf } from '../util/table.ts';

const fmt = (v: number, digits: number) => (Number.isFinite(v) ? formatNumber(v, digits) : '–');

function conditionsWords(s: RunStability): string {
  if (!s.conditionsRecorded) return 'Machine conditions were not recorded for this run (it was made before cnibench recorded them), so its spread cannot be traced to a cause.';
  const c = s.conditions;
  const steal = c.map((r) => r.stealPct);
  const flagged = c.filter((r) => r.flags.length);
  const kinds = new Map<string, number>();
  for (const r of flagged) for (const f of new Set(r.flags.map((x) => x.replace(/^\d+ /, '').replace(/ \(.*\)$/, '').replace(/[\d.]+%/g, 'N%').replace(/\d+ times/, 'N times')))) kinds.set(f, (kinds.get(f) ?? 0) + 1);
  const totals = {
    drops: c.reduce((a, r) => a + r.drops, 0),
    retrans: c.reduce((a, r) => a + r.tcpRetrans, 0),
    udp: c.reduce((a, r) => a + r.udpErrors, 0),
  };
  const probes = c.map((r) => r.speedProbeMs).filter((x): x is number => x !== undefined).sort((a, b) => a - b);
  const probeWords = probes.length
    ? `A fixed computation timed around each item (the machine-speed probe) took ${fmt(probes[probes.length >> 1]!, 2)} ms at the median and ${fmt(probes[probes.length - 1]!, 2)} ms at the slowest; ${count(probes.filter((p) => p >= (1 + PROBE_SLOWER) * probes[probes.length >> 1]!).length, 'item')} ran it ${100 * PROBE_SLOWER}% or more slower than the median.`
    : 'The machine-speed probe was not recorded for this run.';
  return [
    `Across its ${count(c.length, 'measured item')} the hypervisor stole ${fmt(mean(steal), 2)}% of the CPUs' time on average (at most ${fmt(Math.max(...steal), 1)}% in one item);`,
    `${formatNumber(totals.drops, 0)} packets were dropped, ${formatNumber(totals.retrans, 0)} TCP segments retransmitted and ${formatNumber(totals.udp, 0)} UDP errors counted in the items' namespaces.`,
    flagged.length
      ? `${count(flagged.length, 'item was', 'items were')} flagged: ${joinWords([...kinds].sort((a, b) => b[1] - a[1]).map(([k, n]) => `${md(k)} (${n})`))}. Flagged items are kept in every mean and listed with their configuration in ${appendixRef('appendix-stability')}.`
      : 'No item was flagged.',
    probeWords,
  ].join(' ');
}

/** Why and how many items of a run were set aside, in words (empty when none were). */
function setAsideWords(s: RunStability): string {
  const n = s.setAside.length;
  const measured = s.rows.reduce((a, r) => a + r.all.n, 0);
  const rule = `An item is set aside when it ran ${100 * HIT_SHIFT}% or more from its configuration's median while the items of other configurations measured within a minute of it moved the same way (their median ${100 * WINDOW_SHIFT}% or more off, or far more of them ${100 * HIT_SHIFT}% off than anywhere else in the run): a disturbance of the whole machine, which no datapath causes. Its raw files stay in the run.`;
  if (!n) return `No item was set aside as measured in a whole-machine disturbance. ${rule}`;
  const configs = new Set(s.setAside.map((a) => a.config)).size;
  return `${count(n, 'item')} of ${formatNumber(measured, 0)} (${fmt((100 * n) / measured, 1)}%, in ${count(configs, 'configuration')}) ${n === 1 ? 'was' : 'were'} set aside as measured in a whole-machine disturbance and ${n === 1 ? 'is' : 'are'} in no mean, interval or claim of this report; ${appendixRef('appendix-stability')} lists ${n === 1 ? 'it' : 'them'}. ${rule}`;
}

function missesTable(rows: readonly StabilityRow[]): Record<string, string>[] {
  return rows.filter((r) => !r.stable && r.n >= 2).map((r) => ({
    Configuration: mdCell(r.config),
    n: String(r.n),
    'CV %': fmt(r.cvPct, 1),
    'max/min': fmt(r.maxOverMin, 2),
    'Farthest repetition': r.outlier ? `round ${r.outlier.rep}, ${fmt(r.outlier.ofMedian, 2)}× the median` : '–',
    'What set it apart': mdCell(r.outlier?.differences.length ? r.outlier.differences.join('; ') : 'no recorded condition'),
    Flags: mdCell(r.flags.join('; ')),
  }));
}

/** One row per run: how it was measured, what the machine did, and how far its configurations held the bar. */
function methodRows(ctx: SectionContext): Record<string, string>[] {
  return ctx.data.stability.map((s) => {
    const c = s.conditions;
    const w = s.run.manifest.warmups ?? [];
    const measured = s.rows.reduce((a, r) => a + r.all.n, 0);
    const share = s.share.total ? (100 * s.share.stable) / s.share.total : 0;
    return {
      Run: mdCell(s.run.runId),
      Method: mdCell(`${methodWords(s.run)}${w.length ? `; ${w.length} warm-up runs discarded` : ''}`),
      'Steal, mean %': s.conditionsRecorded ? fmt(mean(c.map((r) => r.stealPct)), 2) : 'not recorded',
      'Flagged items': s.conditionsRecorded ? `${c.filter((r) => r.flags.length).length} of ${c.length}` : '–',
      'Set aside': `${s.setAside.length} of ${formatNumber(measured, 0)}`,
      'Stable configurations': `${s.share.stable} of ${s.share.total} (${fmt(share, 0)}%)${s.setAside.length ? `; ${s.share.stableAll} with every item` : ''}`,
      'Wall time: netperf windows; cnibench\'s own': s.time ? `${fmt(s.time.wallS / 60, 0)} min: ${fmt((100 * s.time.windowsS) / s.time.wallS, 0)}%; ${fmt(s.time.ownPct, 1)}%` : '–',
    };
  });
}

/** The setup subsection on method, conditions and stability: the why in words, each run in a row of a table. */
export function methodSubsection(ctx: SectionContext, n: string): string {
  const t = ctx.tables;
  const out = [`### ${n} Method and machine conditions`];
  out.push('On a virtual machine the same datapath can read very differently from one minute to the next: a vCPU that halts when idle costs a VM exit to wake, and whether the two ends of a test share a vCPU changes how often that happens. With both ends on one vCPU, the choice the scheduler makes between sender and receiver decides whether a stream moves its data in large or small batches, and at equal priority it switches between the two every few seconds; where a run says netperf ran at nice 10, it ran below netserver (in a session of its own), so the receiver ran whenever data arrived and each stream kept one pattern; at nice 0 the two had equal priority.');
  if (!ctx.data.stability.length) return [...out, 'No run has netperf items.'].join('\n\n');
  out.push(
    `${t.ref('table-method')} says how each run controlled these, what the machine did meanwhile, and how many of its configurations met the bar of CV ≤ ${STABLE.cvPct}% and max/min ≤ ${STABLE.maxOverMin} across their repetitions. An item is set aside when it ran ${100 * HIT_SHIFT}% or more from its configuration's median while the items measured around it moved the same way — a disturbance of the whole machine, which no datapath causes; its raw files stay in the run, but it is in no mean, interval or claim. ${appendixRef('appendix-stability')} gives each run's conditions in words, every configuration's spread, the configurations that missed the bar with what set them apart, and every item set aside (also tables/stability.csv, set-aside.csv, conditions.csv).`,
    t.caption('table-method', 'How each run was measured (rounds × seconds, order and seed, placement, idle states, netperf\'s priority, warm-ups, controls), the hypervisor\'s steal, the items flagged for a machine condition, the items set aside as measured in a whole-machine disturbance, the configurations that met the stability bar, and where the run\'s time went: the share of its wall time inside netperf\'s measurement windows, and what cnibench itself added (its readings inside items, testbed bring-ups, gaps) as a share of those windows — warm-ups, profiles, launches and netperf\'s own start and end (TCP_CRR\'s server waits 4 s past the window) are the method\'s (cnibench summary RUN splits them).'),
    table(methodRows(ctx), { 'Steal, mean %': 'r', 'Wall time: netperf windows; cnibench\'s own': 'r' }),
  );
  return out.join('\n\n');
}

function setAsideRows(items: readonly SetAsideItem[]): Record<string, string>[] {
  return items.map((a) => ({
    Configuration: mdCell(a.config),
    Round: String(a.rep),
    Value: fmt(a.value, a.value >= 100 ? 0 : 2),
    'of median': `${fmt(a.ofMedian, 2)}×`,
    'Around it': mdCell(a.reason),
  }));
}

function appendixRows(rows: readonly StabilityRow[], withAll: boolean): Record<string, string>[] {
  return rows.map((r) => ({
    Configuration: mdCell(r.config),
    n: r.setAside ? `${r.n} of ${r.all.n}` : String(r.n),
    Mean: `${fmt(r.mean, r.mean >= 100 ? 0 : 2)} ${mdCell(r.unit)}`,
    'CV %': fmt(r.cvPct, 1),
    'max/min': fmt(r.maxOverMin, 2),
    'CI ±%': fmt(r.halfWidthPct, 1),
    'vs control': r.relative ? `${fmt(r.relative.mean, 3)} ±${fmt(r.relative.halfWidthPct, 1)}%` : '–',
    Stopped: mdCell(r.stop),
    Flagged: r.flaggedItems ? `${r.flaggedItems}: ${mdCell(r.flags.join('; '))}` : '',
    ...(withAll ? { 'All items': r.setAside ? `CV ${fmt(r.all.cvPct, 1)}%, max/min ${fmt(r.all.maxOverMin, 2)}${r.all.stable ? '' : ', misses'}` : '' } : {}),
  }));
}

export function stabilityAppendix(ctx: SectionContext): string {
  const out = [appendixHeading('appendix-stability')];
  if (!ctx.data.stability.length) return [...out, 'No run has netperf items.'].join('\n\n');
  for (const s of ctx.data.stability) {
    const share = s.share.total ? (100 * s.share.stable) / s.share.total : 0;
    out.push(`**Run ${code(s.run.runId)}.** ${md(methodWords(s.run))}. ${conditionsWords(s)}`);
    out.push(setAsideWords(s));
    out.push(`${s.share.stable} of ${count(s.share.total, 'configuration')} (${fmt(share, 0)}%) met the bar${s.setAside.length ? ` (${s.share.stableAll} with every item kept)` : ''}.`);
    const misses = missesTable(s.rows);
    if (!misses.length) continue;
    out.push(ctx.tables.caption(`table-misses-${safeName(s.run.runId)}`, `Configurations of ${md(s.run.runId)} whose repetitions spread more than the bar, the repetition farthest from their median, and which recorded conditions of that repetition differed from the configuration's typical item.`));
    out.push(table(misses, { n: 'r', 'CV %': 'r', 'max/min': 'r' }));
  }
  out.push(`For each run and configuration (model / scenario / test): the repetitions that gave a number, their mean (transactions/s or Mbit/s), coefficient of variation, max/min, the half-width of the 95% confidence interval of the mean, the mean of each repetition divided by the same round's control (baseline within a node, host between nodes; it cancels drift between rounds) with its CI, why the configuration stopped taking rounds, and how many of its items were flagged for a machine condition (see ${'§'}${sectionNumber('sec-setup')}).`);
  for (const s of ctx.data.stability) {
    out.push(ctx.tables.caption(`table-stability-${safeName(s.run.runId)}`, `Stability of the configurations of run ${md(s.run.runId)}${s.setAside.length ? ' (n counts the items kept; "all items" judges them with the set-aside ones)' : ''}.`));
    out.push(table(appendixRows(s.rows, s.setAside.length > 0), { n: 'r', Mean: 'r', 'CV %': 'r', 'max/min': 'r', 'CI ±%': 'r', 'vs control': 'r' }));
    if (s.setAside.length) {
      out.push(ctx.tables.caption(`table-set-aside-${safeName(s.run.runId)}`, `Items of run ${md(s.run.runId)} set aside as measured in a whole-machine disturbance.`));
      out.push(table(setAsideRows(s.setAside), { Round: 'r', Value: 'r', 'of median': 'r' }));
    }
  }
  return out.join('\n\n');
}

/** tables/stability.csv (every run's configurations), set-aside.csv (items in disturbances) and conditions.csv (every item's conditions). */
export function stabilityCsvs(stability: readonly RunStability[]): CsvFile[] {
  const rows = stability.flatMap((s) => s.rows.map((r) => ({
    run: r.run, config: r.config, model: r.model, scenario: r.scenario, test: r.test, placement: r.placement, metric: r.metric, unit: r.unit,
    n: r.n, mean: r.mean, cv_pct: r.cvPct, max_over_min: r.maxOverMin, ci95_halfwidth_pct: r.halfWidthPct,
    vs_control: r.relative?.mean ?? '', vs_control_ci95_halfwidth_pct: r.relative?.halfWidthPct ?? '',
    stable: r.stable, stop: r.stop, flagged_items: r.flaggedItems, flags: r.flags.join('; '),
    set_aside: r.setAside, n_all: r.all.n, cv_pct_all: r.all.cvPct, max_over_min_all: r.all.maxOverMin, stable_all: r.all.stable,
    outlier_rep: r.outlier?.rep ?? '', outlier_of_median: r.outlier?.ofMedian ?? '', outlier_differences: r.outlier?.differences.join('; ') ?? '',
  })));
  const conditions = stability.flatMap((s) => s.conditions.map((c) => ({
    run: c.run, item: c.item, placement: c.placement, idle: c.idle, steal_pct: c.stealPct,
    ...Object.fromEntries(Object.entries(c.busyPct).map(([cpu, v]) => [`${cpu}_busy_pct`, v])),
    halts: c.halts, context_switches_per_s: c.switchesPerS ?? '', drops: c.drops, tcp_retrans: c.tcpRetrans, udp_errors: c.udpErrors, speed_probe_ms: c.speedProbeMs ?? '', flags: c.flags.join('; '),
  })));
  const setAside = stability.flatMap((s) => s.setAside.map((a) => ({ run: a.run, config: a.config, placement: a.placement, round: a.rep, value: a.value, of_median: a.ofMedian, reason: a.reason })));
  return [
    { file: 'set-aside.csv', csv: (setAside.length ? tableOf(setAside).toCSV() : 'run,config,placement,round,value,of_median,reason') + '\n' },
    { file: 'stability.csv', csv: (rows.length ? tableOf(rows).toCSV() : 'run,config') + '\n' },
    { file: 'conditions.csv', csv: (conditions.length ? tableOf(conditions).toCSV() : 'run,item') + '\n' },
  ];
}
