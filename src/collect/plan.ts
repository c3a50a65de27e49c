// A collection plan: which models, scenarios, tests, repetitions and durations — validated before anything is created.
import { NETPERF_TESTS, STUDY_TESTS, type NetperfTest } from '../tools/netperf/types.ts';
import { SCENARIOS, type Scenario } from '../testbed/model.ts';
import { MODELS, MODEL_IDS, findModel } from '../testbed/models/index.ts';
import { CALICO_DEFAULT_RULES } from '../testbed/policy/calico/index.ts';
import { MAX_POLICY_RULES } from '../testbed/policy/scaleRules.ts';
import { policyKind } from '../testbed/kinds/policy/index.ts';
import { TARGETS, WIRES, type Target, type Wire } from '../testbed/topology.ts';
import type { ServiceProxy } from '../testbed/services/types.ts';
import { existsSync } from 'node:fs';
import { UsageError } from '../util/errors.ts';
import type { K8sTarget } from './clusterRecord.ts';
import { randomBytes } from 'node:crypto';
import { DEFAULT_PLACEMENT, DEFAULT_SENDER_NICE, MAX_NICE, PLACEMENT_CHOICES, type Placement, type PlacementChoice } from './placement.ts';
import { DEFAULT_IDLE, IDLE_MODES, type IdleMode } from './idle.ts';
import { ORDERS, type Order } from './schedule.ts';

export type Backend = 'local' | 'k8s';

export interface CollectPlan {
  backend: Backend;
  models: string[];
  scenarios: Scenario[];
  tests: NetperfTest[];
  /** Repetitions of each configuration: the number of rounds, or with adaptive stopping the most rounds. */
  reps: number;
  durationS: number;
  /** Order, seed, warm-ups, controls and stopping (absent in runs made before rounds: blocked, fixed, no warm-up). */
  schedule?: SchedulePlan;
  /** Where netperf and netserver ran (absent in older runs: free). */
  placement?: PlacementChoice;
  /** Idle states during measurement (absent in older runs: not controlled). */
  idle?: IdleMode;
  /** The nice value netperf (the sending end) runs at; netserver stays at 0 (absent in older runs: 0). */
  senderNice?: number;
  iptables: 'legacy' | 'nft';
  calicoRules: number;
  /** The link between the two nodes of the local testbed (absent in older runs: veth). */
  wire?: Wire;
  /** Profiled runs (perf record + perf stat during a stream test), once per model and scenario. */
  profile?: ProfilePlan;
  /** Pod launches timed per model (study Fig. 7), after its netperf items. */
  launch?: LaunchPlan;
  /** Kubernetes backend: the cluster, namespace, nodes and image. */
  k8s?: K8sTarget;
  /** kube-proxy on the local testbed's nodes (beyond the study; absent: none, as the study). */
  proxy?: ProxyPlan;
  /** Where the tests go (absent: the server pod, as the study); `service`: the ClusterIP of its Service. */
  target?: Target;
  /** --policy-rules / --sweep policy-rules=…: rules added to the policy selecting the netperf pods (beyond the study). */
  policyRules?: PolicyRulesPlan;
}

/**
 * Rules added to the network policy that selects the netperf pods, ahead of the rule that admits the test flow, on the
 * models whose policy scales with them (see policyRulesApply); the other models run as without.
 */
export interface PolicyRulesPlan {
  /** The rules; in a sweep the largest size (each item carries its own). */
  rules: number;
  /** --sweep policy-rules=…: the sizes measured, interleaved in every round (each netperf item carries its `policyRules`). */
  sweep?: number[];
}

/** Whether --policy-rules changes a model: its policy kind adds the rules to the policy selecting the netperf pods. */
export function policyRulesApply(modelId: string): boolean {
  const model = findModel(modelId);
  return model !== undefined && policyKind(model.policy).scales(model.policy);
}

/**
 * The Service datapath as the local testbed installs it: the implementation (`default`: each model's usual one, see
 * proxyOf), and how many Services besides the ones under test.
 */
export interface ProxyPlan {
  /** The implementation (with `modes`, the first of them). */
  mode: ServiceProxy | 'default';
  /**
   * --proxy iptables,nftables,…: several implementations compared in one run — each model measured with every one
   * it combines with, a testbed per model and implementation, interleaved in every round (each item carries its
   * `proxy`). Absent with one implementation.
   */
  modes?: ServiceProxy[];
  /** Services besides the ones under test; in a sweep the largest size (each item carries its own). */
  services: number;
  /** --sweep services=…: the sizes measured, interleaved in every round (each netperf item carries its `services`). */
  sweep?: number[];
}

/** What --proxy accepts; ipvs is refused with why (see parseProxy). */
const PROXY_CHOICES = ['none', 'default', 'iptables', 'nftables', 'ebpf', 'ipvs'] as const;

/**
 * The Service implementation a model gets: the one asked for, or with `default` the one its CNI runs with —
 * Cilium-like models (pods attached by eBPF) their eBPF socket load balancer, every other CNI kube-proxy in iptables
 * mode (still kube-proxy's default mode).
 */
export function proxyOf(mode: ProxyPlan['mode'], modelId: string): ServiceProxy {
  if (mode !== 'default') return mode;
  return findModel(modelId)?.attach.kind === 'bpf-veth' ? 'ebpf' : 'iptables';
}

/**
 * The most Services --services installs. kube-proxy writes about six iptables rules per Service here (a KUBE-SERVICES
 * match, the Service chain, two per endpoint): 100,000 Services are some 600,000 rules, far past what any cluster
 * runs with iptables mode and past what loads in reasonable time.
 */
export const MAX_SERVICES = 100_000;

export interface SchedulePlan {
  order: Order;
  /** Seed of every random order of the run; --seed replays it. */
  seed: number;
  /** Length of the discarded warm-up run before each configuration's first item on a testbed, seconds (0: none). */
  warmupS: number;
  /**
   * Reference points measured in every round, so each model can also be read relative to the same round's control:
   * baseline within a node, host between nodes. Empty when --no-control.
   */
  controls: string[];
  /** Adaptive stopping: a configuration stops once the 95% CI of its mean is within ±precision of the mean. */
  stopping?: StoppingPlan;
}

export interface StoppingPlan {
  /** Relative half-width of the 95% confidence interval of the mean, e.g. 0.02. */
  precision: number;
  /** Rounds every configuration runs before it may stop. The most rounds is the plan's `reps`. */
  minRounds: number;
}

export const SCHEDULE_DEFAULTS = { minRounds: 5, maxRounds: 50, warmupS: 2 } as const;

/** The control model of each scenario. */
export const CONTROL_OF: Record<Scenario, string> = { intra: 'baseline', inter: 'host' };

export interface LaunchPlan {
  /** Pods launched one after another per model (the study: 30). */
  count: number;
}

const LAUNCH_DEFAULTS: LaunchPlan = { count: 30 };

export interface ProfilePlan {
  /** Length of each profiled netperf run, seconds (the study: 10). */
  durationS: number;
  /**
   * Profiles per model and scenario, one per round from the first (absent in older runs: one). CPP statistics are
   * taken over profiles, so one profile is one observation.
   */
  reps?: number;
  /** perf record sampling frequency, Hz. */
  freqHz: number;
  /**
   * The tests profiled (absent in older runs: TCP_STREAM only, as the study). A request/response profile gives
   * cycles per transaction: one-byte messages are never segmented, so its denominator is unambiguous.
   */
  tests?: NetperfTest[];
}

/** The tests a run's profiles ran. */
export function profileTestsOf(profile: ProfilePlan): NetperfTest[] {
  return profile.tests ?? ['tcp_stream'];
}

const PROFILE_DEFAULTS = { durationS: 10, freqHz: 999, reps: 5 } as const;

/**
 * One netperf run, one profiled pair of runs, or one timed pod launch: the unit the manifest tracks, skips and
 * resumes. Launch items are intra-host; their `test` is the readiness probe (one TCP_RR transaction answered).
 */
export interface PlanItem {
  id: string;
  kind: 'netperf' | 'profile' | 'launch';
  model: string;
  scenario: Scenario;
  test: NetperfTest;
  /** Repetition; in interleaved runs the round the item belongs to. */
  rep: number;
  /** Where the ends ran (netperf and profile items; absent in older runs). */
  placement?: Placement;
  /**
   * `service`: the test went to the ClusterIP of the server's Service (collect --target service). Absent: to the server
   * pod — also for the controls of such a run, which have no Service datapath and keep measuring the machine.
   */
  target?: Target;
  /** How many Services besides the ones under test its testbed had (items of a --sweep services=… run only). */
  services?: number;
  /** How many rules its testbed's policy had ahead of the test flow's (items of a --sweep policy-rules=… run only). */
  policyRules?: number;
  /** Its testbed's Service implementation (items of a run comparing several, --proxy A,B only). */
  proxy?: ServiceProxy;
}

/** The study's defaults: 10 s per test, 50 repetitions, every model, both scenarios, all three tests. */
export const STUDY_DEFAULTS = { reps: 50, durationS: 10 } as const;

export interface PlanInput {
  cni?: string;
  scenario?: string;
  tests?: string;
  reps?: string;
  duration?: string;
  iptables?: string;
  calicoRules?: string;
  wire?: string;
  profile?: boolean;
  profileDuration?: string;
  profileFreq?: string;
  profileReps?: string;
  profileTests?: string;
  /** Pod launches per model; "" (flag given without a number) means the default. */
  launch?: string;
  order?: string;
  seed?: string;
  placement?: string;
  idle?: string;
  senderNice?: string;
  precision?: string;
  minRounds?: string;
  maxRounds?: string;
  warmup?: string;
  noControl?: boolean;
  proxy?: string;
  services?: string;
  target?: string;
  /** "services=1,100,1000" or "policy-rules=10,100": the sizes of a sweep. */
  sweep?: string;
  policyRules?: string;
}

/** What --sweep can vary. */
const SWEEP_DIMENSIONS = ['services', 'policy-rules'] as const;
export type SweepDimension = (typeof SWEEP_DIMENSIONS)[number];

/** --sweep DIMENSION=N,N,…: which dimension and the size texts (checked by the dimension's own parser). */
function parseSweep(text: string | undefined): { dimension: SweepDimension; sizes: string[] } | undefined {
  if (text === undefined) return undefined;
  const m = /^([a-z-]+)=(.+)$/.exec(text.trim());
  if (!m || !SWEEP_DIMENSIONS.includes(m[1] as SweepDimension)) {
    throw new UsageError(`--sweep takes services=N,N,… or policy-rules=N,N,… (e.g. services=1,100,1000,10000; got "${text}").`);
  }
  return { dimension: m[1] as SweepDimension, sizes: m[2]!.split(',').map((x) => x.trim()) };
}

/** A sweep's sizes: distinct, ascending, at least two. */
function sweepSizes(dimension: SweepDimension, sizes: readonly string[], parse: (text: string) => number): number[] {
  const out = [...new Set(sizes.map(parse))].sort((a, b) => a - b);
  if (out.length < 2) throw new UsageError(`--sweep ${dimension}=… needs at least two sizes to compare (got ${out.join(', ')}); for one, use --${dimension} N.`);
  return out;
}

function list(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const items = value.split(',').map((s) => s.trim()).filter(Boolean);
  if (items.length === 0) throw new UsageError('an empty list was given; name at least one item, comma-separated.');
  return [...new Set(items)];
}

function oneOf<T extends string>(what: string, given: string[], allowed: readonly T[]): T[] {
  const bad = given.filter((g) => !allowed.includes(g as T));
  if (bad.length) throw new UsageError(`unknown ${what} ${bad.map((b) => `"${b}"`).join(', ')}; choose from: ${allowed.join(', ')}.`);
  return given as T[];
}

function positiveInt(what: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new UsageError(`${what} must be a whole number of at least 1 (got "${value}").`);
  return n;
}

export function parsePlan(input: PlanInput): CollectPlan {
  const models = oneOf('model', list(input.cni) ?? [...MODEL_IDS], MODEL_IDS);
  const scenarios = oneOf('scenario', list(input.scenario) ?? [...SCENARIOS], SCENARIOS);
  // `--tests none`: no netperf items (e.g. only pod launches or only profiles).
  const tests = input.tests?.trim() === 'none' ? [] : oneOf('test', list(input.tests) ?? [...STUDY_TESTS], NETPERF_TESTS);
  const reps = positiveInt('--reps', input.reps, STUDY_DEFAULTS.reps);
  const durationS = positiveInt('--duration (seconds)', input.duration, STUDY_DEFAULTS.durationS);
  const iptables = oneOf('iptables flavour', [input.iptables ?? 'legacy'], ['legacy', 'nft'] as const)[0]!;
  const calicoRules = positiveInt('--calico-rules', input.calicoRules, CALICO_DEFAULT_RULES);
  const wire = oneOf('--wire', [input.wire ?? 'veth'], WIRES)[0]!;
  if (!input.profile && (input.profileDuration !== undefined || input.profileFreq !== undefined || input.profileReps !== undefined || input.profileTests !== undefined)) {
    throw new UsageError('--profile-duration, --profile-freq, --profile-reps and --profile-tests only apply with --profile.');
  }
  const profileTests = input.profileTests === undefined ? undefined : oneOf('profile test', list(input.profileTests)!, NETPERF_TESTS);
  const profile = input.profile
    ? {
      durationS: positiveInt('--profile-duration (seconds)', input.profileDuration, PROFILE_DEFAULTS.durationS), freqHz: positiveInt('--profile-freq (Hz)', input.profileFreq, PROFILE_DEFAULTS.freqHz),
      // Registry order, and absent when only the stream is profiled (as runs made before --profile-tests).
      ...(profileTests && profileTests.join() !== 'tcp_stream' ? { tests: NETPERF_TESTS.filter((t) => profileTests.includes(t)) } : {}),
    }
    : undefined;
  const launch = input.launch === undefined ? undefined
    : { count: input.launch === '' ? LAUNCH_DEFAULTS.count : positiveInt('--launch (pods per model)', input.launch, LAUNCH_DEFAULTS.count) };
  if (tests.length === 0 && !profile && !launch) throw new UsageError('--tests none leaves nothing to do: add --profile or --launch N, or name tests.');
  const method = parseMethod(input, reps, durationS);
  // Profiles are taken one per round from the first: no more than the rounds every configuration runs.
  const rounds = method.schedule.stopping ? method.schedule.stopping.minRounds : method.reps;
  const profileReps = profile ? positiveInt('--profile-reps', input.profileReps, Math.min(PROFILE_DEFAULTS.reps, rounds)) : 0;
  if (profile && tests.length && profileReps > rounds) {
    throw new UsageError(`--profile-reps ${profileReps} is more than the ${rounds} rounds every configuration runs (${method.schedule.stopping ? '--min-rounds' : '--reps'}): profiles are taken one per round.`);
  }
  const scenarioList = SCENARIOS.filter((s) => scenarios.includes(s));
  // Controls join the plan when something else is measured in their scenario (they are plain models otherwise).
  const measured = models.filter((m) => !Object.values(CONTROL_OF).includes(m));
  const controls = input.noControl || tests.length === 0 || measured.length === 0 ? [] : scenarioList.map((s) => CONTROL_OF[s]);
  const withControls = [...new Set([...models, ...controls])];
  // Keep the registry's order whatever order the user typed.
  const ordered = MODELS.map((m) => m.id).filter((id) => withControls.includes(id));
  const sweep = parseSweep(input.sweep);
  const services = parseProxy({ ...input, sweep: sweep?.dimension === 'services' ? input.sweep : undefined }, ordered, list(input.cni) !== undefined, tests, profile !== undefined);
  const policyRules = parsePolicyRules(input.policyRules, sweep?.dimension === 'policy-rules' ? sweep.sizes : undefined, ordered, list(input.cni) !== undefined);
  // A sweep profiles every size it measures, reported as cycles per connection or transaction against N (Fig. 12):
  // request/response profiles only. Pod launches do not pass through Services or the netperf pods' policy, so a
  // sweep has nothing to vary for them.
  if (sweep && launch) throw new UsageError(`--sweep does not take --launch: a pod launch does not go through Services or the netperf pods' policy, so its time would not vary with ${sweep.dimension}; time launches in a run of their own.`);
  if (sweep && profile && !(profile.tests ?? ['tcp_stream']).some((t) => t !== 'tcp_stream')) {
    throw new UsageError('--sweep with --profile reports cycles per connection or transaction at each size: add --profile-tests tcp_crr (a new connection per transaction; or tcp_rr, udp_rr).');
  }
  if (services.proxy?.modes && profile && !sweep) {
    throw new UsageError(`--proxy ${services.proxy.modes.join(',')} --profile: profiles comparing implementations are reported against the number of Services; add --sweep services=N,N,… (or profile one implementation, --proxy ${services.proxy.modes[0]}).`);
  }
  return {
    ...services,
    ...(policyRules ? { policyRules } : {}),
    backend: 'local', models: ordered, scenarios: scenarioList, tests, reps: method.reps, durationS, iptables, calicoRules, wire,
    schedule: { ...method.schedule, controls: [...new Set(controls)] }, placement: method.placement, idle: method.idle, senderNice: method.senderNice,
    ...(profile ? { profile: { ...profile, reps: profileReps } } : {}), ...(launch ? { launch } : {}),
  };
}

/** The method options: order, seed, placement, idle mode, the sender's nice value, warm-up and stopping, each refused with its fix when bad. */
function parseMethod(input: PlanInput, fixedReps: number, durationS: number): { reps: number; schedule: Omit<SchedulePlan, 'controls'>; placement: PlacementChoice; idle: IdleMode; senderNice: number } {
  const order = oneOf('--order', [input.order ?? 'interleaved'], ORDERS)[0]!;
  const placement = oneOf('--placement', [input.placement ?? DEFAULT_PLACEMENT], PLACEMENT_CHOICES)[0]!;
  const idle = oneOf('--idle mode', [input.idle ?? DEFAULT_IDLE], IDLE_MODES)[0]!;
  let senderNice: number = DEFAULT_SENDER_NICE;
  if (input.senderNice !== undefined) {
    senderNice = Number(input.senderNice);
    if (!/^\d+$/.test(input.senderNice.trim()) || senderNice > MAX_NICE) {
      throw new UsageError(`--sender-nice is the nice value netperf runs at, a whole number from 0 (as netserver) to ${MAX_NICE} (got "${input.senderNice}").`);
    }
  }
  let seed: number;
  if (input.seed === undefined) seed = randomBytes(4).readUInt32BE(0);
  else {
    if (!/^\d+$/.test(input.seed.trim()) || Number(input.seed) > 0xffffffff) throw new UsageError(`--seed must be a whole number from 0 to 4294967295 (got "${input.seed}"); a run's manifest records the seed it used.`);
    seed = Number(input.seed);
  }
  let warmupS: number = Math.min(SCHEDULE_DEFAULTS.warmupS, durationS);
  if (input.warmup !== undefined) {
    if (!/^\d+$/.test(input.warmup.trim())) throw new UsageError(`--warmup must be a whole number of seconds, 0 for none (got "${input.warmup}").`);
    warmupS = Number(input.warmup);
  }
  const schedule: Omit<SchedulePlan, 'controls'> = { order, seed, warmupS };
  if (input.precision === undefined) {
    if (input.minRounds !== undefined || input.maxRounds !== undefined) throw new UsageError('--min-rounds and --max-rounds bound adaptive stopping: add --precision P (e.g. 0.02), or fix the count with --reps N.');
    return { reps: fixedReps, schedule, placement, idle, senderNice };
  }
  const precision = Number(input.precision);
  if (!/^\s*(0?\.\d+|\d+(\.\d*)?)\s*$/.test(input.precision) || !(precision > 0 && precision < 1)) {
    throw new UsageError(`--precision is the relative half-width of the 95% confidence interval to reach, a number between 0 and 1 such as 0.02 (got "${input.precision}").`);
  }
  if (input.reps !== undefined) throw new UsageError('--reps fixes the number of rounds; with --precision bound them with --min-rounds and --max-rounds instead.');
  if (order === 'blocked') throw new UsageError('--precision stops configurations between rounds: it needs --order interleaved (the default).');
  const minRounds = positiveInt('--min-rounds', input.minRounds, SCHEDULE_DEFAULTS.minRounds);
  const maxRounds = positiveInt('--max-rounds', input.maxRounds, Math.max(SCHEDULE_DEFAULTS.maxRounds, minRounds));
  if (minRounds < 2) throw new UsageError('--min-rounds must be at least 2: a confidence interval needs two repetitions.');
  if (minRounds > maxRounds) throw new UsageError(`--min-rounds (${minRounds}) is above --max-rounds (${maxRounds}).`);
  return { reps: maxRounds, schedule: { ...schedule, stopping: { precision, minRounds } }, placement, idle, senderNice };
}

/**
 * Why a model cannot have this Service implementation (or, with `target` service, cannot reach a ClusterIP), or
 * undefined when it can. Cilium-like models redirect pod packets between veths in eBPF, past the node's netfilter
 * hooks: kube-proxy's rules would see the request and never the reply, which is why Cilium brings its own eBPF load
 * balancer. That load balancer, in turn, comes with Cilium (or Calico's eBPF dataplane), not with the CNIs that run
 * beside kube-proxy.
 */
export function proxyNotApplicable(modelId: string, target: Target = 'pod', mode: ProxyPlan['mode'] = 'default'): string | undefined {
  const model = findModel(modelId);
  if (!model) return `unknown model ${modelId}`;
  if (model.cni === 'reference') return `${modelId} is a reference point with no pods behind a node: it has no Service datapath`;
  if (target === 'service' && model.attach.kind === 'bridge' && !model.attach.gateway) return `${modelId}'s pods have no route off their flat subnet in this model (no gateway address on the ${model.attach.bridge} bridge), so a ClusterIP is out of their reach`;
  const proxy = proxyOf(mode, modelId);
  if (model.attach.kind === 'bpf-veth' && proxy !== 'ebpf') return `${modelId} redirects pod traffic in eBPF past netfilter, so kube-proxy's rules would see one direction only; Cilium replaces kube-proxy with its eBPF load balancer (--proxy ebpf, or default)`;
  if (model.attach.kind !== 'bpf-veth' && proxy === 'ebpf') return `${modelId}'s CNI runs beside kube-proxy; an eBPF socket load balancer comes with Cilium (or Calico's eBPF dataplane, not modelled), so it is not combined with ${modelId} here (--proxy iptables, nftables or default)`;
  return undefined;
}

/**
 * Why none of a list of Service implementations combines with a model (undefined if one does): each distinct reason,
 * so a model left out of `--proxy iptables,ebpf` says why for both.
 */
export function proxyListNotApplicable(modelId: string, target: Target | undefined, modes: readonly ProxyPlan['mode'][]): string | undefined {
  const reasons = modes.map((mode) => proxyNotApplicable(modelId, target, mode));
  if (reasons.some((r) => r === undefined)) return undefined;
  return [...new Set(reasons)].join('; ');
}

/**
 * Where a model's netperf and profile items send their tests: `service` when the run targets Services and the model
 * has a Service datapath in it; undefined (the server pod) otherwise — the controls, and every model of a run
 * without --target service. Every item a run creates, at its start or in an added round, takes it from here.
 */
export function itemTarget(plan: Pick<CollectPlan, 'target' | 'proxy'>, modelId: string): Target | undefined {
  return plan.target === 'service' && proxyModesOf(plan, modelId).length ? 'service' : undefined;
}

/** The Service implementations a model is measured with in a run: none, its one, or each of a list it combines with. */
export function proxyModesOf(plan: Pick<CollectPlan, 'target' | 'proxy'>, modelId: string): ServiceProxy[] {
  const { proxy } = plan;
  if (!proxy) return [];
  const asked = proxy.modes ?? [proxy.mode];
  return asked.filter((mode) => !proxyNotApplicable(modelId, plan.target, mode)).map((mode) => proxyOf(mode, modelId));
}

/** The Service implementation of an item's testbed: the item's own in a run comparing several, else the model's one (or none). */
export function itemProxy(plan: Pick<CollectPlan, 'target' | 'proxy'>, item: { model: string; proxy?: ServiceProxy }): ServiceProxy | undefined {
  return item.proxy ?? (plan.proxy?.modes ? undefined : proxyModesOf(plan, item.model)[0]);
}

/** --policy-rules N or --sweep policy-rules=…: the rules, refused when no model named takes them. */
function parsePolicyRules(given: string | undefined, sweepSizesText: readonly string[] | undefined, models: readonly string[], modelsNamed: boolean): PolicyRulesPlan | undefined {
  if (given === undefined && sweepSizesText === undefined) return undefined;
  if (given !== undefined && sweepSizesText !== undefined) throw new UsageError('--sweep policy-rules=… names every size; drop --policy-rules.');
  const parse = (what: string) => (text: string): number => {
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || n > MAX_POLICY_RULES) {
      throw new UsageError(`${what} is how many rules to add to the policy selecting the netperf pods, a whole number from 0 to ${MAX_POLICY_RULES} (got "${text}"): kube-router and Weave make an IP set per rule, and a namespace holds at most 65,534.`);
    }
    return n;
  };
  const scaling = models.filter(policyRulesApply);
  if (!scaling.length) {
    const which = MODELS.filter((m) => policyRulesApply(m.id)).map((m) => m.id).join(', ');
    throw new UsageError(`--${sweepSizesText ? 'sweep policy-rules=…' : 'policy-rules'}: none of the models (${models.filter((m) => !Object.values(CONTROL_OF).includes(m)).join(', ')}) has a network policy it scales; name one of ${which}.`);
  }
  if (modelsNamed && sweepSizesText) {
    const others = models.filter((m) => !policyRulesApply(m) && !Object.values(CONTROL_OF).includes(m));
    if (others.length) throw new UsageError(`--sweep policy-rules=…: ${others.join(', ')} ${others.length > 1 ? 'have' : 'has'} no network policy to scale; leave ${others.length > 1 ? 'them' : 'it'} out of --cni (the controls run once, pod to pod).`);
  }
  const plan: PolicyRulesPlan = sweepSizesText
    ? (() => {
      const sweep = sweepSizes('policy-rules', sweepSizesText, parse('each size of --sweep policy-rules=…'));
      return { rules: sweep.at(-1)!, sweep };
    })()
    : { rules: parse('--policy-rules')(given!) };
  // A CNI whose policy holds fewer rules than the generators make (Cilium's policy map): refused before anything is built.
  for (const m of scaling) {
    const max = policyKind(findModel(m)!.policy).maxRules;
    if (max && plan.rules > max.rules) {
      throw new UsageError(`${sweepSizesText ? '--sweep policy-rules=…' : '--policy-rules'} ${plan.rules.toLocaleString('en-US')}: ${m} holds at most ${max.rules.toLocaleString('en-US')} added rules — ${max.why}. Pick sizes up to that (in a run of its own if the other models need more).`);
    }
  }
  return plan;
}

/** --proxy, --services and --target: the Service datapath on the nodes, how many Services, and whether the tests go through one. */
function parseProxy(input: PlanInput, models: readonly string[], modelsNamed: boolean, tests: readonly NetperfTest[], profiled: boolean): Pick<CollectPlan, 'proxy' | 'target'> {
  // Services or a Service target without --proxy: each model gets the implementation its CNI runs with.
  const implied = input.proxy === undefined && (input.services !== undefined || input.target === 'service' || input.sweep !== undefined);
  const named = oneOf('--proxy', list(input.proxy) ?? [implied ? 'default' : 'none'], PROXY_CHOICES);
  if (named.length > 1 && named.some((m) => m === 'none' || m === 'default')) {
    throw new UsageError(`--proxy ${named.join(',')}: a list compares named implementations (iptables, nftables, ebpf); ${named.includes('none') ? 'none' : 'default'} cannot be one of them.`);
  }
  const modes = named.length > 1 ? (named as ServiceProxy[]) : undefined;
  const mode = named.includes('ipvs') ? 'ipvs' : named[0]!;
  const target = oneOf('--target', [input.target ?? 'pod'], TARGETS)[0]!;
  if (mode === 'ipvs') {
    throw new UsageError(existsSync('/proc/net/ip_vs')
      ? '--proxy ipvs: kube-proxy\'s IPVS mode is not modelled by cnibench (the kernel here has ip_vs); use --proxy iptables, nftables or ebpf.'
      : '--proxy ipvs: this kernel lacks IPVS (no /proc/net/ip_vs: the ip_vs module is not built or not loaded); use --proxy iptables, nftables or ebpf.');
  }
  if (mode === 'none') {
    if (input.services !== undefined || input.sweep !== undefined) throw new UsageError(`${input.sweep !== undefined ? '--sweep services=…' : '--services N'} installs Services for the Service datapath to program: drop --proxy none (or name iptables, nftables or ebpf).`);
    if (target === 'service') throw new UsageError('--target service sends the tests through a Service, which needs a Service datapath on the nodes: drop --proxy none (or name iptables, nftables or ebpf).');
    return {};
  }
  const count = (what: string, text: string) => {
    const n = Number(text);
    if (!/^\d+$/.test(text.trim()) || n > MAX_SERVICES) throw new UsageError(`${what} is how many Services to install besides the ones under test, a whole number from 0 to ${MAX_SERVICES} (got "${text}").`);
    return n;
  };
  let services = input.services === undefined ? 0 : count('--services', input.services);
  let sweep: number[] | undefined;
  const asked = parseSweep(input.sweep);
  if (asked) {
    if (input.services !== undefined) throw new UsageError('--sweep services=… names every size; drop --services.');
    sweep = sweepSizes('services', asked.sizes, (x) => count('each size of --sweep services=…', x));
    services = sweep.at(-1)!;
  }
  const each = modes ?? [mode];
  // A model is left out when no implementation of the list combines with it (with a list, those that do are measured).
  const without = models.filter((m) => !Object.values(CONTROL_OF).includes(m) && proxyListNotApplicable(m, target, each));
  if (modelsNamed && without.length) throw new UsageError(`--proxy ${each.join(',')}${target === 'service' ? ' --target service' : ''}: ${proxyListNotApplicable(without[0]!, target, each)}. Leave ${without.join(', ')} out of --cni.`);
  if (models.every((m) => proxyListNotApplicable(m, target, each))) throw new UsageError(`--proxy ${each.join(',')}: none of the models has a Service datapath (${models.join(', ')}); name a CNI such as flannel or calico-np${mode === 'ebpf' ? ', with --proxy iptables, or cilium' : ''}.`);
  if (target === 'service' && tests.length === 0 && !profiled) throw new UsageError('--target service applies to netperf tests and profiles: name tests or add --profile.');
  return { proxy: { mode, ...(modes ? { modes } : {}), services, ...(sweep ? { sweep } : {}) }, ...(target === 'service' ? { target } : {}) };
}

/** Why a model cannot run an item's scenario (or launch pods) at all, or undefined if it can. */
export function notApplicable(modelId: string, scenario: Scenario, kind: PlanItem['kind'] = 'netperf'): string | undefined {
  const model = findModel(modelId);
  if (!model) return `unknown model ${modelId}`;
  if (kind === 'launch') {
    if (model.cni === 'reference') return `${modelId} is a reference point, not a CNI: it launches no pods`;
    if (!model.scenarios.includes('intra')) return `${modelId} attaches pods as ${modelId.replace(/-(ipip|vxlan)$/, '')} does; its pod launches are measured there`;
    return undefined;
  }
  if (!model.scenarios.includes(scenario)) {
    return scenario === 'inter'
      ? `${modelId} has no inter-host path`
      : `${modelId} differs from its native variant only between hosts; its intra-host path is measured as ${modelId.replace(/-(ipip|vxlan)$/, '')}`;
  }
  return undefined;
}
