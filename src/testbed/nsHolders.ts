// One idle process per namespace of a testbed (`sleep infinity`, as a pod's pause container), started with the
// testbed and stopped with it. Through it the namespace's counters are files this process can read —
// /proc/<pid>/net/dev and /proc/<pid>/net/snmp — instead of a process started per read (`ip -n … link`,
// `ip netns exec … cat`): before and after every item that was 60–130 ms each time, the largest part of the
// collection's overhead. A holder whose namespace is not the one it was started in any more (it died and its PID
// was reused) is noticed by the namespace's inode and not used; callers then read the slow way.
import { readFile, readlink, stat } from 'node:fs/promises';
import type { Testbed } from './topology.ts';

export const HOLDER_NAME = 'ns-holder';
export const HOLDER_ARGV = ['sleep', 'infinity'];

/** Namespace → holder PID, for the testbeds this process built. */
const holders = new Map<string, number>();

export function rememberHolders(tb: Testbed): void {
  for (const d of tb.daemons) if (d.name === HOLDER_NAME) holders.set(d.ns, d.pid);
}

export function forgetHolders(tb: Testbed): void {
  for (const d of tb.daemons) if (d.name === HOLDER_NAME && holders.get(d.ns) === d.pid) holders.delete(d.ns);
}

/** The holder of `ns`, if it is alive and still in that namespace. */
async function liveHolder(ns: string): Promise<number | undefined> {
  const pid = holders.get(ns);
  if (pid === undefined) return undefined;
  const [link, named] = await Promise.all([readlink(`/proc/${pid}/ns/net`).catch(() => ''), stat(`/run/netns/${ns}`).catch(() => undefined)]);
  if (named && link === `net:[${named.ino}]`) return pid;
  holders.delete(ns);
  return undefined;
}

/** /proc/net/<file> as seen inside `ns`, read through its holder; undefined when it has none (read it another way). */
export async function readNetFile(ns: string, file: 'dev' | 'snmp'): Promise<string | undefined> {
  const pid = await liveHolder(ns);
  return pid === undefined ? undefined : readFile(`/proc/${pid}/net/${file}`, 'utf8').catch(() => undefined);
}
