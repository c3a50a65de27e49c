// The testbeds of a local run: each model's testbed is brought up when its first item comes and kept up while the
// model has items left, so interleaved rounds do not pay a bring-up per item (several testbeds coexist: each is its
// own set of namespaces). A testbed that has nothing left to do is brought down at once.
import { errorMessage } from '../util/errors.ts';
import { findModel } from '../testbed/models/index.ts';
import { testbedDown, testbedUp } from '../testbed/lifecycle.ts';
import type { Testbed } from '../testbed/topology.ts';
import type { RunManifest } from '../collect/manifest.ts';
import { configsOfRound, lastRound } from '../collect/stopping.ts';
import { configKey, sweepSuffix, type SweepPoint } from '../collect/schedule.ts';
import { placementsOf } from '../collect/placement.ts';
import { itemProxy, policyRulesApply } from '../collect/plan.ts';
import { waitForQuiet } from '../tools/proc/quiet.ts';

/**
 * Models that still need their testbed: those with pending items, and in an adaptive run those with a configuration
 * that has not stopped yet — its next round is added only when the current one ends, and tearing the testbed down
 * in between would cost a bring-up and new warm-ups every round.
 */
export function modelsInUse(m: RunManifest): Set<string> {
  const keep = new Set(m.items.filter((i) => i.status === 'pending').map(testbedKey));
  if (m.plan.schedule?.stopping) {
    const two = placementsOf(m.plan.placement ?? 'free').length > 1;
    const { round } = lastRound(m.items);
    for (const c of configsOfRound(m.plan, m.items, round)) if (!m.stops?.[configKey(c, two)] && round < m.plan.reps) keep.add(testbedKey(c));
  }
  return keep;
}

/** Which testbed an item runs on: its model's, or in a sweep its model's at the item's size ("flannel@svc1000"). */
export function testbedKey(item: { model: string } & SweepPoint): string {
  return `${item.model}${sweepSuffix(item)}`;
}

export type TestbedOrFailure = { tb: Testbed } | { failure: string };

export class TestbedPool {
  private readonly up = new Map<string, Testbed>();
  private readonly failed = new Map<string, string>();
  /** Configurations warmed up on a testbed: `${prefix} ${configKey}`. */
  private readonly warmed = new Set<string>();

  constructor(
    private readonly m: RunManifest,
    /** Called once per testbed that came up (the run records it as a raw file). */
    private readonly onUp: (tb: Testbed) => Promise<void>,
  ) {}

  /**
   * The testbed of an item's model (in a sweep, of its model at its size), brought up with every scenario its
   * pending items need; a failure is remembered.
   */
  async get(item: { model: string } & SweepPoint): Promise<TestbedOrFailure> {
    const key = testbedKey(item);
    const modelId = item.model;
    const tb = this.up.get(key);
    if (tb) return { tb };
    const failure = this.failed.get(key);
    if (failure) return { failure };
    const model = findModel(modelId)!;
    const scenarios = [...new Set(this.m.items.filter((i) => testbedKey(i) === key && i.status === 'pending').map((i) => i.scenario))];
    try {
      const { proxy } = this.m.plan;
      // The Service datapath goes on the models that have one (the controls of such a run stay without).
      const mode = itemProxy(this.m.plan, item);
      const withProxy = proxy && mode
        ? { proxy: { mode, services: item.services ?? proxy.services, ...(this.m.plan.target ? { target: this.m.plan.target } : {}) } }
        : {};
      const fresh = await testbedUp(model, { scenarios, iptables: this.m.plan.iptables, calicoRules: this.m.plan.calicoRules, ...policyRulesOf(this.m.plan, item), wire: this.m.plan.wire, ...withProxy });
      this.up.set(key, fresh);
      await this.onUp(fresh);
      return { tb: fresh };
    } catch (err) {
      const reason = `testbed did not come up: ${errorMessage(err)}`;
      this.failed.set(key, reason);
      return { failure: reason };
    }
  }

  /** Whether `config` still needs its warm-up on this testbed; marks it done. */
  needsWarmup(tb: Testbed, config: string): boolean {
    const key = `${tb.prefix} ${config}`;
    if (this.warmed.has(key)) return false;
    this.warmed.add(key);
    return true;
  }

  /**
   * Brings down every testbed whose model has nothing left to do (see `modelsInUse`). A testbed that will not come
   * down is reported, not thrown: the run goes on, and `testbed cleanup` removes what is left.
   */
  async releaseIdle(): Promise<string[]> {
    const keep = modelsInUse(this.m);
    const problems: string[] = [];
    const released: string[] = [];
    for (const [key, tb] of this.up) {
      if (keep.has(key)) continue;
      this.up.delete(key);
      released.push(tb.prefix);
      await testbedDown(tb, findModel(tb.model)).catch((err: unknown) => problems.push(downProblem(tb, err)));
    }
    // The kernel frees a removed testbed's namespaces afterwards, in its own threads: let that finish before the
    // next item is measured (src/tools/proc/quiet.ts), and say in the manifest how long that took.
    if (released.length) {
      const startedAt = new Date().toISOString();
      const { ms, quiet } = await waitForQuiet();
      (this.m.settles ??= []).push({ after: released, startedAt, ms: Math.round(ms), quiet });
    }
    return problems;
  }

  /** Brings every testbed down; returns what could not be removed. */
  async closeAll(): Promise<string[]> {
    const problems: string[] = [];
    for (const tb of this.up.values()) await testbedDown(tb, findModel(tb.model)).catch((err: unknown) => problems.push(downProblem(tb, err)));
    this.up.clear();
    return problems;
  }
}

/** The --policy-rules a model's testbed gets: the item's size in a sweep, else the run's, on the models they change. */
function policyRulesOf(plan: RunManifest['plan'], item: { model: string } & SweepPoint): { policyRules?: number } {
  if (!plan.policyRules || !policyRulesApply(item.model)) return {};
  return { policyRules: item.policyRules ?? plan.policyRules.rules };
}

function downProblem(tb: Testbed, err: unknown): string {
  return `testbed ${tb.prefix} (${tb.model}) did not come down: ${errorMessage(err)}; remove what is left with: cnibench testbed down ${tb.prefix}`;
}
