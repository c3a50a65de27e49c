// One run's stability report as `cnibench summary` and the report's method section read it: the rows, the share
// of stable configurations and the run's method in words.
import { observationsOfRun } from './observations.ts';
import { conditionsOfRun, hasConditions, type ConditionRow } from './conditions.ts';
import { machineDisturbances, stabilityOfRun, stableShare, type SetAsideItem, type StabilityRow } from './stability.ts';
import type { Observation } from './observations.ts';
import type { LoadedRun } from './loadRun.ts';
import type { ServiceProxy } from '../testbed/services/types.ts';
import { type RunTimeBreakdown, runTimeOf } from './runTime.ts';

export interface RunStability {
  run: LoadedRun;
  rows: StabilityRow[];
  conditions: ConditionRow[];
  /** False for runs made before conditions were recorded. */
  conditionsRecorded: boolean;
  /** Items measured in a whole-machine disturbance, kept out of every statistic of the run (and listed). */
  setAside: SetAsideItem[];
  /** Configurations meeting the bar with the set-aside items out (`stable`) and in (`stableAll`). */
  share: { stable: number; stableAll: number; total: number };
  /** Where the run's time went (undefined for a run with no timed netperf items). */
  time?: RunTimeBreakdown;
}

/** A run's stability; pass the run's observations when they are already parsed. */
export async function runStability(run: LoadedRun, observations?: readonly Observation[]): Promise<RunStability> {
  const [obs, conditions, time] = await Promise.all([observations ?? observationsOfRun(run), conditionsOfRun(run), runTimeOf(run)]);
  const setAside = machineDisturbances(run, obs);
  const rows = stabilityOfRun(run, obs, conditions, setAside);
  return { run, rows, conditions, conditionsRecorded: hasConditions(run), setAside, share: stableShare(rows), ...(time ? { time } : {}) };
}

/** A Service implementation in words. */
function proxyWords(mode: ServiceProxy | 'default'): string {
  switch (mode) {
    case 'iptables': case 'nftables': return `kube-proxy in ${mode} mode on every node`;
    case 'ebpf': return 'an eBPF socket load balancer (Cilium\'s kube-proxy replacement)';
    case 'default': return 'each model\'s own Service datapath (Cilium\'s eBPF socket load balancer, kube-proxy in iptables mode for the others)';
  }
}

/** "10 rounds × 5 s, interleaved (seed 42), placement same, idle default, 2-s warm-ups, controls baseline and host". */
export function methodWords(run: LoadedRun): string {
  const p = run.manifest.plan;
  const s = p.schedule;
  if (!s) return `${p.reps} × ${p.durationS} s, model by model, unpinned, idle states not controlled, no warm-up (a run made before the method was controlled)`;
  const rounds = s.stopping ? `adaptive to ±${(100 * s.stopping.precision).toFixed(1)}% (${s.stopping.minRounds}–${p.reps} rounds)` : `${p.reps} ${s.order === 'interleaved' ? 'rounds' : 'repetitions'}`;
  return [
    `${rounds} × ${p.durationS} s`,
    `${s.order} (seed ${s.seed})`,
    `placement ${p.placement ?? 'free'}`,
    `idle ${p.idle ?? 'not controlled'}`,
    `netperf at nice ${p.senderNice ?? 0}`,
    s.warmupS > 0 ? `${s.warmupS}-s warm-ups discarded` : 'no warm-up',
    s.controls.length ? `controls ${s.controls.join(' and ')}` : 'no controls',
    ...(p.policyRules ? [`${p.policyRules.sweep ? `${p.policyRules.sweep.join(', ')} rules (a sweep, the sizes interleaved)` : `${p.policyRules.rules} rules`} added to the network policy selecting the netperf pods (beyond the study)`] : []),
    ...(p.proxy ? [`${p.proxy.modes ? `${p.proxy.modes.map(proxyWords).join(' / ')} (compared, interleaved)` : proxyWords(p.proxy.mode)} with ${p.proxy.sweep ? `${p.proxy.sweep.join(', ')} other Services (a sweep, the sizes interleaved)` : `${p.proxy.services} other Services`} (beyond the study)`] : []),
    ...(p.target === 'service' ? ['tests through the server\'s Service (ClusterIP)'] : []),
  ].join(', ');
}
