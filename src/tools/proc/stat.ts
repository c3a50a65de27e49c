// Parses /proc/stat: where each CPU's time went (user, system, softirq, idle, steal …), in ticks, and the context
// switches since boot.

/** Time one CPU (or all, "cpu") spent in each state since boot, in USER_HZ ticks (1/100 s on Linux). */
export interface CpuTimes {
  user: number;
  nice: number;
  system: number;
  idle: number;
  iowait: number;
  irq: number;
  softirq: number;
  /** Time the hypervisor ran something else while this vCPU wanted to run. */
  steal: number;
}

const FIELDS = ['user', 'nice', 'system', 'idle', 'iowait', 'irq', 'softirq', 'steal'] as const;

/** The CPU lines of /proc/stat keyed by name: "cpu" (all CPUs) and "cpu0", "cpu1", … */
export function parseProcStat(text: string): Record<string, CpuTimes> {
  const out: Record<string, CpuTimes> = {};
  for (const line of text.split('\n')) {
    const m = /^(cpu\d*)\s+(.*)$/.exec(line);
    if (!m) continue;
    const values = m[2]!.trim().split(/\s+/).map(Number);
    if (values.length < FIELDS.length || values.some((v) => !Number.isFinite(v))) throw new Error(`/proc/stat: unreadable line "${line}"`);
    out[m[1]!] = Object.fromEntries(FIELDS.map((f, i) => [f, values[i]!])) as unknown as CpuTimes;
  }
  if (!out.cpu) throw new Error('/proc/stat: no "cpu" line');
  return out;
}

/** Ticks spent doing work (not idle, not waiting for I/O, not stolen). */
export function busyTicks(t: CpuTimes): number {
  return t.user + t.nice + t.system + t.irq + t.softirq;
}

export function totalTicks(t: CpuTimes): number {
  return busyTicks(t) + t.idle + t.iowait + t.steal;
}

export function cpuTimesDelta(before: CpuTimes, after: CpuTimes): CpuTimes {
  return Object.fromEntries(FIELDS.map((f) => [f, after[f] - before[f]])) as unknown as CpuTimes;
}

/** The "ctxt" line of /proc/stat: context switches on all CPUs since boot. */
export function parseContextSwitches(text: string): number {
  const m = /^ctxt\s+(\d+)\s*$/m.exec(text);
  if (!m) throw new Error('/proc/stat: no "ctxt" line');
  return Number(m[1]);
}
