// Brings a model's testbed up (namespaces → wire → pods → inter-host → policy → BPF → netservers) and down again,
// undoing everything on failure, so nothing of ours outlives the run.
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { run, spawnDaemon, type Daemon } from '../util/exec.ts';
import { netserverArgs } from '../tools/netperf/command.ts';
import type { ModelDescription, Scenario } from './model.ts';
import { STATE_DIR, newPrefix } from './names.ts';
import { NETSERVER_PORT, type Testbed, type Wire, planTopology, serverNamespaces } from './topology.ts';
import type { BuildContext } from './build/context.ts';
import { daemonLog, timed } from './build/context.ts';
import { createNamespaces, createWire } from './build/namespaces.ts';
import { attachPods, detachPods } from './build/attach.ts';
import { buildInterHost, buildPolicyRouting } from './build/interHost.ts';
import { applyPolicy } from './build/policy.ts';
import { installServices, type ProxyOptions } from './build/services.ts';
import { removeCgroup } from './services/ebpfSocketLb.ts';
import { buildBpf, teardownBpf } from './build/bpf.ts';
import { pidsInNamespace, stopDaemons, stopPids } from './processes.ts';
import { HOLDER_ARGV, HOLDER_NAME, forgetHolders, rememberHolders } from './nsHolders.ts';
import { removeState, saveState } from './state.ts';
import { listNamespaces } from './cleanup.ts';
import { CALICO_DEFAULT_RULES } from './policy/calico/index.ts';

export interface UpOptions {
  scenarios?: readonly Scenario[];
  iptables?: 'legacy' | 'nft';
  calicoRules?: number;
  /**
   * Rules added to the policy selecting the netperf pods (models whose policy scales with them). 0 still puts that
   * policy in place (Weave and kube-router then isolate the pods), so a sweep's smallest size differs only in rules.
   */
  policyRules?: number;
  prefix?: string;
  /** Start netservers in the server pods (collect needs them; a hands-on testbed may not). */
  netservers?: boolean;
  /** The link between the nodes (default veth). */
  wire?: Wire;
  /** kube-proxy's rules on every node (beyond the study), with this many Services besides the ones under test. */
  proxy?: ProxyOptions;
}


export async function testbedUp(model: ModelDescription, opts: UpOptions = {}): Promise<Testbed> {
  const prefix = opts.prefix ?? newPrefix();
  const scenarios = (opts.scenarios ?? model.scenarios).filter((s) => model.scenarios.includes(s));
  const { nodes, pods } = planTopology(model, scenarios, prefix);
  const tb: Testbed = {
    schema: 'cnibench.testbed/1',
    prefix,
    model: model.id,
    createdAt: new Date().toISOString(),
    scenarios,
    nodes,
    pods,
    daemons: [],
    ipamDir: join(STATE_DIR, 'ipam', prefix),
    iptables: opts.iptables ?? 'legacy',
    calicoRules: opts.calicoRules ?? CALICO_DEFAULT_RULES,
    ...(opts.policyRules !== undefined ? { policyRules: opts.policyRules } : {}),
    wire: opts.wire ?? 'veth',
    steps: [],
    emulation: [...model.emulation],
  };
  const ctx: BuildContext = { model, tb };
  // State first: if anything below dies, `testbed cleanup` still knows what to remove.
  await saveState(tb);
  try {
    await mkdir(tb.ipamDir, { recursive: true });
    await createNamespaces(ctx);
    await startHolders(ctx);
    await createWire(ctx);
    await attachPods(ctx);
    await buildInterHost(ctx);
    await buildPolicyRouting(ctx);
    // kube-proxy before the CNI's policy: Felix and kube-router keep their jumps at the top of the built-in chains
    // (they insert them), so on a real node an established packet meets the CNI's chains before KUBE-FORWARD's accept.
    if (opts.proxy) await installServices(ctx, opts.proxy);
    await applyPolicy(ctx);
    await buildBpf(ctx);
    if (opts.netservers !== false) await startNetservers(ctx);
    await saveState(tb);
    return tb;
  } catch (err) {
    await testbedDown(tb, model).catch(() => undefined);
    throw err;
  }
}

/** An idle process in every namespace, through which its counters are read as files (nsHolders.ts). */
async function startHolders(ctx: BuildContext): Promise<void> {
  for (const ns of [...ctx.tb.nodes.map((n) => n.ns), ...ctx.tb.pods.map((p) => p.ns)]) {
    const daemon = spawnDaemon(HOLDER_ARGV, { ns, logFile: daemonLog(ctx.tb, `${HOLDER_NAME}-${ns}`) });
    ctx.tb.daemons.push({ name: HOLDER_NAME, ns, pid: daemon.pid, argv: HOLDER_ARGV, stop: 'kill' });
  }
  rememberHolders(ctx.tb);
}

async function startNetservers(ctx: BuildContext): Promise<void> {
  for (const ns of serverNamespaces(ctx.tb)) {
    await timed(ctx, 'netserver', ns, async () => {
      const argv = netserverArgs(NETSERVER_PORT);
      const daemon = spawnDaemon(argv, { ns, logFile: daemonLog(ctx.tb, `netserver-${ns}`) });
      ctx.tb.daemons.push({ name: 'netserver', ns, pid: daemon.pid, argv, stop: 'kill' });
      await waitListening(ns, NETSERVER_PORT, daemon);
    });
  }
}

/** Waits (bounded) until something listens on a TCP port inside a namespace. */
async function waitListening(ns: string, port: number, daemon: Daemon): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const r = await run(['ss', '-Hltn', `sport = :${port}`], { ns, reject: false });
    if (r.stdout.trim()) return;
    if (daemon.exitCode() !== null) throw new Error(`netserver in ${ns} exited at start: ${await daemon.lastWords()}`);
    await sleep(10);
  }
  throw new Error(`netserver in ${ns} is not listening on port ${port} after 2 s`);
}

/** Removes everything of a testbed: processes by PID, CNI leases, BPF pins, namespaces, state. Safe to repeat. */
export async function testbedDown(tb: Testbed, model?: ModelDescription): Promise<void> {
  const ctx: BuildContext | undefined = model ? { model, tb } : undefined;
  forgetHolders(tb);
  await stopDaemons(tb.daemons);
  if (ctx) await detachPods(ctx).catch(() => undefined);
  const namespaces = [...tb.pods.map((p) => p.ns), ...tb.nodes.map((n) => n.ns)];
  // Whatever still runs inside our namespaces is a child of a daemon of ours (netserver forks one per test).
  await stopPids((await Promise.all(namespaces.map(pidsInNamespace))).flat(), 0);
  await deleteNamespaces(namespaces);
  // The socket load balancer's cgroup: its programs go with it (their pins with the bpffs below).
  if (tb.services?.socketLb) await removeCgroup(tb.services.socketLb.cgroup);
  await teardownBpf(tb);
  await rm(tb.ipamDir, { recursive: true, force: true });
  await removeState(tb.prefix);
}

/**
 * Deletes namespaces and checks that they are gone: `ip netns del` can fail (a process that entered one between the
 * stop and the delete, a mount of the namespace file still held elsewhere), and a failure ignored here would leave the
 * namespaces behind with the run reporting success. Up to four tries, each after stopping what runs inside and a
 * growing pause (0.1, 0.3, 1 s); then the names left are an error naming what holds each one.
 */
async function deleteNamespaces(namespaces: string[]): Promise<void> {
  const errors = new Map<string, string>();
  const pauses = [0, 100, 300, 1000];
  for (const pause of pauses) {
    const left = await stillListed(namespaces);
    if (left.length === 0) return;
    if (pause > 0) {
      await sleep(pause);
      await stopPids((await Promise.all(left.map(pidsInNamespace))).flat(), 0);
    }
    for (const ns of left) {
      const r = await run(['ip', 'netns', 'del', ns], { reject: false });
      if (r.exitCode !== 0) errors.set(ns, r.stderr.trim() || `ip netns del exited ${r.exitCode}`);
      else errors.delete(ns);
    }
  }
  const left = await stillListed(namespaces);
  if (left.length === 0) return;
  const why = await Promise.all(left.map(async (ns) => `${ns} (${errors.get(ns) ?? 'still listed'}; ${await holdersOf(ns)})`));
  throw new Error(`namespaces not removed after ${pauses.length} tries: ${why.join(', ')}`);
}

async function stillListed(namespaces: string[]): Promise<string[]> {
  const listed = new Set(await listNamespaces());
  return namespaces.filter((ns) => listed.has(ns));
}

/** What may hold a namespace that will not go: processes inside it and mounts of its file (for the error). */
async function holdersOf(ns: string): Promise<string> {
  const pids = await pidsInNamespace(ns);
  const mounts = (await readFile('/proc/self/mountinfo', 'utf8').catch(() => '')).split('\n').filter((l) => l.includes(`/netns/${ns} `)).length;
  return `${pids.length ? `processes ${pids.join(' ')}` : 'no process inside'}, mounted ${mounts} time(s) here`;
}
