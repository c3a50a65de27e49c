// `cnibench cleanup --backend k8s`: removes what crashed runs left in a cluster, found by the managed-by label —
// pods and profiler DaemonSets in every namespace (or the one given, without cluster-wide rights), then the
// namespaces cnibench created, unless something that is not ours lives there.
import { KubectlError, requireKubectl, type Kubectl } from './kubectl.ts';
import { MANAGED_BY, selectorOf } from './labels.ts';

export interface K8sCleanupReport {
  /** kubectl's names of what was deleted (pod/…, daemonset.apps/…, namespace/…). */
  deleted: string[];
  /** Namespaces labelled as ours that were kept, with why. */
  kept: string[];
  /** Where objects were looked for. */
  scope: string;
}

const lines = (s: string) => s.split('\n').map((l) => l.trim()).filter(Boolean);

export async function cleanupK8s(k: Kubectl, o: { namespace: string; runId?: string }): Promise<K8sCleanupReport> {
  await requireKubectl();
  const selector = selectorOf(o.runId);
  const deleted: string[] = [];
  const kept: string[] = [];
  let scope = 'all namespaces';
  const objects = ['delete', 'pods,daemonsets.apps', '-l', selector, '--ignore-not-found', '--wait=true', '--timeout=60s', '-o', 'name'];
  try {
    deleted.push(...lines((await k.call([...objects, '--all-namespaces'], { timeoutMs: 120_000, waits: true })).stdout));
  } catch (err) {
    if (!(err instanceof KubectlError) || !/RBAC/.test(err.message)) throw err;
    scope = `namespace ${o.namespace} (no right to delete across namespaces)`;
    deleted.push(...lines((await k.call([...objects, '-n', o.namespace], { timeoutMs: 120_000, waits: true })).stdout));
  }
  let namespaces: string[] = [];
  try {
    namespaces = lines((await k.call(['get', 'namespaces', '-l', selector, '-o', 'name'])).stdout).map((n) => n.replace(/^namespace\//, ''));
  } catch (err) {
    if (!(err instanceof KubectlError) || !/RBAC/.test(err.message)) throw err;
  }
  for (const ns of namespaces) {
    const foreign = lines((await k.call(['get', 'pods', '-n', ns, '-l', `${MANAGED_BY}!=cnibench`, '-o', 'name'])).stdout);
    if (foreign.length) {
      kept.push(`${ns} (holds ${foreign.length} pod(s) that are not cnibench's)`);
      continue;
    }
    deleted.push(...lines((await k.call(['delete', 'namespace', ns, '--ignore-not-found', '--wait=true', '--timeout=120s', '-o', 'name'], { timeoutMs: 180_000, waits: true })).stdout));
  }
  return { deleted, kept, scope };
}
