// Section "Where the cycles go": how cycles per packet are obtained (Eq. III.1), Figs. 4–5 with their numbers,
// FIB lookups (Fig. 6) and context switches (Fig. 8) per packet.
import type { CppMean, PacketEventMean } from '../catalog/claims.ts';
import { COMPONENT_NAMES, COMPONENT_ORDER, isReference, modelLabel, orderModels } from '../charts/index.ts';
import type { Scenario } from '../testbed/model.ts';
import { type SectionContext, figRef, findingRef, sectionHeading } from './context.ts';
import { DIGITS, formatNumber } from './format.ts';
import { figurePlaceholder, md, mdCell, table } from './markdown.ts';

const cppText = (v: number) => formatNumber(v, DIGITS.cpp);

function cppTable(rows: readonly CppMean[], scenario: Scenario): Record<string, string>[] {
  const mine = rows.filter((r) => r.scenario === scenario);
  // Components no model spent anything in would only widen the table.
  const used = COMPONENT_ORDER.filter((c) => mine.some((r) => r.component === c && r.cpp > 0));
  return orderModels(mine.map((r) => r.model)).map((model) => {
    const of = mine.filter((r) => r.model === model);
    const row: Record<string, string> = { Model: mdCell(modelLabel(model)) + (of.some((r) => r.estimated) ? ' *' : '') };
    row.Total = `**${cppText(of[0]!.totalCpp)}**`;
    for (const c of used) row[COMPONENT_NAMES[c]] = cppText(of.find((r) => r.component === c)?.cpp ?? 0);
    return row;
  });
}

function eventsTable(rows: readonly PacketEventMean[]): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const scenario of ['intra', 'inter'] as const) {
    const mine = rows.filter((r) => r.scenario === scenario);
    for (const model of orderModels(mine.map((r) => r.model))) {
      const r = mine.find((x) => x.model === model)!;
      out.push({
        Model: mdCell(modelLabel(model)),
        Scenario: scenario,
        'FIB lookups per 100,000 packets': formatNumber(r.fibPer100k, DIGITS.fib),
        'Context switches per packet': formatNumber(r.contextSwitchesPerPacket, DIGITS.switches),
      });
    }
  }
  return out;
}

function extremes(rows: readonly CppMean[], scenario: Scenario): string | undefined {
  const totals = orderModels(rows.filter((r) => r.scenario === scenario && !isReference(r.model)).map((r) => r.model))
    .map((model) => ({ model, total: rows.find((r) => r.model === model && r.scenario === scenario)!.totalCpp }));
  if (totals.length < 2) return undefined;
  const sorted = [...totals].sort((a, b) => a.total - b.total);
  const lo = sorted[0]!;
  const hi = sorted.at(-1)!;
  return `${scenario === 'intra' ? 'Within a node' : 'Between nodes'}, ${md(modelLabel(lo.model))} cost the fewest cycles per packet among the CNI models (${cppText(lo.total)}) and ${md(modelLabel(hi.model))} the most (${cppText(hi.total)}).`;
}

export function cyclesSection(ctx: SectionContext): string {
  const d = ctx.data;
  const t = ctx.tables;
  const estimated = d.cppMeans.some((r) => r.estimated);
  const out = [
    sectionHeading('sec-cycles'),
    'The study explains its throughput and latency differences by where the CPU spends its time. For each model and scenario, one TCP\\_STREAM run is sampled with `perf record -a -g`; every non-idle sample is charged to the first kernel component found walking its call chain from the leaf (bridge, FIB lookup, IP forwarding, netfilter, eBPF, veth, VXLAN, IP-in-IP, OVS), or else to the rest of the stack or to user space. Cycles per packet of a component then follow the study\'s Eq. III.1: CPP = cycles ÷ N\\_packets × the component\'s share of samples.',
    'N\\_packets is the number of wire-sized packets the server pod received (received bytes ÷ (MTU + 14)): between namespaces TCP hands 64 KB GSO super-packets to a veth, which counts each as one packet, whereas the study counted packets on a NIC. Both emulated nodes share one kernel, so a profile holds the sender\'s work as well as the receiver\'s; the study profiled the receiving node only. Absolute CPP is therefore higher than the study\'s and best read in comparison between models.'
      + (estimated ? ' **Cycles here are estimated** from cpu-clock samples and the nominal clock, because the machine counts no hardware cycles; models marked * in the tables are estimated.' : ''),
  ];
  if (!d.cppMeans.length) {
    out.push('None of these runs has a usable profile, so there is nothing to break down. Collect with `sudo npx cnibench collect --profile` to add one profiled run per model and scenario.');
  } else {
    out.push([extremes(d.cppMeans, 'intra'), extremes(d.cppMeans, 'inter')].filter(Boolean).join(' '));
    for (const scenario of ['intra', 'inter'] as const) {
      const rows = cppTable(d.cppMeans, scenario);
      if (!rows.length) continue;
      const fig = scenario === 'intra' ? 'fig4' : 'fig5';
      out.push(
        t.caption(`table-cpp-${scenario}`, `CPU cycles per packet by component, ${scenario}-host (the numbers of ${figRef(ctx, fig)}; means over runs). Components no model spent cycles in are left out.`),
        table(rows, Object.fromEntries(Object.keys(rows[0]!).filter((k) => k !== 'Model').map((k) => [k, 'r' as const]))),
      );
    }
    out.push(`The study's claims on the breakdown are checked in ${['intra-cpp-extremes', 'bridge-cpp', 'calico-forwarding-cpp', 'ebpf-cpp', 'veth-cpp', 'netfilter-calico-wp', 'inter-native-lower-cpp', 'vxlan-cpp', 'ipip-below-vxlan', 'weave-ovs'].map((c) => findingRef(ctx, c)).join(', ')}.`);
  }
  out.push(figurePlaceholder('fig4'), figurePlaceholder('fig5'));
  out.push(
    `${figRef(ctx, 'fig6')} counts lookups in the routing table (the ${'`fib:fib_table_lookup`'} tracepoint) per 100,000 packets, and ${figRef(ctx, 'fig8')} — not in the study — counts context switches per packet, where a datapath that relays every packet through a user-space process stands out (${findingRef(ctx, 'kube-router-fib')}, ${findingRef(ctx, 'flannel-udp-context-switches')}).`,
  );
  const events = eventsTable(d.packetEventMeans);
  if (events.length) {
    out.push(t.caption('table-events', 'FIB lookups and context switches per packet from the perf stat runs (means over runs).'), table(events, { 'FIB lookups per 100,000 packets': 'r', 'Context switches per packet': 'r' }));
  }
  out.push(figurePlaceholder('fig6'), figurePlaceholder('fig8'));
  return out.join('\n\n');
}
