// kubectl through our exec helper (argument arrays, never a shell): the user's kubeconfig and context on every call,
// a bounded wait on every API request, and kubectl's failures turned into messages that say what to do.
import { run, type RunResult } from '../util/exec.ts';
import { PrerequisiteError } from '../util/errors.ts';
import { which } from '../util/which.ts';

export interface KubectlOptions {
  context?: string;
  kubeconfig?: string;
  /** Seconds kubectl may wait for the API server on a request (`--request-timeout`); exec has its own timeout. */
  requestTimeoutS?: number;
}

/**
 * A kubectl call that failed for a reason the user can fix (cluster unreachable, forbidden, unknown context…). Not a
 * UsageError: in the middle of a run it is a failed run (exit 1); the survey before a run turns it into one (exit 2).
 */
export class KubectlError extends Error {
  override name = 'KubectlError';
  constructor(message: string, readonly result: RunResult) {
    super(message);
  }
}

/** Why kubectl failed, in words that name the cause and the fix; undefined when stderr says nothing we know. */
export function explainKubectlFailure(stderr: string, opts: KubectlOptions = {}): string | undefined {
  const where = opts.context ? `context "${opts.context}"` : 'the current context';
  // kubectl logs details (klog lines "E1126 13:44:47.603749 …") before its own one-line summary, which comes last.
  const line = stderr.trim().split('\n').filter((l) => l.trim()).pop() ?? '';
  let m: RegExpMatchArray | null;
  if ((m = stderr.match(/context "([^"]*)" does not exist|context was not found for specified context: (\S+)/))) {
    return `kubectl has no context "${m[1] ?? m[2]}" in its kubeconfig: list them with "kubectl config get-contexts" and pass one with --context.`;
  }
  if (/current-context is not set|no configuration has been provided|invalid configuration: no configuration/.test(stderr)) {
    return 'kubectl has no cluster configured (no current context): pass --context and/or --kubeconfig, or set one with "kubectl config use-context".';
  }
  if (/stat .*: no such file or directory/.test(stderr) && opts.kubeconfig) {
    return `the kubeconfig ${opts.kubeconfig} does not exist: pass the path of a readable kubeconfig with --kubeconfig.`;
  }
  if ((m = stderr.match(/violates PodSecurity "([^"]+)"/))) {
    return `the namespace's Pod Security level (${m[1]}) refuses our pods: run in a namespace labelled pod-security.kubernetes.io/enforce=baseline (privileged with --profile), or let cnibench create its own with --namespace NEW-NAME.`;
  }
  // A 403 is not always RBAC: admission plugins answer Forbidden too, each with its own sentence (the API server's
  // ResourceQuota, NamespaceLifecycle and OpenShift's SecurityContextConstraints admission), and each has another fix.
  if ((m = stderr.match(/failed quota: ([^:\s]+): must specify ([^\n]+)/))) {
    return `the namespace's ResourceQuota "${m[1]}" refuses pods that do not declare ${(m[2] ?? "").trim()}: our pods declare CPU and memory requests but no limits (a CPU limit would throttle netperf); run in a namespace without that quota (--namespace NEW-NAME), or ask its admin to give it a LimitRange with defaults or to drop the quota.`;
  }
  if ((m = stderr.match(/exceeded quota: ([^,\s]+), (requested: [^\n]+)/))) {
    return `the namespace's ResourceQuota "${m[1]}" is used up (${(m[2] ?? "").trim()}): free room in it (kubectl describe quota ${m[1]}), ask its admin to raise it, or run in another namespace with --namespace.`;
  }
  if ((m = stderr.match(/unable to create new content in namespace (\S+) because it is being terminated/))) {
    return `namespace ${m[1]} is being deleted (Terminating): wait until it is gone ("kubectl get namespace ${m[1]}" says NotFound; finalizers can hold it) and run again, or use another namespace with --namespace.`;
  }
  if (/unable to validate against any security context constraint/.test(stderr)) {
    const scc = stderr.match(/unable to validate against any security context constraint: (.+)/)?.[1]?.trim();
    return `OpenShift's SecurityContextConstraints refuse our pods${scc ? ` (${scc.length > 300 ? `${scc.slice(0, 300)}…` : scc})` : ''}: ask a cluster admin to let the namespace's default service account use an SCC that admits them (the measurement pods ask for no privilege, no host namespace and no fixed user; --profile's profiler needs "privileged": "oc adm policy add-scc-to-user privileged -z default -n NAMESPACE"), or run in a namespace where that is done already (--namespace).`;
  }
  if (/Error from server \(Forbidden\)|is forbidden:/.test(stderr)) {
    const what = stderr.match(/cannot (\w+) resource "([^"]+)"(?: in API group "([^"]*)")?(?: in the namespace "([^"]+)")?/);
    const who = stderr.match(/User "([^"]+)"/)?.[1];
    const detail = what ? `${who ? `user "${who}"` : 'your user'} may not ${what[1]} ${what[2]}${what[4] ? ` in namespace ${what[4]}` : ' at cluster scope'}` : line;
    return `RBAC forbids it: ${detail}. Ask a cluster admin to bind the Role/ClusterRole in docs/kubernetes.md (README, "Kubernetes backend") to your user, or use another --context.`;
  }
  if (/Unauthorized|You must be logged in to the server|provide credentials/.test(stderr)) {
    return `the cluster of ${where} refuses our credentials (Unauthorized): refresh them (log in again) or pick another --context.`;
  }
  if (/Unable to connect to the server|connection to the server .* was refused|no such host|i\/o timeout|connection refused|context deadline exceeded|TLS handshake timeout|net\/http: request canceled/.test(stderr)) {
    return `the cluster of ${where} is unreachable (${line.trim()}): check that it is running and reachable ("kubectl cluster-info"), or pick another --context.`;
  }
  return undefined;
}

/** kubectl itself, as the user configured it: every call gets --kubeconfig/--context when they were given. */
export class Kubectl {
  constructor(readonly opts: KubectlOptions = {}) {}

  /** The argv of one kubectl call (binary first). */
  argv(args: string[]): string[] {
    return [
      'kubectl',
      ...(this.opts.kubeconfig ? ['--kubeconfig', this.opts.kubeconfig] : []),
      ...(this.opts.context ? ['--context', this.opts.context] : []),
      ...args,
    ];
  }

  private requestTimeout(): string[] {
    return [`--request-timeout=${this.opts.requestTimeoutS ?? 30}s`];
  }

  /** Runs kubectl and returns what it printed, whatever its exit code. */
  async raw(args: string[], o: { input?: string; timeoutMs?: number; signal?: AbortSignal } = {}): Promise<RunResult> {
    return run(this.argv(args), { reject: false, input: o.input, timeoutMs: o.timeoutMs ?? ((this.opts.requestTimeoutS ?? 30) + 15) * 1000, signal: o.signal });
  }

  /**
   * An API request (get, apply, delete…): fails with the reason in the user's terms. `waits` marks a call that
   * waits on its own (delete --wait --timeout): it gets no --request-timeout, which would cut its watch short.
   */
  async call(args: string[], o: { input?: string; signal?: AbortSignal; timeoutMs?: number; waits?: boolean } = {}): Promise<RunResult> {
    const r = await this.raw(o.waits ? args : [...args, ...this.requestTimeout()], o);
    if (r.exitCode !== 0 && !r.cancelled) throw this.failure(args, r);
    return r;
  }

  /** `kubectl get … -o json`, parsed. */
  async getJson<T = unknown>(args: string[], o: { signal?: AbortSignal } = {}): Promise<T> {
    const r = await this.call(['get', ...args, '-o', 'json'], o);
    try {
      return JSON.parse(r.stdout) as T;
    } catch {
      throw new Error(`kubectl get ${args.join(' ')} printed something that is not JSON: ${r.stdout.slice(0, 200)}`);
    }
  }

  /** `kubectl apply -f -` of objects already validated against the API schema. */
  async apply(objects: object[], o: { signal?: AbortSignal } = {}): Promise<RunResult> {
    const list = { apiVersion: 'v1', kind: 'List', items: objects };
    return this.call(['apply', '-f', '-', '-o', 'name'], { input: JSON.stringify(list), signal: o.signal });
  }

  /** A command inside a pod's container; never throws for the command's own exit code (the caller reads it). */
  async exec(namespace: string, pod: string, container: string, command: string[], o: { timeoutMs: number; signal?: AbortSignal }): Promise<RunResult> {
    return this.raw(['exec', '-n', namespace, pod, '-c', container, '--', ...command], o);
  }

  failure(args: string[], r: RunResult): Error {
    if (r.timedOut) return new KubectlError(`kubectl ${args[0]} got no answer in time: is the cluster reachable? ("kubectl cluster-info")`, r);
    const why = explainKubectlFailure(r.stderr, this.opts);
    if (why) return new KubectlError(why, r);
    const detail = (r.stderr.trim() || r.stdout.trim()).split('\n').slice(-3).join(' | ');
    return new Error(`kubectl ${args.join(' ')} exited with ${r.exitCode}: ${detail}`);
  }
}

/** kubectl must be on PATH before anything else is tried. */
export async function requireKubectl(): Promise<string> {
  const path = await which('kubectl');
  if (!path) {
    throw new PrerequisiteError('kubectl is not on PATH: install it (https://kubernetes.io/docs/tasks/tools/, or "apt-get install kubectl" from the Kubernetes apt repository) and check it with "kubectl version".');
  }
  return path;
}
