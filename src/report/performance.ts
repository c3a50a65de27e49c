// Sections "Intra-host performance" and "Inter-host performance": Fig. 3a–c and 3d–f, the numbers behind them, and
// a few generated sentences that say what the numbers show.
import type { Summary } from '../analysis/observations.ts';
import { isReference, modelLabel, orderModels } from '../charts/index.ts';
import type { Scenario } from '../testbed/model.ts';
import { type SectionContext, figRef, findingRef, sectionHeading } from './context.ts';
import { DIGITS, formatNumber, joinWords } from './format.ts';
import { figurePlaceholder, md, mdCell, table } from './markdown.ts';

type PerfTest = 'tcp_stream' | 'tcp_rr' | 'udp_rr';
const METRIC: Record<PerfTest, 'throughput' | 'mean_latency'> = { tcp_stream: 'throughput', tcp_rr: 'mean_latency', udp_rr: 'mean_latency' };
const DIGITS_OF: Record<PerfTest, number> = { tcp_stream: DIGITS.throughput, tcp_rr: DIGITS.latency, udp_rr: DIGITS.latency };

function rowsOf(ctx: SectionContext, scenario: Scenario, test: PerfTest): Summary[] {
  return ctx.data.summaries.filter((s) => s.scenario === scenario && s.test === test && s.metric === METRIC[test]);
}

/** "5,130.8 Mbit/s". */
function valueText(s: Summary, test: PerfTest): string {
  return `${formatNumber(s.mean, DIGITS_OF[test])} ${s.unit}`;
}

function cell(s: Summary | undefined, test: PerfTest): string {
  if (!s) return '—';
  const d = DIGITS_OF[test];
  return `${formatNumber(s.mean, d)} (${formatNumber(s.ci95Low, d)}–${formatNumber(s.ci95High, d)})`;
}

function numbersTable(ctx: SectionContext, scenario: Scenario): Record<string, string>[] {
  const tests: PerfTest[] = ['tcp_stream', 'tcp_rr', 'udp_rr'];
  const all = tests.flatMap((t) => rowsOf(ctx, scenario, t));
  return orderModels(all.map((s) => s.model)).map((model) => {
    const [tput, tcp, udp] = tests.map((t) => rowsOf(ctx, scenario, t).find((s) => s.model === model));
    const ns = [tput, tcp, udp].filter((s): s is Summary => Boolean(s)).map((s) => s.n);
    return {
      Model: mdCell(modelLabel(model)) + (isReference(model) ? ' (reference)' : ''),
      'TCP throughput, Mbit/s (95% CI)': cell(tput, 'tcp_stream'),
      'TCP_RR latency, µs (95% CI)': cell(tcp, 'tcp_rr'),
      'UDP_RR latency, µs (95% CI)': cell(udp, 'udp_rr'),
      n: Math.min(...ns) === Math.max(...ns) ? String(ns[0]) : `${Math.min(...ns)}–${Math.max(...ns)}`,
    };
  });
}

/** "Cilium had the highest … (x), Flannel the lowest (y)" over CNI models; references quoted separately. */
function rankingSentence(ctx: SectionContext, scenario: Scenario, test: PerfTest, what: string): string | undefined {
  const rows = rowsOf(ctx, scenario, test);
  const cnis = rows.filter((s) => !isReference(s.model));
  if (cnis.length < 2) return undefined;
  const higherBetter = test === 'tcp_stream';
  const sorted = [...cnis].sort((a, b) => (higherBetter ? b.mean - a.mean : a.mean - b.mean));
  const best = sorted[0]!;
  const worst = sorted.at(-1)!;
  const refs = rows.filter((s) => isReference(s.model)).map((s) => `${md(modelLabel(s.model))} ${md(valueText(s, test))}`);
  return `For ${what}, ${md(modelLabel(best.model))} was best among the CNI models (${md(valueText(best, test))}) and ${md(modelLabel(worst.model))} worst (${md(valueText(worst, test))})${refs.length ? `; for reference, ${refs.join(', ')}` : ''}.`;
}

function performanceSection(ctx: SectionContext, scenario: Scenario): string {
  const panels = scenario === 'intra' ? ['fig3a', 'fig3b', 'fig3c'] : ['fig3d', 'fig3e', 'fig3f'];
  const id = scenario === 'intra' ? 'sec-intra' : 'sec-inter';
  const tableId = `table-${scenario}`;
  const rows = numbersTable(ctx, scenario);
  const intro = scenario === 'intra'
    ? 'Two pods on the same node talk through whatever joins them there: a Linux bridge (Flannel, Weave, Kube-router), routing in the node\'s IP stack (Calico), or eBPF redirects between veths (Cilium).'
    : 'A pod on node-a talks to a pod on node-b: through a VXLAN tunnel (Flannel, Weave, Cilium, Calico\'s VXLAN variant), a user-space UDP relay (Flannel\'s UDP backend), IP-in-IP (Calico\'s IP-in-IP variants, where the kernel has the module), or plain routing over the underlay (Kube-router, Calico "xsub").';
  const sentences = [
    rankingSentence(ctx, scenario, 'tcp_stream', 'TCP throughput'),
    rankingSentence(ctx, scenario, 'tcp_rr', 'TCP round-trip latency'),
    rankingSentence(ctx, scenario, 'udp_rr', 'UDP round-trip latency'),
  ].filter((s): s is string => Boolean(s));
  const claims = scenario === 'intra'
    ? ['intra-cilium-throughput', 'intra-cilium-latency', 'intra-calico-wp-latency', 'intra-l3-below-bridge', 'intra-tcp-rr-above-udp-rr']
    : ['inter-native-beats-overlay'];
  const out = [
    sectionHeading(id),
    `${intro} ${joinWords(panels.map((p) => figRef(ctx, p)))} show TCP\\_STREAM throughput and the mean round-trip time of one-byte TCP\\_RR and UDP\\_RR transactions.`,
  ];
  if (!rows.length) {
    out.push(`No sound ${scenario}-host netperf results are in these runs, so the panels are empty.`);
  } else {
    ctx.resultsAppendix.push(
      ctx.tables.caption(tableId, `${scenario === 'intra' ? 'Intra' : 'Inter'}-host netperf results (${joinWords(panels.map((p) => figRef(ctx, p)))}): means with 95% confidence intervals over n repetitions (pooled over runs).`),
      table(rows, { 'TCP throughput, Mbit/s (95% CI)': 'r', 'TCP_RR latency, µs (95% CI)': 'r', 'UDP_RR latency, µs (95% CI)': 'r', n: 'r' }),
    );
    out.push(
      `${sentences.join(' ')} ${ctx.tables.ref(tableId)} gives every mean with its confidence interval.`,
      `The study's claims about these panels are checked in ${claims.map((c) => findingRef(ctx, c)).join(', ')}.`,
    );
  }
  out.push(...panels.map(figurePlaceholder));
  return out.join('\n\n');
}

export const intraSection = (ctx: SectionContext) => performanceSection(ctx, 'intra');
export const interSection = (ctx: SectionContext) => performanceSection(ctx, 'inter');
