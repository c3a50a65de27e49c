// perf command lines for profiled runs, and the probes that decide which events this machine can count.
import { access, readdir } from 'node:fs/promises';
import { run } from '../../util/exec.ts';

/** The sampling/counting event for cycles: hardware `cycles` where counted, else `cpu-clock` (cycles estimated). */
export type CyclesEvent = 'cycles' | 'cpu-clock';

export const FIB_EVENT = 'fib:fib_table_lookup';
export const CONTEXT_SWITCHES = 'context-switches';

let cyclesCache: Promise<CyclesEvent> | undefined;

/** Whether hardware cycles are counted here (VMs often say "<not supported>"); probed once per process. */
export function cyclesEvent(): Promise<CyclesEvent> {
  cyclesCache ??= (async () => {
    const r = await run(['perf', 'stat', '-x,', '-e', 'cycles', 'true'], { reject: false });
    return r.exitCode === 0 && !/not supported|not counted/.test(r.stderr) ? 'cycles' : 'cpu-clock';
  })();
  return cyclesCache;
}

const TRACEFS = '/sys/kernel/tracing';

/** The FIB tracepoint needs tracefs; mount it where the kernel expects it if nobody has. */
export async function ensureTracefs(): Promise<void> {
  const events = await readdir(`${TRACEFS}/events`).catch(() => [] as string[]);
  if (events.includes('fib')) return;
  if (events.length === 0) await run(['mount', '-t', 'tracefs', 'nodev', TRACEFS]);
  await access(`${TRACEFS}/events/fib/fib_table_lookup`).catch(() => {
    throw new Error(`the kernel has no ${FIB_EVENT} tracepoint (${TRACEFS}/events/fib): FIB lookups cannot be counted`);
  });
}

/** `perf record -a -g` around a workload: system-wide samples with call chains while the workload runs. */
export function perfRecordArgs(event: CyclesEvent, freqHz: number, output: string, workload: string[]): string[] {
  return ['perf', 'record', '-a', '-g', '-e', event, '-F', String(freqHz), '-o', output, '--', ...workload];
}

/** `perf stat -a -x,` around a workload: totals as CSV written to `output`. */
export function perfStatArgs(events: string[], output: string, workload: string[]): string[] {
  return ['perf', 'stat', '-a', '-x,', '-e', events.join(','), '-o', output, '--', ...workload];
}

export function perfScriptArgs(input: string): string[] {
  return ['perf', 'script', '-i', input];
}
