// Section "Pod launch": the study's Fig. 7 needs pod-launch timings; the section says plainly whether the runs have any.
import { type SectionContext, findingRef, sectionHeading } from './context.ts';
import { count } from './format.ts';

export function launchSection(ctx: SectionContext): string {
  const n = ctx.data.launches;
  const status = n > 0
    ? `The runs hold ${count(n, 'pod-launch timing')}, but this version of the report does not analyse them yet, so Fig. 7 has no counterpart here.`
    : '**No pod-launch data exists in these runs.** cnibench does not yet time pod start-up or its network set-up (a later feature will: on the local testbed, each step of a pod\'s network set-up — namespace, CNI ADD through the reference plugins, and the model\'s own steps such as BPF map updates or policy chains). Fig. 7 therefore has no counterpart in this report.';
  return [
    sectionHeading('sec-launch'),
    'The study timed how long a pod takes to start on each CNI (30 launches each) and broke the time down for Weave: Flannel and Kube-router started pods fastest and Weave slowest, but setting up the pod\'s network was only a few percent of the total — most of the time went to the exchanges between Kubernetes components.',
    status,
    `The corresponding claim is listed as not measurable in ${findingRef(ctx, 'pod-launch')}.`,
  ].join('\n\n');
}
