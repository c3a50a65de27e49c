// Section "Where the cycles go": how cycles per packet are obtained (Eq. III.1), Figs. 4–5 with their numbers,
// FIB lookups (Fig. 6) and context switches (Fig. 8) per packet.
import type { CppMean, PacketEventMean } from '../analysis/means.ts';
import type { CppRow, CppTransactionRow, FoldedProfile } from '../analysis/cpp.ts';
import { COMPONENT_NAMES, COMPONENT_ORDER, isReference, modelLabel, orderModels } from '../charts/index.ts';
import type { Scenario } from '../testbed/model.ts';
import { isDatapathComponent as isDatapath, isStackPart, type Component } from '../tools/perf/index.ts';
import { NETPERF_TEST_NAME } from '../tools/netperf/types.ts';
import { type SectionContext, appendixRef, figRef, findingRef, sectionHeading } from './context.ts';
import { DIGITS, formatNumber, joinWords } from './format.ts';
import { ciHalfWidth, mean } from '../util/stats.ts';
import { figurePlaceholder, md, mdCell, table } from './markdown.ts';
import type { CsvFile } from './figures.ts';
import { tableOf } from '../util/table.ts';

const cppText = (v: number) => formatNumber(v, DIGITS.cpp);


/** The 95% CI half-width of a model's total per frame over its profiles, as text ('' with fewer than two). */
function totalCi(profiles: readonly CppRow[], model: string, scenario: Scenario): string {
  const totals = [...new Map(profiles.filter((r) => r.model === model && r.scenario === scenario).map((r) => [`${r.run}/${r.item}`, r.totalCpp])).values()];
  return totals.length < 2 ? '' : `±${cppText(ciHalfWidth(totals))} (n = ${totals.length})`;
}

/** Per model: the total over three denominators, the study's components, the rest of the kernel as one, user space. */
function cppTable(rows: readonly CppMean[], scenario: Scenario, profiles: readonly CppRow[]): Record<string, string>[] {
  const mine = rows.filter((r) => r.scenario === scenario);
  // Components no model spent anything in would only widen the table.
  const used = COMPONENT_ORDER.filter((c) => isDatapath(c) && mine.some((r) => r.component === c && r.cpp > 0));
  return orderModels(mine.map((r) => r.model)).map((model) => {
    const of = mine.filter((r) => r.model === model);
    const sum = (pick: (r: CppMean) => number, keep: (c: Component) => boolean) => of.filter((r) => keep(r.component)).reduce((n, r) => n + pick(r), 0);
    const row: Record<string, string> = { Model: mdCell(modelLabel(model)) + (of.some((r) => r.estimated) ? ' *' : '') };
    row['Total per frame'] = `**${cppText(of[0]!.totalCpp)}**`;
    row['95% CI over profiles'] = totalCi(profiles, model, scenario);
    row['per skb'] = cppText(sum((r) => r.cppPerSkb, () => true));
    row['per KB'] = cppText(sum((r) => r.cppPerKB, () => true));
    for (const c of used) row[COMPONENT_NAMES[c]] = cppText(of.find((r) => r.component === c)?.cpp ?? 0);
    row['Rest of kernel'] = cppText(sum((r) => r.cpp, isStackPart));
    row[COMPONENT_NAMES.user] = cppText(of.find((r) => r.component === 'user')?.cpp ?? 0);
    return row;
  });
}

/** Per model: the rest of the kernel by part, as shares of all busy samples (what Figs. 4–5 stack after the study's components). */
function stackPartsTable(rows: readonly CppMean[], scenario: Scenario): Record<string, string>[] {
  const mine = rows.filter((r) => r.scenario === scenario);
  const used = COMPONENT_ORDER.filter((c) => isStackPart(c) && mine.some((r) => r.component === c && r.cpp > 0));
  return orderModels(mine.map((r) => r.model)).map((model) => {
    const of = mine.filter((r) => r.model === model);
    const row: Record<string, string> = { Model: mdCell(modelLabel(model)) };
    for (const c of used) row[COMPONENT_NAMES[c]] = formatPercent(of.find((r) => r.component === c)?.share ?? 0);
    return row;
  });
}

const formatPercent = (share: number) => `${(100 * share).toFixed(share < 0.1 ? 1 : 0)}%`;

/**
 * Of the samples in the softirq part, the share whose leaf is the point where the softirq loop re-enables
 * interrupts (the range over profiled models and scenarios): work that ran with interrupts off and was sampled
 * only after, as a VM's cpu-clock sampling does.
 */
function softirqLeafRange(folded: readonly FoldedProfile[]): [number, number] | undefined {
  const shares: number[] = [];
  for (const f of folded) {
    let all = 0;
    let atEnable = 0;
    for (const [key, n] of f.stacks) {
      if (!key.startsWith('[softirq];')) continue;
      all += n;
      if (key.endsWith(';handle_softirqs')) atEnable += n;
    }
    if (all > 0) shares.push(atEnable / all);
  }
  return shares.length ? [Math.min(...shares), Math.max(...shares)] : undefined;
}

/** The share of busy samples left out as foreign per model and scenario (mean over profiles): the range, and the model with most. */
function foreignRange(rows: readonly CppMean[]): { min: number; max: CppMean } | undefined {
  const perModel = rows.filter((r) => r.component === 'stack');
  if (!perModel.length) return undefined;
  return { min: Math.min(...perModel.map((r) => r.foreignShare)), max: perModel.reduce((a, b) => (b.foreignShare > a.foreignShare ? b : a)) };
}

/** The largest share of any model left to "other kernel", for the text. */
function largestOther(rows: readonly CppMean[]): CppMean | undefined {
  return rows.filter((r) => r.component === 'stack').reduce<CppMean | undefined>((a, b) => (!a || b.share > a.share ? b : a), undefined);
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

/**
 * Per model, scenario and request/response test: cycles per transaction (mean over profiles, with its 95% CI), and
 * how much of it the study's components, the rest of the kernel and user space took.
 */
export function transactionTable(rows: readonly CppTransactionRow[]): Record<string, string>[] {
  const out: Record<string, string>[] = [];
  for (const scenario of ['intra', 'inter'] as const) {
    for (const test of ['tcp_rr', 'udp_rr'] as const) {
      const mine = rows.filter((r) => r.scenario === scenario && r.test === test);
      for (const model of orderModels(mine.map((r) => r.model))) {
        const of = mine.filter((r) => r.model === model);
        // One entry per profile: its component rows.
        const profiles = new Map<string, CppTransactionRow[]>();
        for (const r of of) profiles.set(`${r.run}/${r.item}`, [...(profiles.get(`${r.run}/${r.item}`) ?? []), r]);
        const totals = [...profiles.values()].map((p) => p[0]!.totalPerTransaction);
        const part = (keep: (c: Component) => boolean) => mean([...profiles.values()].map((p) => p.filter((r) => keep(r.component)).reduce((n, r) => n + r.cppPerTransaction, 0)));
        out.push({
          Model: mdCell(modelLabel(model)) + (of.some((r) => r.cycles.startsWith('estimated')) ? ' *' : ''),
          Scenario: `${scenario}-host`,
          Test: md(NETPERF_TEST_NAME[test]),
          'Cycles per transaction': `**${cppText(mean(totals))}**`,
          '95% CI over profiles': totals.length < 2 ? '' : `±${cppText(ciHalfWidth(totals))} (n = ${totals.length})`,
          "Study's components": cppText(part(isDatapath)),
          'Rest of kernel': cppText(part(isStackPart)),
          [COMPONENT_NAMES.user]: cppText(part((c) => c === 'user')),
        });
      }
    }
  }
  return out;
}

/** tables/cpp-transactions.csv: every component of every request/response profile (none when there are none). */
export function transactionCsvs(rows: readonly CppTransactionRow[]): CsvFile[] {
  return rows.length ? [{ file: 'cpp-transactions.csv', csv: tableOf(rows).toCSV() + '\n' }] : [];
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
    `The study explains its throughput and latency differences by where the CPU spends its time. For each model and scenario, TCP\\_STREAM runs spread over the rounds are sampled with \`perf record -a -g\`; each busy sample is charged to the first of the study's components (bridge, FIB lookup, IP forwarding, netfilter, eBPF, veth, VXLAN, IP-in-IP, OVS, TUN) on its call chain, else to a part of the rest of the kernel (TCP, UDP, IP, device layer, softirq, socket, syscall, scheduler, memory, IRQs and locks), else to "other kernel"; user space is one component. Cycles per packet then follow the study's Eq. III.1: CPP = cycles ÷ N\\_packets × the component's share of samples (${appendixRef('appendix-results')} gives the attribution in full).`,
    `N\\_packets in the figures is the number of wire frames the server pod received, as a NIC would count them; both emulated nodes share one kernel, so a profile holds the sender's work as well as the receiver's, and absolute CPP is higher than the study's and best read in comparison between models (the details, and the totals per skb and per KB, are in ${appendixRef('appendix-results')}).`
      + (estimated ? ' **Cycles here are estimated** from cpu-clock samples and the nominal clock, because the machine counts no hardware cycles; models marked * in the tables are estimated.' : ''),
  ];
  if (!d.cppMeans.length) {
    out.push('None of these runs has a usable profile, so there is nothing to break down. Collect with `sudo npx cnibench collect --profile` to add one profiled run per model and scenario.');
  } else {
    out.push([extremes(d.cppMeans, 'intra'), extremes(d.cppMeans, 'inter')].filter(Boolean).join(' '));
    const other = largestOther(d.cppMeans);
    const softirq = softirqLeafRange(d.folded);
    const foreign = foreignRange(d.cppMeans);
    if (foreign) out.push(`\`perf record -a\` samples the whole machine, so only the measured path's processes count — netperf, netserver, the user-space relay and the kernel's own threads; whatever else ran during a profile is left out of the cycles. That was ${formatPercent(foreign.min)}–${formatPercent(foreign.max.foreignShare)} of a profile's busy samples here (mean over a model's profiles; most in ${md(modelLabel(foreign.max.model))}, ${foreign.max.scenario}-host).`);
    if (other) {
      out.push(`With the rest of the kernel broken down, what no part names ("other kernel") is at most ${formatPercent(other.share)} of a model's busy samples (${md(modelLabel(other.model))}, ${other.scenario}-host).`
        + (softirq ? ` Read the softirq part with care: ${formatPercent(softirq[0])}–${formatPercent(softirq[1])} of its samples sit where the softirq loop turns interrupts back on (\`handle_softirqs\` as the leaf). That work ran with interrupts off, and a VM's cpu-clock sampling could only catch it after: it is packet processing of that softirq, but perf cannot name the function.` : ''));
    }
    ctx.resultsAppendix.push('**How samples are attributed.** ' + 'For each model and scenario, TCP\\_STREAM runs (several per model and scenario, spread over the rounds) are sampled with `perf record -a -g`. Every non-idle sample is charged in two tiers. First, to the first of the study\'s components found walking its call chain from the leaf within its context (bridge, FIB lookup, IP forwarding, netfilter, eBPF, veth, VXLAN, IP-in-IP, OVS — and the TUN device of a user-space overlay, which is not VXLAN). A sample no such component claims is then charged to the part of the rest of the kernel its nearest frame belongs to — TCP, UDP, IP layer, device layer with GRO/GSO, softirq and NAPI, socket and copy, syscall entry, scheduler and wake-ups, memory allocation, IRQs, timers and locks, tracing and profiling — looking past the frames where interrupts come back on, where a VM\'s timer samples pile up. What no part names is "other kernel"; user-space code is one component. Cycles per packet of a component then follow the study\'s Eq. III.1: CPP = cycles ÷ N\\_packets × the component\'s share of samples.');
    ctx.resultsAppendix.push('**How cycles per packet are counted.** ' + 'N\\_packets in the figures is the number of wire frames the server pod received (received bytes ÷ (MTU + 14), the MTU never above 1,500: loopback, the `host` reference within a node, has no wire). Between namespaces TCP hands GSO super-packets of up to 64 KB to a veth, which counts each as one skb; the study counted packets on a NIC, so wire frames are the closer match for its numbers. Costs paid once per skb (a bridge or route lookup, an encapsulation) look smaller per frame by however many frames a model\'s skbs carry, and that number differs between models, so the tables give the total per skb (as the receiving interface counted them) and per KB received as well; the CSV files of Figs. 4–5 carry all three for every component. Both emulated nodes share one kernel, so a profile holds the sender\'s work as well as the receiver\'s; the study profiled the receiving node only. Nor can the two be told apart by CPU: a veth hands a packet over on the CPU that sent it, so each packet\'s whole path, through both nodes, runs on its sender\'s CPU — the data\'s on the client\'s, the ACKs\' on the server\'s. Absolute CPP is therefore higher than the study\'s and best read in comparison between models.');
    const tablesHere: string[] = [];
    for (const scenario of ['intra', 'inter'] as const) {
      const rows = cppTable(d.cppMeans, scenario, d.cpp);
      if (!rows.length) continue;
      tablesHere.push(t.ref(`table-cpp-${scenario}`), t.ref(`table-cpp-parts-${scenario}`));
      const fig = scenario === 'intra' ? 'fig4' : 'fig5';
      const parts = stackPartsTable(d.cppMeans, scenario);
      const right = (r: Record<string, string>[]) => Object.fromEntries(Object.keys(r[0]!).filter((k) => k !== 'Model').map((k) => [k, 'r' as const]));
      ctx.resultsAppendix.push(
        t.caption(`table-cpp-${scenario}`, `CPU cycles per packet, ${scenario}-host: the total per wire frame (as in ${figRef(ctx, fig)}), its 95% confidence interval over the profiles, per skb and per KB received, and per wire frame by the study's components, the rest of the kernel and user space (means over profiles). Components no model spent cycles in are left out.`),
        table(rows, right(rows)),
        t.caption(`table-cpp-parts-${scenario}`, `The rest of the kernel by part, ${scenario}-host, as shares of each model's busy samples (the muted segments of ${figRef(ctx, fig)}). The top functions of every part are in the folded stacks under reports/tables/.`),
        table(parts, right(parts)),
      );
    }
    if (tablesHere.length) out.push(`${joinWords(tablesHere)} give every component's cycles per packet and the parts of the rest of the kernel, with confidence intervals.`);
    out.push(`The study's claims on the breakdown are checked in ${['intra-cpp-extremes', 'bridge-cpp', 'calico-forwarding-cpp', 'ebpf-cpp', 'veth-cpp', 'netfilter-calico-wp', 'inter-native-lower-cpp', 'vxlan-cpp', 'ipip-below-vxlan', 'weave-ovs'].map((c) => findingRef(ctx, c)).join(', ')}.`);
  }
  const rr = transactionTable(d.cppTransactions);
  if (rr.length) {
    out.push(
      `Request/response profiles (TCP\\_RR, UDP\\_RR) need no choice of denominator: a transaction is a one-byte request and its one-byte response, never segmented, so their cost is given per transaction — both ends and both directions, as one kernel holds them here (${t.ref('table-cpp-transactions')}). With both ends on one vCPU that vCPU is busy for the whole run, so the total is close to the clock divided by the transaction rate; what the profile adds is where the cycles go.`,
    );
    ctx.resultsAppendix.push(
      t.caption('table-cpp-transactions', 'CPU cycles per transaction from request/response profiles (means over profiles, the 95% CI of the total over them): the study\'s components, the rest of the kernel and user space. The CSV file carries every component of every profile.'),
      table(rr, { 'Cycles per transaction': 'r', '95% CI over profiles': 'r', "Study's components": 'r', 'Rest of kernel': 'r', [COMPONENT_NAMES.user]: 'r' }),
    );
  } else if (d.cppMeans.length) {
    out.push('These runs have stream profiles only. Cycles per transaction, which need no choice of denominator, come from request/response profiles: `sudo npx cnibench collect --profile --profile-tests tcp_stream,tcp_rr,udp_rr`.');
  }
  out.push(figurePlaceholder('fig4'), figurePlaceholder('fig5'));
  out.push(
    `${figRef(ctx, 'fig6')} counts lookups in the routing table (the ${'`fib:fib_table_lookup`'} tracepoint) per 100,000 packets, and ${figRef(ctx, 'fig8')} — not in the study — counts context switches per packet, where a datapath that relays every packet through a user-space process stands out (${findingRef(ctx, 'kube-router-fib')}, ${findingRef(ctx, 'flannel-udp-context-switches')}).`,
  );
  const events = eventsTable(d.packetEventMeans);
  if (events.length) {
    out.push(`${t.ref('table-events')} gives both per model.`);
    ctx.resultsAppendix.push(t.caption('table-events', 'FIB lookups and context switches per packet from the perf stat runs (means over runs).'), table(events, { 'FIB lookups per 100,000 packets': 'r', 'Context switches per packet': 'r' }));
  }
  out.push(figurePlaceholder('fig6'), figurePlaceholder('fig8'));
  return out.join('\n\n');
}
