// Stops processes the testbed started, by PID only (never by name), and finds those left inside our namespaces.
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from '../util/exec.ts';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL after `graceMs`, for each PID; returns when all are gone. */
export async function stopPids(pids: number[], graceMs = 1000): Promise<void> {
  const live = pids.filter(alive);
  for (const pid of live) {
    try { process.kill(pid, 'SIGTERM'); } catch { /* already gone */ }
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
