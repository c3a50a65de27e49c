// Looks at the cluster before anything is created: kubectl there, the context known, the API server reachable, RBAC
// allowing what the run does, the nodes to use, the CNI. Every problem is one message naming the cause and the fix.
import { UsageError } from '../util/errors.ts';
import { Kubectl, KubectlError, requireKubectl } from './kubectl.ts';
import { DEFAULT_IMAGE_ARCH, chooseNodes, type NodeChoice, type NodeList } from './nodes.ts';
import { detectCni, runsCalico, type CalicoConfig, type CalicoIPPool, type CniDetection, type DaemonSetObject, type TigeraInstallation } from './cni.ts';
import type { K8sTarget } from '../collect/clusterRecord.ts';

export interface ClusterSurvey {
  kubectlVersion: string;
  serverVersion: string;
  nodes: NodeList;
  choice: NodeChoice;
  cni: CniDetection;
  /** Whether the namespace exists already (and whether an earlier session of this run created it). */
  namespace: { exists: boolean; ours: boolean };
  /** `kubectl version -o json` as printed (kept raw in the run). */
  versionJson: string;
}

export function kubectlFor(t: Pick<K8sTarget, 'context' | 'kubeconfig'>): Kubectl {
  return new Kubectl({ ...(t.context ? { context: t.context } : {}), ...(t.kubeconfig ? { kubeconfig: t.kubeconfig } : {}) });
}

/** The context must exist in the kubeconfig (or a current one must be set). */
export async function checkContext(t: K8sTarget): Promise<void> {
  const k = kubectlFor({ kubeconfig: t.kubeconfig });
  if (t.context) {
    const r = await k.raw(['config', 'get-contexts', '-o', 'name']);
    const known = r.stdout.split('\n').map((s) => s.trim()).filter(Boolean);
    if (r.exitCode === 0 && !known.includes(t.context)) {
      throw new UsageError(`kubectl has no context "${t.context}"${t.kubeconfig ? ` in ${t.kubeconfig}` : ''}; known contexts: ${known.join(', ') || '(none)'}. Pass one of them with --context.`);
    }
    return;
  }
  const r = await k.raw(['config', 'current-context']);
  if (r.exitCode !== 0 || !r.stdout.trim()) {
    throw new UsageError(`kubectl has no current context${t.kubeconfig ? ` in ${t.kubeconfig}` : ''}: pass --context (kubectl config get-contexts) or set one with "kubectl config use-context NAME".`);
  }
}

/** What the run does in the cluster, as `kubectl auth can-i` arguments, and why it needs it. */
function permissions(t: K8sTarget, profile: boolean, createNamespace: boolean): { args: string[]; why: string }[] {
  const ns = ['-n', t.namespace];
  return [
    { args: ['list', 'nodes'], why: 'choose and record the nodes' },
    ...(createNamespace ? [{ args: ['create', 'namespaces'], why: `create the namespace ${t.namespace}` }] : []),
    { args: ['create', 'pods', ...ns], why: 'create the measurement pods' },
    { args: ['delete', 'pods', ...ns], why: 'remove them at the end' },
    { args: ['list', 'pods', ...ns], why: 'wait for them' },
    { args: ['create', 'pods', '--subresource=exec', ...ns], why: 'run netperf in them (kubectl exec)' },
    { args: ['list', 'events', ...ns], why: 'read pod events (launch times, scheduler reasons)' },
    ...(profile ? [{ args: ['create', 'daemonsets.apps', ...ns], why: 'run the profiler DaemonSet (--profile)' }, { args: ['delete', 'daemonsets.apps', ...ns], why: 'remove the profiler' }] : []),
  ];
}

async function checkPermissions(k: Kubectl, t: K8sTarget, profile: boolean, createNamespace: boolean): Promise<void> {
  const denied: string[] = [];
  const wanted = permissions(t, profile, createNamespace);
  // Independent questions: asked at once.
  const answers = await Promise.all(wanted.map((p) => k.raw(['auth', 'can-i', ...p.args])));
  for (const [i, r] of answers.entries()) {
    const p = wanted[i]!;
    if (r.stdout.trim().startsWith('yes')) continue;
    if (r.exitCode !== 0 && !/^no\b/.test(r.stdout.trim())) throw k.failure(['auth', 'can-i', ...p.args], r);
    denied.push(`${p.args.filter((a) => a !== '-n' && a !== t.namespace).join(' ')}${p.args.includes('-n') ? ` in namespace ${t.namespace}` : ''} (to ${p.why})`);
  }
  if (denied.length) {
    throw new UsageError(`RBAC forbids what the run needs: ${denied.join('; ')}. Ask a cluster admin to apply the Role and ClusterRole of docs/kubernetes.md for your user${profile ? ' (--profile also needs the profiler rules and a namespace that admits privileged pods)' : ''}, or use another --context.`);
  }
}

async function listDaemonSets(k: Kubectl): Promise<{ items: DaemonSetObject[]; note?: string }> {
  try {
    return { items: (await k.getJson<{ items: DaemonSetObject[] }>(['daemonsets', '--all-namespaces'])).items ?? [] };
  } catch (err) {
    if (!(err instanceof KubectlError)) throw err;
  }
  try {
    return { items: (await k.getJson<{ items: DaemonSetObject[] }>(['daemonsets', '-n', 'kube-system'])).items ?? [], note: 'DaemonSets listed in kube-system only (no permission to list them in every namespace)' };
  } catch (err) {
    if (!(err instanceof KubectlError)) throw err;
    return { items: [], note: 'DaemonSets could not be listed (forbidden): detection from node annotations only' };
  }
}

/**
 * Calico's own configuration, read only where Calico runs: the IP pools (crd.projectcalico.org/v1, present in manifest
 * and operator installs alike) and the Tigera operator's Installation. Neither is required — a user without the
 * ClusterRole rules of docs/kubernetes.md, or a cluster without the operator, gets detection from node annotations.
 */
async function readCalicoConfig(k: Kubectl): Promise<CalicoConfig> {
  const notes: string[] = [];
  const read = async <T>(resource: string): Promise<T[] | undefined> => {
    try {
      return (await k.getJson<{ items: T[] }>([resource])).items ?? [];
    } catch (err) {
      if (!(err instanceof Error)) throw err;
      const why = err instanceof KubectlError && /RBAC/.test(err.message) ? 'forbidden (add it to the ClusterRole of docs/kubernetes.md)' : /doesn't have a resource type|the server could not find the requested resource/.test(err.message) ? 'not installed' : err.message.split('\n')[0];
      notes.push(`${resource} not read: ${why}`);
      return undefined;
    }
  };
  const ipPools = await read<CalicoIPPool>('ippools.crd.projectcalico.org');
  const installation = (await read<TigeraInstallation>('installations.operator.tigera.io'))?.find((i) => i.metadata.name === 'default');
  return { ...(ipPools ? { ipPools } : {}), ...(installation ? { installation } : {}), ...(notes.length ? { notes } : {}) };
}

/**
 * Everything the run needs to know before it creates anything; throws a UsageError for anything the user must fix
 * (exit 2: nothing was run, the cluster or the options must change first), kubectl's own failures included.
 */
export async function surveyCluster(t: K8sTarget, runId: string | undefined, o: { profile: boolean }): Promise<ClusterSurvey> {
  try {
    return await survey(t, runId, o);
  } catch (err) {
    if (err instanceof KubectlError) throw new UsageError(err.message);
    throw err;
  }
}

async function survey(t: K8sTarget, runId: string | undefined, o: { profile: boolean }): Promise<ClusterSurvey> {
  await requireKubectl();
  await checkContext(t);
  const k = kubectlFor(t);
  const version = await k.call(['version', '-o', 'json']);
  let versionJson: { clientVersion?: { gitVersion?: string }; serverVersion?: { gitVersion?: string } };
  try {
    versionJson = JSON.parse(version.stdout);
  } catch {
    throw new Error(`kubectl version -o json printed something that is not JSON: ${version.stdout.slice(0, 200)}`);
  }
  const nsObj = await k.raw(['get', 'namespace', t.namespace, '-o', 'json', '--request-timeout=30s']);
  let namespace = { exists: false, ours: false };
  if (nsObj.exitCode === 0) {
    const obj = JSON.parse(nsObj.stdout) as { metadata?: { labels?: Record<string, string>; deletionTimestamp?: string }; status?: { phase?: string } };
    // A namespace being deleted still answers GET (phase Terminating, deletionTimestamp set) until its finalizers are
    // done, but the API server's NamespaceLifecycle admission refuses every new object in it: it does not count.
    if (obj.status?.phase === 'Terminating' || obj.metadata?.deletionTimestamp) {
      throw new UsageError(`namespace ${t.namespace} is being deleted (Terminating since ${obj.metadata?.deletionTimestamp ?? 'an unknown time'}): nothing can be created in it. Wait until "kubectl get namespace ${t.namespace}" says NotFound (finalizers can hold it), or use another namespace with --namespace.`);
    }
    const labels = obj.metadata?.labels ?? {};
    namespace = { exists: true, ours: runId !== undefined && labels['cnibench/run'] === runId };
  } else if (!/NotFound|not found/.test(nsObj.stderr)) {
    throw k.failure(['get', 'namespace', t.namespace], nsObj);
  }
  await checkPermissions(k, t, o.profile, !namespace.exists);
  const nodes = await k.getJson<NodeList>(['nodes']);
  const choice = chooseNodes(nodes, t.nodes, { arch: t.imageArch ?? [DEFAULT_IMAGE_ARCH] });
  const ds = await listDaemonSets(k);
  const calico = runsCalico(ds.items) ? await readCalicoConfig(k) : undefined;
  const cni = detectCni(ds.items, nodes.items, { chosen: choice.nodes, ...(calico ? { calico } : {}) });
  if (ds.note) cni.evidence.push(ds.note);
  return {
    kubectlVersion: versionJson.clientVersion?.gitVersion ?? 'unknown',
    serverVersion: versionJson.serverVersion?.gitVersion ?? 'unknown',
    nodes,
    choice,
    cni,
    namespace,
    versionJson: version.stdout,
  };
}
