// Section "Limits of this reproduction": what makes these numbers differ from the study's, stated from the manifests.
import { type SectionContext, sectionHeading, sectionNumber } from './context.ts';
import { count } from './format.ts';

export function limitsSection(ctx: SectionContext): string {
  const runs = ctx.data.runs;
  const items: string[] = [
    '- **Emulated datapaths.** Each model rebuilds a CNI\'s datapath from the kernel features that CNI uses, but no CNI daemon runs and the eBPF programs, policy chains and routes are cnibench\'s own; the real plugins do more work per packet in places (Cilium\'s full BPF programs, Felix\'s complete rule set, kube-proxy\'s chains).',
    '- **One kernel for both nodes.** Both "nodes" are namespaces on one host, joined by a veth pair instead of NICs and a switch: there is no wire-speed limit, no NIC offload and no interrupt steering, and a profile sees sender and receiver together.',
  ];
  if (runs.some((r) => r.manifest.host.virtualized)) items.push('- **A virtual machine.** The host is virtualized: there are no hardware cycle counters (cycles are estimated from cpu-clock samples), and neighbouring tenants add noise.');
  const short = runs.filter((r) => r.manifest.plan.tests.length > 0 && (r.manifest.plan.reps < 50 || r.manifest.plan.durationS < 10));
  if (short.length) items.push(`- **Short runs.** ${count(short.length, 'run')} used fewer or shorter repetitions than the study's 50 × 10 s; small differences between models are within the noise, and the confidence intervals in the tables say how much.`);
  const missingModels = ['weave', 'calico-np-ipip', 'calico-wp-ipip'].filter((m) => !ctx.data.summaries.some((s) => s.model === m));
  if (runs.length && missingModels.length) items.push(`- **Missing configurations.** No results for ${missingModels.map((m) => `\`${m}\``).join(', ')} in these runs (skipped, not planned, or not buildable on this kernel — see Section ${sectionNumber('sec-setup')}.5); claims that need them are marked not measurable.`);
  return [sectionHeading('sec-limits'), items.join('\n')].join('\n\n');
}
