// Section "Beyond the study: the Service path": the runs that measured with a Service datapath installed (kube-proxy's
// iptables or nftables rules, or the eBPF socket load balancer) — their numbers per configuration with the
// implementation, the number of Services and where the tests went, and what installing the Services cost per node.
// These runs are kept out of every earlier section, which compares plugins pod to pod as the study did.
import type { ServicePathRow, ServiceSyncRow } from '../analysis/servicePath.ts';
import { scaleCyclesCsvRow } from '../analysis/scaleCycles.ts';
import { modelLabel, orderModels, proxyLabel } from '../charts/index.ts';
import { type SectionContext, figRef, sectionHeading } from './context.ts';
import type { CsvFile } from './figures.ts';
import { formatNumber } from './format.ts';
import { code, figurePlaceholder, md, mdCell, table } from './markdown.ts';
import { safeName } from './provenance.ts';
import { type LineOf, csvOf, cycleChanges, isHeadline, lineChanges, meanCiCell } from './beyondTables.ts';
import { SCENARIOS } from '../testbed/model.ts';
import { SERVICE_PROXIES } from '../testbed/services/types.ts';
import { NETPERF_TESTS } from '../tools/netperf/types.ts';



function rowsTable(rows: readonly ServicePathRow[], sweep: boolean): Record<string, string>[] {
  const models = orderModels(rows.map((r) => r.model));
  const rank = (list: readonly string[], v: string) => list.indexOf(v);
  const sorted = [...rows].filter(isHeadline).sort((a, b) => models.indexOf(a.model) - models.indexOf(b.model) || rank(SCENARIOS, a.scenario) - rank(SCENARIOS, b.scenario)
    || rank(NETPERF_TESTS, a.test) - rank(NETPERF_TESTS, b.test) || a.services - b.services);
  return sorted.map((r) => {
    return {
      Model: mdCell(modelLabel(r.model)),
      Scenario: r.scenario === 'intra' ? 'intra-host' : 'inter-host',
      Test: r.test.toUpperCase(),
      'Service datapath': r.proxy ? proxyLabel(r.proxy) : 'none (control)',
      ...(sweep ? { Services: r.proxy ? formatNumber(r.services, 0) : '–' } : {}),
      'To': r.target === 'service' ? 'ClusterIP' : 'pod',
      n: String(r.n),
      'Mean (95% CI)': meanCiCell(r),
    };
  });
}

/**
 * A sweep's TCP_CRR through the Service, per scenario: each model and implementation from its smallest number of
 * Services to its largest ("Flannel — kube-proxy, iptables 5,143 (4,700–5,586) with 0 Services, 2,817 (…) with
 * 10,000 (0.548×)").
 */
function crrChange(rows: readonly ServicePathRow[]): string[] {
  const crr = rows.filter((r) => r.test === 'tcp_crr' && r.metric === 'transaction_rate' && r.target === 'service' && r.proxy);
  const models = orderModels(crr.map((r) => r.model));
  const line: LineOf<ServicePathRow> = {
    key: (r) => `${r.model} ${r.proxy}`,
    rank: (r) => models.indexOf(r.model) * 10 + SERVICE_PROXIES.indexOf(r.proxy!),
    size: (r) => r.services,
    label: (r) => `${mdCell(modelLabel(r.model))} — ${proxyLabel(r.proxy!)}`,
    unit: 'other Services',
  };
  return SCENARIOS.flatMap((scenario) => {
    const parts = lineChanges(crr.filter((r) => r.scenario === scenario), line);
    return parts.length ? [`TCP_CRR through the Service, transactions/s (95% CI), ${scenario === 'intra' ? 'within a node' : 'between nodes'}: ${parts.join('; ')}.`] : [];
  });
}

function syncTable(rows: readonly ServiceSyncRow[]): Record<string, string>[] {
  return rows.map((r) => ({
    Model: mdCell(modelLabel(r.model)),
    'Service datapath': proxyLabel(r.proxy),
    Services: formatNumber(r.services, 0),
    Node: r.node,
    'Rules or map entries': formatNumber(r.entries, 0),
    'Check (or load programs), ms': formatNumber(r.checkMs, 1),
    'Load (or fill maps), ms': formatNumber(r.applyMs, 1),
  }));
}

export function servicePathSection(ctx: SectionContext): string {
  const { rows, sync } = ctx.data.servicePath;
  const out = [sectionHeading('sec-beyond')];
  out.push('The study measures pod-to-pod traffic. In a cluster most traffic reaches pods through a Service\'s ClusterIP, translated on the client\'s node by kube-proxy — in iptables mode a chain matched rule by rule, in nftables mode verdict maps looked up once — or by an eBPF load balancer such as Cilium\'s, which rewrites the destination when the socket connects. cnibench installs these on the testbed (`collect --proxy`, `--services N`, `--target service`; kube-proxy\'s rules rendered as upstream writes them, the eBPF load balancer cnibench\'s own program after Cilium\'s socket LB): emulated Service datapaths on the same emulated pod datapaths as above. Runs made this way are summarised here only; no earlier section or claim uses them.');
  const cycles = ctx.data.scaleCycles.filter((r) => r.knob === 'services');
  if (!rows.length && !cycles.length) {
    out.push('No run in the data measured the Service path. `sudo npx cnibench collect --cni flannel,cilium --services 1000 --target service --tests tcp_rr,tcp_crr` makes one (Flannel through kube-proxy\'s iptables rules, Cilium through its eBPF load balancer).');
    return out.join('\n\n');
  }
  for (const run of [...new Set(rows.map((r) => r.run))]) {
    const mine = rows.filter((r) => r.run === run);
    const sizes = [...new Set(mine.filter((r) => r.proxy).map((r) => r.services))].sort((a, b) => a - b);
    const sweep = sizes.length > 1;
    const services = sweep ? `${sizes.map((n) => formatNumber(n, 0)).join(', ')} Services (a sweep, the sizes interleaved in every round)` : `${formatNumber(sizes[0] ?? 0, 0)} Services`;
    const tableId = `table-service-path-${safeName(run)}`;
    out.push(sweep && ctx.figures.has('fig9')
      ? `${figRef(ctx, 'fig9')} draws the transaction rates of run ${md(run)} against the number of Services; ${ctx.tables.ref(tableId)} gives every mean with its confidence interval.`
      : `${ctx.tables.ref(tableId)} gives the results of run ${md(run)}.`);
    if (sweep) out.push(...crrChange(mine));
    ctx.resultsAppendix.push(ctx.tables.caption(tableId, `Run ${md(run)} with ${services} besides the ones under test: transactions/s (TCP_RR, UDP_RR, TCP_CRR) or Mbit/s (TCP_STREAM), mean of the repetitions with its 95% confidence interval. TCP_CRR opens a connection per transaction, so it pays the Service translation every time; the other tests pay it once. The controls run pod to pod.`));
    ctx.resultsAppendix.push(table(rowsTable(mine, sweep), { n: 'r', Services: 'r', 'Mean (95% CI)': 'r' }));
    const mySync = sync.filter((s) => s.run === run);
    if (mySync.length) {
      const syncId = `table-service-sync-${safeName(run)}`;
      out.push(`What installing the Services cost on each node — kube-proxy's rules checked and loaded, or the eBPF load balancer's programs loaded and its maps filled — is in ${ctx.tables.ref(syncId)}${sweep && ctx.figures.has('fig11') ? `; ${figRef(ctx, 'fig11')} (in the next section, beside the policies') draws it against the number of Services` : ''}.`);
      ctx.resultsAppendix.push(ctx.tables.caption(syncId, `Installing the Services of run ${md(run)} on each node, as kube-proxy's full sync would: kube-proxy's rules checked (\`iptables-restore --test\`, \`nft -c -f\`) and loaded; the eBPF load balancer's programs loaded and attached, then its maps filled.`));
      ctx.resultsAppendix.push(table(syncTable(mySync), { Services: 'r', 'Rules or map entries': 'r', 'Check (or load programs), ms': 'r', 'Load (or fill maps), ms': 'r' }));
    }
  }
  if (ctx.figures.has('fig9')) out.push(figurePlaceholder('fig9'));
  if (ctx.figures.has('fig12') && cycles.length) {
    const runs = [...new Set(cycles.map((r) => r.run))].map(md).join(', ');
    out.push(`${figRef(ctx, 'fig12')} follows the CPU instead of the rate: TCP_CRR profiled at each number of Services (run ${runs}), each profile's samples attributed by call chain as in ${figRef(ctx, 'fig4')} and divided by the connections it opened. The cycles are ${cycles.some((r) => r.estimated) ? 'estimated from cpu-clock samples at the nominal clock (no hardware counter on this VM)' : 'hardware cycles'}, both ends together (and both nodes between hosts).`);
    out.push(...cycleChanges(cycles, 'services'));
    out.push(figurePlaceholder('fig12'));
  }
  out.push(`Every number is in ${code('tables/service-path.csv')} (all metrics), ${code('tables/service-sync.csv')}${ctx.data.scaleCycles.length ? ` and ${code('tables/scale-cycles.csv')} (cycles per transaction of the sweeps' profiles, by part)` : ''}.`);
  return out.join('\n\n');
}

/** tables/service-path.csv, tables/service-sync.csv and, with profiled sweeps, tables/scale-cycles.csv. */
export function servicePathCsvs(data: SectionContext['data']['servicePath'], cycles: SectionContext['data']['scaleCycles'] = []): CsvFile[] {
  return [
    ...(cycles.length ? [{ file: 'scale-cycles.csv', csv: csvOf(cycles.map(scaleCyclesCsvRow), '') }] : []),
    { file: 'service-path.csv', csv: csvOf(data.rows.map((r) => ({ run: r.run, model: r.model, scenario: r.scenario, test: r.test, proxy: r.proxy ?? '', services: r.services, target: r.target, metric: r.metric, unit: r.unit, n: r.n, mean: r.mean, ci95_low: r.ci95Low, ci95_high: r.ci95High })), 'run,model,scenario,test,proxy,services,target,metric,unit,n,mean,ci95_low,ci95_high') },
    { file: 'service-sync.csv', csv: csvOf(data.sync, 'run,model,proxy,services,node,entries,checkMs,applyMs') },
  ];
}
