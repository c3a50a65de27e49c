// Types of the perf stage: one `perf script` sample, the network-stack components, attribution and `perf stat` results.

/** One sample of `perf script` output from `perf record -g`. */
export interface PerfSample {
  comm: string;
  /**
   * Process id. perf script's default header prints a single number, which is the thread id; then pid and tid are
   * both that number. With `-F pid,tid` it prints `pid/tid` and they differ for threads.
   */
  pid: number;
  tid: number;
  cpu?: number;
  /** Seconds, as printed (perf's clock, not wall time). */
  time?: number;
  /** Event name as printed without the trailing colon, modifiers kept: `cpu-clock`, `cycles:P`, `fib:fib_table_lookup`. */
  event: string;
  /** Sample period (ns for cpu-clock, events for cycles); absent where perf prints none (tracepoints). */
  period?: number;
  /** Symbol of each call-chain frame, leaf first; offsets (`+0x1f`) stripped, `[unknown]` kept. */
  frames: string[];
  /** DSO of each frame, as printed inside the parentheses: `[kernel.kallsyms]`, `/usr/lib/…/libc.so.6`, `[unknown]`. */
  dsos: string[];
  /**
   * Address of each frame as printed (hex, no 0x). Kept because `[unknown]` frames can only be told apart as
   * kernel or user space by their address. Optional so that hand-built samples may omit it.
   */
  addrs?: string[];
}

/** The datapath components the study names (Figs. 4–5), plus the TUN device a user-space overlay relays through. */
const DATAPATH_COMPONENTS = ['bridge', 'fib', 'ip-forward', 'netfilter', 'ebpf', 'veth', 'vxlan', 'ipip', 'ovs', 'tun'] as const;

/**
 * The rest of the kernel's work, broken down into parts a kernel engineer would recognise (see STACK_RULES); only
 * samples that no datapath component claims are split among them. `stack` is what none of them claims either.
 */
export const STACK_PARTS = ['tcp', 'udp', 'ip', 'netdev', 'softirq', 'socket', 'syscall', 'sched', 'memory', 'irq-lock', 'tracing', 'stack'] as const;

/** Every component a sample can be charged to: datapath components, parts of the rest of the kernel, user space. */
export const COMPONENTS = [...DATAPATH_COMPONENTS, ...STACK_PARTS, 'user'] as const;
export type Component = (typeof COMPONENTS)[number];
export type DatapathComponent = (typeof DATAPATH_COMPONENTS)[number];
export type StackPart = (typeof STACK_PARTS)[number];

/** Whether a component is one of the datapath's (the study's, and the TUN device). */
export function isDatapathComponent(c: Component): c is DatapathComponent {
  return (DATAPATH_COMPONENTS as readonly string[]).includes(c);
}

/** Whether a component is a part of the rest of the kernel. */
export function isStackPart(c: Component): c is StackPart {
  return (STACK_PARTS as readonly string[]).includes(c);
}

/** A sample's component and the frame that decided it. */
export interface SampleAttribution {
  component: Component;
  /** Symbol of the deciding frame (for `stack`/`user`, where no component or part decided: the leaf). */
  symbol: string;
  /** Index of that frame in `frames` (0 = leaf). */
  frame: number;
}

export interface SymbolCount {
  symbol: string;
  samples: number;
}

/** What a whole `perf script` file adds up to. */
export interface ProfileAttribution {
  /** Samples of the counted event (the file's first event), idle ones included. */
  samples: number;
  /** Of those, samples in the idle loop: not part of cycles_total and not in `byComponent`. */
  idleSamples: number;
  /**
   * Of those, busy samples that are not the measured path's work (see isForeign): processes outside
   * DATAPATH_PROCESSES — whatever else ran on the machine during `perf record -a` — and kernel workers cleaning up
   * after a removed namespace or device. Not part of cycles_total and not in `byComponent`.
   */
  foreignSamples: number;
  /** The foreign samples by process name (most first, top N). */
  foreignByProcess: SymbolCount[];
  /** Busy samples of the measured path by component; sums to samples − idleSamples − foreignSamples. */
  byComponent: Record<Component, number>;
  /** The same busy samples by the CPU they were taken on ("cpu0" → component → samples); absent without CPU fields. */
  byCpu?: Record<string, Record<Component, number>>;
  /** For each component, the deciding frames with the most samples (top N, most first). */
  topSymbols: Record<Component, SymbolCount[]>;
  /** Every event name in the file in order of first appearance; the first is the counted one. */
  events: string[];
  /** Samples of the other events (ignored for attribution), by event name. */
  otherEventSamples: Record<string, number>;
  /**
   * The measured path's busy samples as folded stacks (see folded.ts): `[component];comm;root frame;…;leaf frame` → samples.
   * Present when asked for.
   */
  folded?: Record<string, number>;
}

/** One counter of `perf stat -x,` output. */
export interface PerfStatValue {
  /** The count; null when perf printed `<not supported>` or `<not counted>` instead of a number. */
  value: number | null;
  /** Unit column (`msec` for cpu-clock, empty for plain counts). */
  unit: string;
  /** False when perf printed `<not supported>` (the event does not exist on this machine, e.g. cycles in a VM). */
  supported: boolean;
  /** False when the event was not counted at all (`<not supported>` or `<not counted>`). */
  counted: boolean;
  /** How long the counter ran, ns. */
  runTimeNs?: number;
  /** Percentage of the run time the counter was scheduled on the PMU (below 100 means perf multiplexed and scaled it). */
  pct?: number;
}

/** perf output that cannot be read as expected; the message starts with the file (and line) it came from. */
export class PerfParseError extends Error {
  override name = 'PerfParseError';
  constructor(
    /** File name (or the name given for a stream). */
    readonly file: string,
    problem: string,
    /** 1-based line number, where one applies. */
    readonly line?: number,
  ) {
    super(`${file}${line !== undefined ? `:${line}` : ''}: ${problem}`);
  }
}
