// The kubectl stand-in for tests (there is no cluster on the test machines). test/fixtures/k8s/kubectl is a small
// bash executable put first on PATH; it hands each call (argv, and stdin for `apply -f -`) over a loopback socket to
// the KubectlStub of the running test, which answers the way kubectl does — JSON in the shapes of real `kubectl get
// -o json` output (fixtures in test/fixtures/k8s), kubectl's own error messages (errors/, partly captured from a real
// kubectl, see README.md there), netperf output captured from real netperf 2.7.0 (../netperf) and perf output from
// real perf (../perf) — keeps the objects "applied" in memory and records every call. (A node process per call cost
// ~100 ms on these 2-core machines; bash + a socket costs a few.)
//
// A scenario (StubConfig) says what the cluster is like and how it misbehaves.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { readFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createHash } from 'node:crypto';
import { ROOT } from '../helpers/cli.ts';
import { WRITE_AND_MEASURE } from '../../src/k8s/execIntegrity.ts';

export const STUB_BIN_DIR = join(ROOT, 'test', 'fixtures', 'k8s');
const FIX = STUB_BIN_DIR;

export interface StubConfig {
  /** The kubeconfig's contexts (default kind-cnibench) and the current one (null: none set). */
  contexts?: string[];
  currentContext?: string | null;
  /** The API server refuses connections. */
  unreachable?: boolean;
  /** RBAC: `auth can-i` says no (keys "verb resource[/subresource]"), and the real call is Forbidden. */
  forbid?: string[];
  /** Fixture files. */
  nodes?: string;
  daemonsets?: string;
  /** The namespace exists before the run. */
  namespaceExists?: boolean;
  namespaceLabels?: Record<string, string>;
  /** What happens to created pods (podsByRole overrides per cnibench/role). */
  pods?: PodBehaviour;
  podsByRole?: Record<string, PodBehaviour>;
  /** The image's netperf; hangNetperf: netperf never returns (until killed). */
  netperf?: 'ok' | 'missing' | 'fail';
  hangNetperf?: boolean;
  netperfDelayMs?: number;
  perfSleepMs?: number;
  /** Where the profiler finds perf, and whether PodSecurity refuses the profiler's pod. */
  perf?: 'image' | 'node' | 'none';
  daemonset?: 'ok' | 'forbidden';
  /** How long perf takes from its start to counting (then its workload runs and prints first), ms. */
  perfStartMs?: number;
  /** The namespace exists but is being deleted (phase Terminating): the API refuses new objects in it. */
  namespaceTerminating?: boolean;
  /** An admission plugin refuses our pods: a ResourceQuota wanting limits, one used up, or OpenShift's SCCs. */
  admission?: 'quota-limits' | 'quota-exceeded' | 'scc';
  /** A LimitRange in the namespace whose default CPU limit the LimitRanger puts on containers without one. */
  limitRangeCpu?: string;
  /** Calico's IP pools and the operator's Installation (fixture files); absent: those resource types do not exist. */
  ippools?: string;
  installation?: string;
  /** How many `cat` fetches of a file written in a pod lose the end of the stream and still exit 0 (kubernetes#124571). */
  truncateExec?: number;
  /** Scales the seconds of `timeout` in exec'd commands (so a test need not wait out netperf's real bound). */
  timeScale?: number;
  /** Milliseconds between the steps of a pod's launch (bind, sandbox, container start, status sync, Ready). */
  launchStepMs?: number;
  /** Watches: "forbidden" refuses watching events (RBAC without "watch"). */
  watch?: 'ok' | 'forbidden';
}
type PodBehaviour = 'ready' | 'pending' | 'crashloop' | 'imagepull';

export interface Call {
  argv: string[];
  stdin?: string;
  t: number;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

interface StubPod extends Json {
  metadata: { name: string; namespace: string; labels: Record<string, string>; uid: string };
  spec: Json & { nodeName?: string };
  _events: { reason: string; message: string; type?: string; micro?: boolean; at?: string }[];
  _eventsAt: string;
}

/** A running `kubectl get --watch-only`: what it watches and where its notifications go. */
interface Watcher {
  stream: 'pods' | 'events';
  ns: string | undefined;
  name: string;
  emit: (type: string, object: unknown) => void;
}

/** Whether a container's command ends on SIGTERM as PID 1: only a shell that traps TERM does (netserver and sleep do not). */
export function exitsOnTerm(command: unknown): boolean {
  const c = Array.isArray(command) ? (command as string[]) : [];
  return /^(\/bin\/)?(ba)?sh$/.test(c[0] ?? '') && c[1] === '-c' && /trap .*TERM/.test(c[2] ?? '');
}

export interface StubObjects {
  namespaces: Record<string, Json>;
  pods: Record<string, StubPod>;
  daemonsets: Record<string, Json>;
}

/** The answer of one call: what kubectl would print and its exit code; `flush` sends what is there at once (streams). */
class Reply {
  stdout = '';
  stderr = '';
  constructor(private readonly sink?: (kind: 'O' | 'E', data: string) => void) {}
  out(s: string): void { this.stdout += s; }
  err(s: string): void { this.stderr += s; }
  json(o: unknown): void { this.stdout += JSON.stringify(o, null, 4) + '\n'; }
  flush(): void {
    if (!this.sink) return;
    if (this.stdout) this.sink('O', this.stdout);
    if (this.stderr) this.sink('E', this.stderr);
    this.stdout = '';
    this.stderr = '';
  }
}
class Exit extends Error {
  constructor(readonly code: number, readonly text = '') { super(text); }
}
const fail = (text: string, code = 1): never => { throw new Exit(code, text.endsWith('\n') ? text : text + '\n'); };
const fixture = (...p: string[]) => readFileSync(join(FIX, ...p), 'utf8');
const list = (items: unknown[]) => ({ apiVersion: 'v1', items, kind: 'List', metadata: { resourceVersion: '' } });
const sec = (d: Date) => d.toISOString().replace(/\.\d+Z$/, 'Z');
const micro = (d: Date) => d.toISOString().replace(/Z$/, '417Z');
const sleep = (ms: number, signal: AbortSignal) => new Promise<void>((resolve) => { const t = setTimeout(resolve, ms); signal.addEventListener('abort', () => { clearTimeout(t); resolve(); }); });

/** The QoS class the API server computes: BestEffort without requests or limits, Guaranteed with limits equal to requests. */
function qosClassOf(pod: Json): string {
  const rs = (pod.spec?.containers ?? []).map((c: Json) => c.resources ?? {});
  if (rs.every((r: Json) => !Object.keys(r.requests ?? {}).length && !Object.keys(r.limits ?? {}).length)) return 'BestEffort';
  const guaranteed = rs.every((r: Json) => ['cpu', 'memory'].every((k) => r.limits?.[k] && (r.requests?.[k] ?? r.limits[k]) === r.limits[k]));
  return guaranteed ? 'Guaranteed' : 'Burstable';
}

const pubPod = (p: StubPod) => { const { _events, _eventsAt, ...x } = p; return structuredClone(x); };

function labelsMatch(labels: Record<string, string> = {}, selector = ''): boolean {
  return selector.split(',').filter(Boolean).every((term) => {
    let m: RegExpMatchArray | null;
    if ((m = term.match(/^([^!=]+)!=(.*)$/))) return labels[m[1]!] !== m[2];
    if ((m = term.match(/^([^=]+)=(.*)$/))) return labels[m[1]!] === m[2];
    return labels[term] !== undefined;
  });
}

/** Arguments that are not flags (nor flag values) after the first `skip` words. */
function positionals(args: string[], skip: number): string[] {
  const out: string[] = [];
  for (let i = skip; i < args.length; i++) {
    if (['-n', '-o', '-l', '--field-selector', '--namespace', '-c'].includes(args[i]!)) { i++; continue; }
    if (args[i] === '--') break;
    if (!args[i]!.startsWith('-')) out.push(args[i]!);
  }
  return out;
}

export class KubectlStub {
  private readonly log: Call[] = [];
  private state: StubObjects & { seq: number; rx: Record<string, number>; files: Record<string, string>; fetches: number } = { namespaces: {}, pods: {}, daemonsets: {}, seq: 0, rx: {}, files: {}, fetches: 0 };
  private watchers = new Set<Watcher>();
  private timers = new Set<NodeJS.Timeout>();
  /** When perf said it was recording, per perf run (ms since the epoch). */
  readonly recordingAt: number[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(private config: StubConfig, private readonly server: Server, readonly dataDir: string, private readonly tmp: string) {
    this.reset();
  }

  static async create(config: StubConfig = {}): Promise<KubectlStub> {
    const tmp = await mkdtemp(join(tmpdir(), 'cnibench-kubectl-'));
    const dataDir = join(tmp, 'data');
    await mkdir(dataDir);
    const server = createServer();
    const stub = new KubectlStub(config, server, dataDir, tmp);
    server.on('connection', (s) => stub.serve(s));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return stub;
  }

  private reset(): void {
    const ns = 'cnibench';
    const terminating = this.config.namespaceTerminating;
    this.state.namespaces = this.config.namespaceExists || terminating
      ? { [ns]: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: this.config.namespaceLabels ?? {}, uid: 'ns-uid', ...(terminating ? { deletionTimestamp: sec(new Date()) } : {}) }, ...(terminating ? { spec: { finalizers: ['kubernetes'] } } : {}), status: { phase: terminating ? 'Terminating' : 'Active' } } }
      : {};
  }

  /** A new scenario for the same cluster state (e.g. the fault is fixed before --resume). */
  configure(config: StubConfig): void {
    this.config = config;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Environment of a process that should find the stand-in as kubectl. */
  env(): Record<string, string> {
    return { PATH: `${STUB_BIN_DIR}${delimiter}${process.env.PATH ?? ''}`, KUBECTL_STUB_PORT: String(this.port) };
  }

  /** Makes this process find the stand-in (in-process runs); returns the undo. */
  install(): () => void {
    const saved = { PATH: process.env.PATH, KUBECTL_STUB_PORT: process.env.KUBECTL_STUB_PORT };
    Object.assign(process.env, this.env());
    return () => {
      process.env.PATH = saved.PATH;
      if (saved.KUBECTL_STUB_PORT === undefined) delete process.env.KUBECTL_STUB_PORT;
      else process.env.KUBECTL_STUB_PORT = saved.KUBECTL_STUB_PORT;
    };
  }

  calls(): Call[] {
    return [...this.log];
  }

  /** The calls without global flags, as "verb resource …" strings, in order. */
  commands(): string[] {
    return this.log.map((c) => stripGlobal(c.argv).join(' '));
  }

  objects(): StubObjects {
    return structuredClone({ namespaces: this.state.namespaces, pods: this.state.pods, daemonsets: this.state.daemonsets });
  }

  /** Puts objects "in the cluster" as a crashed run would have left them. */
  seed(objects: Partial<StubObjects>): void {
    Object.assign(this.state.namespaces, objects.namespaces ?? {});
    Object.assign(this.state.pods, objects.pods ?? {});
    Object.assign(this.state.daemonsets, objects.daemonsets ?? {});
  }

  async remove(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    await rm(this.tmp, { recursive: true, force: true });
  }

  // ---- the socket protocol (see test/fixtures/k8s/kubectl) --------------------------------------------------------
  // request:  "<argc>\n" then each argument NUL-terminated, then "<stdin bytes>\n" and that many bytes
  // reply:    frames, sent as soon as there is something to say (watches and perf stream): "O <n>\n" and n bytes of
  //           stdout, "E <n>\n" and n bytes of stderr, and last "X <exit code>\n"
  private serve(socket: Socket): void {
    this.sockets.add(socket);
    const aborted = new AbortController();
    socket.on('close', () => { this.sockets.delete(socket); aborted.abort(); });
    socket.on('error', () => aborted.abort());
    let buf = Buffer.alloc(0);
    let done = false;
    socket.on('data', (chunk) => {
      if (done) return;
      buf = Buffer.concat([buf, chunk]);
      const req = parseRequest(buf);
      if (!req) return;
      done = true;
      const frame = (kind: 'O' | 'E', data: string) => {
        if (aborted.signal.aborted || !data) return;
        const b = Buffer.from(data);
        socket.write(Buffer.concat([Buffer.from(`${kind} ${b.length}\n`), b]));
      };
      void this.answer(req.argv, req.stdin, aborted.signal, frame).then(({ code, stdout, stderr }) => {
        if (aborted.signal.aborted) return;
        frame('O', stdout);
        frame('E', stderr);
        socket.end(`X ${code}\n`);
      });
    });
  }

  private async answer(argv: string[], stdin: string | undefined, signal: AbortSignal, sink: (kind: 'O' | 'E', data: string) => void): Promise<{ code: number; stdout: string; stderr: string }> {
    this.log.push({ argv, ...(stdin !== undefined ? { stdin } : {}), t: Date.now() });
    const r = new Reply(sink);
    try {
      const code = await this.kubectl(argv, stdin, r, signal);
      return { code, stdout: r.stdout, stderr: r.stderr };
    } catch (err) {
      if (err instanceof Exit) return { code: err.code, stdout: r.stdout, stderr: r.stderr + err.text };
      return { code: 97, stdout: r.stdout, stderr: `kubectl stand-in crashed: ${(err as Error).stack}\n` };
    }
  }

  // ---- kubectl ------------------------------------------------------------------------------------------------------
  private nodes(): Json[] {
    return JSON.parse(fixture(this.config.nodes ?? 'nodes.json')).items;
  }

  private async kubectl(raw: string[], stdin: string | undefined, r: Reply, signal: AbortSignal): Promise<number> {
    const cfg = this.config;
    let context: string | undefined;
    let kubeconfig: string | undefined;
    const args: string[] = [];
    for (let i = 0; i < raw.length; i++) {
      const a = raw[i]!;
      if (a === '--context') context = raw[++i];
      else if (a === '--kubeconfig') kubeconfig = raw[++i];
      else if (!a.startsWith('--request-timeout')) args.push(a);
    }
    const flag = (name: string) => { const i = args.indexOf(name); return i >= 0 ? args[i + 1] : undefined; };
    const has = (name: string) => args.includes(name);
    const contexts = cfg.contexts ?? ['kind-cnibench'];
    if (kubeconfig && kubeconfig.startsWith('/nonexistent')) fail(`error: stat ${kubeconfig}: no such file or directory`);
    if (args[0] === 'config') {
      if (args[1] === 'get-contexts') { r.out(contexts.map((c) => c + '\n').join('')); return 0; }
      if (args[1] === 'current-context') {
        if (cfg.currentContext === null) fail(fixture('errors', 'current-context-not-set.stderr'));
        r.out((cfg.currentContext ?? contexts[0]) + '\n');
        return 0;
      }
    }
    if (context && !contexts.includes(context)) fail(fixture('errors', 'context-not-found.stderr').replace('nope', context));
    if (cfg.unreachable) {
      if (args[0] === 'version') r.json({ clientVersion: JSON.parse(fixture('version.json')).clientVersion, kustomizeVersion: 'v5.0.4-0.20230601165947-6ce0bf390ce3' });
      fail(fixture('errors', 'connection-refused.stderr'));
    }
    const forbid = new Set(cfg.forbid ?? []);
    const forbidden = (verb: string, resource: string, ns?: string): never => fail(`Error from server (Forbidden): ${resource} is forbidden: User "alice" cannot ${verb} resource "${resource.replace(/\..*/, '')}" in API group "${resource.includes('.') ? resource.replace(/^[^.]+\./, '') : ''}"${ns ? ` in the namespace "${ns}"` : ' at the cluster scope'}`);
    const ns = flag('-n') ?? flag('--namespace');
    const [cmd, ...rest] = args;
    switch (cmd) {
      case 'version':
        r.out(fixture('version.json'));
        return 0;
      case 'auth': {
        const sub = rest.find((a) => a.startsWith('--subresource='))?.split('=')[1];
        if (forbid.has(`${rest[1]} ${rest[2]}${sub ? `/${sub}` : ''}`)) { r.out('no\n'); return 1; }
        r.out('yes\n');
        return 0;
      }
      case 'get':
        return this.get(rest, ns, flag, has, forbid, forbidden, r, signal);
      case 'apply':
        return this.apply(JSON.parse(stdin ?? '{}').items ?? [], forbid, forbidden, r);
      case 'delete':
        return this.del(rest, ns, flag, has, r, signal);
      case 'exec':
        return this.exec(rest, ns, r, signal);
      default:
        return fail(`kubectl stand-in: "${cmd}" is not emulated`, 98);
    }
  }

  private behaviour(pod: Json): PodBehaviour {
    return this.config.podsByRole?.[pod.metadata.labels?.['cnibench/role']] ?? this.config.pods ?? 'ready';
  }

  private createPod(pod: StubPod): void {
    const t = new Date();
    const all = this.nodes();
    const idx = all.findIndex((n) => n.metadata.labels?.['kubernetes.io/hostname'] === pod.spec?.nodeSelector?.['kubernetes.io/hostname']);
    const node = all[idx];
    this.state.seq++;
    pod.metadata = { ...pod.metadata, uid: `0000${this.state.seq}-uid`, creationTimestamp: sec(t), resourceVersion: String(1000 + this.state.seq) } as StubPod['metadata'];
    const how = node ? this.behaviour(pod) : 'unmatched';
    const cond = (type: string, status = 'True', extra: Json = {}) => ({ lastProbeTime: null, lastTransitionTime: sec(t), status, type, ...extra });
    if (how === 'pending' || how === 'unmatched') {
      const n = all.length;
      const message = how === 'unmatched'
        ? `0/${n} nodes are available: ${n} node(s) didn't match Pod's node affinity/selector. preemption: 0/${n} nodes are available: ${n} Preemption is not helpful for scheduling.`
        : `0/${n} nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/${n} nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.`;
      pod.status = { phase: 'Pending', qosClass: 'BestEffort', conditions: [cond('PodScheduled', 'False', { reason: 'Unschedulable', message })] };
      pod._events = [{ reason: 'FailedScheduling', type: 'Warning', message, micro: true }];
    } else {
      pod.spec.nodeName = node!.metadata.name;
      const ip = `10.244.${idx}.${10 + this.state.seq}`;
      const image = pod.spec.containers[0].image as string;
      const base = { containerID: `containerd://${'ab'.repeat(32)}`, image, imageID: `${image.replace(/:[^:/]*$/, '')}@sha256:${'3d8f'.repeat(16)}`, name: pod.spec.containers[0].name };
      const assigned = `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node!.metadata.name}`;
      if (how === 'crashloop') {
        pod.status = { phase: 'Running', podIP: ip, conditions: [cond('PodReadyToStartContainers'), cond('Initialized'), cond('Ready', 'False', { reason: 'ContainersNotReady' }), cond('ContainersReady', 'False'), cond('PodScheduled')],
          containerStatuses: [{ ...base, ready: false, restartCount: 3, started: false, lastState: { terminated: { exitCode: 127, reason: 'Error', startedAt: sec(t), finishedAt: sec(t) } }, state: { waiting: { reason: 'CrashLoopBackOff', message: `back-off 40s restarting failed container=netperf pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})` } } }] };
        pod._events = [{ reason: 'Scheduled', micro: true, message: assigned }, { reason: 'BackOff', type: 'Warning', message: 'Back-off restarting failed container netperf in pod' }];
      } else if (how === 'imagepull') {
        const message = `Failed to pull image "${image}": rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image}: not found`;
        pod.status = { phase: 'Pending', podIP: ip, conditions: [cond('PodReadyToStartContainers'), cond('Initialized'), cond('Ready', 'False'), cond('ContainersReady', 'False'), cond('PodScheduled')],
          containerStatuses: [{ ...base, imageID: '', ready: false, restartCount: 0, started: false, lastState: {}, state: { waiting: { reason: 'ImagePullBackOff', message: `Back-off pulling image "${image}"` } } }] };
        pod._events = [{ reason: 'Scheduled', micro: true, message: assigned }, { reason: 'Failed', type: 'Warning', message }];
      } else {
        // A launch as the kubelet runs it, one step every launchStepMs so that watches see each notification arrive:
        // the pod bound to its node, the scheduler's event; the sandbox (CNI ADD) and then the first container's image
        // check (Pulled); Created, Started; then the status of the kubelet's next sync — running, the pod IP and
        // PodReadyToStartContainers True only now, after the container started (the kubelet writes the status it
        // computed at the start of the sync that created the sandbox); last Ready once the probe answered.
        pod.status = { phase: 'Pending', qosClass: qosClassOf(pod), conditions: [] };
        pod._events = [];
        const key = `${pod.metadata.namespace}/${pod.metadata.name}`;
        const step = this.config.launchStepMs ?? 10;
        let startedAt = sec(t);
        const steps: (() => void)[] = [
          () => {
            pod.spec.nodeName = node!.metadata.name;
            pod.status.conditions = [cond('PodScheduled', 'True', { lastTransitionTime: sec(new Date()) })];
            this.notifyPod(pod, 'MODIFIED');
            this.addEvent(pod, { reason: 'Scheduled', micro: true, message: assigned });
          },
          () => this.addEvent(pod, { reason: 'Pulled', message: `Container image "${image}" already present on machine` }),
          () => {
            startedAt = sec(new Date());
            this.addEvent(pod, { reason: 'Created', message: 'Created container netperf' });
            this.addEvent(pod, { reason: 'Started', message: 'Started container netperf' });
          },
          () => {
            const now = sec(new Date());
            pod.status = { phase: 'Running', podIP: ip, podIPs: [{ ip }], hostIP: node!.status.addresses[0].address, qosClass: qosClassOf(pod), startTime: sec(t),
              conditions: [cond('PodReadyToStartContainers', 'True', { lastTransitionTime: now }), cond('Initialized'), cond('Ready', 'False', { lastTransitionTime: now, reason: 'ContainersNotReady' }), cond('ContainersReady', 'False', { lastTransitionTime: now }), cond('PodScheduled')],
              containerStatuses: [{ ...base, ready: false, restartCount: 0, started: true, lastState: {}, state: { running: { startedAt } } }] };
            this.notifyPod(pod, 'MODIFIED');
          },
          () => {
            const now = sec(new Date());
            for (const c of pod.status.conditions as Json[]) if (c.type === 'Ready' || c.type === 'ContainersReady') Object.assign(c, { status: 'True', lastTransitionTime: now, reason: undefined });
            pod.status.conditions = (pod.status.conditions as Json[]).map((c) => JSON.parse(JSON.stringify(c)));
            pod.status.containerStatuses[0].ready = true;
            this.notifyPod(pod, 'MODIFIED');
          },
        ];
        const run = (i: number) => {
          if (this.state.pods[key] !== pod || i >= steps.length) return;
          steps[i]!();
          const timer = setTimeout(() => { this.timers.delete(timer); run(i + 1); }, step);
          this.timers.add(timer);
        };
        const first = setTimeout(() => { this.timers.delete(first); run(0); }, step);
        this.timers.add(first);
        delete pod.spec.nodeName;
      }
    }
    pod._eventsAt = t.toISOString();
    this.state.pods[`${pod.metadata.namespace}/${pod.metadata.name}`] = pod;
    this.notifyPod(pod, 'ADDED');
  }

  /** An event of a pod as `kubectl get events -o json` prints it: the scheduler's through events.k8s.io/v1 (µs eventTime), the kubelet's with whole seconds. */
  private eventJson(p: StubPod, i: number): Json {
    const e = p._events[i]!;
    const { name, namespace: ns } = p.metadata;
    const t = new Date(e.at ?? p._eventsAt);
    return {
      apiVersion: 'v1', kind: 'Event', ...(e.micro ? {} : { count: 1 }), eventTime: e.micro ? micro(t) : null,
      firstTimestamp: e.micro ? null : sec(t), lastTimestamp: e.micro ? null : sec(t),
      involvedObject: { apiVersion: 'v1', kind: 'Pod', name, namespace: ns, uid: p.metadata.uid, ...(e.micro ? {} : { fieldPath: 'spec.containers{netperf}' }) },
      message: e.message, metadata: { creationTimestamp: sec(t), name: `${name}.18${i}f3c`, namespace: ns }, reason: e.reason,
      reportingComponent: e.micro ? 'default-scheduler' : 'kubelet', source: e.micro ? {} : { component: 'kubelet', host: p.spec.nodeName }, type: e.type ?? 'Normal',
    };
  }

  /** Adds an event to a pod and tells the watchers of its events. */
  private addEvent(p: StubPod, e: StubPod['_events'][number]): void {
    p._events.push({ ...e, at: e.at ?? new Date().toISOString() });
    const json = this.eventJson(p, p._events.length - 1);
    for (const w of this.watchers) if (w.stream === 'events' && w.ns === p.metadata.namespace && w.name === p.metadata.name) w.emit('ADDED', json);
  }

  /** Tells the watchers of a pod about its new state. */
  private notifyPod(p: StubPod, type: 'ADDED' | 'MODIFIED' | 'DELETED'): void {
    for (const w of this.watchers) if (w.stream === 'pods' && w.ns === p.metadata.namespace && w.name === p.metadata.name) w.emit(type, pubPod(p));
  }

  /**
   * `kubectl get pods|events --field-selector … --watch-only -o json --output-watch-events -v=6`: kubectl's request log
   * line of the open watch on stderr (the -v=6 format of round_trippers.go), then one indented JSON document per
   * notification, until kubectl is stopped.
   */
  private async watch(stream: 'pods' | 'events', ns: string | undefined, selector: string, forbidden: (v: string, r: string, ns?: string) => never, r: Reply, signal: AbortSignal): Promise<number> {
    if (stream === 'events' && this.config.watch === 'forbidden') forbidden('watch', 'events', ns);
    const name = selector.replace(/^(metadata\.name|involvedObject\.name)=/, '');
    const url = `https://127.0.0.1:6443/api/v1/namespaces/${ns}/${stream}?fieldSelector=${encodeURIComponent(selector)}`;
    const stamp = () => { const d = new Date(); return `I${String(d.getMonth() + 1).padStart(2, '0')}${String(d.getDate()).padStart(2, '0')} ${d.toISOString().slice(11, 23)}000   4242`; };
    r.err(`${stamp()} loader.go:395] Config loaded from file:  /home/alice/.kube/config\n${stamp()} round_trippers.go:553] GET ${url}&limit=500 200 OK in 4 milliseconds\n`);
    r.flush();
    await sleep(5, signal);
    const w: Watcher = { stream, ns, name, emit: (type, object) => { r.json({ type, object }); r.flush(); } };
    this.watchers.add(w);
    r.err(`${stamp()} round_trippers.go:553] GET ${url}&resourceVersion=${1000 + this.state.seq}&watch=true 200 OK in 1 milliseconds\n`);
    r.flush();
    await new Promise<void>((resolve) => { if (signal.aborted) resolve(); else signal.addEventListener('abort', () => resolve(), { once: true }); });
    this.watchers.delete(w);
    return 0;
  }

  private eventsOf(ns: string | undefined, name: string): Json[] {
    const items: Json[] = [];
    const p = this.state.pods[`${ns}/${name}`];
    const ds = this.state.daemonsets[`${ns}/${name}`];
    for (const i of (p?._events ?? []).keys()) items.push(this.eventJson(p!, i));
    if (ds && this.config.daemonset === 'forbidden') {
      items.push({ apiVersion: 'v1', kind: 'Event', count: 3, eventTime: null, firstTimestamp: sec(new Date()), lastTimestamp: sec(new Date()),
        involvedObject: { apiVersion: 'apps/v1', kind: 'DaemonSet', name, namespace: ns, uid: ds.metadata.uid },
        message: `Error creating: pods "${name}-x7k2p" is forbidden: violates PodSecurity "baseline:latest": host namespaces (hostNetwork=true, hostPID=true), hostPath volumes (volumes "host-sys", "host-proc"), privileged (container "perf" must not set securityContext.privileged=true)`,
        metadata: { name: `${name}.17a2`, namespace: ns }, reason: 'FailedCreate', reportingComponent: 'daemonset-controller', source: { component: 'daemonset-controller' }, type: 'Warning' });
    }
    return items;
  }

  private apply(objs: Json[], forbid: Set<string>, forbidden: (v: string, r: string, ns?: string) => never, r: Reply): number {
    const printed: string[] = [];
    for (const o of objs) {
      const n = o.metadata.namespace;
      if (o.kind === 'Namespace') {
        if (forbid.has('create namespaces')) forbidden('create', 'namespaces');
        this.state.namespaces[o.metadata.name] = { ...o, metadata: { ...o.metadata, uid: 'ns-uid' }, status: { phase: 'Active' } };
        printed.push(`namespace/${o.metadata.name}`);
      } else if (o.kind === 'Pod') {
        if (forbid.has('create pods')) forbidden('create', 'pods', n);
        if (!this.state.namespaces[n]) fail(`Error from server (NotFound): error when creating "STDIN": namespaces "${n}" not found`);
        this.admit(o);
        const pod = structuredClone(o) as StubPod;
        if (this.config.limitRangeCpu) {
          // The LimitRanger admission plugin: containers without a CPU limit get the LimitRange's default.
          for (const c of pod.spec.containers as Json[]) {
            c.resources ??= {};
            if (!c.resources.limits?.cpu) c.resources.limits = { ...(c.resources.limits ?? {}), cpu: this.config.limitRangeCpu };
          }
          pod.metadata = { ...pod.metadata, annotations: { ...(pod.metadata as Json).annotations, 'kubernetes.io/limit-ranger': `LimitRanger plugin set: cpu limit for container ${(pod.spec.containers as Json[])[0]!.name}` } } as StubPod['metadata'];
        }
        this.createPod(pod);
        printed.push(`pod/${o.metadata.name}`);
      } else if (o.kind === 'DaemonSet') {
        if (forbid.has('create daemonsets.apps')) forbidden('create', 'daemonsets.apps', n);
        this.state.daemonsets[`${n}/${o.metadata.name}`] = { ...o, metadata: { ...o.metadata, uid: `ds-${o.metadata.name}` } };
        if (this.config.daemonset !== 'forbidden') {
          const t = o.spec.template;
          this.createPod({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `${o.metadata.name}-x7k2p`, namespace: n, labels: { ...t.metadata.labels }, uid: '' }, spec: structuredClone(t.spec), _events: [], _eventsAt: '' });
        }
        printed.push(`daemonset.apps/${o.metadata.name}`);
      } else {
        fail(`kubectl stand-in: apply of ${o.kind} is not emulated`, 98);
      }
    }
    r.out(printed.map((p) => p + '\n').join(''));
    return 0;
  }

  /**
   * What the API server's admission says before a pod is stored: NamespaceLifecycle for a namespace being deleted,
   * ResourceQuota, and OpenShift's SecurityContextConstraints (texts of the API server and OpenShift as kubectl prints them).
   */
  private admit(o: Json): void {
    const n = o.metadata.namespace;
    const refuse = (file: string) => fail(fixture('errors', file).replace('"POD"', `"${o.metadata.name}"`).replace('namespace cnibench', `namespace ${n}`));
    if (this.state.namespaces[n]?.status?.phase === 'Terminating') refuse('namespace-terminating.stderr');
    if (this.config.admission === 'quota-limits') refuse('quota-limits.stderr');
    if (this.config.admission === 'quota-exceeded') refuse('quota-exceeded.stderr');
    if (this.config.admission === 'scc') refuse('scc.stderr');
  }

  private get(rest: string[], ns: string | undefined, flag: (n: string) => string | undefined, has: (n: string) => boolean, forbid: Set<string>, forbidden: (v: string, r: string, ns?: string) => never, r: Reply, signal: AbortSignal): number | Promise<number> {
    const what = rest[0];
    const pos = positionals(rest, 1);
    const o = flag('-o');
    const sel = flag('-l');
    if (has('--watch-only')) return this.watch(what === 'events' ? 'events' : 'pods', ns, flag('--field-selector') ?? '', forbidden, r, signal);
    switch (what) {
      case 'ippools.crd.projectcalico.org':
      case 'installations.operator.tigera.io': {
        const file = what.startsWith('ippools') ? this.config.ippools : this.config.installation;
        if (!file) fail(`error: the server doesn't have a resource type "${what}"`);
        r.out(fixture(file!));
        return 0;
      }
      case 'namespace': {
        const n = this.state.namespaces[pos[0]!];
        if (!n) fail(`Error from server (NotFound): namespaces "${pos[0]}" not found`);
        r.json(n);
        return 0;
      }
      case 'namespaces': {
        const found = Object.values(this.state.namespaces).filter((n) => labelsMatch(n.metadata.labels, sel));
        if (o === 'name') r.out(found.map((n) => `namespace/${n.metadata.name}\n`).join(''));
        else r.json(list(found));
        return 0;
      }
      case 'nodes': {
        if (forbid.has('list nodes')) forbidden('list', 'nodes');
        let items = this.nodes();
        if (pos.length) {
          for (const n of pos) if (!items.some((x) => x.metadata.name === n)) fail(`Error from server (NotFound): nodes "${n}" not found`);
          items = items.filter((x) => pos.includes(x.metadata.name));
          if (pos.length === 1) { r.json(items[0]); return 0; }
        }
        r.json(list(items));
        return 0;
      }
      case 'daemonsets': {
        const all = JSON.parse(fixture(this.config.daemonsets ?? 'daemonsets-flannel.json')).items as Json[];
        if (has('--all-namespaces') && forbid.has('list daemonsets.apps --all-namespaces')) forbidden('list', 'daemonsets.apps');
        r.json(list(has('--all-namespaces') ? all : all.filter((d) => d.metadata.namespace === ns)));
        return 0;
      }
      case 'pods':
      case 'pod': {
        if (forbid.has('list pods')) forbidden('list', 'pods', ns);
        if (pos.length) {
          const p = this.state.pods[`${ns}/${pos[0]}`];
          if (!p) fail(`Error from server (NotFound): pods "${pos[0]}" not found`);
          r.json(pubPod(p!));
          return 0;
        }
        const found = Object.values(this.state.pods).filter((p) => (has('--all-namespaces') || p.metadata.namespace === ns) && labelsMatch(p.metadata.labels, sel)).map(pubPod);
        if (o === 'name') r.out(found.map((p) => `pod/${p.metadata.name}\n`).join(''));
        else r.json(list(found));
        return 0;
      }
      case 'events':
        r.json(list(this.eventsOf(ns, (flag('--field-selector') ?? '').replace(/^involvedObject\.name=/, ''))));
        return 0;
      default:
        return fail(`kubectl stand-in: get ${what} is not emulated`, 98);
    }
  }

  /**
   * How long deleting these pods takes with --wait: the kubelet sends SIGTERM to each container's PID 1 and SIGKILL
   * after terminationGracePeriodSeconds; a PID 1 that does not exit on TERM (netserver, sleep: the kernel delivers no
   * signal to a namespace's init without a handler) makes the deletion wait out the whole grace period.
   */
  private graceWaitMs(pods: StubPod[]): number {
    const waits = pods.map((p) => (((p.spec?.containers ?? []) as Json[]).every((c) => exitsOnTerm(c.command)) ? 0 : Number(p.spec.terminationGracePeriodSeconds ?? 30) * 1000));
    return Math.max(0, ...waits);
  }

  private async del(rest: string[], ns: string | undefined, flag: (n: string) => string | undefined, has: (n: string) => boolean, r: Reply, signal: AbortSignal): Promise<number> {
    const what = rest[0];
    const pos = positionals(rest, 1);
    const sel = flag('-l');
    const printed: string[] = [];
    const s = this.state;
    const waits = !has('--wait=false');
    const going = Object.entries(s.pods).filter(([k, p]) => {
      if (what === 'namespace') return k.startsWith(`${pos[0]}/`);
      if (what === 'pod') return k === `${ns}/${pos[0]}`;
      return (has('--all-namespaces') || p.metadata.namespace === ns) && labelsMatch(p.metadata.labels, sel);
    }).map(([, p]) => p);
    for (const p of going) this.notifyPod(p, 'MODIFIED');
    if (waits) await sleep(this.graceWaitMs(going), signal);
    if (what === 'namespace') {
      const n = pos[0]!;
      if (s.namespaces[n]) {
        delete s.namespaces[n];
        for (const k of Object.keys(s.pods)) if (k.startsWith(`${n}/`)) delete s.pods[k];
        for (const k of Object.keys(s.daemonsets)) if (k.startsWith(`${n}/`)) delete s.daemonsets[k];
        printed.push(`namespace/${n}`);
      }
    } else if (what === 'pod') {
      if (s.pods[`${ns}/${pos[0]}`]) { delete s.pods[`${ns}/${pos[0]}`]; printed.push(`pod/${pos[0]}`); }
    } else if (what === 'pods,daemonsets.apps') {
      const all = has('--all-namespaces');
      for (const [k, p] of Object.entries(s.pods)) {
        if ((all || p.metadata.namespace === ns) && labelsMatch(p.metadata.labels, sel)) { delete s.pods[k]; printed.push(`pod/${p.metadata.name}`); }
      }
      for (const [k, d] of Object.entries(s.daemonsets)) {
        if ((all || d.metadata.namespace === ns) && labelsMatch(d.metadata.labels, sel)) { delete s.daemonsets[k]; printed.push(`daemonset.apps/${d.metadata.name}`); }
      }
    } else {
      fail(`kubectl stand-in: delete ${what} is not emulated`, 98);
    }
    r.out(printed.map((p) => (flag('-o') === 'name' ? `${p}\n` : `${p} deleted\n`)).join(''));
    return 0;
  }

  private async exec(rest: string[], ns: string | undefined, r: Reply, signal: AbortSignal): Promise<number> {
    const podName = positionals(rest, 0)[0]!;
    if (!this.state.pods[`${ns}/${podName}`]) fail(`Error from server (NotFound): pods "${podName}" not found`);
    let command = rest.slice(rest.indexOf('--') + 1);
    let viaNsenter = false;
    if (command[0] === 'nsenter') { command = command.slice(command.indexOf('--') + 1); viaNsenter = true; }
    if (command[0] !== 'timeout') return this.run(command, podName, viaNsenter, r, signal);
    // coreutils' timeout [-k K] S CMD…: TERM after S seconds (scaled by timeScale), exit 124; kubectl passes the code on.
    let i = 1;
    if (command[i] === '-k') i += 2;
    const seconds = Number(command[i]);
    const bounded = new AbortController();
    const stop = () => bounded.abort();
    signal.addEventListener('abort', stop, { once: true });
    const timer = setTimeout(stop, seconds * 1000 * (this.config.timeScale ?? 1));
    try {
      const code = await this.run(command.slice(i + 1), podName, viaNsenter, r, bounded.signal);
      if (bounded.signal.aborted && !signal.aborted) { r.err('command terminated with exit code 124\n'); return 124; }
      return code;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', stop);
    }
  }

  /** A command inside a pod (after kubectl's, nsenter's and timeout's own arguments). */
  private async run(command: string[], podName: string, viaNsenter: boolean, r: Reply, signal: AbortSignal): Promise<number> {
    const cfg = this.config;
    const [bin, ...a] = command;
    const notFound = (b: string) => fixture('errors', 'exec-no-netperf.stderr').replace(/"netperf"/, `"${b}"`);
    if (bin === 'netperf') {
      if (cfg.netperf === 'missing') fail(notFound('netperf'));
      if (a[0] === '-V') { r.out('Netperf version 2.7.0\n'); return 0; }
      if (cfg.hangNetperf) { await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve())); return 137; }
      await sleep(cfg.netperfDelayMs ?? 20, signal);
      if (cfg.netperf === 'fail') {
        r.out(fixture('..', 'netperf', 'error-no-netserver.stdout'));
        r.stderr += fixture('..', 'netperf', 'error-no-netserver.stderr') + 'command terminated with exit code 255\n';
        return 255;
      }
      const test = ({ TCP_STREAM: 'tcp_stream', TCP_RR: 'tcp_rr', UDP_RR: 'udp_rr' } as Record<string, string>)[a[a.indexOf('-t') + 1]!];
      r.out(fixture('..', 'netperf', `${test}.keyval.stdout`));
      return 0;
    }
    if (bin === 'true') return 0;
    if (bin === 'sh' && a[0] === '-c' && a[1] === WRITE_AND_MEASURE) {
      // perf script written to a file in the pod and measured there (size, sha256), as the profile does.
      const [out, ...inner] = a.slice(3);
      const sub = new Reply();
      const code = await this.run(inner, podName, viaNsenter, sub, signal);
      if (code !== 0) { r.err(sub.stderr); return code; }
      this.state.files[`${podName}:${out}`] = sub.stdout;
      r.out(`${Buffer.byteLength(sub.stdout)}\n${createHash('sha256').update(sub.stdout).digest('hex')}  ${out}\n`);
      return 0;
    }
    const file = bin === 'cat' ? this.state.files[`${podName}:${a[0]}`] : undefined;
    if (file !== undefined) {
      // kubernetes/kubernetes#124571: the first truncateExec fetches lose the stream's end and still exit 0.
      const cut = this.state.fetches++ < (cfg.truncateExec ?? 0);
      r.out(cut ? file.slice(0, Math.floor(file.length * 0.6)) : file);
      return 0;
    }
    if (bin === 'cat' && a[0] === '/proc/cpuinfo') {
      r.out('processor\t: 0\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) CPU E5-2640 v4 @ 2.40GHz\ncpu MHz\t\t: 2399.998\n\nprocessor\t: 1\nvendor_id\t: GenuineIntel\nmodel name\t: Intel(R) Xeon(R) CPU E5-2640 v4 @ 2.40GHz\ncpu MHz\t\t: 2399.998\n');
      return 0;
    }
    if (bin === 'cat' && a[0] === '/proc/net/dev') {
      const n = (this.state.rx[podName] = (this.state.rx[podName] ?? 0) + 1);
      r.out('Inter-|   Receive                                                |  Transmit\n face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed\n'
        + '    lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0\n'
        + `  eth0: ${n * 1_450_000_000} ${n * 22_000}    0    0    0     0          0         0 ${n * 1_900_000} ${n * 21_000}    0    0    0     0       0          0\n1450\n`);
      return 0;
    }
    // perf stat's CSV (a real capture); its line for the "cycles" event that VM did not count is left out, as the
    // stand-in's perf stat counts cpu-clock, context switches and FIB lookups.
    if (bin === 'cat') { r.out(fixture('..', 'perf', 'stat-stderr.csv').split('\n').filter((l) => !l.includes(',cycles,')).join('\n')); return 0; }
    if (bin === 'rm') return 0;
    if (bin === 'perf') {
      const mode = cfg.perf ?? 'image';
      if (mode === 'none' || (mode === 'image' && viaNsenter) || (mode === 'node' && !viaNsenter)) {
        if (viaNsenter) fail('nsenter: failed to execute perf: No such file or directory\ncommand terminated with exit code 127', 127);
        fail(notFound('perf'));
      }
      if (a[0] === '--version') { r.out('perf version 6.1.106\n'); return 0; }
      if (a[0] === 'stat' && a.includes('true')) { r.stderr += '<not supported>,,cycles,0,100.00,,\n'; return 0; }
      if (a[0] === 'record' || a[0] === 'stat') {
        // perf opens and enables its events (perfStartMs), then lets the workload run, which says so first.
        await sleep(cfg.perfStartMs ?? 20, signal);
        const workload = a.slice(a.indexOf('--') + 1);
        if (workload[0] === 'sh' && /^echo '([^']*)'/.test(workload[2] ?? '')) {
          r.out(`${workload[2]!.match(/^echo '([^']*)'/)![1]}\n`);
          r.flush();
          this.recordingAt.push(Date.now());
        }
        await sleep(cfg.perfSleepMs ?? 100, signal);
        if (a[0] === 'record') r.stderr += fixture('..', 'perf', 'main.record.stderr');
        return 0;
      }
      if (a[0] === 'script') { r.out(fixture('..', 'perf', 'excerpt.perf-script.txt')); return 0; }
    }
    return fail(notFound(bin ?? ''));
  }
}

function parseRequest(buf: Buffer): { argv: string[]; stdin?: string } | undefined {
  const nl = buf.indexOf(10);
  if (nl < 0) return undefined;
  const argc = Number(buf.subarray(0, nl).toString());
  let at = nl + 1;
  const argv: string[] = [];
  for (let i = 0; i < argc; i++) {
    const end = buf.indexOf(0, at);
    if (end < 0) return undefined;
    argv.push(buf.subarray(at, end).toString());
    at = end + 1;
  }
  const nl2 = buf.indexOf(10, at);
  if (nl2 < 0) return undefined;
  const len = Number(buf.subarray(at, nl2).toString());
  if (buf.length < nl2 + 1 + len) return undefined;
  return { argv, ...(len > 0 ? { stdin: buf.subarray(nl2 + 1, nl2 + 1 + len).toString() } : {}) };
}

export function stripGlobal(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--context' || argv[i] === '--kubeconfig') { i++; continue; }
    if (argv[i]!.startsWith('--request-timeout')) continue;
    out.push(argv[i]!);
  }
  return out;
}

/** Runs `fn` with a fresh stand-in, removed afterwards whatever happens. */
export async function withStub(config: StubConfig, fn: (stub: KubectlStub) => Promise<void>): Promise<void> {
  const stub = await KubectlStub.create(config);
  try {
    await fn(stub);
  } finally {
    await stub.remove();
  }
}
