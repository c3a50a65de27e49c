// Section "Pod launch" (study Fig. 7): launch time per CNI and its phases, on the local testbed and, when some run
// has them, on a cluster — with what a launch does and does not contain on each backend.
import type { LaunchSummary } from '../analysis/launch.ts';
import { LAUNCH_BACKEND_WORDS, modelLabel, orderModels } from '../charts/index.ts';
import { type SectionContext, figRef, findingRef, sectionHeading } from './context.ts';
import { formatNumber } from './format.ts';
import { figurePlaceholder, md, mdCell, table } from './markdown.ts';

const ms = (v: number) => formatNumber(v, 1);

function phaseText(s: LaunchSummary): string {
  return [...s.phases].sort((a, b) => a.order - b.order).map((p) => `${p.phase} ${ms(p.meanMs)}`).join(', ');
}

function launchTable(rows: readonly LaunchSummary[]): Record<string, string>[] {
  return orderModels(rows.map((r) => r.model)).map((model) => {
    const s = rows.find((r) => r.model === model)!;
    return {
      Model: mdCell(modelLabel(model)),
      n: String(s.n),
      'Launch, ms (95% CI)': `${ms(s.meanMs)} (${ms(s.ci95Low)}–${ms(s.ci95High)})`,
      'Median, ms': ms(s.medianMs),
      'Mean of each phase, ms': mdCell(phaseText(s)),
      'Network set-up share': `${formatNumber(s.networkShare * 100, 1)}%`,
      'Deletion, ms': s.teardownMeanMs === undefined ? '—' : ms(s.teardownMeanMs),
    };
  });
}

function extremes(rows: readonly LaunchSummary[]): string {
  if (rows.length < 2) return '';
  const sorted = [...rows].sort((a, b) => a.meanMs - b.meanMs);
  const first = sorted[0]!;
  const last = sorted.at(-1)!;
  return `${md(modelLabel(first.model))} launched fastest (${ms(first.meanMs)} ms on average) and ${md(modelLabel(last.model))} slowest (${ms(last.meanMs)} ms).`;
}

/** The step that costs most beyond CNI ADD, where a model has one (BPF endpoint, policy). */
function ownSteps(rows: readonly LaunchSummary[]): string {
  const parts = orderModels(rows.map((r) => r.model)).flatMap((model) => {
    const s = rows.find((r) => r.model === model)!;
    const own = s.phases.filter((p) => p.phase === 'policy' || p.phase === 'bpf-endpoint');
    return own.map((p) => `${md(modelLabel(model))} ${p.phase === 'policy' ? 'policy re-sync' : 'BPF endpoint'} ${ms(p.meanMs)} ms`);
  });
  return parts.length ? `What the CNI's agent adds beyond CNI ADD: ${parts.join(', ')}.` : '';
}

/**
 * How the cluster launches were timed: on the client's clock from watch notifications (ms), or from the API objects'
 * whole-second timestamps — the report says which, per model, since single phases mean little at a second.
 */
function clockText(rows: readonly LaunchSummary[]): string {
  const parts = orderModels(rows.map((r) => r.model)).flatMap((model) => {
    const s = rows.find((r) => r.model === model)!;
    const watch = s.clocks?.['client-watch'] ?? 0;
    const stamps = s.clocks?.['object-timestamps'] ?? 0;
    if (!watch && !stamps) return [];
    const how = [
      watch ? `${watch} of ${s.n} on the client's clock from watched pod and event notifications (millisecond resolution)` : '',
      stamps ? `${stamps} of ${s.n} from the objects' own timestamps (whole seconds: phases shorter than a second read 0 or 1 s, only means over many launches are meaningful)` : '',
    ].filter(Boolean).join(' and ');
    return [`${md(modelLabel(model))}: ${how}`];
  });
  return parts.length ? `Launches timed ${parts.join('; ')}. The network phase ends at the kubelet's first image event, which it records right after the pod's sandbox and its CNI ADD; the PodReadyToStartContainers condition is written a sync later, after the container started, and is not used for it.` : '';
}

function backendPart(ctx: SectionContext, backend: 'local' | 'k8s'): string[] {
  const rows = ctx.data.launches.filter((s) => s.backend === backend);
  const fig = backend === 'local' ? 'fig7' : 'fig7-k8s';
  if (!rows.length) return [];
  const what = backend === 'local'
    ? `On the local testbed a launch is the CNI's own work and nothing else: a new network namespace for the pod (its sandbox), CNI ADD — the reference bridge plugin through the CNI protocol for bridge models, the veth, /32 route and proxy-ARP a routed CNI's binary makes for Calico and Cilium —, the agent's own step where the model has one (Cilium's endpoint map entry and tc program; a policy re-sync for Calico, Weave and Kube-router) and readiness, the first netperf TCP_RR transaction answered by a pod on the same node. There is no API server, scheduler, kubelet or image, so these times correspond to the study's network-initialisation slice, not to its totals. Each launch is followed by the matching deletion (policy without the pod, endpoint removed, CNI DEL, namespace deleted), timed too.`
    : `On the cluster, a launch runs from the pod's creation to its Ready condition; it is split at the moments the API shows the pod bound to its node, the kubelet's first image event (sandbox and network set-up done), the container started, and Ready. ${clockText(rows)}`;
  // Tables are numbered when captioned, so the caption is made before the sentence that refers to it.
  const caption = ctx.tables.caption(`table-launch-${backend}`, `Pod launches on the ${LAUNCH_BACKEND_WORDS[backend]}: mean launch time with 95% confidence interval over n launches, median, the mean of each phase, the share of network set-up phases, and the mean deletion time.`);
  return [
    `${what} ${figRef(ctx, fig)} shows the mean of each phase per model; ${ctx.tables.ref(`table-launch-${backend}`)} lists the numbers.`,
    [extremes(rows), ownSteps(rows)].filter(Boolean).join(' '),
    caption,
    table(launchTable(rows), { n: 'r', 'Launch, ms (95% CI)': 'r', 'Median, ms': 'r', 'Network set-up share': 'r', 'Deletion, ms': 'r' }),
    figurePlaceholder(fig),
  ];
}

export function launchSection(ctx: SectionContext): string {
  const hasLocal = ctx.data.launches.some((s) => s.backend === 'local');
  const hasK8s = ctx.data.launches.some((s) => s.backend === 'k8s');
  const out = [
    sectionHeading('sec-launch'),
    'The study timed how long a pod takes to start on each CNI (30 launches each) and broke the time down for Weave: Flannel and Kube-router started pods fastest and Weave slowest, but setting up the pod\'s network was only a few percent of the total — most of the time went to the exchanges between Kubernetes components.',
  ];
  if (hasLocal) out.push(...backendPart(ctx, 'local'));
  else out.push(`**No local pod-launch timings are in these runs** (collect with \`sudo npx cnibench collect --launch\`), so ${figRef(ctx, 'fig7')} is empty.`, figurePlaceholder('fig7'));
  if (hasK8s) out.push(...backendPart(ctx, 'k8s'));
  out.push(`The two claims are checked in ${findingRef(ctx, 'launch-order')} and ${findingRef(ctx, 'launch-network-share')}.`);
  return out.filter(Boolean).join('\n\n');
}
