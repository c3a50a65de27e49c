// A built testbed as a record: its namespaces, pods, addresses, devices and the steps it took — saved as state
// (so `testbed down` can find it) and into each run's raw data (so figures are drawn from what was measured).
import type { ModelDescription, Scenario } from './model.ts';
import { nsName } from './names.ts';
import type { ServiceApplyTiming } from './services/apply.ts';
import type { ServiceProxy } from './services/types.ts';

export type NodeName = 'node-a' | 'node-b';
/** Test pods a1, a2 (node-a) and b1 (node-b); `l<N>` are pods launched and deleted by a launch measurement. */
export type PodName = 'a1' | 'a2' | 'b1' | `l${number}`;

export interface NodeInfo {
  name: NodeName;
  ns: string;
  /** Address on the wire (underlay) between the two nodes. */
  underlayIp: string;
  /** This node's pod CIDR. */
  podCidr: string;
  /** MAC given to this node's tunnel device, where the model has one. */
  tunnelMac: string;
}

export interface PodInfo {
  name: PodName;
  ns: string;
  node: NodeName;
  /** Pod address (no prefix length); set when attached. */
  ip?: string;
  /** Host-side interface of the pod's veth, in the node namespace. */
  hostIf?: string;
  mtu: number;
}

export interface StepTiming {
  step: string;
  target: string;
  ms: number;
}

export interface DaemonInfo {
  name: string;
  ns: string;
  pid: number;
  argv: string[];
  /** How it is stopped: SIGTERM with a grace period, or SIGKILL at once (netserver ignores SIGTERM). */
  stop: 'term' | 'kill';
}

/** Where a netperf client runs and which netserver it talks to. */
export interface Endpoints {
  clientNs: string;
  serverNs: string;
  serverIp: string;
  /** Interface in the server namespace whose rx_packets count what the test delivered. */
  serverIf: string;
}

export interface Testbed {
  schema: 'cnibench.testbed/1';
  prefix: string;
  model: string;
  createdAt: string;
  scenarios: Scenario[];
  nodes: NodeInfo[];
  pods: PodInfo[];
  daemons: DaemonInfo[];
  /** bpffs mount of this testbed (cilium). */
  bpffs?: string;
  /**
   * The policy installed per node (models with policy): for iptables the chains an established packet crosses, rule
   * count, IP sets, and what restoring the sets, checking the rules and loading them took (ms; absent in older
   * testbeds); for a policy in BPF maps (Cilium's) the policy-map entries of the node's endpoints as `ruleCount`, its
   * ipcache entries, and the time to write them all as `loadMs`.
   */
  policy?: Partial<Record<NodeName, { perPacketChains: string[]; ruleCount: number; ipsets?: number; ipsetMs?: number; checkMs?: number; loadMs?: number; ipcacheEntries?: number }>>;
  /** host-local IPAM data directory of this testbed. */
  ipamDir: string;
  iptables: 'legacy' | 'nft';
  /** Rule count asked of Calico's per-workload policy. */
  calicoRules: number;
  /**
   * --policy-rules: rules added to the policy selecting the netperf pods, ahead of the one admitting the test flow
   * (models whose policy kind scales with them; absent in older testbeds and without the option: none).
   */
  policyRules?: number;
  /**
   * The link between the nodes (absent in older testbeds: veth). "nic": its offloads are off, so every packet
   * crosses it as one wire frame, as on a NIC without GSO/TSO/GRO.
   */
  wire?: Wire;
  /** With the nic wire: the features turned off on each node's eth0, as `ethtool -k` names them. */
  wireOffloadsOff?: Partial<Record<NodeName, string[]>>;
  steps: StepTiming[];
  emulation: string[];
  /** kube-proxy as installed on every node (collect --proxy); absent when the testbed has no Service datapath. */
  services?: ServicesState;
}

/** The Service the tests of one scenario go to (collect --target service). */
export interface ServiceUnderTest {
  clusterIP: string;
  /** The server pod behind it (its only endpoint). */
  serverIp: string;
  /** netserver's control port and the data port netperf is told to use (-P ,port), both Service ports. */
  controlPort: number;
  dataPort: number;
}

/** The Service datapath of a testbed's nodes: the implementation, the Services, what checking and loading them took. */
export interface ServicesState {
  mode: ServiceProxy;
  /** Services installed besides the ones under test (collect --services N). */
  extra: number;
  /** Rules (iptables `-A`/`-I` lines, nft `add rule` lines) and Service ports in the ruleset of each node. */
  ruleCount: number;
  servicePorts: number;
  endpoints: number;
  /** The Services under test, per scenario of the testbed. */
  underTest: Partial<Record<Scenario, ServiceUnderTest>>;
  /**
   * Checking (`iptables-restore --test`, `nft -c`) and loading the ruleset on each node, ms: kube-proxy's sync cost.
   * ebpf: checkMs is loading the programs (the verifier) and attaching them, applyMs filling the maps.
   */
  apply: Partial<Record<NodeName, ServiceApplyTiming>>;
  /** ebpf: the cgroup the client pod's commands join, and where the load balancer's programs and maps are pinned. */
  socketLb?: { cgroup: string; pinDir: string };
}

/** The data port netperf uses when its test goes through a Service (one fixed port, so the Service can name it). */
export const NETPERF_DATA_PORT = 12866;

/** The link between the two nodes: a plain veth (offloads on), or one with every offload off (NIC-like). */
export const WIRES = ['veth', 'nic'] as const;
export type Wire = (typeof WIRES)[number];

export const UNDERLAY: Record<NodeName, string> = { 'node-a': '192.168.254.1', 'node-b': '192.168.254.2' };
const NODE_INDEX: Record<NodeName, number> = { 'node-a': 0, 'node-b': 1 };

export function peerOf(node: NodeName): NodeName {
  return node === 'node-a' ? 'node-b' : 'node-a';
}

/** Pod CIDR of a node: /24s out of 10.244.0.0/16 (flannel's default), or Weave's flat 10.32.0.0/12. */
export function podCidr(model: ModelDescription, node: NodeName): string {
  return model.addressing === 'flat' ? '10.32.0.0/12' : `10.244.${NODE_INDEX[node]}.0/24`;
}

/** Plans the members of a testbed for a model and the scenarios asked. */
export function planTopology(model: ModelDescription, scenarios: readonly Scenario[], prefix: string): { nodes: NodeInfo[]; pods: PodInfo[] } {
  const wantInter = scenarios.includes('inter') && model.scenarios.includes('inter');
  const nodeNames: NodeName[] = model.attach.kind === 'direct-veth' ? [] : wantInter ? ['node-a', 'node-b'] : ['node-a'];
  const nodes = nodeNames.map((name): NodeInfo => ({
    name,
    ns: nsName(prefix, name),
    underlayIp: UNDERLAY[name],
    podCidr: podCidr(model, name),
    tunnelMac: `0e:cb:00:00:00:0${NODE_INDEX[name] + 1}`,
  }));
  if (model.attach.kind === 'host') return { nodes, pods: [] };
  const podNames: PodName[] = wantInter ? ['a1', 'a2', 'b1'] : ['a1', 'a2'];
  const pods = podNames.map((name): PodInfo => ({
    name,
    ns: nsName(prefix, name),
    node: name.startsWith('a') ? 'node-a' : 'node-b',
    mtu: model.podMtu,
  }));
  return { nodes, pods };
}

export const NETSERVER_PORT = 12865;

/** Client and server of a scenario on a built testbed. */
export function endpointsOf(tb: Testbed, scenario: Scenario): Endpoints {
  const node = (n: NodeName) => must(tb.nodes.find((x) => x.name === n), n);
  if (tb.pods.length === 0) {
    // host reference: loopback within node-a, or node-a to node-b over the wire
    if (scenario === 'intra') return { clientNs: node('node-a').ns, serverNs: node('node-a').ns, serverIp: '127.0.0.1', serverIf: 'lo' };
    return { clientNs: node('node-a').ns, serverNs: node('node-b').ns, serverIp: node('node-b').underlayIp, serverIf: 'eth0' };
  }
  const pod = (p: PodName) => must(tb.pods.find((x) => x.name === p), p);
  const server = pod(scenario === 'intra' ? 'a2' : 'b1');
  return { clientNs: pod('a1').ns, serverNs: server.ns, serverIp: must(server.ip, `${server.name} address`), serverIf: 'eth0' };
}

/** Where the tests go: straight to the server pod (as the study), or to the ClusterIP of its Service. */
export const TARGETS = ['pod', 'service'] as const;
export type Target = (typeof TARGETS)[number];

/** The address and ports netperf connects to for a scenario. */
export interface NetperfTarget {
  host: string;
  port: number;
  dataPort?: number;
}

/** The client's node and the Service of a scenario, where its test's connections are translated. */
export function serviceOf(tb: Testbed, scenario: Scenario): ServiceUnderTest & { nodeNs: string } {
  const svc = tb.services?.underTest[scenario];
  if (!svc) throw new Error(`testbed ${tb.prefix} (${tb.model}) has no Service for its ${scenario}-host test: it was built without --proxy`);
  const client = must(tb.pods.find((p) => p.name === 'a1'), 'client pod a1');
  return { ...svc, nodeNs: must(tb.nodes.find((n) => n.name === client.node), client.node).ns };
}

/** The cgroup the client pod's commands join (the eBPF socket load balancer's), or undefined when there is none. */
export function clientCgroupOf(tb: Testbed): string | undefined {
  return tb.services?.socketLb?.cgroup;
}

export function netperfTargetOf(tb: Testbed, scenario: Scenario, target: Target = 'pod'): NetperfTarget {
  if (target === 'pod') return { host: endpointsOf(tb, scenario).serverIp, port: NETSERVER_PORT };
  const svc = tb.services?.underTest[scenario];
  if (!svc) throw new Error(`testbed ${tb.prefix} (${tb.model}) has no Service for its ${scenario}-host test: it was built without --proxy`);
  return { host: svc.clusterIP, port: svc.controlPort, dataPort: svc.dataPort };
}

/** Namespaces that host a netserver for the scenarios of a testbed. */
export function serverNamespaces(tb: Testbed): string[] {
  return [...new Set(tb.scenarios.map((s) => endpointsOf(tb, s).serverNs))];
}

export function must<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new Error(`testbed is missing ${what}`);
  return v;
}
