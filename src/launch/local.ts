// Pod launch on the local testbed (study Fig. 7): a new pod joins a running model's node the way its CNI adds one —
// sandbox namespace, CNI ADD (the reference bridge plugin, or the veth/route/proxy-ARP a routed CNI's binary makes),
// the agent's own work (BPF endpoint, policy re-sync) — and is ready when its first request is answered. Then the
// matching DEL. Every phase is timed back to back, so the phases add up to the total.
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from '../util/exec.ts';
import type { ModelDescription } from '../testbed/model.ts';
import type { NodeName, PodInfo, StepTiming, Testbed } from '../testbed/topology.ts';
import { NETSERVER_PORT, endpointsOf } from '../testbed/topology.ts';
import { nsName } from '../testbed/names.ts';
import type { BuildContext } from '../testbed/build/context.ts';
import { ipBatch } from '../testbed/build/context.ts';
import { attachPod, detachPod } from '../testbed/build/attach.ts';
import { addBpfEndpoint, addBpfPolicyEndpoint, hasBpfPolicy, removeBpfEndpoint, removeBpfPolicyEndpoint } from '../testbed/build/bpf.ts';
import { resyncPolicy, rulesetFor } from '../testbed/build/policy.ts';
import { pidsInNamespace, stopPids } from '../testbed/processes.ts';
import type { LaunchPhase, LaunchTiming } from './record.ts';

/** Address slot of launched pods on routed models (10 + 40 = .50): clear of the test pods' .10–.12. */
const LAUNCH_ADDRESS_INDEX = 40;
/** How long a launched pod may take to answer its first request before the launch counts as failed. */
const READINESS_TIMEOUT_MS = 5000;

/** The raw record of one local launch, as written to raw/<model>/launch/launch-NNN.json. */
export interface LocalLaunchRecord {
  schema: 'cnibench.launch.local/1';
  model: string;
  index: number;
  testbed: string;
  node: NodeName;
  pod: { name: string; ns: string; ip?: string; hostIf?: string };
  /** Launch phases, back to back: their sum is totalMs. */
  phases: LaunchPhase[];
  totalMs: number;
  /** Deletion phases, back to back: their sum is teardownMs. */
  teardown: LaunchPhase[];
  teardownMs: number;
  /** Every command-level step the build helpers timed during the launch and the deletion. */
  steps: StepTiming[];
  readiness: { argv: string[]; attempts: number; target: string };
}

/** Phases measured back to back: each begins where the previous ended. */
class PhaseClock {
  readonly phases: LaunchPhase[] = [];
  private readonly t0 = performance.now();
  private last = this.t0;

  async phase<T>(phase: string, network: boolean, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } finally {
      const now = performance.now();
      this.phases.push({ phase, startMs: round(this.last - this.t0), ms: round(now - this.last), network });
      this.last = now;
    }
  }

  get totalMs(): number {
    return round(this.last - this.t0);
  }
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** The readiness probe: one TCP_RR transaction with the intra-host server pod's netserver. */
function readinessArgs(host: string): string[] {
  return ['netperf', '-H', host, '-p', String(NETSERVER_PORT), '-t', 'TCP_RR', '-l', '-1', '-P', '0', '--', '-r', '1,1'];
}

/** Launches pod l<index> on node-a of a running testbed, waits until it answers, and deletes it again. */
export async function launchPod(model: ModelDescription, tb: Testbed, index: number, signal?: AbortSignal): Promise<LocalLaunchRecord> {
  if (model.cni === 'reference') throw new Error(`${model.id} is a reference point: it launches no pods`);
  if (!tb.scenarios.includes('intra')) throw new Error('pod launches need the intra-host testbed (its server pod answers the readiness probe)');
  const ctx: BuildContext = { model, tb };
  const stepsFrom = tb.steps.length;
  const name = `l${index}` as const;
  const pod: PodInfo = { name, ns: nsName(tb.prefix, name), node: 'node-a', mtu: model.podMtu };
  const server = endpointsOf(tb, 'intra');
  const probe = readinessArgs(server.serverIp);
  const launch = new PhaseClock();
  let attempts = 0;
  let added = false;
  const policyBefore = rulesetFor(ctx, pod.node);
  try {
    await launch.phase('sandbox', false, async () => {
      tb.pods.push(pod); // from here on, testbedDown removes it too if we are interrupted
      await run(['ip', 'netns', 'add', pod.ns]);
      await ipBatch(pod.ns, ['link set lo up']);
    });
    await launch.phase('cni-add', true, () => attachPod(ctx, pod, LAUNCH_ADDRESS_INDEX));
    added = true;
    if (model.attach.kind === 'bpf-veth') await launch.phase('bpf-endpoint', true, () => addBpfEndpoint(ctx, pod));
    if (policyBefore) await launch.phase('policy', true, () => resyncPolicy(ctx, pod.node, policyBefore));
    else if (hasBpfPolicy(ctx)) await launch.phase('policy', true, () => addBpfPolicyEndpoint(ctx, pod));
    await launch.phase('readiness', false, async () => {
      const deadline = performance.now() + READINESS_TIMEOUT_MS;
      let last = '';
      for (;;) {
        attempts++;
        const r = await run(probe, { ns: pod.ns, reject: false, timeoutMs: 2000, signal });
        if (r.exitCode === 0 && !r.timedOut) return;
        if (signal?.aborted) throw new Error('interrupted');
        last = (r.stderr || r.stdout).trim().split('\n').pop() ?? '';
        if (performance.now() > deadline) throw new Error(`pod ${pod.ns} (${pod.ip ?? 'no address'}) got no answer from ${server.serverIp} within ${READINESS_TIMEOUT_MS} ms (${attempts} tries; last: ${last || 'no output'})`);
        await sleep(5);
      }
    });
  } catch (err) {
    await deletePod(ctx, pod, added, policyBefore !== undefined).catch(() => undefined);
    throw err;
  }
  const teardown = await deletePod(ctx, pod, added, policyBefore !== undefined);
  return {
    schema: 'cnibench.launch.local/1',
    model: model.id,
    index,
    testbed: tb.prefix,
    node: pod.node,
    pod: { name: pod.name, ns: pod.ns, ...(pod.ip ? { ip: pod.ip } : {}), ...(pod.hostIf ? { hostIf: pod.hostIf } : {}) },
    phases: launch.phases,
    totalMs: launch.totalMs,
    teardown: teardown.phases,
    teardownMs: teardown.totalMs,
    steps: tb.steps.splice(stepsFrom),
    readiness: { argv: probe, attempts, target: server.serverIp },
  };
}

/** The DEL side: policy without the pod, BPF endpoint out, CNI DEL, the sandbox removed (with anything left in it). */
async function deletePod(ctx: BuildContext, pod: PodInfo, added: boolean, hasPolicy: boolean): Promise<PhaseClock> {
  const { tb, model } = ctx;
  const clock = new PhaseClock();
  const policyWithPod = hasPolicy && added ? rulesetFor(ctx, pod.node) : undefined;
  const i = tb.pods.indexOf(pod);
  if (i >= 0) tb.pods.splice(i, 1);
  if (policyWithPod) await clock.phase('policy', true, () => resyncPolicy(ctx, pod.node, policyWithPod));
  else if (added && hasBpfPolicy(ctx)) await clock.phase('policy', true, () => removeBpfPolicyEndpoint(ctx, pod));
  if (added && model.attach.kind === 'bpf-veth') await clock.phase('bpf-endpoint', true, () => removeBpfEndpoint(ctx, pod));
  if (added) await clock.phase('cni-del', true, () => detachPod(ctx, pod));
  await clock.phase('sandbox', false, async () => {
    await stopPids(await pidsInNamespace(pod.ns), 0);
    await run(['ip', 'netns', 'del', pod.ns], { reject: false });
  });
  return clock;
}

/** The backend-neutral timing of a local launch record. */
export function localLaunchTiming(rec: LocalLaunchRecord): LaunchTiming {
  return { backend: 'local', model: rec.model, index: rec.index, totalMs: rec.totalMs, phases: rec.phases, teardownMs: rec.teardownMs };
}
