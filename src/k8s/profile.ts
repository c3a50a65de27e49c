// A profiled item on a cluster (--profile): a privileged DaemonSet on the receiving node runs the local backend's perf
// commands (perf record -a -g, perf stat -a) while the client pod streams to the server pod; perf's output comes back
// through kubectl exec (perf script written and measured in the pod, then streamed through gzip and checked; the stat
// CSV with cat) into the same files as a local run.
import { join } from 'node:path';
import { execa } from 'execa';
import { fileSha256 } from '../util/atomic.ts';
import type { RunResult } from '../util/exec.ts';
import { parseNetperfError } from '../tools/netperf/parse.ts';
import { CONTEXT_SWITCHES, FIB_EVENT, perfRecordArgs, perfScriptArgs, perfStatArgs, type CyclesEvent } from '../tools/perf/command.ts';
import { concludeProfileItem, profileRawDir, type ProfileCounters } from '../collect/profileRecord.ts';
import { parseNetDev as parseProcNetDev } from '../tools/proc/netdev.ts';
import type { LinkCounters } from '../testbed/verify.ts';
import { writeRaw, type ItemRecord, type RunManifest } from '../collect/manifest.ts';
import { CONTAINER, PROFILER_CONTAINER, ROLE_LABEL, names, selectorOf } from './labels.ts';
import { profilerDaemonSetManifest } from './manifests.ts';
import { hostnameOf } from './nodes.ts';
import { PodsNotReadyError, waitForReady, type PodObject } from './pods.ts';
import { boundedNetperf, endsOf, k8sNetperfArgs } from './netperf.ts';
import { WRITE_AND_MEASURE, fetchChecked, parseMeasure } from './execIntegrity.ts';
import type { K8sSession } from './session.ts';

/** How perf is reached on the receiving node: the profiler image's own perf, or the node's through nsenter. */
export interface Profiler {
  pod: string;
  /** Prefix of every perf command ([] or nsenter into the host's mount namespace). */
  prefix: string[];
  where: 'image' | 'node';
  event: CyclesEvent;
}

/** Parses `cat /proc/net/dev /sys/class/net/eth0/mtu` run inside a pod. */
export function parseNetDev(text: string, iface = 'eth0'): { links: Record<string, LinkCounters>; mtu: number } {
  const mtuLine = text.split('\n').find((l) => /^\s*\d+\s*$/.test(l));
  const mtu = mtuLine === undefined ? NaN : Number(mtuLine.trim());
  const links: Record<string, LinkCounters> = {};
  for (const [dev, c] of parseProcNetDev(text)) links[dev] = { rxBytes: c.rxBytes, rx: c.rx, txBytes: c.txBytes, tx: c.tx, mtu: dev === iface ? mtu : NaN };
  return { links, mtu };
}

async function podCounters(s: K8sSession, pod: PodObject, signal: AbortSignal): Promise<Record<string, LinkCounters>> {
  const r = await s.k.exec(s.namespace, pod.metadata.name, CONTAINER, ['cat', '/proc/net/dev', '/sys/class/net/eth0/mtu'], { timeoutMs: 30_000, signal });
  if (r.exitCode !== 0 && !r.cancelled) throw new Error(`reading interface counters in pod ${pod.metadata.name}: ${r.stderr.trim().split('\n').pop()}`);
  return parseNetDev(r.stdout).links;
}

function exec(s: K8sSession, p: Profiler, argv: string[], o: { timeoutMs: number; signal?: AbortSignal }): Promise<RunResult> {
  return s.k.exec(s.namespace, p.pod, PROFILER_CONTAINER, [...p.prefix, ...argv], o);
}

/** Starts (once per receiving node) the profiler DaemonSet, waits for its pod and finds a perf that works there. */
export async function startProfiler(s: K8sSession, node: 'a' | 'b', signal: AbortSignal, o: { pollMs?: number } = {}): Promise<Profiler | undefined> {
  const target = node === 'a' ? s.nodeA : s.nodeB;
  if (!target) throw new Error('there is no node B to profile');
  const image = s.target.profileImage ?? s.target.image;
  await s.k.apply([profilerDaemonSetManifest({ runId: s.runId, namespace: s.namespace, image, nodeHostname: hostnameOf(target), node })], { signal });
  let pods: PodObject[] | undefined;
  try {
    pods = await waitForReady(s.k, s.namespace, `${selectorOf(s.runId)},${ROLE_LABEL}=profiler,cnibench/node=${node}`, undefined, {
      timeoutS: s.target.readyTimeoutS ?? 300, image, signal, pollMs: o.pollMs,
    });
  } catch (err) {
    if (!(err instanceof PodsNotReadyError) || !/no pod matching/.test(err.message)) throw err;
    // No pod at all: the DaemonSet controller says why (PodSecurity admission refusing a privileged pod, quota…).
    const ev = await s.k.getJson<{ items: { reason?: string; message?: string }[] }>(['events', '-n', s.namespace, '--field-selector', `involvedObject.name=${names.profiler(s.runId, node)}`]);
    const why = ev.items?.filter((e) => e.reason === 'FailedCreate').pop()?.message;
    throw new PodsNotReadyError(`the profiler DaemonSet created no pod${why ? `: "${why}"` : ''}. --profile needs a namespace that admits privileged, hostPID, hostNetwork pods (label it pod-security.kubernetes.io/enforce=privileged) and the profiler RBAC rules of docs/kubernetes.md`);
  }
  if (!pods) return undefined;
  const pod = pods[0]!.metadata.name;
  const base: Omit<Profiler, 'prefix' | 'where' | 'event'> = { pod };
  let chosen: Pick<Profiler, 'prefix' | 'where'> | undefined;
  for (const candidate of [{ prefix: [], where: 'image' as const }, { prefix: ['nsenter', '-t', '1', '-m', '--'], where: 'node' as const }]) {
    const r = await s.k.exec(s.namespace, pod, PROFILER_CONTAINER, [...candidate.prefix, 'perf', '--version'], { timeoutMs: 30_000, signal });
    if (r.exitCode === 0 && /perf version/.test(r.stdout)) { chosen = candidate; break; }
  }
  if (!chosen) {
    throw new PodsNotReadyError(`no perf on node ${target.metadata.name}: neither the profiler image ${image} nor the node has it. Pass --profile-image with an image that has perf (and nsenter), or install perf (linux-perf / linux-tools) on the node.`);
  }
  if (chosen.where === 'image') {
    // The FIB tracepoint needs tracefs, which a container's mount namespace lacks; the privileged profiler mounts
    // it for itself (a no-op failure where it cannot; the counted run then says what is missing).
    await s.k.exec(s.namespace, pod, PROFILER_CONTAINER, ['mount', '-t', 'tracefs', 'nodev', '/sys/kernel/tracing'], { timeoutMs: 30_000, signal });
  }
  const probe = await s.k.exec(s.namespace, pod, PROFILER_CONTAINER, [...chosen.prefix, 'perf', 'stat', '-x,', '-e', 'cycles', 'true'], { timeoutMs: 30_000, signal });
  const event: CyclesEvent = probe.exitCode === 0 && !/not supported|not counted/.test(probe.stderr) ? 'cycles' : 'cpu-clock';
  return { ...base, ...chosen, event };
}

/**
 * perf script of `perfData`, written to `out` and measured (size, sha256) inside the profiler, then fetched with
 * `cat` through kubectl exec into the run folder gzipped — checked against the measure and fetched again once when
 * the stream lost bytes (execIntegrity.ts, kubernetes/kubernetes#124571). Never whole in memory.
 */
async function copyPerfScript(runDir: string, m: RunManifest, s: K8sSession, p: Profiler, rel: string, perfData: string, out: string): Promise<string> {
  const measured = await exec(s, p, ['sh', '-c', WRITE_AND_MEASURE, 'sh', out, ...perfScriptArgs(perfData)], { timeoutMs: 600_000 });
  if (measured.exitCode !== 0) throw new Error(`perf script in ${p.pod} failed (exit ${measured.exitCode}): ${measured.stderr.trim().split('\n').pop()}`);
  const expected = parseMeasure(measured.stdout);
  if (!expected) throw new Error(`perf script in ${p.pod}: its output could not be measured there (wc -c and sha256sum printed "${measured.stdout.trim().slice(0, 200)}"); the profiler needs sh, wc and sha256sum (coreutils or busybox)`);
  const argv = s.k.argv(['exec', '-n', s.namespace, p.pod, '-c', PROFILER_CONTAINER, '--', ...p.prefix, 'cat', out]);
  const dest = join(runDir, rel);
  await fetchChecked(argv, dest, expected, { what: `perf script output of ${p.pod} (${expected.bytes} bytes)`, timeoutMs: 600_000 });
  m.files[rel] = await fileSha256(dest);
  return rel;
}

/**
 * The line perf's workload prints first. perf record and perf stat open and enable their events and only then let the
 * workload they forked exec (tools/perf/builtin-record.c, __cmd_record: evlist__enable, then "Let the child rip":
 * evlist__start_workload; builtin-stat.c enables its counters before starting the workload too), so this line on
 * perf's stdout means perf is counting: the stream starts on it — however long perf took to start on that node
 * (synthesizing every thread of a busy node can take seconds) and however long kubectl exec took to get there.
 */
const PERF_RECORDING_MARK = 'cnibench: perf is recording';

/** perf's workload: say so, then keep perf running for the stream and a margin (exec and netperf start-up). */
function perfWorkload(durationS: number): string[] {
  return ['sh', '-c', `echo '${PERF_RECORDING_MARK}'; exec sleep "$1"`, 'sh', String(durationS + 2)];
}

/** perf run through kubectl exec with its stdout watched for the mark; resolves `recording` when it appears. */
function startPerf(s: K8sSession, p: Profiler, argv: string[], o: { timeoutMs: number; signal: AbortSignal }): { recording: Promise<number | undefined>; done: Promise<RunResult> } {
  const full = s.k.argv(['exec', '-n', s.namespace, p.pod, '-c', PROFILER_CONTAINER, '--', ...p.prefix, ...argv]);
  const [file, ...args] = full as [string, ...string[]];
  const t0 = performance.now();
  const child = execa(file, args, { reject: false, stdin: 'ignore', timeout: o.timeoutMs, cancelSignal: o.signal, all: false });
  let out = '';
  let seen: (at: number | undefined) => void = () => undefined;
  const recording = new Promise<number | undefined>((resolve) => { seen = resolve; });
  child.stdout!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    out += chunk;
    if (out.includes(PERF_RECORDING_MARK)) seen(performance.now());
  });
  const done = child.then((r) => {
    seen(undefined); // no effect when the mark was seen already
    return {
      argv: full, cancelled: Boolean(r.isCanceled), timedOut: Boolean(r.timedOut), exitCode: r.exitCode ?? -1,
      stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? ''), durationMs: performance.now() - t0,
    } satisfies RunResult;
  });
  return { recording, done };
}

/** One netperf run of the item's test with perf around it on the receiving node; counters of both pods before and after. */
async function profiledRun(s: K8sSession, p: Profiler, item: ItemRecord, perfArgv: (workload: string[]) => string[], durationS: number, signal: AbortSignal, freqHz?: number) {
  const { client, server } = endsOf(s, item.scenario);
  const bounded = boundedNetperf(k8sNetperfArgs(item.test, server, durationS), durationS);
  const perfArgs = perfArgv(perfWorkload(durationS));
  const counters = async () => {
    const [srv, cli] = await Promise.all([podCounters(s, server, signal), podCounters(s, client, signal)]);
    return { [server.metadata.name]: srv, [client.metadata.name]: cli };
  };
  const before = await counters();
  const perfRun = startPerf(s, p, perfArgs, { timeoutMs: (2 * durationS + 60) * 1000, signal });
  // The stream starts when perf says it is recording (PERF_RECORDING_MARK), not after a guessed delay.
  const recordingAt = await perfRun.recording;
  if (recordingAt === undefined) {
    const perf = await perfRun.done;
    if (signal.aborted || perf.cancelled) return undefined;
    throw new Error(`perf on ${p.where === 'node' ? 'the node' : 'the profiler'} (${p.pod}) exited with ${perf.exitCode} before it was recording: ${perf.stderr.trim().split('\n').pop() ?? ''}`);
  }
  const res = await s.k.exec(s.namespace, client.metadata.name, CONTAINER, bounded.command, { timeoutMs: bounded.kubectlTimeoutMs, signal });
  const perf = await perfRun.done;
  const after = signal.aborted ? before : await counters();
  const srv = (c: typeof before) => c[server.metadata.name]?.eth0;
  const record: ProfileCounters = {
    serverNs: server.metadata.name, serverIf: 'eth0', clientNs: client.metadata.name, before, after,
    rxPackets: (srv(after)?.rx ?? NaN) - (srv(before)?.rx ?? NaN),
    rxBytes: (srv(after)?.rxBytes ?? NaN) - (srv(before)?.rxBytes ?? NaN),
    serverMtu: srv(after)?.mtu ?? NaN, event: p.event, ...(freqHz ? { freqHz } : {}), durationS,
    argv: [...perf.argv, '&', ...res.argv], exitCode: perf.exitCode,
  };
  return { res, perf, counters: record };
}

export async function runK8sProfileItem(runDir: string, m: RunManifest, s: K8sSession, p: Profiler, item: ItemRecord, signal: AbortSignal): Promise<void> {
  const plan = m.plan.profile!;
  const base = profileRawDir(item);
  const work = `/tmp/cnibench-${s.runId}-${item.scenario}`;
  item.startedAt = new Date().toISOString();
  const interrupted = () => { item.status = 'pending'; delete item.startedAt; };
  try {
    const files: string[] = [];
    const perfData = `${work}.perf.data`;
    const rec = await profiledRun(s, p, item, (w) => perfRecordArgs(p.event, plan.freqHz, perfData, w), plan.durationS, signal, plan.freqHz);
    if (!rec || signal.aborted) return interrupted();
    files.push(await writeRaw(runDir, m, `${base}/record.netperf.txt`, rec.res.stdout));
    files.push(await writeRaw(runDir, m, `${base}/record.perf.stderr.txt`, rec.perf.stderr));
    files.push(await writeRaw(runDir, m, `${base}/record.counters.json`, JSON.stringify(rec.counters, null, 2) + '\n'));
    const recFailure = parseNetperfError(rec.res.stdout, rec.res.stderr) ?? (rec.res.exitCode !== 0 ? `netperf exited with ${rec.res.exitCode}` : undefined)
      ?? (rec.perf.exitCode !== 0 ? `perf record on ${p.where === 'node' ? 'the node' : 'the profiler'} exited with ${rec.perf.exitCode}: ${rec.perf.stderr.trim().split('\n').pop()}` : undefined);
    if (recFailure) { Object.assign(item, { status: 'failed', reason: `profiled run: ${recFailure}`, files }); return; }
    files.push(await copyPerfScript(runDir, m, s, p, `${base}/record.perf-script.txt.gz`, perfData, `${work}.perf-script.txt`));

    const statCsv = `${work}.stat.csv`;
    const st = await profiledRun(s, p, item, (w) => perfStatArgs([p.event, CONTEXT_SWITCHES, FIB_EVENT], statCsv, w), plan.durationS, signal);
    if (!st || signal.aborted) return interrupted();
    files.push(await writeRaw(runDir, m, `${base}/stat.netperf.txt`, st.res.stdout));
    files.push(await writeRaw(runDir, m, `${base}/stat.counters.json`, JSON.stringify(st.counters, null, 2) + '\n'));
    const csv = await exec(s, p, ['cat', statCsv], { timeoutMs: 30_000 });
    files.push(await writeRaw(runDir, m, `${base}/stat.perf-stat.csv`, csv.exitCode === 0 ? csv.stdout : ''));
    const stFailure = parseNetperfError(st.res.stdout, st.res.stderr) ?? (st.res.exitCode !== 0 ? `netperf exited with ${st.res.exitCode}` : undefined)
      ?? (st.perf.exitCode !== 0 ? `perf stat exited with ${st.perf.exitCode}: ${st.perf.stderr.trim().split('\n').pop()}` : undefined);
    concludeProfileItem(item, { files, event: p.event, plan, countedFailure: stFailure, recordedPackets: rec.counters.rxPackets, countedPackets: st.counters.rxPackets });
  } finally {
    await exec(s, p, ['rm', '-f', `${work}.perf.data`, `${work}.perf-script.txt`, `${work}.stat.csv`], { timeoutMs: 30_000 }).catch(() => undefined);
  }
}
