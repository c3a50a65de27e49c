// Where an item's two ends run: netperf and the netserver child pinned to one CPU (same), to two (split), or left to
// the scheduler (free). On a VM a wake-up across vCPUs may cost a VM exit, so placement can move a number by a
// factor of three; it is chosen per run, applied per item and recorded with each item.
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { parseCpuList } from '../tools/proc/process.ts';

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
