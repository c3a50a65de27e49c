// The abstract, generated from the results: what was measured, on what, the headline numbers and the verdict counts.
import type { Summary } from '../analysis/observations.ts';
import { CLAIMS } from '../catalog/claims.ts';
import { isReference, modelLabel } from '../charts/index.ts';
import type { Scenario } from '../testbed/model.ts';
import type { SectionContext } from './context.ts';
import { DIGITS, count, formatNumber, joinWords } from './format.ts';
import { verdictCounts } from './findings.ts';
import { md } from './markdown.ts';

function best(rows: readonly Summary[], scenario: Scenario, test: string, metric: string, higher: boolean): Summary | undefined {
  const mine = rows.filter((s) => s.scenario === scenario && s.test === test && s.metric === metric && !isReference(s.model));
  return [...mine].sort((a, b) => (higher ? b.mean - a.mean : a.mean - b.mean))[0];
}

const name = (s: Summary) => md(modelLabel(s.model));

function headline(rows: readonly Summary[], scenario: Scenario): string | undefined {
  const tput = best(rows, scenario, 'tcp_stream', 'throughput', true);
  const lat = best(rows, scenario, 'tcp_rr', 'mean_latency', false);
  const parts: string[] = [];
  if (tput) parts.push(`${name(tput)} delivered the highest TCP throughput (${formatNumber(tput.mean, DIGITS.throughput)} ${md(tput.unit)})`);
  if (lat) parts.push(`${name(lat)} the lowest TCP round-trip latency (${formatNumber(lat.mean, DIGITS.latency)} ${md(lat.unit)})`);
  if (!parts.length) return undefined;
  return `${scenario === 'intra' ? 'Within a node' : 'Between nodes'}, ${parts.join(' and ')}.`;
}

export function abstract(ctx: SectionContext): string {
  const d = ctx.data;
  if (!d.runs.length) {
    return 'This report has no measurements yet: the data directory holds no collected runs. It shows what does not depend on data — the CNI feature comparison (Table I) and the datapath models (Fig. 1) — and lists the study\'s claims as not measurable. Collect a run with `sudo npx cnibench collect` (add `--profile` for cycles per packet) and rebuild the report with `npm run report`.';
  }
  const newest = d.runs[d.runs.length - 1]!;
  const h = newest.manifest.host;
  const measured = [...new Set(d.summaries.map((s) => s.model))];
  const cnis = measured.filter((m) => !isReference(m));
  const refs = measured.filter(isReference);
  const netperfRuns = d.runs.filter((r) => r.manifest.plan.tests.length > 0);
  const plans = [...new Set(netperfRuns.map((r) => `${r.manifest.plan.reps} × ${r.manifest.plan.durationS} s`))];
  // One row per model: every component row of a model carries its total.
  const totals = d.cppMeans.filter((r) => r.component === 'stack' && !isReference(r.model));
  const n = verdictCounts(ctx.findings);
  const sentences = [
    `We rebuilt the datapaths of ${count(cnis.length, 'CNI configuration')} (${joinWords(cnis.map((m) => md(modelLabel(m))))})${refs.length ? ` and ${count(refs.length, 'reference point')}` : ''} in Linux network namespaces on one ${h.virtualized ? 'virtual machine' : 'machine'} (${md(h.cpuModel)}, ${h.cores} cores, kernel ${md(h.kernel)}) and measured them as Qi, Kulkarni and Ramakrishnan measured the real plugins: netperf TCP throughput and TCP/UDP round-trip latency within a node and between two emulated nodes (${joinWords(plans.map(md))} per test, across ${count(netperfRuns.length, 'run')})${d.cppMeans.length ? ', and perf profiles that charge CPU cycles per packet to kernel components' : ''}.`,
    headline(d.summaries, 'intra'),
    headline(d.summaries, 'inter'),
  ];
  const local = d.launches.filter((s) => s.backend === 'local');
  if (local.length > 1) {
    const fast = local.reduce((a, b) => (b.meanMs < a.meanMs ? b : a));
    const slow = local.reduce((a, b) => (b.meanMs > a.meanMs ? b : a));
    sentences.push(`Launching a pod's network on the testbed took from ${formatNumber(fast.meanMs, 1)} ms (${md(modelLabel(fast.model))}) to ${formatNumber(slow.meanMs, 1)} ms (${md(modelLabel(slow.model))}) on average.`);
  }
  if (totals.length) {
    const est = totals.some((r) => r.estimated) ? 'estimated ' : '';
    const lo = totals.reduce((a, b) => (b.totalCpp < a.totalCpp ? b : a));
    const hi = totals.reduce((a, b) => (b.totalCpp > a.totalCpp ? b : a));
    sentences.push(`Total ${est}cycles per packet ranged from ${formatNumber(lo.totalCpp, DIGITS.cpp)} (${md(modelLabel(lo.model))}, ${lo.scenario}-host) to ${formatNumber(hi.totalCpp, DIGITS.cpp)} (${md(modelLabel(hi.model))}, ${hi.scenario}-host).`);
  }
  sentences.push(`Of the study's ${CLAIMS.length} claims we test, ${n.reproduced} ${n.reproduced === 1 ? 'was' : 'were'} reproduced, ${n.contradicted} contradicted and ${n.inconclusive} inconclusive at a false discovery rate of 5%, and ${n['not measurable']} could not be measured on this testbed.`);
  return sentences.filter(Boolean).join(' ');
}
