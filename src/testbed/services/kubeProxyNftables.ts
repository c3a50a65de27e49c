// kube-proxy's nftables mode for ClusterIP Services: `nft -f` input building `table ip kube-proxy` the way a
// full sync of the nftables proxier does (base chains, jump chains, the service-ips verdict map and the
// per-Service / per-endpoint chains). Pure.
//
// Follows kubernetes/kubernetes pkg/proxy/nftables/proxier.go at commit 531be81208e2274ef42e72525a26610a9622bcdf,
// written as sigs.k8s.io/knftables prints a transaction (objects.go: `add chain ... { type t hook h priority p ; }`,
// `add rule ...`, `add element ... { key : value }`):
//   - nftablesBaseChains / nftablesJumpChains / setupNFTables: the eight base chains with knftables' named
//     priorities (as numbers where nft 1.0.6 refuses the name, see BASE_CHAINS), the jump rules, mark-for-masquerade and
//     masquerading, the cluster-ips set and cluster-ips-check (with the "unallocated ClusterIPs" drop when
//     ServiceCIDRs are known), the no-endpoint maps with reject-chain, firewall-ips, service-ips and
//     service-nodeports with the `services` chain (`fib daddr type local` NodePort rule, as with
//     --nodeport-addresses unset).
//   - syncProxyRules: per Service port the endpoint chains, the service chain, the cluster-ips and service-ips
//     (or no-endpoint-services) elements, the service chain's masquerade rule (`ip saddr != <clusterCIDR>`, or
//     unconditional with masqueradeAll) and the endpoint chains' hairpin masquerade and `dnat to`.
//   - writeServiceToEndpointRules: `numgen random mod N vmap { 0 : goto ..., 1 : goto ... }`.
//   - hashAndTruncate / servicePortChainNameBase / servicePortEndpointChainNameBase: chain names
//     `service-<hash>-<ns>/<name>/<proto>/<port>` and `endpoint-<hash>-<ns>/<name>/<proto>/<port>__<ip>/<port>`.
// Reloading: upstream never deletes its table while running; it does `add table` and then, on its first sync,
// `add chain` + `delete chain` for every base chain (to recreate them), and `add chain` + `flush chain` for
// every chain it fills (flushing maps only when it cannot read them). Here the text starts with
// `add table ip kube-proxy` + `delete table ip kube-proxy` (the idiom for "delete if present", as upstream's
// CleanupLeftovers does), so every load starts from an empty table and the per-chain flushes are not needed.
// Left out as in the iptables renderer: NodePort/ExternalIP/LoadBalancer elements and chains, session affinity
// sets, the nodeport-ips set (upstream adds and deletes it when --nodeport-addresses is unset) and stale-chain
// handling. Services are rendered in the order given (upstream: Go map order); with a verdict map that order
// does not change the lookup cost.
import { base32Std, sha } from '../policy/hashNames.ts';
import { masqueradeMark } from './kubeProxyIptables.ts';
import {
  checkCidr, checkServices, connectionFacts, findService, servicePortNameString, sortedEndpoints,
  type KubeProxyOptions, type ServiceEndpoint, type ServiceRuleset, type ServiceSpec,
} from './types.ts';

export interface KubeProxyNftablesOptions extends KubeProxyOptions {
  /**
   * The cluster's ServiceCIDR ranges (OnServiceCIDRsChanged); when given, cluster-ips-check drops traffic to
   * unallocated ClusterIPs in them, as on a cluster with ServiceCIDR objects (the default since 1.33).
   */
  serviceCidrs?: readonly string[];
  /**
   * Not upstream: put a `counter` statement first in every rule, so that the first rule's counter of a chain
   * counts the packets entering it (kube-proxy's rules have no counters). Default false.
   */
  counters?: boolean;
}

const FAMILY_TABLE = 'ip kube-proxy';
/** knftables.NameLengthMax (256) minus chainNamePrefixLengthMax (16). */
const CHAIN_NAME_BASE_MAX = 240;

/** hashAndTruncate: the first 8 characters of base32(sha256(name)), '-', name; cut to 240 with "...". */
function hashAndTruncate(name: string): string {
  const full = `${base32Std(sha('sha256', name)).slice(0, 8)}-${name}`;
  return full.length > CHAIN_NAME_BASE_MAX ? `${full.slice(0, CHAIN_NAME_BASE_MAX - 3)}...` : full;
}

function nameBase(svc: ServiceSpec): string {
  return `${svc.namespace}/${svc.name}/${svc.protocol.toLowerCase()}/${svc.portName ?? ''}`;
}

/** servicePortPolicyClusterChainNamePrefix + servicePortChainNameBase. */
export function nftServiceChain(svc: ServiceSpec): string {
  return `service-${hashAndTruncate(nameBase(svc))}`;
}

/** servicePortEndpointChainNamePrefix + servicePortEndpointChainNameBase (IPv4: the address is kept as is). */
export function nftEndpointChain(svc: ServiceSpec, ep: ServiceEndpoint): string {
  return `endpoint-${hashAndTruncate(`${nameBase(svc)}__${ep.ip}/${ep.port}`)}`;
}

// knftables writes the named priorities (dstnat = -100, srcnat = 100, filter = 0). nft 1.0.6 (Debian 12) accepts
// `dstnat` only for a nat chain on the prerouting hook and refuses it elsewhere ("invalid priority expression value
// in this context"; later nft versions take it), so the other chains that use it get the same priority as numbers.
const BASE_CHAINS: readonly [name: string, type: string, hook: string, priority: string][] = [
  ['filter-prerouting-pre-dnat', 'filter', 'prerouting', '-110'],
  ['filter-output-pre-dnat', 'filter', 'output', '-110'],
  ['filter-input', 'filter', 'input', 'filter'],
  ['filter-forward', 'filter', 'forward', 'filter'],
  ['filter-output', 'filter', 'output', 'filter'],
  ['nat-prerouting', 'nat', 'prerouting', 'dstnat'],
  ['nat-output', 'nat', 'output', '-100'],
  ['nat-postrouting', 'nat', 'postrouting', 'srcnat'],
];

const JUMP_CHAINS: readonly [dst: string, src: string, extra: string][] = [
  ['nodeport-endpoints-check', 'filter-input', 'ct state new'],
  ['service-endpoints-check', 'filter-input', 'ct state new'],
  ['service-endpoints-check', 'filter-forward', 'ct state new'],
  ['service-endpoints-check', 'filter-output', 'ct state new'],
  ['firewall-check', 'filter-prerouting-pre-dnat', 'ct state new'],
  ['firewall-check', 'filter-output-pre-dnat', 'ct state new'],
  ['services', 'nat-output', ''],
  ['services', 'nat-prerouting', ''],
  ['masquerading', 'nat-postrouting', ''],
  ['cluster-ips-check', 'filter-forward', 'ct state new'],
  ['cluster-ips-check', 'filter-output', 'ct state new'],
];

const SERVICE_MAP_TYPE = 'ipv4_addr . inet_proto . inet_service : verdict';

class NftWriter {
  readonly lines: string[] = [];
  rules = 0;
  private readonly chains = new Set<string>();
  constructor(private readonly counters: boolean) {}

  raw(line: string): void {
    this.lines.push(line);
  }
  /** ensureChain: adds a chain once (the table is new, so no flush is needed). */
  chain(name: string, spec = ''): void {
    if (this.chains.has(name)) return;
    this.chains.add(name);
    this.lines.push(`add chain ${FAMILY_TABLE} ${name}${spec ? ` { ${spec} }` : ''}`);
  }
  rule(chain: string, rule: string, comment?: string): void {
    if (!this.chains.has(chain)) throw new Error(`nftables rule for undeclared chain ${chain}`);
    const body = [this.counters ? 'counter' : '', rule].filter(Boolean).join(' ');
    this.lines.push(`add rule ${FAMILY_TABLE} ${chain} ${body}${comment ? ` comment ${JSON.stringify(comment)}` : ''}`);
    this.rules++;
  }
  element(map: string, key: string, value?: string, comment?: string): void {
    const c = comment ? ` comment ${JSON.stringify(comment)}` : '';
    this.lines.push(`add element ${FAMILY_TABLE} ${map} { ${key}${c}${value ? ` : ${value}` : ''} }`);
  }
}

function setup(w: NftWriter, mark: string, serviceCidrs: readonly string[]): void {
  w.raw(`add table ${FAMILY_TABLE}`);
  w.raw(`delete table ${FAMILY_TABLE}`);
  w.raw(`add table ${FAMILY_TABLE} { comment "rules for kube-proxy" ; }`);
  for (const [name, type, hook, priority] of BASE_CHAINS) w.chain(name, `type ${type} hook ${hook} priority ${priority} ;`);
  for (const [dst, src, extra] of JUMP_CHAINS) {
    w.chain(dst);
    w.rule(src, [extra, 'jump', dst].filter(Boolean).join(' '));
  }
  for (const c of ['services', 'cluster-ips-check', 'masquerading', 'mark-for-masquerade']) w.chain(c);
  w.rule('mark-for-masquerade', `mark set mark or ${mark}`);
  w.rule('masquerading', `mark and ${mark} == 0 return`);
  w.rule('masquerading', `mark set mark xor ${mark}`);
  w.rule('masquerading', 'masquerade fully-random');
  w.raw(`add set ${FAMILY_TABLE} cluster-ips { type ipv4_addr ; comment "Active ClusterIPs" ; }`);
  w.rule('cluster-ips-check', 'ip daddr @cluster-ips reject', 'Reject traffic to invalid ports of ClusterIPs');
  if (serviceCidrs.length) w.rule('cluster-ips-check', `ip daddr { ${serviceCidrs.join(',')} } drop`, 'Drop traffic to unallocated ClusterIPs');
  w.raw(`add map ${FAMILY_TABLE} no-endpoint-services { type ${SERVICE_MAP_TYPE} ; comment "vmap to drop or reject packets to services with no endpoints" ; }`);
  w.raw(`add map ${FAMILY_TABLE} no-endpoint-nodeports { type inet_proto . inet_service : verdict ; comment "vmap to drop or reject packets to service nodeports with no endpoints" ; }`);
  w.chain('reject-chain', 'comment "helper for @no-endpoint-services / @no-endpoint-nodeports" ;');
  w.rule('reject-chain', 'reject');
  w.rule('service-endpoints-check', 'ip daddr . meta l4proto . th dport vmap @no-endpoint-services');
  w.rule('nodeport-endpoints-check', 'ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @no-endpoint-nodeports');
  w.raw(`add map ${FAMILY_TABLE} firewall-ips { type ${SERVICE_MAP_TYPE} ; comment "destinations that are subject to LoadBalancerSourceRanges" ; }`);
  w.rule('firewall-check', 'ip daddr . meta l4proto . th dport vmap @firewall-ips');
  w.raw(`add map ${FAMILY_TABLE} service-ips { type ${SERVICE_MAP_TYPE} ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }`);
  w.raw(`add map ${FAMILY_TABLE} service-nodeports { type inet_proto . inet_service : verdict ; comment "NodePort traffic" ; }`);
  w.rule('services', 'ip daddr . meta l4proto . th dport vmap @service-ips');
  w.rule('services', 'fib daddr type local ip daddr != 127.0.0.0/8 meta l4proto . th dport vmap @service-nodeports');
}

export function kubeProxyNftablesRuleset(services: readonly ServiceSpec[], opts: KubeProxyNftablesOptions): ServiceRuleset {
  checkServices(services);
  checkCidr(opts.clusterCIDR, 'clusterCIDR');
  for (const c of opts.serviceCidrs ?? []) checkCidr(c, 'serviceCidrs entry');
  const mark = masqueradeMark(opts.masqueradeBit ?? 14);
  const w = new NftWriter(opts.counters ?? false);
  setup(w, mark, opts.serviceCidrs ?? []);

  for (const svc of services) {
    const proto = svc.protocol.toLowerCase();
    const key = `${svc.clusterIP} . ${proto} . ${svc.port}`;
    const eps = sortedEndpoints(svc);
    const svcChain = nftServiceChain(svc);
    for (const ep of eps) w.chain(nftEndpointChain(svc, ep));
    if (eps.length) w.chain(svcChain);
    w.element('cluster-ips', svc.clusterIP);
    if (!eps.length) {
      w.element('no-endpoint-services', key, 'goto reject-chain', servicePortNameString(svc));
      continue;
    }
    w.element('service-ips', key, `goto ${svcChain}`);
    w.rule(svcChain, `ip daddr ${svc.clusterIP}${opts.masqueradeAll ? '' : ` ip saddr != ${opts.clusterCIDR}`} jump mark-for-masquerade`);
    const vmap = eps.map((ep, i) => `${i} : goto ${nftEndpointChain(svc, ep)}`).join(' , ');
    w.rule(svcChain, `numgen random mod ${eps.length} vmap { ${vmap} }`);
    for (const ep of eps) {
      const chain = nftEndpointChain(svc, ep);
      w.rule(chain, `ip saddr ${ep.ip} jump mark-for-masquerade`);
      w.rule(chain, `meta l4proto ${proto} dnat to ${ep.ip}:${ep.port}`);
    }
  }

  const ruleset: ServiceRuleset = {
    mode: 'nftables',
    text: `${w.lines.join('\n')}\n`,
    ruleCount: w.rules,
    serviceCount: services.length,
    endpointCount: services.reduce((n, s) => n + s.endpoints.length, 0),
  };
  if (opts.underTest) ruleset.perConnectionChains = connectionPath(findService(services, opts.underTest), opts);
  return ruleset;
}

function connectionPath(svc: ServiceSpec, opts: KubeProxyNftablesOptions): string[] {
  const { endpoints: eps, local, masq } = connectionFacts(svc, opts);
  const path = [local ? 'filter-output-pre-dnat' : 'filter-prerouting-pre-dnat', local ? 'nat-output' : 'nat-prerouting', 'services', '@service-ips', nftServiceChain(svc)];
  if (masq) path.push('mark-for-masquerade');
  // numgen picks one endpoint at random: only a single one is predictable.
  if (eps.length === 1) path.push(nftEndpointChain(svc, eps[0]!));
  path.push(local ? 'filter-output' : 'filter-forward', 'nat-postrouting', 'masquerading');
  return path;
}
