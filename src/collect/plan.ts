// A collection plan: which models, scenarios, tests, repetitions and durations — validated before anything is created.
import { NETPERF_TESTS, type NetperfTest } from '../tools/netperf/types.ts';
import { SCENARIOS, type Scenario } from '../testbed/model.ts';
import { MODELS, MODEL_IDS, findModel } from '../testbed/models/index.ts';
import { DEFAULT_CALICO_RULES } from '../testbed/lifecycle.ts';
import { UsageError } from '../util/errors.ts';
import type { K8sTarget } from '../k8s/target.ts';

export type Backend = 'local' | 'k8s';

export interface CollectPlan {
  backend: Backend;
  models: string[];
  scenarios: Scenario[];
  tests: NetperfTest[];
  reps: number;
  durationS: number;
  iptables: 'legacy' | 'nft';
  calicoRules: number;
  /** Profiled runs (perf record + perf stat during a stream test), once per model and scenario. */
  profile?: ProfilePlan;
  /** Pod launches timed per model (study Fig. 7), after its netperf items. */
  launch?: LaunchPlan;
  /** Kubernetes backend: the cluster, namespace, nodes and image. */
  k8s?: K8sTarget;
}

export interface LaunchPlan {
  /** Pods launched one after another per model (the study: 30). */
  count: number;
}

export const LAUNCH_DEFAULTS: LaunchPlan = { count: 30 };

export interface ProfilePlan {
  /** Length of each profiled netperf run, seconds (the study: 10). */
  durationS: number;
  /** perf record sampling frequency, Hz. */
  freqHz: number;
}

export const PROFILE_DEFAULTS: ProfilePlan = { durationS: 10, freqHz: 999 };

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
  rep: number;
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
  profile?: boolean;
  profileDuration?: string;
  profileFreq?: string;
  /** Pod launches per model; "" (flag given without a number) means the default. */
  launch?: string;
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
  const tests = input.tests?.trim() === 'none' ? [] : oneOf('test', list(input.tests) ?? [...NETPERF_TESTS], NETPERF_TESTS);
  const reps = positiveInt('--reps', input.reps, STUDY_DEFAULTS.reps);
  const durationS = positiveInt('--duration (seconds)', input.duration, STUDY_DEFAULTS.durationS);
  const iptables = oneOf('iptables flavour', [input.iptables ?? 'legacy'], ['legacy', 'nft'] as const)[0]!;
  const calicoRules = positiveInt('--calico-rules', input.calicoRules, DEFAULT_CALICO_RULES);
  if (!input.profile && (input.profileDuration !== undefined || input.profileFreq !== undefined)) {
    throw new UsageError('--profile-duration and --profile-freq only apply with --profile.');
  }
  const profile = input.profile
    ? { durationS: positiveInt('--profile-duration (seconds)', input.profileDuration, PROFILE_DEFAULTS.durationS), freqHz: positiveInt('--profile-freq (Hz)', input.profileFreq, PROFILE_DEFAULTS.freqHz) }
    : undefined;
  const launch = input.launch === undefined ? undefined
    : { count: input.launch === '' ? LAUNCH_DEFAULTS.count : positiveInt('--launch (pods per model)', input.launch, LAUNCH_DEFAULTS.count) };
  if (tests.length === 0 && !profile && !launch) throw new UsageError('--tests none leaves nothing to do: add --profile or --launch N, or name tests.');
  // Keep the registry's order whatever order the user typed.
  const ordered = MODELS.map((m) => m.id).filter((id) => models.includes(id));
  return { backend: 'local', models: ordered, scenarios: SCENARIOS.filter((s) => scenarios.includes(s)), tests, reps, durationS, iptables, calicoRules, ...(profile ? { profile } : {}), ...(launch ? { launch } : {}) };
}

export function itemId(model: string, scenario: Scenario, test: NetperfTest, rep: number): string {
  return `${model}/${scenario}/${test}/${String(rep).padStart(3, '0')}`;
}

export function profileItemId(model: string, scenario: Scenario): string {
  return `${model}/${scenario}/profile`;
}

export function launchItemId(model: string, index: number): string {
  return `${model}/launch/${String(index).padStart(3, '0')}`;
}

/**
 * Every (model, scenario, test, rep), including combinations a model does not have (they are recorded as
 * skipped), with --profile one profiled stream run per model and scenario after its netperf items, and with
 * --launch N pod launches per model at the end of its items.
 */
export function planItems(plan: CollectPlan): PlanItem[] {
  const items: PlanItem[] = [];
  for (const model of plan.models) {
    for (const scenario of plan.scenarios) {
      for (const test of plan.tests) {
        for (let rep = 1; rep <= plan.reps; rep++) items.push({ id: itemId(model, scenario, test, rep), kind: 'netperf', model, scenario, test, rep });
      }
      if (plan.profile) items.push({ id: profileItemId(model, scenario), kind: 'profile', model, scenario, test: 'tcp_stream', rep: 1 });
    }
    for (let i = 1; i <= (plan.launch?.count ?? 0); i++) items.push({ id: launchItemId(model, i), kind: 'launch', model, scenario: 'intra', test: 'tcp_rr', rep: i });
  }
  return items;
}

/** Why a model cannot run an item's scenario (or launch pods) at all, or undefined if it can. */
export function notApplicable(modelId: string, scenario: Scenario, kind: PlanItem['kind'] = 'netperf'): string | undefined {
  const model = findModel(modelId);
  if (!model) return `unknown model ${modelId}`;
  if (kind === 'launch') {
    if (model.attach.kind === 'host' || model.attach.kind === 'direct-veth') return `${modelId} is a reference point, not a CNI: it launches no pods`;
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
