// Every object cnibench applies to a cluster, typed with kubernetes-models and validated against the Kubernetes API
// schema it ships (plus the name and label rules the schema does not encode) before kubectl ever sees it.
import { Namespace, type INamespace } from 'kubernetes-models/v1/Namespace';
import { Pod, type IPod } from 'kubernetes-models/v1/Pod';
import { DaemonSet, type IDaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { netserverArgs } from '../tools/netperf/command.ts';
import { CONTAINER, PROFILER_CONTAINER, names, runLabels } from './labels.ts';

/** netserver's control port in every pod of ours (the same as the local testbed's). */
export const K8S_NETSERVER_PORT = 12865;
/**
 * The data connection's port on the server side, pinned with netperf's test-specific `-P ,PORT` (the local testbed's
 * Service tests pin the same one), so a NetworkPolicy can allow exactly the control and the data port.
 */
export const K8S_NETPERF_DATA_PORT = 12866;
const HOSTNAME_LABEL = 'kubernetes.io/hostname';
const OS_LABEL = 'kubernetes.io/os';

/**
 * What every netperf pod asks for. Requests make the pod Burstable instead of BestEffort (first to be evicted, and
 * where Autopilot or a LimitRange default fills in a CPU limit), and let the scheduler count it; no limit is set, so
 * the kernel's CFS quota never throttles netperf — a limit the cluster injects anyway is warned about (admission.ts).
 * 500m is half a core for a single-threaded netperf or netserver that waits on the network most of the time; the
 * number only reserves room, it does not cap anything.
 */
const K8S_POD_REQUESTS = { cpu: '500m', memory: '64Mi' } as const;

/**
 * The container's command under a shell that ends on SIGTERM. netserver as PID 1 ignores SIGTERM — the kernel delivers no signal to a namespace's init that has no handler for
 * it — so every deletion waited out terminationGracePeriodSeconds before the kubelet's SIGKILL. A shell that traps
 * TERM and exits ends the container at once (the kernel then kills netserver with the rest of the PID namespace).
 * `wait` returns when a trapped signal arrives (POSIX, "wait": "the trap … shall be executed … wait shall return").
 */
function exitOnTerm(argv: readonly string[]): string[] {
  // argv is ours (a binary and numbers), never input: checked so that joining it into the script cannot change it.
  if (argv.some((a) => !/^[\w./-]+$/.test(a))) throw new ManifestError(`not a plain command line: ${argv.join(' ')}`);
  return ['sh', '-c', `trap 'exit 0' TERM INT; ${argv.join(' ')} & wait $!`];
}

function netserverCommand(port: number): string[] {
  return exitOnTerm(netserverArgs(port));
}

/** A manifest the API would refuse: what is wrong, per object. */
export class ManifestError extends Error {
  override name = 'ManifestError';
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;

function checkLabels(where: string, labels: Record<string, string> | undefined): void {
  for (const [k, v] of Object.entries(labels ?? {})) {
    if (!LABEL_KEY.test(k)) throw new ManifestError(`${where}: label key "${k}" is not a valid label key`);
    if (v.length > 63 || !LABEL_VALUE.test(v)) throw new ManifestError(`${where}: label ${k}="${v}" is not a valid label value`);
  }
}

/** Schema validation (kubernetes-models) and the naming rules of the API server; returns the plain JSON object. */
export function validated<T extends { kind?: string; metadata?: { name?: string; labels?: Record<string, string> } }>(model: { validate(): void; toJSON(): T }): T {
  const json = model.toJSON();
  const where = `${json.kind ?? 'object'} ${json.metadata?.name ?? '(unnamed)'}`;
  try {
    model.validate();
  } catch (err) {
    throw new ManifestError(`${where} does not match the Kubernetes API schema: ${err instanceof Error ? err.message : String(err)}`);
  }
  const name = json.metadata?.name ?? '';
  if (name.length > 63 || !DNS_SUBDOMAIN.test(name)) throw new ManifestError(`${where}: "${name}" is not a valid object name`);
  checkLabels(where, json.metadata?.labels);
  return json;
}

/** Validates a manifest given as plain JSON (what was applied, read back in tests): Namespace, Pod or DaemonSet. */
export function validateObject(obj: unknown): void {
  const o = obj as { kind?: string };
  const model = o.kind === 'Pod' ? new Pod(obj as IPod) : o.kind === 'Namespace' ? new Namespace(obj as INamespace) : o.kind === 'DaemonSet' ? new DaemonSet(obj as IDaemonSet) : undefined;
  if (!model) throw new ManifestError(`cnibench never applies a ${o.kind ?? 'kind-less object'}`);
  validated(model as { validate(): void; toJSON(): { kind?: string } });
}

export function namespaceManifest(name: string, runId: string, privileged: boolean): INamespace {
  return validated(new Namespace({
    metadata: {
      name,
      labels: {
        ...runLabels(runId),
        // The profiler needs hostPID, hostNetwork and privilege; without --profile the pods pass the "baseline" level.
        'pod-security.kubernetes.io/enforce': privileged ? 'privileged' : 'baseline',
      },
    },
  }));
}

export interface NetperfPodSpec {
  runId: string;
  namespace: string;
  name: string;
  role: 'server' | 'client' | 'launch';
  image: string;
  /** Value of the node's kubernetes.io/hostname label: the pod goes through the scheduler to exactly that node. */
  nodeHostname: string;
  /** Launch pods: which launch (a label, so a launch's events and pod are easy to find by hand). */
  launch?: number;
}

/**
 * A pod running netserver in the foreground. It is Ready once its readiness probe has reached netserver over the pod
 * network (kubelet → pod IP), so "Ready" means "answers on the network", as the local testbed's readiness does.
 * Placement uses a nodeSelector on kubernetes.io/hostname (not nodeName), so the scheduler is involved, its
 * PodScheduled condition and event are real, and an impossible placement says why.
 */
export function netperfPodManifest(s: NetperfPodSpec): IPod {
  return validated(new Pod({
    metadata: {
      name: s.name,
      namespace: s.namespace,
      labels: { ...runLabels(s.runId, s.role), ...(s.launch !== undefined ? { 'cnibench/launch': String(s.launch) } : {}) },
    },
    spec: {
      nodeSelector: { [HOSTNAME_LABEL]: s.nodeHostname, [OS_LABEL]: 'linux' },
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 1,
      automountServiceAccountToken: false,
      enableServiceLinks: false,
      containers: [{
        name: CONTAINER,
        image: s.image,
        imagePullPolicy: 'IfNotPresent',
        command: netserverCommand(K8S_NETSERVER_PORT),
        ports: [
          { name: 'netperf-ctl', containerPort: K8S_NETSERVER_PORT, protocol: 'TCP' },
          { name: 'netperf-data', containerPort: K8S_NETPERF_DATA_PORT, protocol: 'TCP' },
          { name: 'netperf-data-u', containerPort: K8S_NETPERF_DATA_PORT, protocol: 'UDP' },
        ],
        resources: { requests: { ...K8S_POD_REQUESTS } },
        readinessProbe: { tcpSocket: { port: K8S_NETSERVER_PORT }, initialDelaySeconds: 0, periodSeconds: 1, timeoutSeconds: 1, failureThreshold: 1, successThreshold: 1 },
        securityContext: { allowPrivilegeEscalation: false },
      }],
    },
  }));
}

export interface ProfilerSpec {
  runId: string;
  namespace: string;
  image: string;
  /** kubernetes.io/hostname of the receiving node: the DaemonSet runs there only. */
  nodeHostname: string;
  /** Which of the run's nodes that is (A: intra-host receiver, B: inter-host receiver). */
  node: 'a' | 'b';
}

/**
 * The profiler: a privileged DaemonSet pinned to the receiving node, in the host's PID and network namespaces with the
 * host's /sys and /proc mounted, idling until cnibench runs perf in it with `kubectl exec`.
 */
export function profilerDaemonSetManifest(s: ProfilerSpec): IDaemonSet {
  const labels = { ...runLabels(s.runId, 'profiler'), 'cnibench/node': s.node };
  return validated(new DaemonSet({
    metadata: { name: names.profiler(s.runId, s.node), namespace: s.namespace, labels },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: {
          nodeSelector: { [HOSTNAME_LABEL]: s.nodeHostname },
          hostPID: true,
          hostNetwork: true,
          dnsPolicy: 'ClusterFirstWithHostNet',
          terminationGracePeriodSeconds: 1,
          automountServiceAccountToken: false,
          tolerations: [{ operator: 'Exists' }],
          containers: [{
            name: PROFILER_CONTAINER,
            image: s.image,
            imagePullPolicy: 'IfNotPresent',
            // Idle until perf is exec'd; a number, because busybox's sleep has no "infinity"; under a shell that ends
            // on SIGTERM, as sleep as PID 1 would ignore it and every deletion would wait out the grace period.
            command: exitOnTerm(['sleep', '2147483647']),
            securityContext: { privileged: true },
            volumeMounts: [
              { name: 'host-sys', mountPath: '/host/sys' },
              { name: 'host-proc', mountPath: '/host/proc', readOnly: true },
            ],
          }],
          volumes: [
            { name: 'host-sys', hostPath: { path: '/sys', type: 'Directory' } },
            { name: 'host-proc', hostPath: { path: '/proc', type: 'Directory' } },
          ],
        },
      },
    },
  }));
}
