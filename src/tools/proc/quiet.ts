// Waiting for the machine to be quiet again: after a testbed is removed, the kernel frees its namespaces later in a
// worker thread (`cleanup_net`: conntrack tables of tens of thousands of entries, routes, devices) and the masquerade
// target forgets the removed devices' connections (`iterate_cleanup_work`). Left alone, that work falls on the next
// item: profiles of run 20261202-165136-c2fb counted up to 15,487 cycles per connection of it. The wait reads
// /proc/stat (no process started) in short windows until two in a row are nearly idle, or gives up at a limit.
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { busyTicks, cpuTimesDelta, parseProcStat, totalTicks } from './stat.ts';

export interface QuietOptions {
  /** Length of one window, ms (USER_HZ ticks are 10 ms: 250 ms on two CPUs is 50 ticks). */
  windowMs?: number;
  /** A window is quiet when at most this share of all CPUs' time was busy. */
  busyShare?: number;
  /** Consecutive quiet windows that end the wait. */
  windows?: number;
  /** Give up after this long, ms: a machine that never goes quiet (someone else's work) must not stall the run. */
  limitMs?: number;
  /** Reads /proc/stat (tests pass their own). */
  read?: () => Promise<string>;
  signal?: AbortSignal;
}

/** How long the wait took and whether the machine went quiet before the limit. */
export interface QuietWait {
  ms: number;
  quiet: boolean;
}

export async function waitForQuiet(opts: QuietOptions = {}): Promise<QuietWait> {
  const { windowMs = 250, busyShare = 0.05, windows = 2, limitMs = 5000 } = opts;
  const read = opts.read ?? (() => readFile('/proc/stat', 'utf8'));
  const started = performance.now();
  let before = parseProcStat(await read()).cpu!;
  let quietInRow = 0;
  while (performance.now() - started < limitMs && !opts.signal?.aborted) {
    await sleep(windowMs, undefined, { signal: opts.signal }).catch(() => undefined);
    const after = parseProcStat(await read()).cpu!;
    const d = cpuTimesDelta(before, after);
    before = after;
    const total = totalTicks(d);
    quietInRow = total > 0 && busyTicks(d) / total <= busyShare ? quietInRow + 1 : 0;
    if (quietInRow >= windows) return { ms: performance.now() - started, quiet: true };
  }
  return { ms: performance.now() - started, quiet: false };
}
