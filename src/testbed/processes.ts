// Stops processes the testbed started, by PID only (never by name), and finds those left inside our namespaces.
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from '../util/exec.ts';
import type { DaemonInfo } from './topology.ts';

/** Running, not a zombie: a daemon whose starter has exited is reaped by init, which may take its time. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/**
 * Stops each PID: SIGTERM then SIGKILL after `graceMs`, or SIGKILL at once (`graceMs` 0) for processes that keep
 * no state worth a clean exit — netserver ignores SIGTERM. Returns when all are gone.
 */
export async function stopPids(pids: number[], graceMs = 300): Promise<void> {
  const live = pids.filter(alive);
  for (const pid of live) {
    try { process.kill(pid, graceMs > 0 ? 'SIGTERM' : 'SIGKILL'); } catch { /* already gone */ }
  }
  const deadline = Date.now() + graceMs;
  while (live.some(alive) && Date.now() < deadline) await sleep(10);
  for (const pid of live.filter(alive)) {
    try { process.kill(pid, 'SIGKILL'); } catch { /* already gone */ }
  }
  while (live.some(alive)) await sleep(5);
}

/** PIDs of processes inside a namespace (netserver's per-test children, relays): all started by a run of ours. */
export async function pidsInNamespace(ns: string): Promise<number[]> {
  const r = await run(['ip', 'netns', 'pids', ns], { reject: false });
  if (r.exitCode !== 0) return [];
  return r.stdout.split(/\s+/).filter(Boolean).map(Number).filter((n) => Number.isInteger(n) && n > 0 && n !== process.pid);
}

/** Stops a testbed's daemons, each the way it needs. */
export async function stopDaemons(daemons: DaemonInfo[]): Promise<void> {
  await Promise.all([
    stopPids(daemons.filter((d) => d.stop === 'term').map((d) => d.pid)),
    stopPids(daemons.filter((d) => d.stop !== 'term').map((d) => d.pid), 0),
  ]);
}
