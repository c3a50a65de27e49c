// Network policy as each CNI installs it (the model's policy kind, src/testbed/kinds/policy: Felix-like chains for
// Calico, WEAVE-NPC for Weave, KUBE-ROUTER chains for kube-router) — generated per node from the pods attached there,
// applied with one ipset and one iptables-restore.
import { policyUpdate } from '../policy/resync.ts';
import { run } from '../../util/exec.ts';
import { applyRuleset, readChainCounters, readChainPackets, chainKey, type Ruleset } from '../policy/index.ts';
import type { Testbed } from '../topology.ts';
import { policyKind } from '../kinds/policy/index.ts';
import { must } from '../topology.ts';
import { type BuildContext, podsOn, sysctl, timed } from './context.ts';

export function rulesetFor(ctx: BuildContext, nodeName: 'node-a' | 'node-b'): Ruleset | undefined {
  const { model, tb } = ctx;
  const pods = podsOn(tb, nodeName);
  const local = pods.map((p) => ({ ip: must(p.ip, `${p.name} address`), iface: must(p.hostIf, `${p.name} veth`) }));
  return policyKind(model.policy).ruleset(model.policy, model, tb, nodeName, local);
}

export async function applyPolicy(ctx: BuildContext): Promise<void> {
  const { tb } = ctx;
  for (const node of tb.nodes) {
    const rs = rulesetFor(ctx, node.name);
    if (!rs) continue;
    if (ctx.model.attach.kind === 'bridge') {
      // Weave and kube-router turn this on so that bridged pod-to-pod traffic reaches their FORWARD chains.
      await sysctl(node.ns, { 'net.bridge.bridge-nf-call-iptables': 1 });
    }
    const timing = await timed(ctx, `policy:${ctx.model.policy.kind}`, node.ns, () => applyRuleset(node.ns, tb.iptables, rs));
    tb.policy = { ...tb.policy, [node.name]: { perPacketChains: rs.perPacketChains, ruleCount: rs.ruleCount, ipsets: rs.ipsets.split('\n').filter((l) => l.startsWith('create ')).length, ...timing } };
  }
}

/**
 * Listing one chain costs about 10 ms (a process); saving the table about 0.05 ms per rule. So the probes' chains are
 * listed one by one when the node holds more than 200 rules per chain listed. Measured here (iptables-legacy): kube-router
 * with 20,058 rules, 3 chains listed in 160 ms against 950 ms to save and parse the table; 2,058 rules 38 against
 * 110 ms; Calico-wp's 480 rules, 13 chains 104 against 18 ms (saved).
 */
const RULES_PER_LISTED_CHAIN = 200;

/** kube-proxy rules from which saving tables one by one beats one save of all. */
const BIG_NAT_RULES = 1000;

/**
 * Packets counted per chain (keyed `table:chain`) in a node namespace. One save of every table is quickest (a process
 * per table costs more than the small tables do: 70 against 48 ms per snapshot for Calico-wp here); with kube-proxy's
 * rules in `nat` (1,000 Services: 11,000 lines) only the tables that hold `chains` are saved (75 against 236 ms).
 */
export async function readPolicyCounters(tb: Testbed, ns: string, chains: readonly string[] = []): Promise<Map<string, number>> {
  // A node with a big policy (--policy-rules): list the few chains the probes name instead of saving the table.
  const node = tb.nodes.find((n) => n.ns === ns);
  const policyRules = node ? tb.policy?.[node.name]?.ruleCount ?? 0 : 0;
  if (chains.length && policyRules > RULES_PER_LISTED_CHAIN * new Set(chains).size) return readChainPackets(ns, tb.iptables, chains);
  const tables = [...new Set(chains.map((key) => key.slice(0, key.indexOf(':'))))];
  const bigNat = tb.services?.mode === 'iptables' && tb.services.ruleCount >= BIG_NAT_RULES && !tables.includes('nat');
  const counters = await readChainCounters(ns, tb.iptables, bigNat && tables.length ? tables : undefined);
  return new Map(counters.map((c) => [chainKey(c.table, c.chain), c.packets]));
}

/**
 * Re-programs one node after its pods changed (a pod launched or deleted): `prev` is the ruleset generated for the
 * pods before the change. The whole node ruleset is re-synced in one transaction, as kube-router does; Felix
 * rewrites only the chains that changed, so for Calico this is an upper bound on the work.
 */
export async function resyncPolicy(ctx: BuildContext, nodeName: 'node-a' | 'node-b', prev: Ruleset | undefined): Promise<void> {
  const next = rulesetFor(ctx, nodeName);
  if (!prev || !next) return;
  const node = must(ctx.tb.nodes.find((n) => n.name === nodeName), nodeName);
  const update = policyUpdate(prev, next);
  if (update.ipsets) await run(['ipset', 'restore', '-exist'], { ns: node.ns, input: update.ipsets, timeoutMs: 30_000 });
  const restore = ctx.tb.iptables === 'nft' ? 'iptables-nft-restore' : 'iptables-legacy-restore';
  if (update.iptables) await run([restore, '--noflush', '--wait=10'], { ns: node.ns, input: update.iptables, timeoutMs: 30_000 });
}
