// One pod launch, timed, as both backends report it: the total from "asked for a pod" to "the pod answers", and
// its phases in order. The local testbed times each set-up step itself; on Kubernetes the phases are derived
// from the pod's condition transitions and events. Analysis and Fig. 7 read only this shape.

/** A consecutive slice of a launch. `startMs` is measured from the start of the launch. */
export interface LaunchPhase {
  /** e.g. namespace, cni-add, policy, bpf-maps, readiness (local); scheduling, sandbox+network, container-start, readiness (k8s). */
  phase: string;
  startMs: number;
  ms: number;
  /** Whether this phase is network set-up (the share the study found to be a few percent of the total). */
  network: boolean;
}

export interface LaunchTiming {
  backend: 'local' | 'k8s';
  /** Model id (local) or detected CNI id (k8s). */
  model: string;
  /** 1-based launch number within the run. */
  index: number;
  totalMs: number;
  phases: LaunchPhase[];
  /** The matching tear-down (local: CNI DEL and namespace removal; k8s: delete until gone), when timed. */
  teardownMs?: number;
  /**
   * k8s: which clock the phase boundaries are on — "client-watch" (watch notifications timestamped on arrival by
   * the machine running cnibench, millisecond resolution) or "object-timestamps" (the API objects' own whole-second
   * times) — and the resolution of each boundary in milliseconds.
   */
  clock?: 'client-watch' | 'object-timestamps';
  resolutionMs?: number;
}

/** Phase timings must add up to the total (within rounding) and never be negative. */
export function checkLaunchTiming(t: LaunchTiming): string | undefined {
  if (!(t.totalMs >= 0)) return `launch ${t.index}: total ${t.totalMs} ms is not a duration`;
  const bad = t.phases.find((p) => !(p.ms >= 0) || !(p.startMs >= 0));
  if (bad) return `launch ${t.index}: phase ${bad.phase} has a negative or missing duration`;
  const sum = t.phases.reduce((s, p) => s + p.ms, 0);
  if (Math.abs(sum - t.totalMs) > Math.max(1, t.totalMs * 0.01)) return `launch ${t.index}: phases add up to ${sum.toFixed(1)} ms, not the total ${t.totalMs.toFixed(1)} ms`;
  return undefined;
}
