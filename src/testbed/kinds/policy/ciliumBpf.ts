// Cilium's network policy in the BPF datapath: the same tc programs, built with ENABLE_POLICY, look the sender's
// identity up in an ipcache and the endpoint's policy map before they hand a packet to a pod
// (src/testbed/bpf/cilium_like.c); the maps' contents are rendered by src/testbed/policy/cilium.ts.
import { join } from 'node:path';
import { POLICY_MAP_ENTRIES, ipcacheEntry, policyEntry, policyMapCreation } from '../../bpf/loader.ts';
import { BASE_INGRESS, ciliumPolicy, endpointIdOf } from '../../policy/cilium.ts';
import { must, type NodeName } from '../../topology.ts';
import type { PolicyKind } from './kind.ts';

/** An endpoint's policy entries beside the added rules: reserved:host and the rule admitting the namespace's pods. */
const BASE_ENTRIES = BASE_INGRESS.length;

export const ciliumBpf: PolicyKind<'cilium-bpf'> = {
  kind: 'cilium-bpf',
  features: () => ['tc-bpf'],
  scales: () => true,
  maxRules: {
    rules: POLICY_MAP_ENTRIES - BASE_ENTRIES,
    why: `an endpoint's policy map holds ${POLICY_MAP_ENTRIES.toLocaleString('en-US')} entries (Cilium's default bpf-policy-map-max), ${BASE_ENTRIES} of them taken by reserved:host and the rule admitting the pods`,
  },
  iptables: false,
  ruleset: () => undefined,
  bpf: {
    defines: ['ENABLE_POLICY'],
    // The NetworkPolicy selects every pod of the testbed for ingress.
    endpoint: (_spec, podIp) => ({ endpointId: endpointIdOf(podIp), ingress: true }),
    maps(_spec, tb, node, pods, ipcacheOf) {
      const self = must(tb.nodes.find((n) => n.name === node), node);
      const p = ciliumPolicy({
        podIps: tb.pods.map((x) => must(x.ip, `${x.name} address`)),
        nodeIp: self.underlayIp,
        otherNodeIps: tb.nodes.filter((n) => n.name !== node).map((n) => n.underlayIp),
        ...(tb.policyRules !== undefined ? { policyRules: tb.policyRules } : {}),
      });
      const pinDir = join(must(tb.bpffs, 'bpffs mount'), node);
      const ids = pods.map(endpointIdOf);
      const ipcache = p.ipcache.filter((e) => !ipcacheOf || ipcacheOf.some((ip) => e.cidr === `${ip}/32`));
      return {
        before: ids.flatMap((id) => policyMapCreation(pinDir, id)),
        updates: [
          ...ipcache.map((e) => ipcacheEntry(e.cidr, e.identity)),
          ...ids.flatMap((endpointId) => p.ingress.map((e) => policyEntry({ endpointId, ...e, deny: false }))),
        ],
        entriesPerEndpoint: p.ingress.length,
        ipcacheEntries: ipcache.length,
      };
    },
  },
  probes(_spec, kit, scenario) {
    // Every packet the server's endpoint receives is looked up in its policy (and, within a node, the replies the
    // client's endpoint receives too): the server's node must have admitted most of them.
    const server: NodeName = scenario === 'intra' ? 'node-a' : 'node-b';
    kit.bpf(`${server}:bpf:policy`, `BPF admitted the packets by the endpoint's policy map on ${server}`, server, 'policyAllow');
  },
  // Beside the pod's interface: the programs check it just before they hand the packet into the pod.
  box: () => ({
    title: 'eBPF policy (maps)',
    details: ['ipcache: source → identity', 'pod\'s map: identity, port → allow'],
    hook: () => undefined,
  }),
  words: () => 'eBPF: ipcache identities + a policy map per endpoint',
};
