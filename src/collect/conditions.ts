// Machine conditions of one measurement: what the CPUs did (busy, softirq, steal, halts into idle states), packets
// dropped, TCP retransmissions and UDP errors in the item's namespaces, and which CPU each of its processes ran on.
// Read around every netperf run and kept beside its raw output, so a number that moved can be traced to its cause.
import { readFile } from 'node:fs/promises';
import { type CpuTimes, busyTicks, cpuTimesDelta, parseContextSwitches, parseProcStat, totalTicks } from '../tools/proc/stat.ts';
import { parseSoftnet, type SoftnetCpu } from '../tools/proc/softnet.ts';
import { type SnmpConditionKey, SNMP_CONDITION_KEYS, snmpConditions } from '../tools/proc/snmp.ts';
import { type CpuidleInfo, type IdleUsage, haltsBetween, readIdleUsage } from '../tools/proc/cpuidle.ts';
import { parseAutogroupNice, parseCpusAllowed, parsePidStat } from '../tools/proc/process.ts';
import { linkCounters, snmpText } from '../testbed/verify.ts';
import type { IdleMode } from './idle.ts';
import type { EndCpus, Placement } from './placement.ts';

export const CONDITIONS_SCHEMA = 'cnibench.conditions/1';

/** Host-wide counters, read from files only (no process is started), right before and right after the run. */
export interface HostSnapshot {
  atMs: number;
  cpu: Record<string, CpuTimes>;
  /** Context switches on all CPUs since boot. */
  ctxt: number;
  softnet: SoftnetCpu[];
  idle: IdleUsage;
}

/** Per-namespace counters: link drops and the SNMP counters that say whether the sockets had trouble. */
export interface NamespaceSnapshot {
  links: Record<string, Record<string, { rxDropped: number; txDropped: number }>>;
  snmp: Record<string, Record<SnmpConditionKey, number>>;
}

export type ProcessRole = 'client' | 'server' | 'relay';

/** One process of the item, sampled while it ran. */
export interface ProcessPlacement {
  role: ProcessRole;
  pid: number;
  comm: string;
  /** The CPU it was last running on, at each sample. */
  cpus: number[];
  /** The CPUs it was allowed to run on (its affinity). */
  allowed: number[];
  /** The CPU the placement pinned it to, if any. */
  pinnedTo?: number;
  /** Its nice value when first seen (absent in runs made before it was recorded). */
  nice?: number;
  /**
   * The nice value of its session's autogroup, where the kernel groups by session (absent there and in older runs):
   * the scheduler shares a CPU between autogroups first, so this, not `nice`, sets netperf against netserver.
   */
  autogroupNice?: number;
}

/** The conditions of one item (raw/…/rep-NNN.conditions.json). */
export interface ItemConditions {
  schema: typeof CONDITIONS_SCHEMA;
  placement: Placement;
  /** The CPUs each end was pinned to (absent for "free"). */
  cpus?: EndCpus;
  idle: IdleMode;
  /** The nice value netperf ran at (absent in runs made before it was set: 0, as netserver). */
  senderNice?: number;
  /** Wall time between the two host snapshots. */
  wallMs: number;
  /** Ticks (1/100 s) spent in each state per CPU during the run; "cpu" is all CPUs. */
  cpuTicks: Record<string, CpuTimes>;
  /** Entries into idle states that stop the vCPU (every state but polling), per CPU. */
  halts: Record<string, number>;
  /**
   * Context switches on all CPUs during the run (absent in runs made before it was recorded). With both ends on one
   * vCPU a stream's sender and receiver take turns on it, and how often they switch sets the throughput.
   */
  contextSwitches?: number;
  softnet: { processed: number; dropped: number; timeSqueeze: number };
  /** Links whose drop counters moved. */
  linkDrops: { ns: string; dev: string; rx: number; tx: number }[];
  /** Changes of the SNMP counters per namespace (client and server). */
  snmp: Record<string, Record<SnmpConditionKey, number>>;
  processes: ProcessPlacement[];
  /**
   * Milliseconds the machine-speed probe took right before and right after the run (src/tools/proc/speedProbe.ts;
   * absent in runs made before it was recorded): the same work every time, so a slower reading is a slower machine.
   */
  speedProbeMs?: { before: number; after: number };
}

export async function hostSnapshot(): Promise<HostSnapshot> {
  const [stat, softnet, idle] = await Promise.all([
    readFile('/proc/stat', 'utf8'),
    readFile('/proc/net/softnet_stat', 'utf8'),
    readIdleUsage(),
  ]);
  return { atMs: performance.now(), cpu: parseProcStat(stat), ctxt: parseContextSwitches(stat), softnet: parseSoftnet(softnet), idle };
}

export async function namespaceSnapshot(linkNamespaces: readonly string[], snmpNamespaces: readonly string[]): Promise<NamespaceSnapshot> {
  const links: NamespaceSnapshot['links'] = {};
  const snmp: NamespaceSnapshot['snmp'] = {};
  await Promise.all([
    ...linkNamespaces.map(async (ns) => {
      links[ns] = Object.fromEntries([...(await linkCounters(ns))].map(([dev, c]) => [dev, { rxDropped: c.rxDropped ?? NaN, txDropped: c.txDropped ?? NaN }]));
    }),
    ...snmpNamespaces.map(async (ns) => { snmp[ns] = snmpConditions(await snmpText(ns)); }),
  ]);
  return { links, snmp };
}

/** The children of a process (netserver forks one per test), from /proc. */
export async function childrenOf(pid: number): Promise<number[]> {
  const text = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
  return text.trim().split(/\s+/).filter(Boolean).map(Number);
}

/**
 * Samples where an item's processes run. A process's last CPU only says where it ran if it ran since the previous
 * look, so a sample counts only when its CPU time advanced (an idle relay keeps the CPU it last ran on, perhaps
 * before it was pinned) or when the process is new since the previous look (netserver forks a child per test).
 */
export class ProcessSampler {
  private readonly ticks = new Map<number, number>();
  readonly placements: ProcessPlacement[] = [];

  /** `record: false` only notes CPU times (a look before the run starts). */
  async sample(procs: readonly { role: ProcessRole; pid: number; pinnedTo?: number }[], record = true): Promise<void> {
    await Promise.all(procs.map(async ({ role, pid, pinnedTo }) => {
      const [stat, status, autogroup] = await Promise.all([
        readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined),
        readFile(`/proc/${pid}/status`, 'utf8').catch(() => undefined),
        readFile(`/proc/${pid}/autogroup`, 'utf8').catch(() => undefined),
      ]);
      if (!stat || !status) return;
      const s = parsePidStat(stat);
      const before = this.ticks.get(pid);
      this.ticks.set(pid, s.utime + s.stime);
      if (!record || (before !== undefined && s.utime + s.stime === before)) return;
      const seen = this.placements.find((p) => p.pid === pid);
      if (seen) seen.cpus.push(s.lastCpu);
      else this.placements.push({ role, pid, comm: s.comm, cpus: [s.lastCpu], allowed: parseCpusAllowed(status), ...(pinnedTo === undefined ? {} : { pinnedTo }), nice: s.nice,
        ...(autogroup ? { autogroupNice: parseAutogroupNice(autogroup) } : {}) });
    }));
  }
}

export interface ConditionsInput {
  placement: Placement;
  cpus?: EndCpus;
  idle: IdleMode;
  senderNice?: number;
  cpuidle: CpuidleInfo;
  hostBefore: HostSnapshot;
  hostAfter: HostSnapshot;
  nsBefore: NamespaceSnapshot;
  nsAfter: NamespaceSnapshot;
  processes: ProcessPlacement[];
  speedProbeMs?: { before: number; after: number };
}

export function itemConditions(i: ConditionsInput): ItemConditions {
  const cpuTicks = Object.fromEntries(Object.entries(i.hostAfter.cpu).map(([cpu, after]) => [cpu, cpuTimesDelta(i.hostBefore.cpu[cpu] ?? after, after)]));
  const softnet = { processed: 0, dropped: 0, timeSqueeze: 0 };
  for (const a of i.hostAfter.softnet) {
    const b = i.hostBefore.softnet.find((x) => x.cpu === a.cpu);
    if (!b) continue;
    softnet.processed += a.processed - b.processed;
    softnet.dropped += a.dropped - b.dropped;
    softnet.timeSqueeze += a.timeSqueeze - b.timeSqueeze;
  }
  const linkDrops: ItemConditions['linkDrops'] = [];
  for (const [ns, devs] of Object.entries(i.nsAfter.links)) {
    for (const [dev, a] of Object.entries(devs)) {
      const b = i.nsBefore.links[ns]?.[dev];
      if (!b) continue;
      const rx = a.rxDropped - b.rxDropped;
      const tx = a.txDropped - b.txDropped;
      if (rx > 0 || tx > 0) linkDrops.push({ ns, dev, rx, tx });
    }
  }
  const snmp: ItemConditions['snmp'] = {};
  for (const [ns, a] of Object.entries(i.nsAfter.snmp)) {
    const b = i.nsBefore.snmp[ns];
    if (b) snmp[ns] = Object.fromEntries(SNMP_CONDITION_KEYS.map((k) => [k, a[k] - b[k]])) as Record<SnmpConditionKey, number>;
  }
  return {
    schema: CONDITIONS_SCHEMA,
    placement: i.placement,
    ...(i.cpus ? { cpus: i.cpus } : {}),
    idle: i.idle,
    ...(i.senderNice ? { senderNice: i.senderNice } : {}),
    wallMs: Math.round(i.hostAfter.atMs - i.hostBefore.atMs),
    cpuTicks,
    halts: haltsBetween(i.cpuidle, i.hostBefore.idle, i.hostAfter.idle),
    contextSwitches: i.hostAfter.ctxt - i.hostBefore.ctxt,
    softnet,
    linkDrops,
    snmp,
    processes: i.processes,
    ...(i.speedProbeMs ? { speedProbeMs: { before: round2(i.speedProbeMs.before), after: round2(i.speedProbeMs.after) } } : {}),
  };
}

const round2 = (x: number) => Math.round(100 * x) / 100;

/** Thresholds above which a condition is flagged on the item (and in the report). */
const FLAG_LIMITS = {
  /** Share of the CPUs' time the hypervisor gave to someone else. */
  stealPct: 2,
  /** Share of time a CPU the item was not pinned to was busy: load that is not ours. */
  foreignBusyPct: 20,
  /** Halts per second per CPU tolerated while idle is held awake (a timer may still halt a CPU now and then). */
  awakeHaltsPerS: 5,
} as const;

const pct = (part: number, whole: number) => (whole > 0 ? (100 * part) / whole : 0);

/** What about this item's conditions could have moved its number, one short phrase each; empty when nothing. */
export function conditionFlags(c: ItemConditions): string[] {
  const flags: string[] = [];
  const all = c.cpuTicks.cpu;
  if (all) {
    const steal = pct(all.steal, totalTicks(all));
    if (steal > FLAG_LIMITS.stealPct) flags.push(`steal ${steal.toFixed(1)}%`);
  }
  if (c.cpus) {
    const pinned = new Set([c.cpus.client, c.cpus.server]);
    for (const [cpu, t] of Object.entries(c.cpuTicks)) {
      if (cpu === 'cpu' || pinned.has(Number(cpu.slice(3)))) continue;
      const busy = pct(busyTicks(t), totalTicks(t));
      if (busy > FLAG_LIMITS.foreignBusyPct) flags.push(`${cpu} busy ${busy.toFixed(0)}% though nothing of the item was pinned there`);
    }
  }
  for (const p of c.processes) {
    const strays = [...new Set(p.cpus.filter((cpu) => p.pinnedTo !== undefined && cpu !== p.pinnedTo))];
    if (strays.length) flags.push(`${p.comm} (${p.role}) ran on CPU ${strays.join(', ')}, pinned to ${p.pinnedTo}`);
  }
  if (c.idle === 'awake') {
    const seconds = c.wallMs / 1000;
    for (const [cpu, n] of Object.entries(c.halts)) {
      if (seconds > 0 && n / seconds > FLAG_LIMITS.awakeHaltsPerS) flags.push(`${cpu} halted ${n} times though idle was held awake`);
    }
  }
  const drops = c.softnet.dropped + c.linkDrops.reduce((s, l) => s + l.rx + l.tx, 0);
  if (drops > 0) flags.push(`${drops} packets dropped (${[c.softnet.dropped ? `softnet ${c.softnet.dropped}` : '', ...c.linkDrops.map((l) => `${l.dev} ${l.rx + l.tx}`)].filter(Boolean).join(', ')})`);
  const sum = (k: SnmpConditionKey) => Object.values(c.snmp).reduce((s, v) => s + (v[k] ?? 0), 0);
  const retrans = sum('Tcp:RetransSegs');
  if (retrans > 0) flags.push(`${retrans} TCP retransmissions`);
  const udp = sum('Udp:InErrors') + sum('Udp:RcvbufErrors') + sum('Udp:SndbufErrors');
  if (udp > 0) flags.push(`${udp} UDP errors`);
  return flags;
}

/** Share of all CPU time that was stolen, per item (for summaries). */
export function stealPct(c: ItemConditions): number {
  const all = c.cpuTicks.cpu;
  return all ? pct(all.steal, totalTicks(all)) : 0;
}
