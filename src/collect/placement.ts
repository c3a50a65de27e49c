// Where an item's two ends run: netperf and the netserver child pinned to one CPU (same), to two (split), or left to
// the scheduler (free). On a VM a wake-up across vCPUs may cost a VM exit, so placement can move a number by a
// factor of three; it is chosen per run, applied per item and recorded with each item.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { parseCpuList } from '../tools/proc/process.ts';
import { netperfArgs } from '../tools/netperf/command.ts';
import type { NetperfCommand } from '../tools/netperf/types.ts';

export const PLACEMENTS = ['same', 'split', 'free'] as const;
export type Placement = (typeof PLACEMENTS)[number];

/** What --placement accepts: one placement, or both pinned ones as separate configurations. */
export const PLACEMENT_CHOICES = ['same', 'split', 'both', 'free'] as const;
export type PlacementChoice = (typeof PLACEMENT_CHOICES)[number];

/**
 * The default. Measured on this project's 2-vCPU reference VM (README, "Method"): with both ends on one vCPU the
 * CPU never halts between a request and its answer, and repetitions agree; split ends wait for a halted vCPU to
 * wake unless idle is held awake, and even then vary more.
 */
export const DEFAULT_PLACEMENT: PlacementChoice = 'same';

/** The placements a run's items use, in the order they are planned. */
export function placementsOf(choice: PlacementChoice): Placement[] {
  return choice === 'both' ? ['same', 'split'] : [choice];
}

/**
 * How much lower the sending end (netperf) runs than the receiving one: its nice value, 0 to 19. With both ends on
 * one vCPU and equal priority, a stream's sender and receiver fall into one of two scheduling patterns that last
 * seconds (about 5k or 17k context switches per second, 13 against 9 Gbit/s for the baseline); with the sender at
 * nice 5 or more the receiver runs as soon as data arrives: one pattern (about 110–150k switches per second).
 * Request/response ends never want the CPU at once, so it leaves them as they were. Measured on the 2-vCPU reference
 * VM: README, "Why TCP_STREAM varies more than request/response here".
 */
export const DEFAULT_SENDER_NICE = 10;
export const MAX_NICE = 19;

/**
 * With autogroups (kernel.sched_autogroup_enabled, Debian's default) the scheduler first shares a CPU between
 * sessions, and a nice value only counts inside its own session. netserver is a daemon in a session of its own, so
 * netperf gets one too (setsid) and that session's autogroup takes the nice value; where there are no autogroups
 * the write fails quietly and the process's own nice value does the same work. A fixed script: the arguments pass
 * through "$@", never through the shell's parser.
 */
const AUTOGROUP_NICE = 'echo "$0" > /proc/self/autogroup 2>/dev/null; exec "$@"';

/** argv run at the sender's nice value (unchanged at 0); `ip netns exec` and each step exec, so the PID is netperf's. */
export function atSenderNice(argv: string[], nice: number | undefined): string[] {
  if (!nice) return argv;
  return ['setsid', '-w', 'sh', '-c', AUTOGROUP_NICE, String(nice), 'nice', '-n', String(nice), ...argv];
}

/** An item's netperf argv as the method runs it: pinned to its ends' CPUs (when placed) at the sender's nice value. */
export function placedNetperfArgs(cmd: Omit<NetperfCommand, 'cpus'>, ends: EndCpus | undefined, senderNice: number | undefined): string[] {
  return atSenderNice(netperfArgs({ ...cmd, ...(ends ? { cpus: { local: ends.client, remote: ends.server } } : {}) }), senderNice);
}

/** The CPUs of each end: client (netperf, and the sender-side relay) and server (netserver's child, receiver-side relay). */
export interface EndCpus {
  client: number;
  server: number;
}

/** CPUs for a placement on a machine with `cpus` online CPUs (free: none). */
export function cpusFor(placement: Placement, cpus: readonly number[]): EndCpus | undefined {
  if (placement === 'free') return undefined;
  const first = cpus[0] ?? 0;
  if (placement === 'same') return { client: first, server: first };
  const second = cpus[1];
  if (second === undefined) throw new Error('placement "split" needs two CPUs; this machine has one online');
  return { client: first, server: second };
}

/** The CPUs online now (sysfs; every CPU Node sees when sysfs is not there). */
export async function onlineCpus(): Promise<number[]> {
  const text = await readFile('/sys/devices/system/cpu/online', 'utf8').catch(() => undefined);
  return text ? parseCpuList(text.trim()) : os.cpus().map((_, i) => i);
}
