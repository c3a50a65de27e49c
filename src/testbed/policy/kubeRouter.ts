// kube-router's network-policy-controller iptables + ipset state on a node (plus the two FORWARD accepts and
// the pod-egress MASQUERADE its routing controller installs).
//
// Modelled on cloudnativelabs/kube-router pkg/controllers/netpol (v1.3–v2.x iptables controller):
//   - network_policy_controller.go  ensureTopLevelChains: INPUT/FORWARD/OUTPUT -> KUBE-ROUTER-{INPUT,FORWARD,
//                                   OUTPUT} at position 1 ("kube-router netpol - <uuid>"), KUBE-ROUTER-INPUT
//                                   RETURNs for the service cluster-IP range and LOCAL node ports;
//                                   ensureDefaultNetworkPolicyChain: KUBE-NWPLCY-DEFAULT (ICMP accepts, then
//                                   MARK 0x10000); ensureExplicitAccept: "-m mark --mark 0x20000/0x20000 -j
//                                   ACCEPT" at the end of each top-level chain.
//   - pod.go                        syncPodFirewallChains: a KUBE-POD-FW-<hash> chain per local pod
//                                   (ESTABLISHED ACCEPT, INVALID DROP, LOCAL source ACCEPT, default-policy or
//                                   policy jumps, NFLOG + REJECT of unmarked, clear 0x10000, set 0x20000);
//                                   interceptPodInbound/OutboundTraffic: -d/-s <pod> jumps (and physdev
//                                   --physdev-is-bridged variants) in KUBE-ROUTER-FORWARD/-OUTPUT/-INPUT.
//   - policy.go                     syncNetworkPolicyChains / processIngressRules / processEgressRules /
//                                   appendRuleToPolicyChain (MARK 0x10000 then RETURN per rule), KUBE-SRC-/
//                                   KUBE-DST- hash:ip sets with "timeout 0" (only with `policy: true`).
//   - routing/pod_egress.go         nat POSTROUTING MASQUERADE for kube-router-pod-subnets ->
//                                   !pod-subnets,!kube-router-node-ips.
// An ESTABLISHED packet of the test flow goes FORWARD -> KUBE-ROUTER-FORWARD -> KUBE-POD-FW-<first pod>
// (the first pod's -d/-s jumps come first) and is accepted by that chain's first rule.
import { RestoreBuilder, renderIpsets } from './restore.ts';
import { base32Std, sha } from './hashNames.ts';
import { chainKey, type IpsetSpec, type Ruleset } from './types.ts';
import { cidrContains, intToIpv4, ipv4ToInt, supernet } from './ipv4.ts';
import { scaleRules } from './scaleRules.ts';

export interface KubeRouterOptions {
  /** The pod bridge (`kube-bridge`). */
  bridge: string;
  /** Local pods; the test flow is between the first two (or the first one and a remote peer). */
  pods: { ip: string; iface?: string; name?: string }[];
  /** Namespace of the pods. Default 'default'. */
  namespace?: string;
  /**
   * Add a NetworkPolicy selecting the pods (ingress from monitoring pods and an ipBlock, then allow-all;
   * egress to kube-dns, then allow-all), with its KUBE-NWPLCY-<hash> chain and KUBE-SRC/KUBE-DST sets.
   * Default false: no policy, every pod goes through KUBE-NWPLCY-DEFAULT.
   */
  policy?: boolean;
  /**
   * --policy-rules N: N more ingress rules in that NetworkPolicy (each an ipBlock and a port, with its own hash:net
   * KUBE-SRC set) ahead of the one admitting the test flow. Set (0 included), it implies `policy`.
   */
  policyRules?: number;
  /** --service-cluster-ip-range. Default '10.96.0.0/12'. */
  serviceClusterIpRange?: string;
  /** --service-node-port-range. Default '30000:32767'. */
  nodePortRange?: string;
  /** Members of kube-router-pod-subnets (all nodes' pod CIDRs). Default: the /16s of the pods. */
  podSubnets?: string[];
  /** Members of kube-router-node-ips. Default none. */
  nodeIps?: string[];
}

const MARK_MATCHED = '0x10000/0x10000';
const MARK_ACCEPTED = '0x20000/0x20000';

function hash16(s: string): string {
  return base32Std(sha('sha256', s)).slice(0, 16);
}

/** ensureTopLevelChains' addUUIDForRuleSpec: the comment gets " - <base32(sha256(chain + spec))[:16]>". */
function withUuid(chain: string, spec: string[]): string[] {
  const uuid = hash16(chain + spec.join(''));
  const i = spec.indexOf('--comment');
  return spec.map((s, k) => (k === i + 1 ? `${s} - ${uuid}` : s));
}

export function kubeRouterRuleset(opts: KubeRouterOptions): Ruleset {
  if (!opts.pods.length) throw new Error('kubeRouterRuleset: at least one pod is needed');
  if (!/^[\w.-]{1,15}$/.test(opts.bridge)) throw new Error(`kubeRouterRuleset: bad bridge name ${opts.bridge}`);
  for (const p of opts.pods) ipv4ToInt(p.ip);
  const ns = opts.namespace ?? 'default';
  const svcRange = opts.serviceClusterIpRange ?? '10.96.0.0/12';
  const nodePorts = opts.nodePortRange ?? '30000:32767';
  const pods = opts.pods.map((p, i) => ({ ...p, name: p.name ?? `netperf-${i}` }));
  const b = new RestoreBuilder();

  const INPUT = 'KUBE-ROUTER-INPUT';
  const FORWARD = 'KUBE-ROUTER-FORWARD';
  const OUTPUT = 'KUBE-ROUTER-OUTPUT';
  const DEFAULT = 'KUBE-NWPLCY-DEFAULT';
  for (const c of [INPUT, FORWARD, OUTPUT, DEFAULT]) b.chain('filter', c);

  for (const [builtin, custom] of [['INPUT', INPUT], ['FORWARD', FORWARD], ['OUTPUT', OUTPUT]] as const) {
    b.insert('filter', builtin, withUuid(builtin, ['-m', 'comment', '--comment', 'kube-router netpol', '-j', custom]));
  }
  b.append('filter', INPUT, withUuid(INPUT, ['-d', svcRange, '-m', 'comment', '--comment', 'allow traffic to primary/secondary cluster IP range', '-j', 'RETURN']));
  for (const proto of ['tcp', 'udp']) {
    b.append('filter', INPUT, withUuid(INPUT, ['-p', proto, '-m', 'comment', '--comment', `allow LOCAL ${proto.toUpperCase()} traffic to node ports`, '-m', 'addrtype', '--dst-type', 'LOCAL', '-m', 'multiport', '--dports', nodePorts, '-j', 'RETURN']));
  }

  // KUBE-NWPLCY-DEFAULT: utils.CommonICMPRules, then mark as matching a policy.
  for (const [comment, type] of [['allow icmp echo requests', 'echo-request'], ['allow icmp destination unreachable messages', 'destination-unreachable'], ['allow icmp time exceeded messages', 'time-exceeded']] as const) {
    b.append('filter', DEFAULT, ['-p', 'icmp', '-m', 'comment', '--comment', comment, '-m', 'icmp', '--icmp-type', type, '-j', 'ACCEPT']);
  }
  b.append('filter', DEFAULT, ['-m', 'comment', '--comment', 'rule to mark traffic matching a network policy', '-j', 'MARK', '--set-xmark', MARK_MATCHED]);

  // Optional NetworkPolicy "allow-netperf" selecting all the pods.
  const sets: IpsetSpec[] = [];
  const setOpts = ['family', 'inet', 'hashsize', '1024', 'maxelem', '65536', 'timeout', '0'];
  let policyChain: string | undefined;
  if (opts.policy || opts.policyRules !== undefined) {
    const name = 'allow-netperf';
    policyChain = `KUBE-NWPLCY-${hash16(ns + name)}`;
    b.chain('filter', policyChain);
    const dst = `KUBE-DST-${hash16(ns + name)}`;
    const src = `KUBE-SRC-${hash16(ns + name)}`;
    const monitoring = `KUBE-SRC-${hash16(`${ns}${name}ingressrule0pod`)}`;
    const block = `KUBE-SRC-${hash16(`${ns}${name}ingressrule1ipblock`)}`;
    const dns = `KUBE-DST-${hash16(`${ns}${name}egressrule0pod`)}`;
    const podIps = pods.map((p) => [p.ip, 'timeout', '0']);
    // Fake addresses of pods on other nodes (monitoring, kube-dns), next to the pod range but never a given pod.
    const given = new Set(pods.map((p) => p.ip));
    const base = ipv4ToInt(supernet(pods[0]!.ip, 16).split('/')[0]!);
    const fake = (k: number): string => {
      for (let off = 0; ; off++) {
        const ip = intToIpv4((base + 250 * 256 + 10 + k * 3 + off) >>> 0);
        if (!given.has(ip)) return ip;
      }
    };
    const blockCidr = '203.0.113.0/24';
    sets.push(
      { name: dst, type: 'hash:ip', options: setOpts, members: podIps },
      { name: src, type: 'hash:ip', options: setOpts, members: podIps },
      { name: monitoring, type: 'hash:ip', options: setOpts, members: [[fake(0), 'timeout', '0'], [fake(1), 'timeout', '0']] },
      { name: block, type: 'hash:net', options: setOpts, members: pods.some((p) => cidrContains(blockCidr, p.ip)) ? [] : [[blockCidr, 'timeout', '0']] },
      { name: dns, type: 'hash:ip', options: setOpts, members: [[fake(2), 'timeout', '0'], [fake(3), 'timeout', '0']] },
    );
    const rule = (comment: string, match: string[]): void => {
      const spec = ['-m', 'comment', '--comment', comment, ...match];
      b.append('filter', policyChain!, [...spec, '-j', 'MARK', '--set-xmark', MARK_MATCHED]);
      b.append('filter', policyChain!, [...spec, '-m', 'mark', '--mark', MARK_MATCHED, '-j', 'RETURN']);
    };
    const fromPods = `rule to ACCEPT traffic from source pods to dest pods selected by policy name ${name} namespace ${ns}`;
    rule(fromPods, ['-m', 'set', '--match-set', monitoring, 'src', '-m', 'set', '--match-set', dst, 'dst', '-p', 'tcp', '--dport', '9100']);
    rule(`rule to ACCEPT traffic from specified ipBlocks to dest pods selected by policy name: ${name} namespace ${ns}`, ['-m', 'set', '--match-set', block, 'src', '-m', 'set', '--match-set', dst, 'dst']);
    // --policy-rules: ingress rules 2…N+1, ipBlock + port each (policy.go processIngressRules: a set per ipBlock rule).
    scaleRules(opts.policyRules ?? 0).forEach((r, i) => {
      const set = `KUBE-SRC-${hash16(`${ns}${name}ingressrule${i + 2}ipblock`)}`;
      sets.push({ name: set, type: 'hash:net', options: setOpts, members: [[r.cidr, 'timeout', '0']] });
      rule(`rule to ACCEPT traffic from specified ipBlocks to dest pods selected by policy name: ${name} namespace ${ns}`, ['-m', 'set', '--match-set', set, 'src', '-m', 'set', '--match-set', dst, 'dst', '-p', 'tcp', '--dport', String(r.port)]);
    });
    rule(`rule to ACCEPT traffic from all sources to dest pods selected by policy name: ${name} namespace ${ns}`, ['-m', 'set', '--match-set', dst, 'dst']);
    for (const proto of ['udp', 'tcp']) {
      rule(fromPods, ['-m', 'set', '--match-set', src, 'src', '-m', 'set', '--match-set', dns, 'dst', '-p', proto, '--dport', '53']);
    }
    rule(`rule to ACCEPT traffic from source pods to all destinations selected by policy name: ${name} namespace ${ns}`, ['-m', 'set', '--match-set', src, 'src']);
  }

  // Per-pod firewall chains and the jumps to them.
  const fwChains: string[] = [];
  for (const pod of pods) {
    const fw = `KUBE-POD-FW-${hash16(ns + pod.name)}`;
    fwChains.push(fw);
    b.chain('filter', fw);
    b.append('filter', fw, ['-m', 'comment', '--comment', 'rule for stateful firewall for pod', '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT']);
    b.append('filter', fw, ['-m', 'comment', '--comment', 'rule to drop invalid state for pod', '-m', 'conntrack', '--ctstate', 'INVALID', '-j', 'DROP']);
    b.append('filter', fw, ['-d', pod.ip, '-m', 'comment', '--comment', "rule to permit the traffic traffic to pods when source is the pod's local node", '-m', 'addrtype', '--src-type', 'LOCAL', '-j', 'ACCEPT']);
    if (policyChain) {
      b.append('filter', fw, ['-m', 'comment', '--comment', 'run through nw policy allow-netperf', '-j', policyChain]);
    } else {
      b.append('filter', fw, ['-s', pod.ip, '-m', 'comment', '--comment', 'run through default egress network policy  chain', '-j', DEFAULT]);
      b.append('filter', fw, ['-d', pod.ip, '-m', 'comment', '--comment', 'run through default ingress network policy  chain', '-j', DEFAULT]);
    }
    b.append('filter', fw, ['-m', 'comment', '--comment', `rule to log dropped traffic POD name:${pod.name} namespace: ${ns}`, '-m', 'mark', '!', '--mark', MARK_MATCHED, '-m', 'limit', '--limit', '10/minute', '--limit-burst', '10', '-j', 'NFLOG', '--nflog-group', '100']);
    b.append('filter', fw, ['-m', 'comment', '--comment', `rule to REJECT traffic destined for POD name:${pod.name} namespace: ${ns}`, '-m', 'mark', '!', '--mark', MARK_MATCHED, '-j', 'REJECT']);
    b.append('filter', fw, ['-j', 'MARK', '--set-xmark', '0x0/0x10000']);
    b.append('filter', fw, ['-m', 'comment', '--comment', 'set mark to ACCEPT traffic that comply to network policies', '-j', 'MARK', '--set-xmark', MARK_ACCEPTED]);

    const inbound = `rule to jump traffic destined to POD name:${pod.name} namespace: ${ns} to chain ${fw}`;
    const outbound = `rule to jump traffic from POD name:${pod.name} namespace: ${ns} to chain ${fw}`;
    b.append('filter', FORWARD, ['-d', pod.ip, '-m', 'comment', '--comment', inbound, '-j', fw]);
    b.append('filter', OUTPUT, ['-d', pod.ip, '-m', 'comment', '--comment', inbound, '-j', fw]);
    b.append('filter', FORWARD, ['-d', pod.ip, '-m', 'physdev', '--physdev-is-bridged', '-m', 'comment', '--comment', inbound, '-j', fw]);
    for (const c of [INPUT, FORWARD, OUTPUT]) b.append('filter', c, ['-s', pod.ip, '-m', 'comment', '--comment', outbound, '-j', fw]);
    b.append('filter', FORWARD, ['-s', pod.ip, '-m', 'physdev', '--physdev-is-bridged', '-m', 'comment', '--comment', outbound, '-j', fw]);
  }
  for (const c of [INPUT, FORWARD, OUTPUT]) {
    b.append('filter', c, ['-m', 'comment', '--comment', 'rule to explicitly ACCEPT traffic that comply to network policies', '-m', 'mark', '--mark', MARK_ACCEPTED, '-j', 'ACCEPT']);
  }

  // Routing controller: forwarding of pod traffic, pod egress masquerade.
  b.append('filter', 'FORWARD', ['-i', opts.bridge, '-m', 'comment', '--comment', 'allow outbound traffic from pods', '-j', 'ACCEPT']);
  b.append('filter', 'FORWARD', ['-o', opts.bridge, '-m', 'comment', '--comment', 'allow inbound traffic to pods', '-j', 'ACCEPT']);
  b.append('nat', 'POSTROUTING', ['-m', 'set', '--match-set', 'kube-router-pod-subnets', 'src', '-m', 'set', '!', '--match-set', 'kube-router-pod-subnets', 'dst', '-m', 'set', '!', '--match-set', 'kube-router-node-ips', 'dst', '-j', 'MASQUERADE']);
  const subnets = opts.podSubnets ?? [...new Set(pods.map((p) => supernet(p.ip, 16)))];
  sets.push(
    { name: 'kube-router-pod-subnets', type: 'hash:net', options: setOpts, members: subnets.map((s) => [s, 'timeout', '0']) },
    { name: 'kube-router-node-ips', type: 'hash:ip', options: setOpts, members: (opts.nodeIps ?? []).map((ip) => [ip, 'timeout', '0']) },
  );

  return {
    iptables: b.render(),
    ipsets: renderIpsets(sets),
    ruleCount: b.ruleCount,
    perPacketChains: [chainKey('filter', 'FORWARD'), chainKey('filter', FORWARD), chainKey('filter', fwChains[0]!)],
  };
}
