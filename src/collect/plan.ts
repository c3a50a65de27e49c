// A collection plan: which models, scenarios, tests, repetitions and durations — validated before anything is created.
import { NETPERF_TESTS, type NetperfTest } from '../tools/netperf/types.ts';
import { SCENARIOS, type Scenario } from '../testbed/model.ts';
import { MODELS, MODEL_IDS, findModel } from '../testbed/models/index.ts';
import { DEFAULT_CALICO_RULES } from '../testbed/lifecycle.ts';
import { UsageError } from '../util/errors.ts';

export interface CollectPlan {
  backend: 'local';
  models: string[];
  scenarios: Scenario[];
  tests: NetperfTest[];
  reps: number;
  durationS: number;
  iptables: 'legacy' | 'nft';
  calicoRules: number;
  /** Profiled runs (perf record + perf stat during a stream test), once per model and scenario. */
  profile?: ProfilePlan;
}

export interface ProfilePlan {
  /** Length of each profiled netperf run, seconds (the study: 10). */
  durationS: number;
  /** perf record sampling frequency, Hz. */
  freqHz: number;
}

export const PROFILE_DEFAULTS: ProfilePlan = { durationS: 10, freqHz: 999 };

/** One netperf run (or one profiled pair of runs): the unit the manifest tracks, skips and resumes. */
export interface PlanItem {
  id: string;
  kind: 'netperf' | 'profile';
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
  const tests = oneOf('test', list(input.tests) ?? [...NETPERF_TESTS], NETPERF_TESTS);
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
  // Keep the registry's order whatever order the user typed.
  const ordered = MODELS.map((m) => m.id).filter((id) => models.includes(id));
  return { backend: 'local', models: ordered, scenarios: SCENARIOS.filter((s) => scenarios.includes(s)), tests, reps, durationS, iptables, calicoRules, ...(profile ? { profile } : {}) };
}

export function itemId(model: string, scenario: Scenario, test: NetperfTest, rep: number): string {
  return `${model}/${scenario}/${test}/${String(rep).padStart(3, '0')}`;
}

export function profileItemId(model: string, scenario: Scenario): string {
  return `${model}/${scenario}/profile`;
}

/**
 * Every (model, scenario, test, rep), including combinations a model does not have (they are recorded as
 * skipped), and with --profile one profiled stream run per model and scenario after its netperf items.
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
  }
  return items;
}

/** Why a model cannot run a scenario at all, or undefined if it can. */
export function notApplicable(modelId: string, scenario: Scenario): string | undefined {
  const model = findModel(modelId);
  if (!model) return `unknown model ${modelId}`;
  if (!model.scenarios.includes(scenario)) {
    return scenario === 'inter'
      ? `${modelId} has no inter-host path`
      : `${modelId} differs from its native variant only between hosts; its intra-host path is measured as ${modelId.replace(/-(ipip|vxlan)$/, '')}`;
  }
  return undefined;
}
