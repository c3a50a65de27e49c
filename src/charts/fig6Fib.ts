// Fig. 6: FIB lookups per 100,000 packets per model, and context switches per packet (user-space relays show up).
import type { TopLevelSpec } from 'vega-lite';
import type { PacketEventRow } from '../analysis/cpp.ts';
import type { Scenario } from '../testbed/model.ts';
import { CONTEXT_SWITCHES, FIB_EVENT } from '../tools/perf/command.ts';
import { barChart, referenceNote, type BarDatum } from './bars.ts';
import { MSG } from './messages.ts';
import { modelLabel } from './order.ts';
import { NOTE_WIDTH, wrap } from './spec.ts';

const WORDS: Record<Scenario, string> = { intra: 'intra-host', inter: 'inter-host' };

/** Mean of one per-packet count over the runs that measured each model. */
function perModel(rows: readonly PacketEventRow[], value: (r: PacketEventRow) => number, scale = 1): BarDatum[] {
  const byModel = new Map<string, PacketEventRow[]>();
  for (const r of rows) byModel.set(r.model, [...(byModel.get(r.model) ?? []), r]);
  return [...byModel].map(([model, mine]) => ({
    model,
    label: modelLabel(model),
    value: (mine.reduce((s, r) => s + value(r), 0) / mine.length) * scale,
    details: { runs: mine.length, packets: mine.reduce((s, r) => s + r.packets, 0) },
  }));
}

function rowsOf(rows: readonly PacketEventRow[], scenario: Scenario, figure: string): PacketEventRow[] {
  const mine = rows.filter((r) => r.scenario === scenario);
  if (!mine.length) throw new Error(MSG.noRows(figure, `${scenario} packet-event rows`));
  return mine;
}

function notes(lines: readonly string[], models: readonly string[]): string[] {
  return [...lines, referenceNote(models) ?? ''].flatMap((l) => wrap(l, NOTE_WIDTH));
}

export function fibSpec(rows: readonly PacketEventRow[], scenario: Scenario = 'inter'): TopLevelSpec {
  const name = scenario === 'inter' ? 'fig6' : `fig6-${scenario}`;
  const data = perModel(rowsOf(rows, scenario, name), (r) => r.fibPer100k);
  return barChart(data, {
    name,
    title: `Fig. 6 — FIB lookups per 100,000 packets, ${WORDS[scenario]}`,
    subtitle: notes([`Counted by perf stat (${FIB_EVENT} tracepoint, all CPUs) during netperf, per packet received by the server.`], data.map((d) => d.model)),
    axisTitle: 'FIB lookups per 100,000 packets',
    format: ',.0f',
    errorBars: false,
  });
}

export function contextSwitchSpec(rows: readonly PacketEventRow[], scenario: Scenario = 'inter'): TopLevelSpec {
  const name = `fig6-context-switches-${scenario}`;
  const data = perModel(rowsOf(rows, scenario, name), (r) => r.contextSwitchesPerPacket);
  return barChart(data, {
    name,
    title: `Context switches per packet, ${WORDS[scenario]}`,
    subtitle: notes([
      `Counted by perf stat (${CONTEXT_SWITCHES}, all CPUs) during netperf, per packet received by the server.`,
      'A datapath that relays packets through a user-space process (flannel\'s UDP backend) switches context on every packet.',
    ], data.map((d) => d.model)),
    axisTitle: 'Context switches per packet',
    format: ',.3f',
    errorBars: false,
  });
}
