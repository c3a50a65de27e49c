// Section "Beyond the study: policy at scale": runs that added N rules to the network policy selecting the netperf pods
// (collect --policy-rules / --sweep policy-rules=…) — their numbers per configuration and size, and what loading each
// node's rule set took. Kept out of every earlier section, which measures each CNI's policy at one size as the study did.
import type { PolicyApplyRow, PolicyScaleRow } from '../analysis/policyScale.ts';
import { modelLabel, orderModels } from '../charts/index.ts';
import { type SectionContext, figRef, sectionHeading } from './context.ts';
import type { CsvFile } from './figures.ts';
import { formatNumber } from './format.ts';
import { code, figurePlaceholder, md, mdCell, table } from './markdown.ts';
import { safeName } from './provenance.ts';
import { csvOf, cycleChanges, isHeadline, lineChanges, meanCiCell } from './beyondTables.ts';
import { SCENARIOS } from '../testbed/model.ts';
import { NETPERF_TESTS } from '../tools/netperf/types.ts';


function rowsTable(rows: readonly PolicyScaleRow[]): Record<string, string>[] {
  const models = orderModels(rows.map((r) => r.model));
  const rank = (list: readonly string[], v: string) => list.indexOf(v);
  const sorted = rows.filter(isHeadline).sort((a, b) => models.indexOf(a.model) - models.indexOf(b.model) || rank(SCENARIOS, a.scenario) - rank(SCENARIOS, b.scenario)
    || rank(NETPERF_TESTS, a.test) - rank(NETPERF_TESTS, b.test) || (a.policyRules ?? -1) - (b.policyRules ?? -1));
  return sorted.map((r) => {
    return {
      Model: mdCell(modelLabel(r.model)),
      Scenario: r.scenario === 'intra' ? 'intra-host' : 'inter-host',
      Test: r.test.toUpperCase(),
      'Policy rules added': r.policyRules === undefined ? '– (control)' : formatNumber(r.policyRules, 0),
      n: String(r.n),
      'Mean (95% CI)': meanCiCell(r),
    };
  });
}

/** "TCP_CRR from 10 to 10,000 rules: Weave 10,356 (95% CI …) → 328 (…), 0.03×; …" — each model's first and last size. */
function crrChange(rows: readonly PolicyScaleRow[]): string | undefined {
  const crr = rows.filter((r) => r.test === 'tcp_crr' && r.metric === 'transaction_rate' && r.policyRules !== undefined);
  const models = orderModels(crr.map((r) => r.model));
  const parts = lineChanges(crr, { key: (r) => r.model, rank: (r) => models.indexOf(r.model), size: (r) => r.policyRules!, label: (r) => mdCell(modelLabel(r.model)), unit: 'rules' });
  return parts.length ? `TCP_CRR, transactions/s (95% CI), ${md(crr[0]!.scenario === 'intra' ? 'within a node' : 'between nodes')}: ${parts.join('; ')}. The intervals come from ${Math.min(...crr.map((r) => r.n))}–${Math.max(...crr.map((r) => r.n))} rounds each; the stability appendix says which configurations met the bar.` : undefined;
}

function applyTable(rows: readonly PolicyApplyRow[]): Record<string, string>[] {
  return rows.map((r) => ({
    Model: mdCell(modelLabel(r.model)),
    'Policy rules added': formatNumber(r.policyRules, 0),
    Node: r.node,
    'Rules (BPF: policy-map entries)': formatNumber(r.rules, 0),
    'IP sets (BPF: ipcache entries)': formatNumber(r.form === 'bpf-maps' ? r.ipcacheEntries : r.ipsets, 0),
    'Sets restored, ms': r.form === 'bpf-maps' ? '—' : formatNumber(r.ipsetMs, 1),
    'Rules checked, ms': r.form === 'bpf-maps' ? '—' : formatNumber(r.checkMs, 1),
    'Rules loaded (BPF: maps written), ms': formatNumber(r.loadMs, 1),
  }));
}

export function policyScaleSection(ctx: SectionContext): string {
  const { rows, apply } = ctx.data.policyScale;
  const out = [sectionHeading('sec-policy-scale')];
  out.push('The study measures each plugin\'s policy at one size. A cluster\'s policies grow with its workloads, and a rule that the kernel matches one after another costs every new connection more as they grow. `collect --policy-rules N` adds N ingress rules to the NetworkPolicy that selects the netperf pods — each admitting one other address on one port, none admitting the test — ahead of the rule that admits it, on the models whose CNI enforces policy: with iptables (Calico with workload policy, Weave, kube-router, which then runs with a policy) or in BPF maps (Cilium-wp); `--sweep policy-rules=…` measures several sizes interleaved in the same rounds. Each CNI renders the same policy its own way: Felix an address match per rule, kube-router and weave-npc an IP set per rule matched with `-m set`, one rule after another; Cilium an identity per address in its ipcache and an entry per identity and port in each endpoint\'s policy map, found by two longest-prefix lookups however many there are. Runs made this way are summarised here only.');
  const cycles = ctx.data.scaleCycles.filter((r) => r.knob === 'policy-rules');
  if (!rows.length && !cycles.length) {
    out.push('No run in the data scaled the policies. `sudo npx cnibench collect --cni calico-wp,weave,kube-router,cilium-wp --scenario intra --tests tcp_crr,tcp_rr --sweep policy-rules=10,100,1000,10000` makes one.');
    return out.join('\n\n');
  }
  for (const run of [...new Set(rows.map((r) => r.run))]) {
    const mine = rows.filter((r) => r.run === run);
    const sizes = [...new Set(mine.flatMap((r) => (r.policyRules === undefined ? [] : [r.policyRules])))].sort((a, b) => a - b);
    const tableId = `table-policy-scale-${safeName(run)}`;
    out.push(sizes.length > 1 && ctx.figures.has('fig10')
      ? `${figRef(ctx, 'fig10')} draws the transaction rates of run ${md(run)} against the number of rules; ${ctx.tables.ref(tableId)} gives every mean with its confidence interval.`
      : `${ctx.tables.ref(tableId)} gives the results of run ${md(run)}.`);
    const change = crrChange(mine);
    if (change) out.push(change);
    ctx.resultsAppendix.push(ctx.tables.caption(tableId, `Run ${md(run)} with ${sizes.map((n) => formatNumber(n, 0)).join(', ')} rules added to the network policy selecting the netperf pods${sizes.length > 1 ? ' (a sweep, the sizes interleaved in every round)' : ''}: transactions/s or Mbit/s, mean of the repetitions with its 95% confidence interval. With iptables only a connection's first packet walks the policy, so TCP_CRR pays it on every transaction; Cilium-wp's programs look every packet up in the policy maps. The controls run without a policy.`));
    ctx.resultsAppendix.push(table(rowsTable(mine), { n: 'r', 'Policy rules added': 'r', 'Mean (95% CI)': 'r' }));
    const myApply = apply.filter((a) => a.run === run);
    if (myApply.length) {
      const applyId = `table-policy-apply-${safeName(run)}`;
      out.push(`What loading each node's rule set took — its IP sets restored, its rules checked (\`iptables-restore --test\`) and loaded, or its BPF map entries written — is in ${ctx.tables.ref(applyId)}.`);
      ctx.resultsAppendix.push(ctx.tables.caption(applyId, `Loading the policy of each node of run ${md(run)} in one transaction, as the CNI's controller does on a full sync: for iptables the IP sets restored (\`ipset restore\`), the rules checked (\`iptables-restore --test\`), then loaded, the counts being the node's whole rule set, the CNI's own chains included; for Cilium-wp every ipcache and policy-map entry of the node written in one \`bpftool batch\` (a map takes what is written, so there is no check).`));
      ctx.resultsAppendix.push(table(applyTable(myApply), { 'Policy rules added': 'r', 'Rules (BPF: policy-map entries)': 'r', 'IP sets (BPF: ipcache entries)': 'r', 'Sets restored, ms': 'r', 'Rules checked, ms': 'r', 'Rules loaded (BPF: maps written), ms': 'r' }));
    }
  }
  if (ctx.figures.has('fig10')) out.push(figurePlaceholder('fig10'));
  if (ctx.figures.has('fig12') && cycles.length) {
    const runs = [...new Set(cycles.map((r) => r.run))].map(md).join(', ');
    // Fig. 12 sits in the Service section when a Services sweep was profiled too; otherwise here.
    const inServices = ctx.data.scaleCycles.some((r) => r.knob === 'services');
    out.push(`TCP_CRR profiled at each number of rules (run ${runs}) gives the policies' cost per connection: ${inServices ? `the "Policy rules" panels of ${figRef(ctx, 'fig12')} in the previous section` : figRef(ctx, 'fig12')}, each profile's samples attributed by call chain as in ${figRef(ctx, 'fig4')} and divided by the connections it opened.`);
    out.push(...cycleChanges(cycles, 'policy-rules'));
    if (!inServices) out.push(figurePlaceholder('fig12'));
  }
  if (ctx.figures.has('fig11')) {
    out.push(`${figRef(ctx, 'fig11')} puts the load times of the policy sweeps beside those of the Service sweeps (the previous section): each node's whole rule set against its size, measured once as its testbed came up. The loads happen before any measurement: they stand for a controller's full sync, paid when Services or policies change, not by the connections measured above.`);
    out.push(figurePlaceholder('fig11'));
  }
  out.push(`Every number is in ${code('tables/policy-scale.csv')} (all metrics) and ${code('tables/policy-apply.csv')}.`);
  return out.join('\n\n');
}

/** tables/policy-scale.csv and tables/policy-apply.csv. */
export function policyScaleCsvs(data: SectionContext['data']['policyScale']): CsvFile[] {
  return [
    { file: 'policy-scale.csv', csv: csvOf(data.rows.map((r) => ({ run: r.run, model: r.model, scenario: r.scenario, test: r.test, policy_rules: r.policyRules ?? '', metric: r.metric, unit: r.unit, n: r.n, mean: r.mean, ci95_low: r.ci95Low, ci95_high: r.ci95High })), 'run,model,scenario,test,policy_rules,metric,unit,n,mean,ci95_low,ci95_high') },
    { file: 'policy-apply.csv', csv: csvOf(data.apply, 'run,model,policyRules,node,form,rules,ipsets,ipcacheEntries,ipsetMs,checkMs,loadMs') },
  ];
}
