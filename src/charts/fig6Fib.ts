// Fig. 6: FIB lookups per 100,000 packets per model; Fig. 8: context switches per packet (user-space relays show up).
import type { TopLevelSpec } from 'vega-lite';
import type { PacketEventMean } from '../analysis/means.ts';
import type { Scenario } from '../testbed/model.ts';
import { CONTEXT_SWITCHES, FIB_EVENT } from '../tools/perf/command.ts';
import { barChart, referenceNote, type BarDatum } from './bars.ts';
import { MSG } from './messages.ts';
import { modelLabel } from './order.ts';
import { NOTE_WIDTH, wrap } from './spec.ts';

const WORDS: Record<Scenario, string> = { intra: 'intra-host', inter: 'inter-host' };

/** One bar per model: a per-packet mean of the derive stage (src/analysis/means.ts). */
function bars(means: readonly PacketEventMean[], scenario: Scenario, figure: string, value: (r: PacketEventMean) => number): BarDatum[] {
  const mine = means.filter((r) => r.scenario === scenario);
  if (!mine.length) throw new Error(MSG.noRows(figure, `${scenario} packet-event rows`));
  return mine.map((r) => ({ model: r.model, label: modelLabel(r.model), value: value(r), details: { runs: r.runs, packets: r.packets } }));
}

function notes(lines: readonly string[], models: readonly string[]): string[] {
  return [...lines, referenceNote(models) ?? ''].flatMap((l) => wrap(l, NOTE_WIDTH));
}

export function fibSpec(means: readonly PacketEventMean[], scenario: Scenario = 'inter'): TopLevelSpec {
  const name = scenario === 'inter' ? 'fig6' : `fig6-${scenario}`;
  const data = bars(means, scenario, name, (r) => r.fibPer100k);
  return barChart(data, {
    name,
    title: `Fig. 6 — FIB lookups per 100,000 packets, ${WORDS[scenario]}`,
    subtitle: notes([`Counted by perf stat (${FIB_EVENT} tracepoint, all CPUs) during netperf, per packet received by the server.`], data.map((d) => d.model)),
    axisTitle: 'FIB lookups per 100,000 packets',
    format: ',.0f',
    errorBars: false,
  });
}

export function contextSwitchSpec(means: readonly PacketEventMean[], scenario: Scenario = 'inter'): TopLevelSpec {
  const name = scenario === 'inter' ? 'fig8' : `fig8-${scenario}`;
  const data = bars(means, scenario, name, (r) => r.contextSwitchesPerPacket);
  return barChart(data, {
    name,
    title: `Fig. 8 — Context switches per packet, ${WORDS[scenario]}`,
    subtitle: notes([
      `Counted by perf stat (${CONTEXT_SWITCHES}, all CPUs) during netperf, per packet received by the server.`,
      'A datapath that relays packets through a user-space process (flannel\'s UDP backend) switches context on every packet.',
    ], data.map((d) => d.model)),
    axisTitle: 'Context switches per packet',
    format: ',.3f',
    errorBars: false,
  });
}
