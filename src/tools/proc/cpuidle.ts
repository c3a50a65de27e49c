// Reads the kernel's cpuidle state from sysfs: the driver and governor, each idle state, and per CPU how often and
// how long each state was entered. A halted vCPU costs a VM exit to wake, so these counters say whether an item's
// CPUs halted while it ran.
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';

const CPU_SYSFS = '/sys/devices/system/cpu';

export interface IdleState {
  index: number;
  name: string;
  /** Exit latency the driver declares, µs: 0 for the polling state. */
  latencyUs: number;
  /** Disabled through sysfs (by the administrator; cnibench never writes it). */
  disabled: boolean;
}

export interface CpuidleInfo {
  /** "none" when no cpuidle driver is registered (the CPU idles with the architecture's default, e.g. HLT). */
  driver: string;
  governor: string;
  /** The states of CPU 0 (all CPUs share one driver). */
  states: IdleState[];
}

/** Per CPU and state: entries and residency (µs) since boot. */
export type IdleUsage = Record<string, { usage: number[]; timeUs: number[] }>;

async function text(path: string): Promise<string | undefined> {
  return (await readFile(path, 'utf8').catch(() => undefined))?.trim();
}

async function cpuDirs(root: string): Promise<string[]> {
  return (await readdir(root).catch(() => [] as string[])).filter((d) => /^cpu\d+$/.test(d)).sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
}

async function stateDirs(cpuDir: string): Promise<string[]> {
  return (await readdir(join(cpuDir, 'cpuidle')).catch(() => [] as string[])).filter((d) => /^state\d+$/.test(d)).sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)));
}

export async function readCpuidle(root = CPU_SYSFS): Promise<CpuidleInfo> {
  const driver = (await text(join(root, 'cpuidle', 'current_driver'))) ?? 'none';
  const governor = (await text(join(root, 'cpuidle', 'current_governor'))) ?? (await text(join(root, 'cpuidle', 'current_governor_ro'))) ?? 'none';
  const cpu0 = join(root, 'cpu0');
  const states: IdleState[] = [];
  for (const dir of await stateDirs(cpu0)) {
    const base = join(cpu0, 'cpuidle', dir);
    states.push({
      index: Number(dir.slice(5)),
      name: (await text(join(base, 'name'))) ?? dir,
      latencyUs: Number(await text(join(base, 'latency'))),
      disabled: (await text(join(base, 'disable'))) === '1',
    });
  }
  return { driver, governor, states };
}

export async function readIdleUsage(root = CPU_SYSFS): Promise<IdleUsage> {
  const out: IdleUsage = {};
  for (const cpu of await cpuDirs(root)) {
    const usage: number[] = [];
    const timeUs: number[] = [];
    for (const dir of await stateDirs(join(root, cpu))) {
      const base = join(root, cpu, 'cpuidle', dir);
      usage.push(Number(await text(join(base, 'usage'))));
      timeUs.push(Number(await text(join(base, 'time'))));
    }
    out[cpu] = { usage, timeUs };
  }
  return out;
}

/** The polling state's index (the one a latency limit of 0 leaves the governor), if the driver has one. */
export function pollStateIndex(info: CpuidleInfo): number | undefined {
  return info.states.find((s) => s.latencyUs === 0 && /poll/i.test(s.name))?.index;
}

/**
 * Entries into states that stop the vCPU (every state but polling) between two readings, per CPU. These are what
 * an "awake" item must not have.
 */
export function haltsBetween(info: CpuidleInfo, before: IdleUsage, after: IdleUsage): Record<string, number> {
  const poll = pollStateIndex(info);
  const out: Record<string, number> = {};
  for (const [cpu, a] of Object.entries(after)) {
    const b = before[cpu];
    if (!b) continue;
    out[cpu] = a.usage.reduce((sum, u, i) => (i === poll ? sum : sum + (u - (b.usage[i] ?? 0))), 0);
  }
  return out;
}
