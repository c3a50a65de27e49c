// The order of a run's items. Interleaved (the default): the run is a sequence of rounds, each round every
// configuration once in a fresh random order drawn from the run's seed, so drift of the machine falls on every
// configuration alike and consecutive items never belong to one model. Blocked: model by model, repetitions back to
// back (the order of runs before rounds existed, kept for comparison). Profiles follow the netperf rounds and pod
// launches come last, in a random model order too.
import type { NetperfTest } from '../tools/netperf/types.ts';
import type { Scenario } from '../testbed/model.ts';
import { type Placement, placementsOf } from './placement.ts';
import { type CollectPlan, type PlanItem, itemTarget, policyRulesApply, profileTestsOf, proxyModesOf } from './plan.ts';
import type { ServiceProxy } from '../testbed/services/types.ts';
import { prng } from '../util/random.ts';

export const ORDERS = ['interleaved', 'blocked'] as const;
export type Order = (typeof ORDERS)[number];

/** One thing a run measures repeatedly: a model's scenario under one test and placement (and Service count, in a sweep). */
export interface Config {
  model: string;
  scenario: Scenario;
  test: NetperfTest;
  placement: Placement;
  /** --sweep services=…: how many Services its testbed has besides the ones under test. */
  services?: number;
  /** --sweep policy-rules=…: how many rules its testbed's policy has ahead of the test flow's. */
  policyRules?: number;
  /** --proxy A,B: its testbed's Service implementation. */
  proxy?: ServiceProxy;
}

/**
 * Where in a run's comparison an item or configuration was measured: the Service implementation of a run comparing
 * several (--proxy A,B), and the size of a sweep (all absent in a run of one implementation and no sweep).
 */
export interface SweepPoint {
  proxy?: ServiceProxy;
  services?: number;
  policyRules?: number;
}

/** "@nftables", "@svc1000", "@rules100": the part of a key that names the point (empty outside a comparison). */
export function sweepSuffix(p: SweepPoint): string {
  return `${p.proxy === undefined ? '' : `@${p.proxy}`}${p.services === undefined ? '' : `@svc${p.services}`}${p.policyRules === undefined ? '' : `@rules${p.policyRules}`}`;
}

/** The point of an item or configuration, with only the fields it has (nothing outside a comparison or sweep). */
export function pointOf(p: SweepPoint): SweepPoint {
  return { ...(p.proxy === undefined ? {} : { proxy: p.proxy }), ...(p.services === undefined ? {} : { services: p.services }), ...(p.policyRules === undefined ? {} : { policyRules: p.policyRules }) };
}

/** Whether two items or configurations were measured at the same point. */
export function samePoint(a: SweepPoint, b: SweepPoint): boolean {
  return a.proxy === b.proxy && a.services === b.services && a.policyRules === b.policyRules;
}

/** "flannel/intra/tcp_rr", with "@split" when the run measures two placements and "@svc1000" (or "@rules100") in a sweep. */
export function configKey(c: Pick<Config, 'model' | 'scenario' | 'test'> & { placement?: Placement } & SweepPoint, twoPlacements: boolean): string {
  return `${c.model}/${c.scenario}/${c.test}${twoPlacements && c.placement ? `@${c.placement}` : ''}${sweepSuffix(c)}`;
}

/** The sizes a model is measured at: every size of the run's sweep, or one point (no size) outside a sweep and for models the sweep does not change. */
function sweepPointsOf(plan: CollectPlan, model: string): SweepPoint[] {
  const controls = plan.schedule?.controls ?? [];
  // A run comparing implementations measures a model once with each it combines with (the controls: without one).
  const proxies: SweepPoint[] = plan.proxy?.modes ? proxyModesOf(plan, model).map((proxy) => ({ proxy })) : [{}];
  if (plan.proxy?.modes && proxies.length === 0) return [{}];
  if (plan.proxy?.sweep && !controls.includes(model)) return proxies.flatMap((p) => plan.proxy!.sweep!.map((services) => ({ ...p, services })));
  if (plan.policyRules?.sweep && policyRulesApply(model)) return proxies.flatMap((p) => plan.policyRules!.sweep!.map((policyRules) => ({ ...p, policyRules })));
  return proxies;
}

/**
 * Every configuration of a plan, in catalogue order (models, scenarios, tests, placements, sizes). In a sweep every
 * model but the controls is measured at each size; the controls run pod to pod without Services, once.
 */
export function configsOf(plan: CollectPlan): Config[] {
  const placements = placementsOf(plan.placement ?? 'free');
  const out: Config[] = [];
  for (const model of plan.models) {
    const points = sweepPointsOf(plan, model);
    for (const scenario of plan.scenarios) {
      for (const test of plan.tests) {
        for (const placement of placements) for (const point of points) out.push({ model, scenario, test, placement, ...point });
      }
    }
  }
  return out;
}

export { prng } from '../util/random.ts';

/** A Fisher–Yates shuffle of a copy, driven by `random`. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** The generator of one round (or of the launch order, round −1): each its own stream of the seed. */
function roundRandom(seed: number, round: number): () => number {
  // Mix the round into the seed so round streams do not overlap (a golden-ratio step, as splitmix does).
  return prng((seed ^ Math.imul(round + 1, 0x9e3779b9)) >>> 0);
}

function netperfItemId(c: Config, rep: number, twoPlacements: boolean): string {
  return `${configKey(c, twoPlacements)}/${String(rep).padStart(3, '0')}`;
}

function netperfItem(plan: CollectPlan, c: Config, rep: number, twoPlacements: boolean): PlanItem {
  const target = itemTarget(plan, c.model);
  return {
    id: netperfItemId(c, rep, twoPlacements), kind: 'netperf', model: c.model, scenario: c.scenario, test: c.test, rep, placement: c.placement, ...pointOf(c), ...(target ? { target } : {}),
  };
}

/** The items of one interleaved round: `configs` once each, in the round's random order. */
export function roundItems(plan: CollectPlan, round: number, configs: readonly Config[]): PlanItem[] {
  const two = placementsOf(plan.placement ?? 'free').length > 1;
  return shuffled(configs, roundRandom(plan.schedule!.seed, round)).map((c) => netperfItem(plan, c, round, two));
}

/**
 * "flannel/intra/profile/001" for a stream profile (as before there were others), "…/profile-tcp_rr/001" otherwise,
 * and "…/profile-tcp_crr@iptables@svc1000/001" at a point of a comparison or sweep.
 */
function profileItemId(model: string, scenario: Scenario, rep: number, test: NetperfTest = 'tcp_stream', point: SweepPoint = {}): string {
  return `${model}/${scenario}/${profileFolder(test)}${sweepSuffix(point)}/${String(rep).padStart(3, '0')}`;
}

/** The folder (and id part) of a test's profiles: "profile" for TCP_STREAM, "profile-<test>" for the others. */
export function profileFolder(test: NetperfTest): string {
  return test === 'tcp_stream' ? 'profile' : `profile-${test}`;
}

function launchItemId(model: string, index: number): string {
  return `${model}/launch/${String(index).padStart(3, '0')}`;
}

/**
 * The profile items of one repetition: one per model, scenario, profiled test and point of the run's comparison or
 * sweep. In a sweep the controls are not profiled: their one point has no size to draw against.
 */
function profileItems(plan: CollectPlan, pairs: readonly { model: string; scenario: Scenario }[], rep: number): PlanItem[] {
  if (!plan.profile || rep > (plan.profile.reps ?? 1)) return [];
  const placement = placementsOf(plan.placement ?? 'free')[0]!;
  const sweep = plan.proxy?.sweep ?? plan.policyRules?.sweep;
  const controls = plan.schedule?.controls ?? [];
  return pairs.filter(({ model }) => !(sweep && controls.includes(model))).flatMap(({ model, scenario }) => sweepPointsOf(plan, model).flatMap((point) => profileTestsOf(plan.profile!).map((test): PlanItem => {
    const target = itemTarget(plan, model);
    return { id: profileItemId(model, scenario, rep, test, point), kind: 'profile', model, scenario, test, rep, placement, ...point, ...(target ? { target } : {}) };
  })));
}

function launchItems(plan: CollectPlan, model: string): PlanItem[] {
  const items: PlanItem[] = [];
  for (let i = 1; i <= (plan.launch?.count ?? 0); i++) items.push({ id: launchItemId(model, i), kind: 'launch', model, scenario: 'intra', test: 'tcp_rr', rep: i });
  return items;
}

/** The rounds a run starts with: all of them for a fixed count, the minimum when it stops adaptively. */
function initialRounds(plan: CollectPlan): number {
  return plan.schedule?.stopping ? Math.min(plan.schedule.stopping.minRounds, plan.reps) : plan.reps;
}

/**
 * Every item the run starts with, in the order they will run, including combinations a model does not have (the
 * caller records them as skipped). Adaptive runs add later rounds as they go (`stopping.ts`).
 */
export function planItems(plan: CollectPlan): PlanItem[] {
  const order = plan.schedule?.order ?? 'blocked';
  const two = placementsOf(plan.placement ?? 'free').length > 1;
  const configs = configsOf(plan);
  if (order === 'blocked') {
    const items: PlanItem[] = [];
    for (const model of plan.models) {
      for (const scenario of plan.scenarios) {
        for (const c of configs.filter((x) => x.model === model && x.scenario === scenario)) {
          for (let rep = 1; rep <= plan.reps; rep++) items.push(netperfItem(plan, c, rep, two));
        }
        for (let rep = 1; rep <= (plan.profile?.reps ?? 0); rep++) items.push(...profileItems(plan, [{ model, scenario }], rep));
      }
      items.push(...launchItems(plan, model));
    }
    // Blocked: one test's repetitions back to back, tests in catalogue order within a scenario.
    return items;
  }
  // Profile k joins round k, shuffled in with its netperf items (a run of profiles only has rounds of profiles).
  const pairs = plan.models.flatMap((model) => plan.scenarios.map((scenario) => ({ model, scenario })));
  const items: PlanItem[] = [];
  const rounds = Math.max(plan.tests.length ? initialRounds(plan) : 0, plan.profile?.reps ?? 0);
  for (let round = 1; round <= rounds; round++) {
    const netperf = plan.tests.length && round <= initialRounds(plan) ? roundItems(plan, round, configs) : [];
    items.push(...shuffled([...netperf, ...profileItems(plan, pairs, round)], roundRandom(plan.schedule!.seed, round)));
  }
  for (const model of shuffled(plan.models, roundRandom(plan.schedule!.seed, -1))) items.push(...launchItems(plan, model));
  return items;
}
