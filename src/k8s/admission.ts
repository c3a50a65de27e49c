// What admission did to our pods: a CPU limit we did not ask for. Our pods declare requests and no limits
// (manifests.ts), but a namespace's LimitRange fills in its default limit (the LimitRanger admission plugin sets
// `default` limits on containers that have none), and GKE Autopilot sets limits equal to requests. A CPU limit becomes
// a CFS quota on the container's cgroup, and netperf throttled by it measures the quota, not the CNI. So the admitted
// pods are read back and a limit is a warning the run records (manifest.cluster.warnings) and the report repeats.
import type { PodObject } from './pods.ts';

/** One warning per pod with a CPU limit, naming the limit, the QoS class and what to do. */
export function cpuLimitWarnings(pods: PodObject[]): string[] {
  const out: string[] = [];
  for (const p of pods) {
    for (const c of p.spec?.containers ?? []) {
      const limit = c.resources?.limits?.cpu;
      if (!limit) continue;
      out.push(`pod ${p.metadata.name} (container ${c.name}) was admitted with a CPU limit of ${limit} that cnibench did not set (QoS ${p.status?.qosClass ?? 'unknown'}; a LimitRange default or the platform, e.g. GKE Autopilot, adds it): netperf may be throttled by its CFS quota and measure the limit, not the CNI. Run in a namespace without a LimitRange CPU default ("kubectl get limitrange -n ${p.metadata.namespace ?? 'NAMESPACE'}"), or on nodes where limits are not imposed.`);
    }
  }
  return out;
}
