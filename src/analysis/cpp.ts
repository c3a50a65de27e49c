// CPU cycles per packet by component (the study's Eq. III.1: CPP(c) = cycles_total / N_packets × share(c)),
// FIB lookups per 100,000 packets and context switches per packet, from a run's profiled items — as Arquero tables.
import { join } from 'node:path';
import * as aq from 'arquero';
import { COMPONENTS, isDatapathComponent, isStackPart, mergeFolded, parsePerfStatCsv, type Component } from '../tools/perf/index.ts';
import { attributeScript } from './attributionCache.ts';
import { attributionParallelism } from './attributionPool.ts';
import { mapInOrder } from '../util/concurrency.ts';
import { CONTEXT_SWITCHES, FIB_EVENT } from '../tools/perf/command.ts';
import type { ItemRecord } from '../collect/manifest.ts';
import { parseNetperfKeyval } from '../tools/netperf/parse.ts';
import type { NetperfTest } from '../tools/netperf/types.ts';
import type { ProfileCounters } from '../collect/profileRecord.ts';
import { parseConditions, parseProfileCounters } from '../collect/rawSchemas.ts';
import { type LoadedRun, rawText, soundItems } from './loadRun.ts';
import { type SweepPoint, pointOf, sweepSuffix } from '../collect/schedule.ts';
import { tableOf } from '../util/table.ts';

export { COMPONENTS };

/** One component of one profiled model and scenario (at its point, in a comparison or sweep: SweepPoint). */
export interface CppRow extends SweepPoint {
  run: string;
  /** The profile item (one of several per model and scenario; absent in rows written before there were several). */
  item?: string;
  model: string;
  scenario: string;
  component: Component;
  samples: number;
  /** Share of the non-idle samples. */
  share: number;
  /** Cycles per wire frame (the figures' denominator; see `wirePackets`). */
  cpp: number;
  /** Sum over components for this model and scenario, per wire frame. */
  totalCpp: number;
  /** Cycles per skb: per packet as the receiving pod's interface counted them (a GSO/GRO super-packet counts once). */
  cppPerSkb: number;
  /** Cycles per KB (1,024 bytes) the receiving pod's interface received, headers included. */
  cppPerKB: number;
  /** Wire frames received by the server pod: rx_bytes / (min(MTU, 1500) + 14). N_packets of Eq. III.1. */
  packets: number;
  /** Packets (skbs) as the receiving interface counted them. */
  devicePackets: number;
  /** Bytes the receiving interface counted. */
  rxBytes: number;
  /** How cycles were obtained: measured hardware cycles, or estimated from cpu-clock × nominal MHz. */
  cycles: string;
  /** Busy samples of processes outside the measured path, left out, as a share of all busy samples. */
  foreignShare: number;
}

/**
 * One component of one request/response profile (TCP_RR or UDP_RR): cycles per transaction. A transaction is one
 * one-byte request and its one-byte response, never segmented, so nothing about GSO or MTU enters the denominator;
 * the cycles are those of both ends and both directions, as the profile holds them together.
 */
export interface CppTransactionRow extends SweepPoint {
  run: string;
  item: string;
  model: string;
  scenario: string;
  test: NetperfTest;
  component: Component;
  samples: number;
  /** Share of the non-idle samples of the measured path. */
  share: number;
  cppPerTransaction: number;
  /** Sum over components for this profile, per transaction. */
  totalPerTransaction: number;
  /** Transactions of the profiled run: netperf's rate × its elapsed time. */
  transactions: number;
  /** Packets the receiving pod's interface counted (requests, and any pure ACKs). */
  devicePackets: number;
  cycles: string;
  foreignShare: number;
}

/**
 * Where one profile's busy samples ran: per CPU, which end was pinned there and what share of each group of
 * components (the study's, the rest of the kernel, user space) fell on it. Tells whether sender and receiver can be
 * told apart by CPU on this machine.
 */
export interface CpuSplitRow {
  run: string;
  item: string;
  model: string;
  scenario: string;
  test: NetperfTest;
  placement: string;
  cpu: string;
  /** "client", "server", "client+server" or "" (nothing of the item pinned there). */
  ends: string;
  /** Shares of the profile's busy samples of each group that were taken on this CPU (0–1). */
  busy: number;
  datapath: number;
  restOfKernel: number;
  user: number;
}

/** Per-packet counts from the perf stat run of one model and scenario. */
export interface PacketEventRow {
  run: string;
  item: string;
  model: string;
  scenario: string;
  /** Wire-sized packets, as for CppRow. */
  packets: number;
  fibPer100k: number;
  contextSwitchesPerPacket: number;
}

/** The largest frame a wire carries: the Ethernet MTU of the study's NICs. */
const WIRE_MTU = 1500;

/**
 * Packets as a wire would carry them. Between namespaces TCP moves 64 KB GSO super-packets that a veth counts as
 * one; the study counted packets on a NIC. Bytes over the frame size recovers that count. One rule for every model:
 * the receiving interface's MTU, but never above a wire's 1,500 bytes — loopback (the `host` reference within a
 * node) has an MTU of 65,536 and no wire at all.
 */
export function wirePackets(c: Pick<ProfileCounters, 'rxBytes' | 'serverMtu'>): number {
  return c.rxBytes / (Math.min(c.serverMtu, WIRE_MTU) + 14);
}

function file(item: ItemRecord, suffix: string): string {
  const f = item.files.find((x) => x.endsWith(suffix));
  if (!f) throw new Error(`${item.id}: no ${suffix} among its raw files`);
  return f;
}

export interface CppOptions {
  /** Cache profile attributions here, keyed by each raw file's checksum (none when absent). */
  cacheDir?: string;
}

/**
 * Nominal MHz of the CPU that did the profiled work: this machine on the local testbed; on a cluster the receiving
 * node (A within a node, B between nodes) as read from /proc/cpuinfo in a pod there.
 */
function receiverMHz(run: LoadedRun, item: ItemRecord): number {
  if (run.manifest.backend !== 'k8s') return run.manifest.host.cpuMHz;
  const role = item.scenario === 'intra' ? 'A' : 'B';
  const mhz = run.manifest.cluster?.nodes.find((n) => n.role === role)?.cpuMHz;
  if (!mhz) throw new Error(`${item.id}: the cluster facts give no CPU clock for node ${role}, so cycles cannot be estimated from cpu-clock`);
  return mhz;
}

/** CPP rows of one profiled item (and its folded stacks). */
export async function cppOfItem(run: LoadedRun, item: ItemRecord, opts: CppOptions = {}): Promise<CppRow[]> {
  return (await profileOfItem(run, item, opts)).rows;
}

/**
 * What a profile's cycles are divided by: wire frames for a stream (see `wirePackets`), transactions for a
 * request/response test (netperf's rate × elapsed time, read from the run's own output).
 */
async function unitsOfRun(run: LoadedRun, item: ItemRecord, which: 'record' | 'stat'): Promise<{ counters: ProfileCounters; units: number }> {
  const countersRel = file(item, `${which}.counters.json`);
  const counters = parseProfileCounters(await rawText(run, countersRel), countersRel);
  if (item.test === 'tcp_stream') {
    const units = wirePackets(counters);
    if (!(counters.rxPackets > 0) || !(units > 0)) throw new Error(`${item.id}: the receiving pod counted no packets (${countersRel})`);
    return { counters, units };
  }
  const netperfRel = file(item, `${which}.netperf.txt`);
  const r = parseNetperfKeyval(await rawText(run, netperfRel), item.test);
  const units = (r.transactionRate ?? r.throughput) * r.elapsedS;
  if (!(units > 0) || !(counters.rxPackets > 0)) throw new Error(`${item.id}: the profiled run made no transactions (${netperfRel})`);
  return { counters, units };
}

/** The attribution of a profile's perf script, through the cache when one is given (keyed by the file's checksum). */
async function attributionOfItem(run: LoadedRun, item: ItemRecord, opts: CppOptions) {
  const scriptRel = file(item, 'record.perf-script.txt.gz');
  return attributeScript(join(run.runDir, scriptRel), { sha256: run.manifest.files[scriptRel]?.sha256, cacheDir: opts.cacheDir });
}

/** The cycles of one profile's measured path, its attribution, and how the cycles were obtained. */
async function cyclesOfProfile(run: LoadedRun, item: ItemRecord, opts: CppOptions, units: number) {
  const profile = item.profile;
  if (!profile) throw new Error(`${item.id} has no profile record`);
  const scriptPath = join(run.runDir, file(item, 'record.perf-script.txt.gz'));
  const attribution = await attributionOfItem(run, item, opts);
  // Busy samples of the measured path: idle left out, and whatever else ran on the machine (foreign processes).
  const busy = attribution.samples - attribution.idleSamples - attribution.foreignSamples;
  if (busy <= 0) throw new Error(`${item.id}: ${scriptPath} has no busy samples of the measured path (netperf, netserver, relays, kernel threads)`);
  let cyclesTotal: number;
  let cycles: string;
  if (profile.estimatedCycles) {
    // Each cpu-clock sample stands for 1/freq s of CPU time; at the nominal clock that is MHz·1e6/freq cycles.
    const mhz = receiverMHz(run, item);
    cyclesTotal = (busy / profile.freqHz) * mhz * 1e6;
    cycles = `estimated: cpu-clock × ${Math.round(mhz)} MHz`;
  } else {
    // Hardware cycles from the counted run, scaled to that run's packets or transactions (the counter does not tick in idle).
    const stat = await statOfItem(run, item);
    const c = stat[profile.event]?.value;
    if (c === null || c === undefined) throw new Error(`${item.id}: perf stat did not count ${profile.event}`);
    // perf stat -a counts every process and kernel worker; the profile says what share of the busy samples were the
    // measured path's (foreign processes and namespace clean-up left out, as for estimated cycles).
    const pathShare = busy / (busy + attribution.foreignSamples);
    cyclesTotal = (c / (await unitsOfRun(run, item, 'stat')).units) * units * pathShare;
    cycles = 'measured: hardware cycles';
  }
  return { attribution, busy, cyclesTotal, cycles, foreignShare: attribution.foreignSamples / (busy + attribution.foreignSamples) };
}

async function profileOfItem(run: LoadedRun, item: ItemRecord, opts: CppOptions): Promise<{ rows: CppRow[]; folded: Record<string, number> }> {
  const { counters, units: packets } = await unitsOfRun(run, item, 'record');
  const { attribution, busy, cyclesTotal, cycles, foreignShare } = await cyclesOfProfile(run, item, opts, packets);
  const total = cyclesTotal / packets;
  const perSkb = cyclesTotal / counters.rxPackets;
  const perKB = cyclesTotal / (counters.rxBytes / 1024);
  const rows = COMPONENTS.map((component): CppRow => {
    const samples = attribution.byComponent[component] ?? 0;
    const share = samples / busy;
    return {
      run: run.runId, item: item.id, model: item.model, scenario: item.scenario, ...pointOf(item), component, samples, share,
      cpp: total * share, totalCpp: total, cppPerSkb: perSkb * share, cppPerKB: perKB * share,
      packets, devicePackets: counters.rxPackets, rxBytes: counters.rxBytes, cycles, foreignShare,
    };
  });
  return { rows, folded: attribution.folded ?? {} };
}

/** Cycles per transaction, by component, of one request/response profile. */
async function transactionCppOfItem(run: LoadedRun, item: ItemRecord, opts: CppOptions = {}): Promise<CppTransactionRow[]> {
  const { counters, units: transactions } = await unitsOfRun(run, item, 'record');
  const { attribution, busy, cyclesTotal, cycles, foreignShare } = await cyclesOfProfile(run, item, opts, transactions);
  const total = cyclesTotal / transactions;
  return COMPONENTS.map((component): CppTransactionRow => {
    const samples = attribution.byComponent[component] ?? 0;
    const share = samples / busy;
    return {
      run: run.runId, item: item.id, model: item.model, scenario: item.scenario, test: item.test, ...pointOf(item), component, samples, share,
      cppPerTransaction: total * share, totalPerTransaction: total, transactions, devicePackets: counters.rxPackets, cycles, foreignShare,
    };
  });
}

async function statOfItem(run: LoadedRun, item: ItemRecord) {
  const rel = file(item, 'stat.perf-stat.csv');
  const path = join(run.runDir, rel);
  return parsePerfStatCsv(await rawText(run, rel), { expect: [item.profile!.event, CONTEXT_SWITCHES, FIB_EVENT], file: path });
}

async function packetEventsOfItem(run: LoadedRun, item: ItemRecord): Promise<PacketEventRow> {
  const stat = await statOfItem(run, item);
  const counters = parseProfileCounters(await rawText(run, file(item, 'stat.counters.json')), file(item, 'stat.counters.json'));
  const packets = wirePackets(counters);
  if (!(packets > 0)) throw new Error(`${item.id}: the receiving pod counted no packets during the counted run`);
  const count = (event: string) => {
    const v = stat[event]?.value;
    if (v === null || v === undefined) throw new Error(`${item.id}: perf stat did not count ${event}`);
    return v;
  };
  return { run: run.runId, item: item.id, model: item.model, scenario: item.scenario, packets, fibPer100k: (count(FIB_EVENT) / packets) * 1e5, contextSwitchesPerPacket: count(CONTEXT_SWITCHES) / packets };
}

/** The folded stacks of every profile of one model and scenario (and point of a comparison or sweep), added together. */
export interface FoldedProfile extends SweepPoint {
  model: string;
  scenario: string;
  profiles: number;
  stacks: Map<string, number>;
}

/** The file a model and scenario's folded stacks are written to (under the report's tables/). */
export function foldedFileName(f: Pick<FoldedProfile, 'model' | 'scenario'> & SweepPoint): string {
  return `folded-${f.model}-${f.scenario}${sweepSuffix(f).replaceAll('@', '-')}.folded.gz`;
}

export interface CppTables {
  /** TCP_STREAM profiles: cycles per frame, per skb and per KB (CppRow). */
  cpp: aq.ColumnTable;
  /** TCP_RR and UDP_RR profiles: cycles per transaction (CppTransactionRow); empty when none were profiled. */
  transactions: aq.ColumnTable;
  packetEvents: aq.ColumnTable;
  folded: FoldedProfile[];
  /** Profiled items that could not be used, with why. */
  problems: { item: string; reason: string }[];
}

export async function cppTables(runs: LoadedRun[], opts: CppOptions = {}): Promise<CppTables> {
  const cppRows: CppRow[] = [];
  const transactionRows: CppTransactionRow[] = [];
  const eventRows: PacketEventRow[] = [];
  const problems: CppTables['problems'] = [];
  const foldedOf = new Map<string, { model: string; scenario: string; point: SweepPoint; records: Record<string, number>[] }>();
  for (const run of runs) {
    for (const item of run.manifest.items.filter((i) => i.kind === 'profile')) {
      const bad = item.files.filter((f) => run.badFiles.has(f));
      if (item.status !== 'ok') problems.push({ item: `${run.runId}/${item.id}`, reason: `${item.status}${item.reason ? `: ${item.reason}` : ''}` });
      else if (bad.length) problems.push({ item: `${run.runId}/${item.id}`, reason: bad.map((f) => `${f} ${run.badFiles.get(f)}`).join('; ') });
    }
    // Profiles are parsed several at a time (on every core, src/analysis/attributionPool.ts) and gathered in item
    // order, so the tables are the same as one at a time.
    type Outcome = { item: ItemRecord } & ({ transactions: CppTransactionRow[] } | { profile: Awaited<ReturnType<typeof profileOfItem>>; events: PacketEventRow } | { problem: string });
    const results = await mapInOrder(soundItems(run, 'profile'), attributionParallelism(), async (item): Promise<Outcome> => {
      try {
        if (item.test !== 'tcp_stream') return { item, transactions: await transactionCppOfItem(run, item, opts) };
        return { item, profile: await profileOfItem(run, item, opts), events: await packetEventsOfItem(run, item) };
      } catch (err) {
        return { item, problem: err instanceof Error ? err.message : String(err) };
      }
    });
    for (const r of results) {
      if ('problem' in r) problems.push({ item: `${run.runId}/${r.item.id}`, reason: r.problem });
      else if ('transactions' in r) transactionRows.push(...r.transactions);
      else {
        cppRows.push(...r.profile.rows);
        eventRows.push(r.events);
        const key = `${r.item.model}/${r.item.scenario}${sweepSuffix(r.item)}`;
        const f = foldedOf.get(key) ?? { model: r.item.model, scenario: r.item.scenario, point: pointOf(r.item), records: [] };
        f.records.push(r.profile.folded);
        foldedOf.set(key, f);
      }
    }
  }
  const folded = [...foldedOf.values()].map((f): FoldedProfile => ({ model: f.model, scenario: f.scenario, ...f.point, profiles: f.records.length, stacks: mergeFolded(f.records) }));
  return { cpp: tableOf(cppRows), transactions: tableOf(transactionRows), packetEvents: tableOf(eventRows), folded, problems };
}

/** How one profile's busy samples split over the CPUs (see CpuSplitRow); empty when perf printed no CPU fields. */
export async function cpuSplitOfItem(run: LoadedRun, item: ItemRecord, opts: CppOptions = {}): Promise<CpuSplitRow[]> {
  const byCpu = (await attributionOfItem(run, item, opts)).byCpu ?? {};
  // Runs made before conditions were recorded do not say where the ends were pinned.
  const conditionsRel = item.files.find((f) => f.endsWith('record.conditions.json'));
  const conditions: { cpus?: { client: number; server: number } } = conditionsRel ? parseConditions(await rawText(run, conditionsRel), conditionsRel) : {};
  const groups = {
    busy: (_c: Component) => true,
    datapath: isDatapathComponent,
    restOfKernel: isStackPart,
    user: (c: Component) => c === 'user',
  };
  const sumOf = (counts: Record<Component, number>, keep: (c: Component) => boolean) => COMPONENTS.filter(keep).reduce((n, c) => n + (counts[c] ?? 0), 0);
  const totals = Object.fromEntries(Object.entries(groups).map(([g, keep]) => [g, Object.values(byCpu).reduce((n, counts) => n + sumOf(counts, keep), 0)]));
  return Object.keys(byCpu).sort().map((cpu): CpuSplitRow => {
    const n = Number(cpu.slice(3));
    const ends = [conditions.cpus?.client === n ? 'client' : '', conditions.cpus?.server === n ? 'server' : ''].filter(Boolean).join('+');
    const share = (g: keyof typeof groups) => (totals[g]! > 0 ? sumOf(byCpu[cpu]!, groups[g]) / totals[g]! : 0);
    return {
      run: run.runId, item: item.id, model: item.model, scenario: item.scenario, test: item.test, placement: item.placement ?? 'free', cpu, ends,
      busy: share('busy'), datapath: share('datapath'), restOfKernel: share('restOfKernel'), user: share('user'),
    };
  });
}
