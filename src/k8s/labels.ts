// The labels that mark every object cnibench creates in a cluster, and the names it gives them.

export const MANAGED_BY = 'app.kubernetes.io/managed-by';
const MANAGED_BY_VALUE = 'cnibench';
export const RUN_LABEL = 'cnibench/run';
export const ROLE_LABEL = 'cnibench/role';

/** Default namespace of the measurement pods (created when absent, deleted at the end if the run created it). */
export const DEFAULT_NAMESPACE = 'cnibench';

export type PodRole = 'server' | 'client' | 'launch' | 'profiler';

/** Labels of an object of run `runId`. */
export function runLabels(runId: string, role?: PodRole): Record<string, string> {
  return { [MANAGED_BY]: MANAGED_BY_VALUE, [RUN_LABEL]: runId, ...(role ? { [ROLE_LABEL]: role } : {}) };
}

/** Selector of everything of one run (or of every run, with no id). */
export function selectorOf(runId?: string): string {
  return runId ? `${MANAGED_BY}=${MANAGED_BY_VALUE},${RUN_LABEL}=${runId}` : `${MANAGED_BY}=${MANAGED_BY_VALUE}`;
}

/** Object names: short, DNS-1123, unique per run (the run id is a timestamp plus four hex digits). */
export const names = {
  server: (runId: string, node: 'a' | 'b') => `cnib-${runId}-server-${node}`,
  client: (runId: string) => `cnib-${runId}-client-a`,
  /** Per session, so that a pod left by an earlier session can never be mistaken for a new launch. */
  launch: (runId: string, index: number, session: number) => `cnib-${runId}-s${session}-launch-${String(index).padStart(3, '0')}`,
  profiler: (runId: string, node: 'a' | 'b') => `cnib-${runId}-perf-${node}`,
};

/** The one container of every pod of ours. */
export const CONTAINER = 'netperf';
export const PROFILER_CONTAINER = 'perf';

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

/** A namespace name the API accepts (RFC 1123 label), or a UsageError-worthy reason. */
export function badNamespaceName(ns: string): string | undefined {
  if (ns.length > 63 || !DNS_LABEL.test(ns)) return `"${ns}" is not a valid namespace name (lower-case letters, digits and '-', at most 63, starting and ending with a letter or digit)`;
  return undefined;
}
