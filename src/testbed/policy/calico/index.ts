// Calico (Felix, iptables data plane) policy rulesets for a node namespace: "calico-np" (Felix's static
// chains, workload endpoint chains with the allow-all namespace profile, no policy) and "calico-wp" (the same
// plus Kubernetes/Calico network policies rendered as Felix does, on a node busy with filler workloads).
//
// Modelled on projectcalico/calico felix/rules (v3.2x iptables renderer):
//   - static.go     StaticFilterForwardChains / StaticFilterForwardAppendRules (cali-FORWARD + the two rules
//                   Felix appends to FORWARD), filterInputChain, filterWorkloadToHostChain, filterOutputChain,
//                   failsafeIn/OutChain, StaticRawPreroutingChain (workload mark 0x40000, cali-rpf-skip,
//                   rpfilter), StaticRawOutputChain, WireguardIncomingMarkChain, StaticManglePrerouting/
//                   PostroutingChain (ESTABLISHED accepted first in mangle), StaticNAT*Chains.
//   - dispatch.go   WorkloadDispatchChains -> interfaceNameDispatchChains / buildSingleDispatchChains /
//                   sortAndDivideEndpointNamesToPrefixTree: cali-from-wl-dispatch / cali-to-wl-dispatch split
//                   into child chains "<root>-<next char>" (goto) when several interfaces share a prefix.
//   - endpoints.go  WorkloadEndpointToIptablesChains / endpointIptablesChain / appendConntrackRules: every
//                   cali-fw-<iface> / cali-tw-<iface> starts with "-m conntrack --ctstate RELATED,ESTABLISHED
//                   -j ACCEPT" then INVALID DROP, so ESTABLISHED packets never reach policy or profile chains;
//                   tier block ("Start of tier", jump per policy/group, "Return if policy accepted", "Drop if
//                   no policies passed packet"), profiles, "Drop if no profiles matched";
//                   PolicyGroupToIptablesChains (cali-gi-/cali-go- for policies sharing a selector, RETURN on
//                   verdict every 5 jumps).
//   - policy.go     PolicyToIptablesChains / ProfileToIptablesChains / ProtoRuleToIptablesRules /
//                   CalculateRuleMatch: "allow" = match -> MARK 0x10000, then "-m mark --mark 0x10000/0x10000
//                   -j RETURN", trailing RETURNs stripped, chain comment on the first rule; cali-pi-/cali-po-,
//                   cali-pri-/cali-pro- names via hashutils.GetLengthLimitedID (28 characters).
//   - rule_defs.go  chain names and mark bits (accept 0x10000, pass 0x20000, scratch0 0x40000, scratch1 0x80000).
// Every rule carries Felix's "cali:<hash>" comment (a hash of chain name, previous hash and rule).
//
// So the per-packet path of an ESTABLISHED packet is the same shape with and without policy (raw/mangle
// cali-PREROUTING, mangle cali-POSTROUTING, cali-FORWARD -> dispatch -> cali-fw-<iface> ACCEPT); what policy
// mode adds to it is the bigger, two-level dispatch tree of a node with many endpoints. The policy and profile
// chains themselves are walked by the first packets of each flow (conntrack NEW).
import type { Ruleset } from '../types.ts';
import { ipv4ToInt } from '../ipv4.ts';
import { buildPlan } from './plan.ts';
import { render } from './render.ts';

export interface CalicoWorkload {
  /** Host-side interface (`cali…`, at most 15 characters). */
  iface: string;
  /** The workload's IPv4 address. */
  ip: string;
}

export interface CalicoRulesetOptions {
  /** false: calico-np (no policy, allow-all profile); true: calico-wp (per-workload policy chains). */
  policy: boolean;
  /** Local workloads; the test flow is between the first two (or the first one and a remote peer). */
  workloads: CalicoWorkload[];
  /** calico-wp: total rules to install (±10%), reached with filler workloads. Default {@link CALICO_DEFAULT_RULES}. */
  rules?: number;
  /**
   * calico-wp: rules added to the netperf workloads' ingress policy ahead of the rule that admits the test flow
   * (--policy-rules; default 0). The filler endpoints are chosen as without them, so `rules` keeps sizing the node.
   */
  policyRules?: number;
  /** Number of filler endpoints (fake `cali…` interfaces); overrides the count derived from `rules`. */
  fillerWorkloads?: number;
  /** Encapsulation Felix is configured for (adds its INPUT/OUTPUT/NAT rules). Default 'ipip'. */
  encap?: 'ipip' | 'vxlan' | 'none';
  /** IP pool (cali40all-ipam-pools / cali40masq-ipam-pools, natOutgoing). Default: the /16 of the first workload. */
  ipPool?: string;
  /** Node addresses for cali40all-hosts-net / cali40all-vxlan-net. Default none. */
  hostIps?: string[];
  /** Kubernetes namespace of the workloads. Default 'default'. */
  namespace?: string;
}

export const CALICO_DEFAULT_RULES = 500;

function validate(opts: CalicoRulesetOptions): void {
  if (!opts.workloads.length) throw new Error('calicoRuleset: at least one workload is needed');
  const seen = new Set<string>();
  for (const wl of opts.workloads) {
    if (!/^cali[0-9A-Za-z.\-_]{1,11}$/.test(wl.iface)) throw new Error(`calicoRuleset: workload interface ${JSON.stringify(wl.iface)} must be "cali…" and at most 15 characters`);
    if (seen.has(wl.iface)) throw new Error(`calicoRuleset: interface ${wl.iface} given twice`);
    seen.add(wl.iface);
    ipv4ToInt(wl.ip);
  }
  if (opts.rules !== undefined && !(Number.isInteger(opts.rules) && opts.rules > 0)) throw new Error('calicoRuleset: rules must be a positive integer');
  if (opts.fillerWorkloads !== undefined && !(Number.isInteger(opts.fillerWorkloads) && opts.fillerWorkloads >= 0)) throw new Error('calicoRuleset: fillerWorkloads must be a non-negative integer');
}

/**
 * The iptables + ipset state Felix programs on a node for the given local workloads. calico-np: static chains,
 * dispatch, per-endpoint chains with the allow-all `kns.<namespace>` profile. calico-wp: additionally the
 * workloads' policies (groups, ipset selectors, port and CIDR matches, ending in allows for the netperf flow)
 * and filler endpoints with their own policies until the ruleset has `rules` rules (±10%; the smallest
 * possible wp ruleset if `rules` is below it).
 */
export function calicoRuleset(opts: CalicoRulesetOptions): Ruleset {
  validate(opts);
  const final = (fillers: number): Ruleset => render(opts, buildPlan(opts, fillers));
  if (opts.fillerWorkloads !== undefined) return final(opts.fillerWorkloads);
  if (!opts.policy) return final(0);
  // Size the node without the --policy-rules rules, so a sweep of them keeps the same endpoints at every size.
  const sizing = { ...opts, policyRules: 0 };
  const memo = new Map<number, Ruleset>();
  const build = (n: number): Ruleset => {
    let rs = memo.get(n);
    if (!rs) memo.set(n, (rs = render(sizing, buildPlan(sizing, n))));
    return rs;
  };
  const target = opts.rules ?? CALICO_DEFAULT_RULES;
  // The rule count grows monotonically with the number of fillers: binary-search the closest.
  let lo = 0;
  let hi = 1;
  while (build(hi).ruleCount < target && hi < 1 << 14) hi *= 2;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (build(mid).ruleCount < target) lo = mid;
    else hi = mid;
  }
  const [rl, rh] = [build(lo), build(hi)];
  const fillers = Math.abs(rl.ruleCount - target) <= Math.abs(rh.ruleCount - target) ? lo : hi;
  return opts.policyRules ? final(fillers) : build(fillers);
}
