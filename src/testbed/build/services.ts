// The Service datapath of the testbed's nodes (collect --proxy, beyond the study): the Services a cluster would have —
// one per scenario pointing at its netserver pod, plus `--services N` others with 1-3 endpoints over the testbed's
// pods — either rendered as kube-proxy programs them (iptables or nftables mode, src/testbed/services) and loaded into
// every node namespace, checked before loading and timed, or (ebpf) written into the maps of an eBPF load balancer at
// the client pod's sockets, as Cilium's kube-proxy replacement does. The same ruleset goes to every node, as
// kube-proxy's full sync writes it (the only per-node difference upstream, for these ClusterIP Services with the
// Cluster traffic policy, is none).
import type { KernelFeature, ModelDescription, Scenario } from '../model.ts';
import { applyServiceRuleset, type ServiceApplyTiming } from '../services/apply.ts';
import { catalogCapacity, serviceCatalog, serviceUnderTest, testServiceIP } from '../services/catalog.ts';
import { kubeProxyIptablesRuleset } from '../services/kubeProxyIptables.ts';
import { kubeProxyNftablesRuleset } from '../services/kubeProxyNftables.ts';
import type { ServiceProxy, ServiceProxyMode, ServiceRuleset, ServiceSpec } from '../services/types.ts';
import { clientCgroupDir, installSocketLb } from '../services/ebpfSocketLb.ts';
import { mountBpffs } from '../bpf/loader.ts';
import { join } from 'node:path';
import { intToIpv4, ipv4ToInt } from '../policy/ipv4.ts';
import { NETPERF_DATA_PORT, NETSERVER_PORT, must, type NodeName, type ServicesState, type ServiceUnderTest, type Target, type Testbed } from '../topology.ts';
import { type BuildContext, sysctl, timed } from './context.ts';

/** What collect asks of the Service datapath: kube-proxy's mode and how many other Services the cluster has. */
export interface ProxyOptions {
  mode: ServiceProxy;
  services: number;
  /** Whether the tests will go through the Services (collect --target service). */
  target?: Target;
}

const SERVICE_CIDR = '10.96.0.0/12';
/** The catalog's endpoints and ports are drawn from this seed, so every testbed of a run gets the same Services. */
const CATALOG_SEED = 20_240_601;

/** Service ports the test Services carry: netserver's control port, and the data port over TCP and over UDP. */
const TEST_PORTS = [
  { portName: 'control', protocol: 'TCP', port: NETSERVER_PORT },
  { portName: 'tcp-data', protocol: 'TCP', port: NETPERF_DATA_PORT },
  { portName: 'udp-data', protocol: 'UDP', port: NETPERF_DATA_PORT },
] as const;

/** What the kernel must offer for kube-proxy's rules on this model: the mode's tables, br_netfilter on a bridge. */
export function proxyFeatures(model: ModelDescription, opts: Pick<ProxyOptions, 'mode'>): KernelFeature[] {
  if (opts.mode === 'ebpf') return ['cgroup-bpf'];
  return [opts.mode === 'nftables' ? 'nftables' : 'iptables', ...(model.attach.kind === 'bridge' ? ['br-netfilter' as const] : [])];
}

/** The tools loading and checking the Services need. */
export function proxyTools(opts: Pick<ProxyOptions, 'mode'>, flavour: 'legacy' | 'nft'): string[] {
  if (opts.mode === 'ebpf') return ['clang', 'bpftool'];
  return ['conntrack', opts.mode === 'nftables' ? 'nft' : `iptables-${flavour}-restore`];
}

/** The pod network as kube-proxy's --cluster-cidr names it: traffic from outside it is masqueraded. */
function clusterCidrOf(model: ModelDescription): string {
  return model.addressing === 'flat' ? '10.32.0.0/12' : '10.244.0.0/16';
}

/** The most `--services` this testbed can hold: the service CIDR, less one address per scenario's test Service. */
function maxExtraServices(): number {
  return catalogCapacity(SERVICE_CIDR) - 1;
}

/**
 * The Services of a testbed: the catalog with the test Services in the middle of it. Where a Service sits matters in
 * iptables mode, whose KUBE-SERVICES chain is matched rule by rule; kube-proxy writes Services in no fixed order, so a
 * connection meets on average half the others first — the middle measures that average, not the best or worst case.
 */
export function servicesOf(tb: Testbed, opts: ProxyOptions): { services: ServiceSpec[]; underTest: Partial<Record<Scenario, ServiceUnderTest>> } {
  const pods = tb.pods.filter((p) => p.ip && !p.name.startsWith('l')).map((p) => ({ ip: p.ip!, node: p.node }));
  if (opts.services > maxExtraServices()) throw new Error(`${opts.services} Services do not fit the service CIDR ${SERVICE_CIDR} (at most ${maxExtraServices()})`);
  const catalog = serviceCatalog({ count: opts.services, seed: CATALOG_SEED, serviceCidr: SERVICE_CIDR, pods });
  const underTest: Partial<Record<Scenario, ServiceUnderTest>> = {};
  const tests: ServiceSpec[] = [];
  // Two test Services at most: the highest usable address for within a node, the one below it for between nodes
  // (the catalog counts up from .2, so they meet only above maxExtraServices()).
  const top = ipv4ToInt(testServiceIP(SERVICE_CIDR));
  for (const [i, scenario] of (['intra', 'inter'] as const).entries()) {
    if (!tb.scenarios.includes(scenario)) continue;
    const server = must(tb.pods.find((p) => p.name === (scenario === 'intra' ? 'a2' : 'b1')), `${scenario} server pod`);
    const serverIp = must(server.ip, `${server.name} address`);
    const clusterIP = intToIpv4(top - i);
    for (const p of TEST_PORTS) {
      const spec = serviceUnderTest({ server: { ip: serverIp, node: server.node }, port: p.port, serviceCidr: SERVICE_CIDR, name: `netperf-${scenario}`, protocol: p.protocol });
      tests.push({ ...spec, clusterIP, portName: p.portName });
    }
    underTest[scenario] = { clusterIP, serverIp, controlPort: NETSERVER_PORT, dataPort: NETPERF_DATA_PORT };
  }
  const middle = Math.floor(catalog.length / 2);
  return { services: [...catalog.slice(0, middle), ...tests, ...catalog.slice(middle)], underTest };
}

/** The ruleset of one mode for these Services (the same text for every node). */
export function renderServices(model: ModelDescription, tb: Testbed, services: readonly ServiceSpec[], mode: ServiceProxyMode): ServiceRuleset {
  const clusterCIDR = clusterCidrOf(model);
  const first = tb.scenarios.includes('intra') ? 'netperf-intra' : 'netperf-inter';
  const client = tb.pods.find((p) => p.name === 'a1')?.ip;
  const common = { clusterCIDR, underTest: { namespace: 'cnibench', name: first }, ...(client ? { client: { ip: client } } : {}) };
  return mode === 'iptables' ? kubeProxyIptablesRuleset(services, common) : kubeProxyNftablesRuleset(services, common);
}

/** Installs the Services on the testbed (kube-proxy's rules on every node, or the eBPF socket LB); records what and how long. */
export async function installServices(ctx: BuildContext, opts: ProxyOptions): Promise<void> {
  const { tb } = ctx;
  const { services, underTest } = servicesOf(tb, opts);
  if (opts.mode === 'ebpf') await installSocketLbServices(ctx, opts, services, underTest);
  else await installKubeProxy(ctx, { ...opts, mode: opts.mode }, services, underTest);
  // Every test through a Service connects to the same ClusterIP and data port, so TCP_CRR's client meets its own
  // TIME_WAIT connections of the item before on most ports it tries (a pod target gets a fresh server port per test).
  // Reusing them for new outgoing connections, as a client facing one busy Service would be set up to, keeps CRR from
  // measuring port collisions. Only the client pod's namespace is changed.
  const client = tb.pods.find((p) => p.name === 'a1');
  if (client && opts.target === 'service') {
    await sysctl(client.ns, { 'net.ipv4.tcp_tw_reuse': 1 });
    tb.emulation.push('Tests through a Service: the client pod reuses its TIME_WAIT ports for new connections (net.ipv4.tcp_tw_reuse=1), since every connection goes to one ClusterIP and port.');
  }
}

/** kube-proxy's rules, rendered once and loaded on every node. */
async function installKubeProxy(ctx: BuildContext, opts: ProxyOptions & { mode: ServiceProxyMode }, services: ServiceSpec[], underTest: ServicesState['underTest']): Promise<void> {
  const { model, tb } = ctx;
  const rs = renderServices(model, tb, services, opts.mode);
  const apply: Partial<Record<NodeName, ServiceApplyTiming>> = {};
  for (const node of tb.nodes) {
    // A reply between two pods of one bridge is bridged, not routed: only br_netfilter hands it to conntrack, which
    // turns its source back into the ClusterIP (kube-proxy needs the same on a real node with a bridge CNI).
    if (model.attach.kind === 'bridge') await sysctl(node.ns, { 'net.bridge.bridge-nf-call-iptables': 1 });
    apply[node.name] = await timed(ctx, `services:${opts.mode}`, node.ns, () => applyServiceRuleset(node.ns, tb.iptables, rs));
  }
  tb.emulation.push(`kube-proxy's ${opts.mode} rules for ${opts.services} Services besides the ones under test, rendered by cnibench as kube-proxy writes them (no kube-proxy process, no API server: the rules are loaded once, as one full sync).`);
  tb.services = { mode: opts.mode, extra: opts.services, ruleCount: rs.ruleCount, servicePorts: rs.serviceCount, endpoints: rs.endpointCount, underTest, apply };
}

/**
 * The eBPF socket load balancer: loaded once, attached to the cgroup of the client pod's commands (the only pod that
 * connects to Services here), its maps filled with every Service. Cilium attaches it to the root cgroup of each
 * node, which covers every pod there; one cgroup for the client keeps the testbed out of the machine's own sockets.
 */
async function installSocketLbServices(ctx: BuildContext, opts: ProxyOptions, services: ServiceSpec[], underTest: ServicesState['underTest']): Promise<void> {
  const { tb } = ctx;
  tb.bpffs ??= await mountBpffs(tb.prefix);
  const pinDir = join(tb.bpffs, 'socket-lb');
  const cgroup = await clientCgroupDir(tb.prefix);
  // Recorded before the cgroup exists: if anything below fails, testbedUp's tear-down removes it (and `testbed
  // cleanup` finds a left-over cnibench-<prefix> cgroup by its name).
  tb.services = { mode: 'ebpf', extra: opts.services, ruleCount: 0, servicePorts: 0, endpoints: 0, underTest, apply: {}, socketLb: { cgroup, pinDir } };
  const node = must(tb.pods.find((p) => p.name === 'a1'), 'client pod a1').node;
  const lb = await timed(ctx, 'services:ebpf', cgroup, () => installSocketLb(pinDir, cgroup, services));
  const endpoints = services.reduce((n, s) => n + s.endpoints.length, 0);
  tb.emulation.push(`Services by an eBPF load balancer at the client pod's sockets (cgroup connect/sendmsg/recvmsg/getpeername programs, as Cilium's kube-proxy replacement), cnibench's own program (src/testbed/bpf/sock_lb.c) with ${opts.services} Services besides the ones under test in its maps; attached to the client pod's cgroup rather than the node's root cgroup.`);
  tb.services = { ...tb.services, ruleCount: lb.servicePorts + endpoints, servicePorts: lb.servicePorts, endpoints, apply: { [node]: { checkMs: lb.loadMs, applyMs: lb.mapsMs } } };
}
