// A profiled item on the local testbed: per model, scenario and profiled test, one netperf run under `perf record -a -g` and one under
// `perf stat -a` (cycles or cpu-clock, context switches, FIB lookups), each bracketed by interface counters (and,
// through a Service, checked to have been translated by it). All output kept raw.
import { createWriteStream } from 'node:fs';
import { mkdtemp, readFile, rename, rm, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { execa } from 'execa';
import { inCgroup, inNs } from '../util/exec.ts';
import { fileSha256 } from '../util/atomic.ts';
import { parseNetperfError } from '../tools/netperf/parse.ts';
import { CONTEXT_SWITCHES, FIB_EVENT, cyclesEvent, ensureTracefs, perfRecordArgs, perfScriptArgs, perfStatArgs } from '../tools/perf/command.ts';
import { clientCgroupOf, endpointsOf, netperfTargetOf, type Testbed } from '../testbed/topology.ts';
import { perfWorkPrefix } from '../testbed/names.ts';
import { linkStats, type LinkCounters } from '../testbed/verify.ts';
import { type ItemRecord, type RunManifest, writeRaw } from '../collect/manifest.ts';
import { type EndCpus, placedNetperfArgs } from '../collect/placement.ts';
import type { IdleMode } from '../collect/idle.ts';
import { speedProbe } from '../tools/proc/speedProbe.ts';
import { conditionFlags, hostSnapshot, itemConditions, namespaceSnapshot } from '../collect/conditions.ts';
import { type ProfileCounters, concludeProfileItem, profileRawDir } from '../collect/profileRecord.ts';
import { readCpuidle } from '../tools/proc/cpuidle.ts';
import { servicePathFailure, watchServicePath } from '../testbed/services/pathCheck.ts';

async function snapshot(namespaces: string[]): Promise<Record<string, Record<string, LinkCounters>>> {
  const out: Record<string, Record<string, LinkCounters>> = {};
  for (const ns of namespaces) out[ns] = Object.fromEntries(await linkStats(ns));
  return out;
}

/** What a profiled run shares with the plain items of its run: the idle mode and the sender's nice value. */
interface RunMethod {
  idle: IdleMode;
  senderNice?: number;
}

/** Runs one perf-wrapped netperf and returns its output and the counters around it. */
async function profiledRun(tb: Testbed, item: ItemRecord, argv: (workload: string[]) => string[], event: string, durationS: number, signal: AbortSignal, ends: EndCpus | undefined, method: RunMethod, freqHz?: number) {
  const ep = endpointsOf(tb, item.scenario);
  const workload = inCgroup(clientCgroupOf(tb), inNs(ep.clientNs, placedNetperfArgs({ test: item.test, ...netperfTargetOf(tb, item.scenario, item.target), durationS }, ends, method.senderNice)));
  const full = argv(workload);
  const namespaces = [...new Set([ep.clientNs, ep.serverNs, ...tb.nodes.map((n) => n.ns)])];
  const snmpNs = [...new Set([ep.clientNs, ep.serverNs])];
  const [before, nsBefore, cpuidle] = await Promise.all([snapshot(namespaces), namespaceSnapshot(namespaces, snmpNs), readCpuidle()]);
  const [file, ...args] = full as [string, ...string[]];
  // Through a Service, the run must be seen translated by it, as a plain item's is (pathCheck.ts).
  const servicePathOf = item.target === 'service' ? await watchServicePath(tb, item.scenario) : undefined;
  const probeBefore = speedProbe();
  const hostBefore = await hostSnapshot();
  const res = await execa(file, args, { reject: false, cancelSignal: signal, timeout: (2 * durationS + 30) * 1000 });
  const hostAfter = await hostSnapshot();
  const probeAfter = speedProbe();
  const [after, nsAfter, servicePath] = await Promise.all([snapshot(namespaces), namespaceSnapshot(namespaces, snmpNs), servicePathOf?.()]);
  // The same record as a plain item's (processes are not sampled: perf wraps netperf, whose PID we do not hold).
  const conditions = itemConditions({ placement: item.placement ?? 'free', ...(ends ? { cpus: ends } : {}), idle: method.idle, senderNice: method.senderNice, cpuidle, hostBefore, hostAfter, nsBefore, nsAfter, processes: [], speedProbeMs: { before: probeBefore, after: probeAfter } });
  const server = (s: typeof before) => s[ep.serverNs]?.[ep.serverIf];
  const delta = (k: 'rx' | 'rxBytes') => (server(after)?.[k] ?? NaN) - (server(before)?.[k] ?? NaN);
  const counters: ProfileCounters = {
    serverNs: ep.serverNs, serverIf: ep.serverIf, clientNs: ep.clientNs, before, after,
    rxPackets: delta('rx'), rxBytes: delta('rxBytes'), serverMtu: server(after)?.mtu ?? NaN, event, ...(freqHz ? { freqHz } : {}), durationS, argv: full, exitCode: res.exitCode ?? -1,
    ...(servicePath ? { servicePath } : {}),
  };
  return { res, counters, conditions };
}

/** Streams `perf script` output through gzip straight into the run folder (never whole in memory). */
async function writePerfScriptGz(runDir: string, m: RunManifest, rel: string, perfData: string): Promise<string> {
  const dest = join(runDir, rel);
  await mkdir(dirname(dest), { recursive: true });
  const tmp = `${dest}.${process.pid}.tmp`;
  const [file, ...args] = perfScriptArgs(perfData) as [string, ...string[]];
  const child = execa(file, args, { reject: false, buffer: { stdout: false }, stderr: 'pipe' });
  await pipeline(child.stdout!, createGzip(), createWriteStream(tmp));
  const done = await child;
  if (done.exitCode !== 0) {
    await rm(tmp, { force: true });
    throw new Error(`perf script failed: ${String(done.stderr).trim().split('\n').pop()}`);
  }
  await rename(tmp, dest);
  m.files[rel] = await fileSha256(dest);
  return rel;
}

/** `ends`: the CPUs of the plan's placement (the profiled runs are pinned like the plain ones). */
export async function runProfileItem(runDir: string, m: RunManifest, tb: Testbed, item: ItemRecord, signal: AbortSignal, ends?: EndCpus): Promise<void> {
  const plan = m.plan.profile!;
  const base = profileRawDir(item);
  const event = await cyclesEvent();
  await ensureTracefs();
  const work = await mkdtemp(join(tmpdir(), perfWorkPrefix(tb.prefix)));
  item.startedAt = new Date().toISOString();
  item.testbed = tb.prefix;
  try {
    const files: string[] = [];
    // 1. perf record: where the cycles go (call chains, attributed to components at analysis time)
    const perfData = join(work, 'perf.data');
    const method: RunMethod = { idle: m.plan.idle ?? 'default', senderNice: m.plan.senderNice };
    const rec = await profiledRun(tb, item, (w) => perfRecordArgs(event, plan.freqHz, perfData, w), event, plan.durationS, signal, ends, method, plan.freqHz);
    if (signal.aborted) { item.status = 'pending'; delete item.startedAt; return; }
    files.push(await writeRaw(runDir, m, `${base}/record.netperf.txt`, String(rec.res.stdout)));
    files.push(await writeRaw(runDir, m, `${base}/record.perf.stderr.txt`, String(rec.res.stderr)));
    files.push(await writeRaw(runDir, m, `${base}/record.counters.json`, JSON.stringify(rec.counters, null, 2) + '\n'));
    files.push(await writeRaw(runDir, m, `${base}/record.conditions.json`, JSON.stringify(rec.conditions, null, 1) + '\n'));
    const recFailure = parseNetperfError(String(rec.res.stdout), String(rec.res.stderr)) ?? (rec.res.exitCode !== 0 ? `perf record exited with ${rec.res.exitCode}` : undefined);
    if (recFailure) { Object.assign(item, { status: 'failed', reason: `profiled run: ${recFailure}`, files }); return; }
    files.push(await writePerfScriptGz(runDir, m, `${base}/record.perf-script.txt.gz`, perfData));

    // 2. perf stat: totals, context switches and FIB lookups for a known number of packets
    const statCsv = join(work, 'stat.csv');
    const events = [event, CONTEXT_SWITCHES, FIB_EVENT];
    const st = await profiledRun(tb, item, (w) => perfStatArgs(events, statCsv, w), event, plan.durationS, signal, ends, method);
    if (signal.aborted) { item.status = 'pending'; delete item.startedAt; return; }
    files.push(await writeRaw(runDir, m, `${base}/stat.netperf.txt`, String(st.res.stdout)));
    files.push(await writeRaw(runDir, m, `${base}/stat.counters.json`, JSON.stringify(st.counters, null, 2) + '\n'));
    files.push(await writeRaw(runDir, m, `${base}/stat.conditions.json`, JSON.stringify(st.conditions, null, 1) + '\n'));
    const flags = [...new Set([...conditionFlags(rec.conditions), ...conditionFlags(st.conditions)])];
    if (flags.length) item.flags = flags;
    const csv = await readFile(statCsv, 'utf8').catch(() => '');
    files.push(await writeRaw(runDir, m, `${base}/stat.perf-stat.csv`, csv));
    const stFailure = parseNetperfError(String(st.res.stdout), String(st.res.stderr)) ?? (st.res.exitCode !== 0 ? `perf stat exited with ${st.res.exitCode}: ${String(st.res.stderr).trim().split('\n').pop()}` : undefined);
    const serviceFailure = [rec, st].map((r) => r.counters.servicePath && servicePathFailure(r.counters.servicePath)).find(Boolean);
    concludeProfileItem(item, { files, event, plan, countedFailure: stFailure, recordedPackets: rec.counters.rxPackets, countedPackets: st.counters.rxPackets, ...(serviceFailure ? { serviceFailure } : {}) });
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
