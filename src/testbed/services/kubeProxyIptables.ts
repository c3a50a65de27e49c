// kube-proxy's iptables mode for ClusterIP Services: the filter and nat chains syncProxyRules loads with
// `iptables-restore --noflush`, plus the jump rules it ensures in the built-in chains, rendered with
// RestoreBuilder. Pure.
//
// Follows kubernetes/kubernetes pkg/proxy/iptables/proxier.go at commit 531be81208e2274ef42e72525a26610a9622bcdf:
//   - iptablesJumpChains, iptablesKubeletJumpChains: jumps from INPUT/FORWARD/OUTPUT (filter) and PREROUTING/
//     OUTPUT/POSTROUTING (nat), each added with EnsureRule(Prepend), so the last one ensured ends up first.
//   - syncProxyRules: top-level chains (filter KUBE-SERVICES, KUBE-EXTERNAL-SERVICES, KUBE-FORWARD, KUBE-NODEPORTS,
//     KUBE-PROXY-FIREWALL; nat KUBE-SERVICES, KUBE-NODEPORTS, KUBE-POSTROUTING, KUBE-MARK-MASQ), KUBE-POSTROUTING's
//     RETURN / MARK --xor-mark / MASQUERADE [--random-fully], KUBE-MARK-MASQ's MARK --or-mark, KUBE-FIREWALL's
//     localnet DROP (localhostNodePorts), per Service port the "cluster IP" rule in nat KUBE-SERVICES (or the
//     "has no endpoints" REJECT in filter KUBE-SERVICES), the KUBE-SVC chain's masquerade rule (`! -s
//     <clusterCIDR>`, the LocalTrafficDetector by cluster CIDR; or unconditional with masqueradeAll), the
//     KUBE-SEP chains (`-s <ep> -j KUBE-MARK-MASQ`, then DNAT), the final "kubernetes service nodeports" rule,
//     and KUBE-FORWARD (INVALID drop unless nf_conntrack_tcp_be_liberal, mark accept, conntrack accept).
//     Comments on the SVC->SEP and SEP rules are dropped above 1000 endpoints (largeClusterMode).
//   - writeServiceToEndpointRules: `-m statistic --mode random --probability 1/(n-i)` on all but the last.
//   - computeProbability (%0.10f), portProtoHash / servicePortPolicyClusterChain, servicePortEndpointChainName.
//   - masquerade mark: NewProxier's fmt.Sprintf("%#08x", 1<<masqueradeBit), i.e. 0x00004000 for bit 14.
// Left out (not reachable with ClusterIP-only Services of the default traffic policies, or not rules): NodePort,
// ExternalIP, LoadBalancer, KUBE-EXT/KUBE-FW/KUBE-SVL chains, session affinity, the nfacct matches (they are
// only added once nfacct counters could be created), the KUBE-PROXY-CANARY monitor chains (empty, no rules)
// and stale-chain deletion. Services are rendered in the order given: upstream walks a Go map, so its order
// of the KUBE-SERVICES rules is arbitrary per sync (build/services.ts puts the Services under test in the middle:
// the average case of the linear KUBE-SERVICES scan). Addresses are written as upstream writes them (`-d 10.96.0.10`, which
// iptables-save shows as `10.96.0.10/32`). The jump rules are `-I` lines, so loading the text twice into the
// same namespace duplicates them (like the policy rulesets, which are loaded once per namespace).
import { RestoreBuilder } from '../policy/restore.ts';
import { base32Std, sha } from '../policy/hashNames.ts';
import { chainKey } from '../policy/types.ts';
import {
  checkCidr, checkServices, connectionFacts, findService, servicePortNameString, sortedEndpoints,
  type KubeProxyOptions, type ServiceEndpoint, type ServiceRuleset, type ServiceSpec,
} from './types.ts';

export interface KubeProxyIptablesOptions extends KubeProxyOptions {
  /** --iptables-localhost-nodeports. Default true (the default, with --nodeport-addresses unset). */
  localhostNodePorts?: boolean;
  /** Whether iptables supports MASQUERADE --random-fully (every iptables since 1.6.2). Default true. */
  randomFully?: boolean;
  /** net.netfilter.nf_conntrack_tcp_be_liberal is set: no INVALID drop. Default false. */
  conntrackTCPLiberal?: boolean;
}

/** Above this many endpoints kube-proxy drops the per-endpoint comments (largeClusterEndpointsThreshold). */
const LARGE_CLUSTER_ENDPOINTS = 1000;

/** fmt.Sprintf("%#08x", 1<<bit): Go pads the digits (not the 0x) to 8. */
export function masqueradeMark(bit: number): string {
  if (!Number.isInteger(bit) || bit < 0 || bit > 31) throw new Error(`masqueradeBit ${bit} must be an integer in 0..31`);
  return `0x${(2 ** bit).toString(16).padStart(8, '0')}`;
}

/**
 * computeProbability: fmt.Sprintf("%0.10f", 1.0/float64(n)). Both Go and toFixed round the exact binary value,
 * but Go breaks ties to even and toFixed upwards; the only 1/n exactly halfway at 10 decimals is 1/2048.
 */
export function probability(n: number): string {
  return n === 2048 ? '0.0004882812' : (1 / n).toFixed(10);
}

/** portProtoHash: the first 16 characters of base32(sha256(servicePortName + protocol)). */
function portProtoHash(svc: ServiceSpec): string {
  return base32Std(sha('sha256', servicePortNameString(svc) + svc.protocol.toLowerCase())).slice(0, 16);
}

/** servicePortPolicyClusterChain: KUBE-SVC-<portProtoHash>. */
export function kubeSvcChain(svc: ServiceSpec): string {
  return `KUBE-SVC-${portProtoHash(svc)}`;
}

/** servicePortEndpointChainName: KUBE-SEP-<base32(sha256(servicePortName + protocol + "ip:port"))[:16]>. */
export function kubeSepChain(svc: ServiceSpec, ep: ServiceEndpoint): string {
  const data = servicePortNameString(svc) + svc.protocol.toLowerCase() + `${ep.ip}:${ep.port}`;
  return `KUBE-SEP-${base32Std(sha('sha256', data)).slice(0, 16)}`;
}

interface Jump {
  table: 'filter' | 'nat';
  dst: string;
  src: string;
  comment: string;
  extra: string[];
}

const NEW = ['-m', 'conntrack', '--ctstate', 'NEW'];
const JUMPS: readonly Jump[] = [
  { table: 'filter', dst: 'KUBE-EXTERNAL-SERVICES', src: 'INPUT', comment: 'kubernetes externally-visible service portals', extra: NEW },
  { table: 'filter', dst: 'KUBE-EXTERNAL-SERVICES', src: 'FORWARD', comment: 'kubernetes externally-visible service portals', extra: NEW },
  { table: 'filter', dst: 'KUBE-NODEPORTS', src: 'INPUT', comment: 'kubernetes health check service ports', extra: [] },
  { table: 'filter', dst: 'KUBE-SERVICES', src: 'FORWARD', comment: 'kubernetes service portals', extra: NEW },
  { table: 'filter', dst: 'KUBE-SERVICES', src: 'OUTPUT', comment: 'kubernetes service portals', extra: NEW },
  { table: 'filter', dst: 'KUBE-FORWARD', src: 'FORWARD', comment: 'kubernetes forwarding rules', extra: [] },
  { table: 'filter', dst: 'KUBE-PROXY-FIREWALL', src: 'INPUT', comment: 'kubernetes load balancer firewall', extra: NEW },
  { table: 'filter', dst: 'KUBE-PROXY-FIREWALL', src: 'OUTPUT', comment: 'kubernetes load balancer firewall', extra: NEW },
  { table: 'filter', dst: 'KUBE-PROXY-FIREWALL', src: 'FORWARD', comment: 'kubernetes load balancer firewall', extra: NEW },
  { table: 'nat', dst: 'KUBE-SERVICES', src: 'OUTPUT', comment: 'kubernetes service portals', extra: [] },
  { table: 'nat', dst: 'KUBE-SERVICES', src: 'PREROUTING', comment: 'kubernetes service portals', extra: [] },
  { table: 'nat', dst: 'KUBE-POSTROUTING', src: 'POSTROUTING', comment: 'kubernetes postrouting rules', extra: [] },
  // iptablesKubeletJumpChains (duplicates of kubelet's; no comment).
  { table: 'filter', dst: 'KUBE-FIREWALL', src: 'INPUT', comment: '', extra: [] },
  { table: 'filter', dst: 'KUBE-FIREWALL', src: 'OUTPUT', comment: '', extra: [] },
];

/** The jumps as `-I chain 1..n` lines, in the order successive EnsureRule(Prepend) calls leave them. */
function writeJumps(b: RestoreBuilder): void {
  const bySrc = new Map<string, Jump[]>();
  for (const j of JUMPS) {
    const key = `${j.table} ${j.src}`;
    bySrc.set(key, [j, ...(bySrc.get(key) ?? [])]);
  }
  for (const list of bySrc.values()) {
    for (const j of list) {
      b.insert(j.table, j.src, [...j.extra, ...(j.comment ? ['-m', 'comment', '--comment', j.comment] : []), '-j', j.dst]);
    }
  }
}

export function kubeProxyIptablesRuleset(services: readonly ServiceSpec[], opts: KubeProxyIptablesOptions): ServiceRuleset {
  checkServices(services);
  checkCidr(opts.clusterCIDR, 'clusterCIDR');
  const mark = masqueradeMark(opts.masqueradeBit ?? 14);
  const localhostNodePorts = opts.localhostNodePorts ?? true;
  const b = new RestoreBuilder();

  for (const c of ['KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES', 'KUBE-FORWARD', 'KUBE-NODEPORTS', 'KUBE-PROXY-FIREWALL', 'KUBE-FIREWALL']) b.chain('filter', c);
  for (const c of ['KUBE-SERVICES', 'KUBE-NODEPORTS', 'KUBE-POSTROUTING', 'KUBE-MARK-MASQ']) b.chain('nat', c);
  writeJumps(b);

  b.append('nat', 'KUBE-POSTROUTING', ['-m', 'mark', '!', '--mark', `${mark}/${mark}`, '-j', 'RETURN']);
  b.append('nat', 'KUBE-POSTROUTING', ['-j', 'MARK', '--xor-mark', mark]);
  b.append('nat', 'KUBE-POSTROUTING', [
    '-m', 'comment', '--comment', 'kubernetes service traffic requiring SNAT', '-j', 'MASQUERADE',
    ...((opts.randomFully ?? true) ? ['--random-fully'] : []),
  ]);
  b.append('nat', 'KUBE-MARK-MASQ', ['-j', 'MARK', '--or-mark', mark]);
  if (localhostNodePorts) {
    b.append('filter', 'KUBE-FIREWALL', [
      '-m', 'comment', '--comment', 'block incoming localnet connections', '-d', '127.0.0.0/8', '!', '-s', '127.0.0.0/8',
      '-m', 'conntrack', '!', '--ctstate', 'RELATED,ESTABLISHED,DNAT', '-j', 'DROP',
    ]);
  }

  const endpointCount = services.reduce((n, s) => n + s.endpoints.length, 0);
  const comment = (text: string): string[] => (endpointCount > LARGE_CLUSTER_ENDPOINTS ? [] : ['-m', 'comment', '--comment', text]);

  for (const svc of services) {
    const proto = svc.protocol.toLowerCase();
    const spn = servicePortNameString(svc);
    const dest = ['-m', proto, '-p', proto, '-d', svc.clusterIP, '--dport', String(svc.port)];
    const eps = sortedEndpoints(svc);
    if (eps.length === 0) {
      b.append('filter', 'KUBE-SERVICES', ['-m', 'comment', '--comment', `${spn} has no endpoints`, ...dest, '-j', 'REJECT']);
      continue;
    }
    const svcChain = kubeSvcChain(svc);
    const clusterIP = ['-m', 'comment', '--comment', `${spn} cluster IP`, ...dest];
    b.append('nat', 'KUBE-SERVICES', [...clusterIP, '-j', svcChain]);
    b.chain('nat', svcChain);
    b.append('nat', svcChain, [...clusterIP, ...(opts.masqueradeAll ? [] : ['!', '-s', opts.clusterCIDR]), '-j', 'KUBE-MARK-MASQ']);
    eps.forEach((ep, i) => {
      const stat = i < eps.length - 1 ? ['-m', 'statistic', '--mode', 'random', '--probability', probability(eps.length - i)] : [];
      b.append('nat', svcChain, [...comment(`${spn} -> ${ep.ip}:${ep.port}`), ...stat, '-j', kubeSepChain(svc, ep)]);
    });
    for (const ep of eps) {
      const sep = kubeSepChain(svc, ep);
      b.chain('nat', sep);
      b.append('nat', sep, [...comment(spn), '-s', ep.ip, '-j', 'KUBE-MARK-MASQ']);
      b.append('nat', sep, [...comment(spn), '-m', proto, '-p', proto, '-j', 'DNAT', '--to-destination', `${ep.ip}:${ep.port}`]);
    }
  }

  b.append('nat', 'KUBE-SERVICES', [
    '-m', 'comment', '--comment', 'kubernetes service nodeports; NOTE: this must be the last rule in this chain',
    '-m', 'addrtype', '--dst-type', 'LOCAL', ...(localhostNodePorts ? [] : ['!', '-d', '127.0.0.0/8']), '-j', 'KUBE-NODEPORTS',
  ]);
  if (!opts.conntrackTCPLiberal) b.append('filter', 'KUBE-FORWARD', ['-m', 'conntrack', '--ctstate', 'INVALID', '-j', 'DROP']);
  b.append('filter', 'KUBE-FORWARD', ['-m', 'comment', '--comment', 'kubernetes forwarding rules', '-m', 'mark', '--mark', `${mark}/${mark}`, '-j', 'ACCEPT']);
  b.append('filter', 'KUBE-FORWARD', ['-m', 'comment', '--comment', 'kubernetes forwarding conntrack rule', '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT']);

  const ruleset: ServiceRuleset = { mode: 'iptables', text: b.render(), ruleCount: b.ruleCount, serviceCount: services.length, endpointCount };
  if (opts.underTest) ruleset.perConnectionChains = connectionPath(findService(services, opts.underTest), opts);
  return ruleset;
}

function connectionPath(svc: ServiceSpec, opts: KubeProxyIptablesOptions): string[] {
  const { endpoints: eps, local, masq } = connectionFacts(svc, opts);
  const path = [chainKey('nat', local ? 'OUTPUT' : 'PREROUTING'), chainKey('nat', 'KUBE-SERVICES'), chainKey('nat', kubeSvcChain(svc))];
  if (masq) path.push(chainKey('nat', 'KUBE-MARK-MASQ'));
  // With several endpoints the statistic match picks one at random: only a single one is predictable.
  if (eps.length === 1) path.push(chainKey('nat', kubeSepChain(svc, eps[0]!)));
  path.push(chainKey('filter', local ? 'OUTPUT' : 'FORWARD'));
  if (masq && !local) path.push(chainKey('filter', 'KUBE-FORWARD'));
  path.push(chainKey('nat', 'POSTROUTING'), chainKey('nat', 'KUBE-POSTROUTING'));
  return path;
}
