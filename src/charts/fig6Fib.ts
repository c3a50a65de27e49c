// Fig. 6: FIB lookups per 100,000 packets per model; Fig. 8: context switches per packet (user-space relays show up).
import type { TopLevelSpec } from 'vega-lite';
import type { PacketEventRow } from '../analysis/cpp.ts';
import type { PacketEventMean } from '../analysis/means.ts';
import type { Scenario } from '../testbed/model.ts';
import { CONTEXT_SWITCHES, FIB_EVENT } from '../tools/perf/command.ts';
import { barChart, referenceNote, type BarDatum } from './bars.ts';
import { MSG } from './messages.ts';
import { modelLabel } from './order.ts';
import { NOTE_WIDTH, wrap } from './spec.ts';
import { byKeys, digitsOf, formatNumber, tipText } from './tips.ts';

const WORDS: Record<Scenario, string> = { intra: 'intra-host', inter: 'inter-host' };

type Count = 'fibPer100k' | 'contextSwitchesPerPacket';

/** Each figure's value axis and its number format (bar labels and tips alike). */
const FIB = { what: 'FIB lookups per 100,000 packets', format: ',.0f' };
const SWITCHES = { what: 'Context switches per packet', format: ',.3f' };

/** What one bar shows, for its hover text. */
interface TipWords {
  what: string;
  format: string;
  /** The per-profile rows behind the means (the interactive page); none: no tips. */
  rows?: readonly PacketEventRow[];
}

/** A bar's hover text: n profiles, the mean, its 95% CI and each profile's value. */
function barTip(r: PacketEventMean, count: Count, w: TipWords & { rows: readonly PacketEventRow[] }): string {
  const values = w.rows.filter((x) => x.model === r.model && x.scenario === r.scenario)
    .sort(byKeys((x) => [x.run, x.item])).map((x) => x[count]);
  return tipText([modelLabel(r.model), `${w.what}, ${WORDS[r.scenario]}`], { mean: r[count], values }, { unit: '', digits: digitsOf(w.format), of: 'profiles', one: 'profile' },
    [`packets received: ${formatNumber(r.packets, 0)} over the profiles`]);
}

/** One bar per model: a per-packet mean of the derive stage (src/analysis/means.ts). */
function bars(means: readonly PacketEventMean[], scenario: Scenario, figure: string, count: Count, w: TipWords): BarDatum[] {
  const mine = means.filter((r) => r.scenario === scenario);
  if (!mine.length) throw new Error(MSG.noRows(figure, `${scenario} packet-event rows`));
  const rows = w.rows;
  return mine.map((r) => ({ model: r.model, label: modelLabel(r.model), value: r[count], details: { runs: r.runs, packets: r.packets }, ...(rows ? { tip: barTip(r, count, { ...w, rows }) } : {}) }));
}

function notes(lines: readonly string[], models: readonly string[]): string[] {
  return [...lines, referenceNote(models) ?? ''].flatMap((l) => wrap(l, NOTE_WIDTH));
}

/** `repetitions`: the per-profile rows behind the means; given, every bar gets a hover tip (the interactive page). */
export function fibSpec(means: readonly PacketEventMean[], scenario: Scenario = 'inter', repetitions?: readonly PacketEventRow[]): TopLevelSpec {
  const name = scenario === 'inter' ? 'fig6' : `fig6-${scenario}`;
  const data = bars(means, scenario, name, 'fibPer100k', { ...FIB, ...(repetitions ? { rows: repetitions } : {}) });
  return barChart(data, {
    name,
    title: `Fig. 6 — FIB lookups per 100,000 packets, ${WORDS[scenario]}`,
    subtitle: notes([`Counted by perf stat (${FIB_EVENT} tracepoint, all CPUs) during netperf, per packet received by the server.`], data.map((d) => d.model)),
    axisTitle: FIB.what,
    format: FIB.format,
    errorBars: false,
  });
}

export function contextSwitchSpec(means: readonly PacketEventMean[], scenario: Scenario = 'inter', repetitions?: readonly PacketEventRow[]): TopLevelSpec {
  const name = scenario === 'inter' ? 'fig8' : `fig8-${scenario}`;
  const data = bars(means, scenario, name, 'contextSwitchesPerPacket', { ...SWITCHES, ...(repetitions ? { rows: repetitions } : {}) });
  return barChart(data, {
    name,
    title: `Fig. 8 — Context switches per packet, ${WORDS[scenario]}`,
    subtitle: notes([
      `Counted by perf stat (${CONTEXT_SWITCHES}, all CPUs) during netperf, per packet received by the server.`,
      'A datapath that relays packets through a user-space process (flannel\'s UDP backend) switches context on every packet.',
    ], data.map((d) => d.model)),
    axisTitle: SWITCHES.what,
    format: SWITCHES.format,
    errorBars: false,
  });
}
