// Decides which component each perf sample's CPU time belongs to (idle excluded), and adds up a whole profile.
//
// Why walk the call chain from the leaf instead of taking the leaf symbol: under cpu-clock sampling (an hrtimer) in
// a VM, a sample cannot be taken while interrupts are disabled, so it lands at the next point that re-enables them.
// In the captured data (test/fixtures/perf/main) 42% of the busy samples have `_raw_spin_unlock_irqrestore` as
// the leaf and 9% `handle_softirqs`: the time was spent in the caller's interrupts-off section, not in the unlock.
// Walking towards the root and taking the first frame that belongs to a component charges such a sample to the
// component that was running; helpers a component calls (memcpy, locks, hashing) are charged to it too.
//
// The walk stops at context boundaries, because the frames below them are a different piece of work:
// - interrupt and softirq entries: a softirq that runs on top of br_forward's caller or the idle loop is not
//   that caller's cost;
// - packet hand-offs that run the next stage synchronously: the receive entry points (__netif_receive_skb*,
//   GRO, NAPI polls such as gro_cell_poll or process_backlog) and the transmit entry (__dev_queue_xmit).
//   Without them the component that handed a packet on would be charged for what follows: a bridge passing a
//   packet up to its own IP stack (br_pass_frame_up → netif_receive_skb) for that stack, a veth in NAPI mode
//   (veth_poll → napi_gro_receive) for its receiver's TCP, a bridge for the next device's queueing discipline
//   (br_dev_queue_push_xmit → __dev_queue_xmit). In the captured data the stops move 22 samples from bridge
//   (84 → 62) and 34 from vxlan (297 → 263, the underlay's transmit under iptunnel_xmit) to stack.
// Frames in user space end the walk as well: kernel work done for a process without any component is 'stack'.
import { BPF_TRACING_ENTRIES, componentOfModule, detachString, globToRegExp, normalizeSymbol, ruleOfSymbol, stackPartOfSymbol, type ComponentRule } from './components.ts';
import { FoldedStacks } from './folded.ts';
import { COMPONENTS, type Component, type PerfSample, type ProfileAttribution, type SampleAttribution, type SymbolCount } from './types.ts';

/** Where the walk stops (see the module comment). Checked on real chains in test/fixtures/perf. */
const CONTEXT_BOUNDARIES: readonly string[] = [
  // hard interrupts and NMIs (data: asm_sysvec_apic_timer_interrupt, sysvec_call_function_single, __irq_exit_rcu)
  'asm_sysvec_*',
  'asm_common_interrupt',
  'asm_exc_nmi',
  'sysvec_*',
  '__sysvec_*',
  'common_interrupt',
  'irq_exit_rcu',
  '__irq_exit_rcu',
  // softirqs (data: handle_softirqs, do_softirq.part.0, run_ksoftirqd, net_rx_action, __napi_poll, process_backlog)
  'handle_softirqs',
  '__do_softirq',
  'do_softirq',
  'do_softirq_own_stack',
  'run_ksoftirqd',
  'net_rx_action',
  '__napi_poll',
  'napi_threaded_poll*',
  'process_backlog',
  'gro_cell_poll',
  // receive hand-offs (data: __netif_receive_skb_one_core, __netif_receive_skb_core, napi_gro_receive under gro_cell_poll)
  '__netif_receive_skb*',
  'netif_receive_skb*',
  'napi_gro_receive',
  'gro_receive_skb',
  'napi_gro_frags',
  'gro_normal_list',
  'napi_complete_done',
  '__napi_gro_flush',
  'napi_gro_flush',
  '__gro_flush',
  'gro_flush*',
  // transmit hand-off to the next device (data: __dev_queue_xmit under br_dev_queue_push_xmit and ip_finish_output2)
  '__dev_queue_xmit',
  'dev_queue_xmit',
];

/**
 * The idle loop: the idle task (pid 0, "swapper") halted or doing its own bookkeeping. Data (this VM):
 * pv_native_safe_halt ← default_idle ← default_enter_idle ← cpuidle_enter_state ← cpuidle_enter ← do_idle, and
 * finish_task_switch ← __schedule ← schedule_idle ← cpu_startup_entry, call_cpuidle, tick_nohz_idle_exit/enter,
 * cpuidle_reflect, haltpoll_reflect, nohz_run_idle_balance, flush_smp_call_function_queue — all ← do_idle.
 * Bare-metal kernels reach the halt through acpi_idle_*, intel_idle*, mwait_idle* instead.
 */
const IDLE_LOOP: readonly string[] = [
  'do_idle',
  'cpu_startup_entry',
  'cpuidle_*',
  'call_cpuidle',
  'default_idle*',
  'default_enter_idle',
  'arch_cpu_idle*',
  'acpi_idle_*',
  'acpi_safe_halt',
  'acpi_processor_ffh_cstate_enter',
  'intel_idle*',
  'mwait_idle*',
  'pv_native_safe_halt',
  'native_safe_halt',
  'pvm_safe_halt*',
  'haltpoll_*',
  'poll_idle',
  'cpu_idle_poll',
  'tick_nohz_idle_*',
  'schedule_idle',
];

/**
 * The processes whose samples are the measured path's work: the two ends, flannel's user-space relay, and the
 * kernel's own threads (the idle task running softirqs, ksoftirqd, workers). Anything else that ran during
 * `perf record -a` — on the reference run: the collector's own node process, a compiler or a browser someone ran —
 * is foreign: counted apart and left out of the cycles. Data: the reference run's profiles had 7.5% such samples,
 * up to 17% of one profile (node, npm, chromium, python3, kdamond). Names as perf prints them (15 characters).
 */
export const DATAPATH_PROCESSES: readonly string[] = [
  'netperf',
  'netserver',
  'socat',
  'swapper*',
  'ksoftirqd/*',
  'kworker/*',
  'migration/*',
  'rcu_*',
  'irq/*',
  'napi/*',
  'cpuhp/*',
  'kthreadd',
];

function anyOf(globs: readonly string[]): RegExp {
  return new RegExp(globs.map((g) => globToRegExp(g).source).join('|'));
}

const BOUNDARY_RE = anyOf(CONTEXT_BOUNDARIES);
const DATAPATH_PROCESS_RE = anyOf(DATAPATH_PROCESSES);

/**
 * Kernel work that runs in a kernel thread of the measured path but never for it, because it follows a device or a
 * namespace going away: a removed network namespace is torn down later by a worker (`cleanup_net`,
 * net/core/net_namespace.c: its conntrack table, routes and devices), and a device going down makes the masquerade
 * target forget its connections (`iterate_cleanup_work`, net/netfilter/nf_nat_masquerade.c — kallsyms: beside
 * nf_nat_masq_schedule and masq_device_event). Data: a sweep that removes a finished testbed while the next is
 * profiled (profile `cilium/inter/profile-tcp_crr@ebpf@svc1000/003` of run 20261202-165136-c2fb) had 15,487 cycles
 * per connection of "netfilter" in a model without netfilter rules, all of it kworker samples under these two.
 */
const NOT_FOR_THE_PATH: readonly string[] = ['cleanup_net', 'iterate_cleanup_work'];

/**
 * IP-set garbage collection, which runs in a kernel worker on a timer whatever traffic flows: every set created with
 * timeout support (kube-router's sets carry `timeout 0`) is walked entry by entry (`mtype_gc`, expanded per set type
 * as `hash_net4_gc`, `hash_ip4_gc`…, net/netfilter/ipset/ip_set_hash_gen.h). It costs in proportion to the sets'
 * size, not to the connections measured, and on a machine with several testbeds up it walks all their sets. Data:
 * profile `cilium-wp/intra/profile-tcp_crr@rules10000/001` of run 20261208-015535-ae6c, a model with no IP set, had
 * 37 "netfilter" samples (7,900 cycles per connection), all kworker samples in `hash_net4_gc` while kube-router's
 * 10,000-set testbed of the same sweep was up.
 */
const IPSET_GC_RE = /^(hash_[a-z]+[46]|bitmap_[a-z]+|list_set)_gc(_do)?$/;

/**
 * The name a sample that is not the measured path's work is counted under, or undefined for the path's own: a process
 * outside DATAPATH_PROCESSES (its name), or a kernel worker doing namespace housekeeping (NOT_FOR_THE_PATH anywhere in
 * its call chain) or IP-set garbage collection (what it was doing). Frame kinds come from the per-symbol cache.
 */
function foreignAs(sample: Pick<PerfSample, 'comm'> & { frames?: readonly string[] }): string | undefined {
  if (!DATAPATH_PROCESS_RE.test(sample.comm)) return sample.comm;
  if (!sample.comm.startsWith('kworker/')) return undefined;
  let kinds = 0;
  for (const f of sample.frames ?? []) kinds |= kindOf(f);
  if (kinds & Kind.CleanUp) return 'kworker (namespace or device clean-up)';
  if (kinds & Kind.IpsetGc) return 'kworker (IP set garbage collection)';
  return undefined;
}

/** True for a sample that is not the measured path's work (see foreignAs). */
export function isForeign(sample: Pick<PerfSample, 'comm'> & { frames?: readonly string[] }): boolean {
  return foreignAs(sample) !== undefined;
}
const IDLE_RE = anyOf(IDLE_LOOP);
const TRACING_RE = anyOf(BPF_TRACING_ENTRIES);

/** Frame kinds by symbol, cached: profiles repeat the same few thousand symbols millions of times. */
const Kind = { Boundary: 1, Idle: 2, Tracing: 4, CleanUp: 8, IpsetGc: 16 } as const;
const KIND_CACHE_MAX = 100_000;
const kindCache = new Map<string, number>();

function kindOf(sym: string): number {
  let k = kindCache.get(sym);
  if (k === undefined) {
    const name = normalizeSymbol(sym);
    k = (BOUNDARY_RE.test(name) ? Kind.Boundary : 0) | (IDLE_RE.test(name) ? Kind.Idle : 0) | (TRACING_RE.test(name) ? Kind.Tracing : 0)
      | (NOT_FOR_THE_PATH.includes(name) ? Kind.CleanUp : 0) | (IPSET_GC_RE.test(name) ? Kind.IpsetGc : 0);
    if (kindCache.size >= KIND_CACHE_MAX) kindCache.clear();
    kindCache.set(detachString(sym), k);
  }
  return k;
}

/** User-space DSOs that are not file paths. */
const USER_PSEUDO_DSOS = new Set(['[vdso]', '[vsyscall]', '[heap]', '[stack]', '[uprobes]', '[vectors]', '[sigpage]']);

/**
 * Whether frame `i` is user-space code. The address decides when perf printed one (kernel addresses are the upper
 * half: 16 hex digits, the first ≥ 8 — user-space `[unknown]` frames are often garbage such as 0 or ASCII bytes);
 * else the DSO: a file path or a user pseudo-DSO.
 */
export function isUserFrame(sample: PerfSample, i: number): boolean {
  const dso = sample.dsos[i] ?? '';
  if (dso === '[kernel.kallsyms]' || dso.startsWith('[kernel.') || dso.startsWith('[guest.kernel')) return false;
  const addr = sample.addrs?.[i];
  if (addr) return !(addr.length === 16 && addr.charCodeAt(0) >= 56 /* '8' */);
  return dso.startsWith('/') || dso === '[unknown]' || USER_PSEUDO_DSOS.has(dso) || dso.startsWith('[anon') || dso.startsWith('//anon');
}

/**
 * True for a sample of the idle loop: the idle task (pid 0), and walking from the leaf an idle-loop frame comes
 * before any interrupt or softirq entry. Interrupts and softirqs that run on top of the idle loop (packet processing
 * on an otherwise idle CPU) are work, not idle.
 */
export function isIdle(sample: PerfSample): boolean {
  if (sample.pid !== 0 || sample.frames.length === 0) return false;
  for (let i = 0; i < sample.frames.length; i++) {
    if (isUserFrame(sample, i)) return false;
    const k = kindOf(sample.frames[i]!);
    if (k & Kind.Idle) return true;
    if (k & Kind.Boundary) return false;
  }
  return false;
}

/** A frame's component by its symbol, else by its kernel-module DSO; null for excluded symbols, undefined for none. */
function frameComponent(sample: PerfSample, i: number): { rule?: ComponentRule; component: Component | null | undefined } {
  const rule = ruleOfSymbol(sample.frames[i]!);
  if (rule) return { rule, component: rule.component };
  return { component: componentOfModule(sample.dsos[i] ?? '') };
}

/** Whether a frame deeper than `i`, before the context ends, is a BPF tracing entry. */
function underTracing(sample: PerfSample, i: number): boolean {
  for (let j = i + 1; j < sample.frames.length; j++) {
    if (isUserFrame(sample, j)) return false;
    const k = kindOf(sample.frames[j]!);
    if (k & Kind.Tracing) return true;
    if (k & Kind.Boundary) return false;
  }
  return false;
}

/** The nearest deeper frame's component among `among`, before the context ends; undefined if none. */
function decidedDeeper(sample: PerfSample, i: number, among: readonly Component[]): Component | undefined {
  for (let j = i + 1; j < sample.frames.length; j++) {
    if (isUserFrame(sample, j)) return undefined;
    const c = frameComponent(sample, j).component;
    if (c && among.includes(c)) return c;
    if (kindOf(sample.frames[j]!) & Kind.Boundary) return undefined;
  }
  return undefined;
}

/** The component of one (non-idle) sample and the frame that decided it. */
export function explainSample(sample: PerfSample): SampleAttribution {
  const frames = sample.frames;
  const leaf = frames[0] ?? '[unknown]';
  if (frames.length === 0) return { component: 'stack', symbol: leaf, frame: 0 };
  if (isUserFrame(sample, 0)) return { component: 'user', symbol: leaf, frame: 0 };
  for (let i = 0; i < frames.length; i++) {
    if (isUserFrame(sample, i)) break;
    const { rule, component } = frameComponent(sample, i);
    if (rule?.sharedBy) {
      const c = decidedDeeper(sample, i, rule.sharedBy) ?? rule.component;
      if (c) return { component: c, symbol: frames[i]!, frame: i };
    } else if (component && !(rule?.unlessUnder && underTracing(sample, i))) {
      return { component, symbol: frames[i]!, frame: i };
    }
    if (kindOf(frames[i]!) & Kind.Boundary) break;
  }
  return stackPartOf(sample);
}

/**
 * The second tier, for a kernel sample no datapath component claims: the first frame from the leaf, past frames that
 * only mark where interrupts came back on, that a group of STACK_RULES names decides; 'stack' when none does.
 */
function stackPartOf(sample: PerfSample): SampleAttribution {
  const frames = sample.frames;
  for (let i = 0; i < frames.length; i++) {
    if (isUserFrame(sample, i)) break;
    const part = stackPartOfSymbol(frames[i]!);
    if (part && part !== 'transparent') return { component: part, symbol: frames[i]!, frame: i };
  }
  return { component: 'stack', symbol: frames[0] ?? '[unknown]', frame: 0 };
}

/** The component a (non-idle) sample's CPU time belongs to: the first component frame from the leaf (see above). */
export function attributeSample(sample: PerfSample): Component {
  return explainSample(sample).component;
}

export interface AttributeProfileOptions {
  /** How many deciding symbols to keep per component (default 10). */
  topN?: number;
  /** Also fold the non-idle samples into stacks (for flame graphs). */
  folded?: boolean;
}

/** Distinct deciding symbols remembered per component; beyond it new ones are pooled (keeps memory bounded). */
const MAX_SYMBOLS_PER_COMPONENT = 50_000;
const POOLED = '(other symbols)';

function zeroCounts(): Record<Component, number> {
  return Object.fromEntries(COMPONENTS.map((c) => [c, 0])) as Record<Component, number>;
}

/**
 * Adds up a profile: samples of the file's first event (the sampling event; further events such as a tracepoint
 * recorded alongside are listed and counted apart), idle samples, and the rest by component with their top symbols.
 */
export async function attributeProfile(samples: AsyncIterable<PerfSample> | Iterable<PerfSample>, opts: AttributeProfileOptions = {}): Promise<ProfileAttribution> {
  const topN = opts.topN ?? 10;
  const byComponent = zeroCounts();
  const symbols = new Map<Component, Map<string, number>>(COMPONENTS.map((c) => [c, new Map()]));
  const events: string[] = [];
  const otherEventSamples: Record<string, number> = {};
  let counted = 0;
  let idle = 0;
  let foreign = 0;
  const foreignByProcess = new Map<string, number>();
  const folded = opts.folded ? new FoldedStacks() : undefined;
  const byCpu: Record<string, Record<Component, number>> = {};
  for await (const s of samples) {
    if (events.length === 0 || (s.event !== events[0] && !events.includes(s.event))) events.push(detachString(s.event));
    if (s.event !== events[0]) {
      otherEventSamples[s.event] = (otherEventSamples[s.event] ?? 0) + 1;
      continue;
    }
    counted++;
    if (isIdle(s)) {
      idle++;
      continue;
    }
    const foreignName = foreignAs(s);
    if (foreignName !== undefined) {
      foreign++;
      foreignByProcess.set(foreignName, (foreignByProcess.get(foreignName) ?? 0) + 1);
      continue;
    }
    const a = explainSample(s);
    byComponent[a.component]++;
    if (s.cpu !== undefined) (byCpu[`cpu${s.cpu}`] ??= zeroCounts())[a.component]++;
    folded?.add(s, a.component);
    const m = symbols.get(a.component)!;
    const prev = m.get(a.symbol);
    if (prev !== undefined) m.set(a.symbol, prev + 1);
    else if (m.size < MAX_SYMBOLS_PER_COMPONENT) m.set(detachString(a.symbol), 1);
    else m.set(POOLED, (m.get(POOLED) ?? 0) + 1);
  }
  const topSymbols = Object.fromEntries(
    COMPONENTS.map((c) => {
      const list: SymbolCount[] = [...symbols.get(c)!].map(([symbol, n]) => ({ symbol, samples: n }));
      list.sort((a, b) => b.samples - a.samples || (a.symbol < b.symbol ? -1 : 1));
      return [c, list.slice(0, topN)];
    }),
  ) as Record<Component, SymbolCount[]>;
  const foreignTop = [...foreignByProcess].map(([symbol, n]) => ({ symbol: detachString(symbol), samples: n })).sort((a, b) => b.samples - a.samples || (a.symbol < b.symbol ? -1 : 1)).slice(0, topN);
  return { samples: counted, idleSamples: idle, foreignSamples: foreign, foreignByProcess: foreignTop, byComponent, ...(Object.keys(byCpu).length ? { byCpu } : {}), topSymbols, events, otherEventSamples, ...(folded ? { folded: folded.toRecord() } : {}) };
}
