// Parses /proc/<pid>/stat, the affinity line of /proc/<pid>/status and /proc/<pid>/autogroup: which CPU a process
// last ran on, which CPUs it may run on, the CPU time it used and the priority it ran at.

export interface ProcessStat {
  pid: number;
  comm: string;
  state: string;
  /** User and system time, in USER_HZ ticks. */
  utime: number;
  stime: number;
  /** Its nice value (field 19). */
  nice: number;
  /** The CPU the process last ran on (field 39). */
  lastCpu: number;
}

export function parsePidStat(text: string): ProcessStat {
  // comm is in parentheses and may itself hold spaces or parentheses: split after the last ")".
  const open = text.indexOf('(');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) throw new Error(`/proc/<pid>/stat: unreadable "${text.slice(0, 80)}"`);
  const rest = text.slice(close + 2).trim().split(/\s+/);
  // rest[0] is field 3 (state); field N is rest[N - 3].
  const field = (n: number) => Number(rest[n - 3]);
  const stat = { pid: Number(text.slice(0, open).trim()), comm: text.slice(open + 1, close), state: rest[0] ?? '?', utime: field(14), stime: field(15), nice: field(19), lastCpu: field(39) };
  if (!Number.isInteger(stat.lastCpu)) throw new Error(`/proc/<pid>/stat: no processor field in "${text.slice(0, 80)}"`);
  return stat;
}

/** "Cpus_allowed_list:\t0-1" → [0, 1]; ranges and commas as the kernel prints them. */
export function parseCpusAllowed(statusText: string): number[] {
  const m = /^Cpus_allowed_list:\s*(\S+)/m.exec(statusText);
  if (!m) throw new Error('/proc/<pid>/status has no Cpus_allowed_list');
  return parseCpuList(m[1]!);
}

/** "/autogroup-2695 nice 10" (/proc/<pid>/autogroup) → 10: the nice value of the process's session group. */
export function parseAutogroupNice(text: string): number {
  const m = /^\/autogroup-\d+ nice (-?\d+)\s*$/.exec(text);
  if (!m) throw new Error(`/proc/<pid>/autogroup: unreadable "${text.slice(0, 80)}"`);
  return Number(m[1]);
}

export function parseCpuList(list: string): number[] {
  const out: number[] = [];
  for (const part of list.split(',')) {
    const [a, b] = part.split('-').map(Number);
    if (!Number.isInteger(a)) throw new Error(`bad CPU list "${list}"`);
    for (let c = a!; c <= (b ?? a!); c++) out.push(c);
  }
  return out;
}
