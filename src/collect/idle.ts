// Idle states during measurement: "default" leaves the kernel's cpuidle governor alone; "awake" holds a CPU latency
// limit of 0 µs (/dev/cpu_dma_latency, the kernel's PM QoS interface) so the governor picks the polling state and
// no vCPU halts — waking a halted vCPU costs a VM exit. The limit lasts while the file is open: it is released when
// the run ends, or dies, by the kernel. Nothing is written to sysfs.
import { closeSync, openSync, writeSync } from 'node:fs';
import { PrerequisiteError } from '../util/errors.ts';
import { type CpuidleInfo, pollStateIndex, readCpuidle } from '../tools/proc/cpuidle.ts';

export const IDLE_MODES = ['default', 'awake'] as const;
export type IdleMode = (typeof IDLE_MODES)[number];

/** See the README's "Method" for the measurements behind this choice. */
export const DEFAULT_IDLE: IdleMode = 'default';

export const PM_QOS_FILE = '/dev/cpu_dma_latency';

/** Why `awake` cannot work here, or undefined if it can: it needs a cpuidle driver with a polling state. */
export function awakeUnsupported(info: CpuidleInfo): string | undefined {
  if (info.driver === 'none') return 'no cpuidle driver is registered (the CPUs idle with the architecture\'s default halt), so a latency limit cannot keep them polling';
  if (pollStateIndex(info) === undefined) return `the cpuidle driver "${info.driver}" has no polling state to hold the CPUs in`;
  return undefined;
}

export async function checkIdleMode(mode: IdleMode): Promise<CpuidleInfo> {
  const info = await readCpuidle();
  const why = mode === 'awake' ? awakeUnsupported(info) : undefined;
  if (why) throw new PrerequisiteError(`--idle awake cannot work here: ${why}. Use --idle default (the placement "same" needs no awake CPUs).`);
  return info;
}

/** A held idle mode; `release` is safe to call twice. */
export interface IdleHold {
  mode: IdleMode;
  release(): void;
}

export function holdIdle(mode: IdleMode, file = PM_QOS_FILE): IdleHold {
  if (mode === 'default') return { mode, release() {} };
  let fd: number | undefined;
  try {
    fd = openSync(file, 'w');
    // The file takes a 32-bit binary value or a number as text; "0" is the text form.
    writeSync(fd, '0');
  } catch (err) {
    if (fd !== undefined) closeSync(fd);
    throw new PrerequisiteError(`--idle awake could not hold ${file} at 0 µs (${(err as Error).message}); run as root, or use --idle default.`);
  }
  return {
    mode,
    release() {
      if (fd === undefined) return;
      closeSync(fd);
      fd = undefined;
    },
  };
}
