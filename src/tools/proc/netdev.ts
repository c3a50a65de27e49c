// /proc/net/dev: per interface, what the kernel counted (dev_get_stats, the same numbers `ip -s link` prints).

/** One interface's counters from /proc/net/dev. */
export interface NetDevCounters {
  rxBytes: number;
  rx: number;
  rxDropped: number;
  txBytes: number;
  tx: number;
  txDropped: number;
}

/** Parses /proc/net/dev (two header lines, then `  name: rx bytes packets errs drop fifo frame compressed multicast tx bytes packets errs drop …`). */
export function parseNetDev(text: string): Map<string, NetDevCounters> {
  const out = new Map<string, NetDevCounters>();
  for (const line of text.split('\n')) {
    const m = /^\s*([^:\s]+):\s*(.*)$/.exec(line);
    if (!m) continue;
    const f = m[2]!.trim().split(/\s+/).map(Number);
    if (f.length < 16 || f.some((x) => !Number.isFinite(x))) continue;
    out.set(m[1]!, { rxBytes: f[0]!, rx: f[1]!, rxDropped: f[3]!, txBytes: f[8]!, tx: f[9]!, txDropped: f[11]! });
  }
  return out;
}
