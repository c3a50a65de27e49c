// A profiled item on a cluster (--profile): a privileged DaemonSet on the receiving node runs the local backend's perf
// commands (perf record -a -g, perf stat -a) while the client pod streams to the server pod; perf's output comes back
// through kubectl exec (perf script streamed through gzip, the stat CSV with cat) into the same files as a local run.
import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { createGzip } from 'node:zlib';
import { execa } from 'execa';
import { fileSha256 } from '../util/atomic.ts';
import type { RunResult } from '../util/exec.ts';
import { netperfArgs } from '../tools/netperf/command.ts';
import { parseNetperfError } from '../tools/netperf/parse.ts';
import { CONTEXT_SWITCHES, FIB_EVENT, perfRecordArgs, perfScriptArgs, perfStatArgs, type CyclesEvent } from '../tools/perf/command.ts';
import { concludeProfileItem, profileRawDir, type ProfileCounters } from '../collect/profileRecord.ts';
import { parseNetDev as parseProcNetDev } from '../tools/proc/netdev.ts';
import type { LinkCounters } from '../testbed/verify.ts';
import { writeRaw, type ItemRecord, type RunManifest } from '../collect/manifest.ts';
import { CONTAINER, PROFILER_CONTAINER, ROLE_LABEL, names, selectorOf } from './labels.ts';
import { K8S_NETSERVER_PORT, profilerDaemonSetManifest } from './manifests.ts';
import { hostnameOf } from './nodes.ts';
import { PodsNotReadyError, waitForReady, type PodObject } from './pods.ts';
import { endsOf } from './netperf.ts';
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

/** perf script streamed from the profiler through gzip into the run folder (never whole in memory). */
async function copyPerfScript(runDir: string, m: RunManifest, s: K8sSession, p: Profiler, rel: string, perfData: string): Promise<string> {
  const dest = join(runDir, rel);
  await mkdir(dirname(dest), { recursive: true });
  const tmp = `${dest}.${process.pid}.tmp`;
  const [file, ...args] = s.k.argv(['exec', '-n', s.namespace, p.pod, '-c', PROFILER_CONTAINER, '--', ...p.prefix, ...perfScriptArgs(perfData)]) as [string, ...string[]];
  const child = execa(file, args, { reject: false, buffer: { stdout: false }, stderr: 'pipe', timeout: 600_000 });
  await pipeline(child.stdout!, createGzip(), createWriteStream(tmp));
  const done = await child;
  if (done.exitCode !== 0) {
    await rm(tmp, { force: true });
    throw new Error(`perf script in ${p.pod} failed: ${String(done.stderr).trim().split('\n').pop()}`);
  }
  await rename(tmp, dest);
  m.files[rel] = await fileSha256(dest);
  return rel;
}

/** How long perf gets to start sampling before the stream begins (ms). */
export const PERF_LEAD_MS = 1000;

/** One netperf run of the item's test with perf around it on the receiving node; counters of both pods before and after. */
async function profiledRun(s: K8sSession, p: Profiler, item: ItemRecord, perfArgv: (workload: string[]) => string[], durationS: number, signal: AbortSignal, freqHz?: number, leadMs = PERF_LEAD_MS) {
  const { client, server } = endsOf(s, item.scenario);
  const netperf = netperfArgs({ test: item.test, host: server.status!.podIP!, port: K8S_NETSERVER_PORT, durationS });
  // perf samples the whole node for the stream plus a second on each side (the stream runs in another pod).
  const perfArgs = perfArgv(['sleep', String(durationS + 2)]);
  const counters = async () => {
    const [srv, cli] = await Promise.all([podCounters(s, server, signal), podCounters(s, client, signal)]);
    return { [server.metadata.name]: srv, [client.metadata.name]: cli };
  };
  const before = await counters();
  const perfRun = exec(s, p, perfArgs, { timeoutMs: (2 * durationS + 60) * 1000, signal });
  await sleep(leadMs, undefined, { signal }).catch(() => undefined);
  const res = await s.k.exec(s.namespace, client.metadata.name, CONTAINER, netperf, { timeoutMs: (2 * durationS + 30) * 1000, signal });
  const perf = await perfRun;
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

export async function runK8sProfileItem(runDir: string, m: RunManifest, s: K8sSession, p: Profiler, item: ItemRecord, signal: AbortSignal, o: { leadMs?: number } = {}): Promise<void> {
  const plan = m.plan.profile!;
  const base = profileRawDir(item);
  const work = `/tmp/cnibench-${s.runId}-${item.scenario}`;
  item.startedAt = new Date().toISOString();
  const interrupted = () => { item.status = 'pending'; delete item.startedAt; };
  try {
    const files: string[] = [];
    const perfData = `${work}.perf.data`;
    const rec = await profiledRun(s, p, item, (w) => perfRecordArgs(p.event, plan.freqHz, perfData, w), plan.durationS, signal, plan.freqHz, o.leadMs);
    if (signal.aborted) return interrupted();
    files.push(await writeRaw(runDir, m, `${base}/record.netperf.txt`, rec.res.stdout));
    files.push(await writeRaw(runDir, m, `${base}/record.perf.stderr.txt`, rec.perf.stderr));
    files.push(await writeRaw(runDir, m, `${base}/record.counters.json`, JSON.stringify(rec.counters, null, 2) + '\n'));
    const recFailure = parseNetperfError(rec.res.stdout, rec.res.stderr) ?? (rec.res.exitCode !== 0 ? `netperf exited with ${rec.res.exitCode}` : undefined)
      ?? (rec.perf.exitCode !== 0 ? `perf record on ${p.where === 'node' ? 'the node' : 'the profiler'} exited with ${rec.perf.exitCode}: ${rec.perf.stderr.trim().split('\n').pop()}` : undefined);
    if (recFailure) { Object.assign(item, { status: 'failed', reason: `profiled run: ${recFailure}`, files }); return; }
    files.push(await copyPerfScript(runDir, m, s, p, `${base}/record.perf-script.txt.gz`, perfData));

    const statCsv = `${work}.stat.csv`;
    const st = await profiledRun(s, p, item, (w) => perfStatArgs([p.event, CONTEXT_SWITCHES, FIB_EVENT], statCsv, w), plan.durationS, signal, undefined, o.leadMs);
    if (signal.aborted) return interrupted();
    files.push(await writeRaw(runDir, m, `${base}/stat.netperf.txt`, st.res.stdout));
    files.push(await writeRaw(runDir, m, `${base}/stat.counters.json`, JSON.stringify(st.counters, null, 2) + '\n'));
    const csv = await exec(s, p, ['cat', statCsv], { timeoutMs: 30_000 });
    files.push(await writeRaw(runDir, m, `${base}/stat.perf-stat.csv`, csv.exitCode === 0 ? csv.stdout : ''));
    const stFailure = parseNetperfError(st.res.stdout, st.res.stderr) ?? (st.res.exitCode !== 0 ? `netperf exited with ${st.res.exitCode}` : undefined)
      ?? (st.perf.exitCode !== 0 ? `perf stat exited with ${st.perf.exitCode}: ${st.perf.stderr.trim().split('\n').pop()}` : undefined);
    concludeProfileItem(item, { files, event: p.event, plan, countedFailure: stFailure, recordedPackets: rec.counters.rxPackets, countedPackets: st.counters.rxPackets });
  } finally {
    await exec(s, p, ['rm', '-f', `${work}.perf.data`, `${work}.stat.csv`], { timeoutMs: 30_000 }).catch(() => undefined);
  }
}
