// What each datapath model puts in a node, read off its ModelDescription: the rows of Fig. 1 (veths, bridge,
// IP forwarding, tunnel devices, the relay) in words, and the iptables chains its policy builder lays out.
import type { ModelDescription, Scenario } from '../testbed/model.ts';
import { type NodeName, UNDERLAY, podCidr } from '../testbed/topology.ts';
import type { BoxKind, Row } from '../testbed/kinds/fig1Rows.ts';
import { interHostKind } from '../testbed/kinds/interHost/index.ts';
import { attachKind } from '../testbed/kinds/attach/index.ts';
import { type PolicyBox, policyKind } from '../testbed/kinds/policy/index.ts';

export type { BoxKind, Row };

export type PolicyWords = PolicyBox;

/** The iptables chains an established packet crosses, as the policy builders in src/testbed/policy lay them out. */
export function policyWords(model: ModelDescription): PolicyWords {
  return policyKind(model.policy).box(model.policy);
}

/** Does the packet cross the node's IP forwarding (an L3 hop in the node namespace)? */
function forwards(model: ModelDescription, scenario: Scenario): boolean {
  return attachKind(model.attach).forwards(model.attach, model, scenario);
}

function routingDetails(model: ModelDescription, scenario: Scenario, node: NodeName): string[] {
  const out: string[] = [];
  const peer: NodeName = node === 'node-a' ? 'node-b' : 'node-a';
  const pr = model.policyRouting;
  // The rule comes first because the kernel consults it first: one more FIB lookup before the main table.
  if (pr && scenario === 'inter') out.push(`rule ${pr.priority}: from ${podCidr(model, node)} lookup table ${pr.table} (${pr.tableName}) first`);
  out.push(...attachKind(model.attach).routes);
  const ih = model.interHost;
  if (scenario === 'inter' && ih) {
    const route = interHostKind(ih).route(ih, podCidr(model, peer), UNDERLAY[peer]);
    if (route) out.push(route);
  }
  return out;
}

/** The rows of one node, top (below the pods) to bottom, for the scenario. */
export function nodeRows(model: ModelDescription, scenario: Scenario, node: NodeName): Row[] {
  const rows: Row[] = attachKind(model.attach).rows(model.attach, model, scenario, node);
  const ih = scenario === 'inter' ? model.interHost : undefined;
  if (forwards(model, scenario)) rows.push({ id: 'routing', kind: 'routing', span: true, title: 'IP forwarding', details: routingDetails(model, scenario, node) });
  if (ih) {
    rows.push(...interHostKind(ih).rows(ih, model, node));
    rows.push({ id: 'eth0', kind: 'iface', span: true, title: 'eth0', details: [`${UNDERLAY[node]}, the wire`] });
  }
  return rows;
}
