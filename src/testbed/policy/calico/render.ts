// A node's plan rendered as Felix programs it: raw, mangle, nat and filter chains, the dispatch trees, profiles,
// policies and policy groups, endpoint chains, IP sets, and the chains an ESTABLISHED test packet crosses.
import { renderIpsets } from '../restore.ts';
import { chainKey, type IpsetSpec, type Ruleset } from '../types.ts';
import { supernet } from '../ipv4.ts';
import {
  ALL_CALICO_MARKS, FelixWriter, MARK_ACCEPT, MARK_PASS, MARK_SCRATCH0, type RuleParts, VXLAN_PORT, WIREGUARD_MARK,
  clearMark, ctstate, dports, markClear, markNotClear, markSet, selectorIpsetName, setMark, sports,
} from './felix.ts';
import { type Endpoint, type PolicyGroup, type PolicyRule, groupChainName, groupsFor, orderPolicies, policyChainName, profileChainName } from './policyModel.ts';
import type { Plan } from './plan.ts';
import type { CalicoRulesetOptions } from './index.ts';

function renderPolicyRule(r: PolicyRule): { match: string[] } {
  const m: string[] = [];
  if (r.protocol) m.push('-p', r.protocol);
  if (r.srcNet) m.push('--source', r.srcNet);
  if (r.srcSelector) m.push('-m', 'set', '--match-set', selectorIpsetName(r.srcSelector), 'src');
  if (r.dstNet) m.push('--destination', r.dstNet);
  if (r.dstSelector) m.push('-m', 'set', '--match-set', selectorIpsetName(r.dstSelector), 'dst');
  if (r.dstPorts?.length) m.push(...dports(r.dstPorts));
  if (r.icmpType !== undefined) m.push('-m', 'icmp', '--icmp-type', String(r.icmpType));
  return { match: m };
}

/** ProtoRulesToIptablesRules: per rule, then strip trailing RETURNs, then put the chain comment on rule 0. */
function policyChainRules(rules: readonly PolicyRule[], chainComment: string): RuleParts[] {
  const out: RuleParts[] = [];
  for (const r of rules) {
    const { match } = renderPolicyRule(r);
    if (r.action === 'allow') {
      out.push({ match, action: setMark(MARK_ACCEPT) });
      out.push({ match: markSet(MARK_ACCEPT), action: ['-j', 'RETURN'] });
    } else {
      out.push({ match, action: ['-j', 'DROP'] });
    }
  }
  while (out.length && out[out.length - 1]!.action?.[1] === 'RETURN') out.pop();
  if (!out.length) out.push({});
  out[0] = { ...out[0]!, comments: [...(out[0]!.comments ?? []), chainComment] };
  return out;
}

function commonPrefix(names: readonly string[]): string {
  if (!names.length) return '';
  let p = names[0]!;
  for (const n of names) while (!n.startsWith(p)) p = p.slice(0, -1);
  return p;
}

interface DispatchTree {
  root: RuleParts[];
  children: { name: string; rules: RuleParts[] }[];
  /** iface -> child chain holding it (absent when it is matched in the root chain). */
  childOf: Map<string, string>;
}

/** buildSingleDispatchChains + sortAndDivideEndpointNamesToPrefixTree. */
function dispatchTree(rootName: string, names: readonly string[], dir: 'from' | 'to'): DispatchTree {
  const sorted = [...new Set(names)].sort();
  const cp = commonPrefix(sorted);
  const bins = new Map<string, string[]>();
  for (const n of sorted) {
    const prefix = n.length > cp.length ? n.slice(0, cp.length + 1) : cp;
    bins.set(prefix, [...(bins.get(prefix) ?? []), n]);
  }
  const ifaceMatch = (n: string): string[] => (dir === 'from' ? ['-i', n] : ['-o', n]);
  const target = (n: string): string => `${dir === 'from' ? 'cali-fw-' : 'cali-tw-'}${n}`;
  const endRule: RuleParts = { comments: ['Unknown interface'], action: ['-j', 'DROP'] };
  const tree: DispatchTree = { root: [], children: [], childOf: new Map() };
  for (const [prefix, members] of bins) {
    if (members.length > 1) {
      const child = `${rootName}-${prefix.slice(cp.length)}`;
      tree.root.push({ match: ifaceMatch(`${prefix}+`), action: ['-g', child] });
      tree.children.push({ name: child, rules: [...members.map((n) => ({ match: ifaceMatch(n), action: ['-g', target(n)] })), endRule] });
      for (const n of members) tree.childOf.set(n, child);
    } else {
      tree.root.push({ match: ifaceMatch(members[0]!), action: ['-g', target(members[0]!)] });
    }
  }
  tree.root.push(endRule);
  return tree;
}

const FAILSAFE_IN: readonly [string, number][] = [['tcp', 22], ['udp', 68], ['tcp', 179], ['tcp', 2379], ['tcp', 2380], ['tcp', 5473], ['tcp', 6443], ['tcp', 6666], ['tcp', 6667]];
const FAILSAFE_OUT: readonly [string, number][] = [['udp', 53], ['udp', 67], ['tcp', 179], ['tcp', 2379], ['tcp', 2380], ['tcp', 5473], ['tcp', 6443], ['tcp', 6666], ['tcp', 6667]];

export function render(opts: CalicoRulesetOptions, plan: Plan): Ruleset {
  const w = new FelixWriter();
  const encap = opts.encap ?? 'ipip';
  const hostNetSet = encap === 'vxlan' ? 'cali40all-vxlan-net' : 'cali40all-hosts-net';

  // ----- raw -----
  for (const c of ['cali-PREROUTING', 'cali-OUTPUT', 'cali-failsafe-in', 'cali-failsafe-out', 'cali-from-host-endpoint', 'cali-rpf-skip', 'cali-to-host-endpoint', 'cali-wireguard-incoming-mark']) w.chain('raw', c);
  w.hook('raw', 'PREROUTING', { action: ['-j', 'cali-PREROUTING'] });
  w.hook('raw', 'OUTPUT', { action: ['-j', 'cali-OUTPUT'] });
  w.rule('raw', 'cali-PREROUTING', { action: clearMark(ALL_CALICO_MARKS) });
  if (encap === 'vxlan') w.rule('raw', 'cali-PREROUTING', { match: ['-p', 'udp', '-m', 'udp', '--dport', String(VXLAN_PORT)], action: ['-j', 'NOTRACK'] });
  w.rule('raw', 'cali-PREROUTING', { match: ['-i', 'cali+'], action: setMark(MARK_SCRATCH0) });
  w.rule('raw', 'cali-PREROUTING', { match: markSet(MARK_SCRATCH0), action: ['-j', 'cali-rpf-skip'] });
  w.rule('raw', 'cali-PREROUTING', { match: [...markSet(MARK_SCRATCH0), '-m', 'rpfilter', '--validmark', '--invert'], action: ['-j', 'DROP'] });
  w.rule('raw', 'cali-PREROUTING', { match: markClear(MARK_SCRATCH0), action: ['-j', 'cali-from-host-endpoint'] });
  w.rule('raw', 'cali-PREROUTING', { match: markSet(MARK_ACCEPT), action: ['-j', 'ACCEPT'] });
  w.rule('raw', 'cali-OUTPUT', { action: clearMark(ALL_CALICO_MARKS) });
  w.rule('raw', 'cali-OUTPUT', { action: ['-j', 'cali-to-host-endpoint'] });
  if (encap === 'vxlan') w.rule('raw', 'cali-OUTPUT', { match: ['-p', 'udp', '-m', 'udp', '--dport', String(VXLAN_PORT)], action: ['-j', 'NOTRACK'] });
  w.rule('raw', 'cali-OUTPUT', { match: markSet(MARK_ACCEPT), action: ['-j', 'ACCEPT'] });
  for (const [p, port] of FAILSAFE_IN) w.rule('raw', 'cali-failsafe-in', { match: ['-p', p, ...dports([port])], action: ['-j', 'ACCEPT'] });
  for (const [p, port] of FAILSAFE_OUT) w.rule('raw', 'cali-failsafe-in', { match: ['-p', p, ...sports([port])], action: ['-j', 'ACCEPT'] });
  for (const [p, port] of FAILSAFE_OUT) w.rule('raw', 'cali-failsafe-out', { match: ['-p', p, ...dports([port])], action: ['-j', 'ACCEPT'] });
  for (const [p, port] of FAILSAFE_IN) w.rule('raw', 'cali-failsafe-out', { match: ['-p', p, ...sports([port])], action: ['-j', 'ACCEPT'] });
  for (const i of ['lo', 'wireguard.cali', 'wg-v6.cali', 'cali+']) w.rule('raw', 'cali-wireguard-incoming-mark', { match: ['-i', i], action: ['-j', 'RETURN'] });
  w.rule('raw', 'cali-wireguard-incoming-mark', { action: setMark(WIREGUARD_MARK) });

  // ----- mangle -----
  for (const c of ['cali-PREROUTING', 'cali-POSTROUTING', 'cali-failsafe-in', 'cali-failsafe-out', 'cali-from-host-endpoint', 'cali-to-host-endpoint']) w.chain('mangle', c);
  w.hook('mangle', 'PREROUTING', { action: ['-j', 'cali-PREROUTING'] });
  w.hook('mangle', 'POSTROUTING', { action: ['-j', 'cali-POSTROUTING'] });
  w.rule('mangle', 'cali-PREROUTING', { match: ctstate('RELATED,ESTABLISHED'), action: ['-j', 'ACCEPT'] });
  w.rule('mangle', 'cali-PREROUTING', { match: markSet(MARK_ACCEPT), action: ['-j', 'ACCEPT'] });
  w.rule('mangle', 'cali-PREROUTING', { action: ['-j', 'cali-from-host-endpoint'] });
  w.rule('mangle', 'cali-PREROUTING', { comments: ['Host endpoint policy accepted packet.'], match: markSet(MARK_ACCEPT), action: ['-j', 'ACCEPT'] });
  w.rule('mangle', 'cali-POSTROUTING', { match: markSet(MARK_ACCEPT), action: ['-j', 'RETURN'] });
  w.rule('mangle', 'cali-POSTROUTING', { action: clearMark(ALL_CALICO_MARKS) });
  w.rule('mangle', 'cali-POSTROUTING', { match: ctstate('DNAT'), action: ['-j', 'cali-to-host-endpoint'] });
  w.rule('mangle', 'cali-POSTROUTING', { comments: ['Host endpoint policy accepted packet.'], match: markSet(MARK_ACCEPT), action: ['-j', 'RETURN'] });
  for (const [p, port] of FAILSAFE_IN) w.rule('mangle', 'cali-failsafe-in', { match: ['-p', p, ...dports([port])], action: ['-j', 'ACCEPT'] });
  for (const [p, port] of FAILSAFE_OUT) w.rule('mangle', 'cali-failsafe-out', { match: ['-p', p, ...dports([port])], action: ['-j', 'ACCEPT'] });

  // ----- nat -----
  for (const c of ['cali-PREROUTING', 'cali-POSTROUTING', 'cali-OUTPUT', 'cali-fip-dnat', 'cali-fip-snat', 'cali-nat-outgoing']) w.chain('nat', c);
  w.hook('nat', 'PREROUTING', { action: ['-j', 'cali-PREROUTING'] });
  w.hook('nat', 'POSTROUTING', { action: ['-j', 'cali-POSTROUTING'] });
  w.hook('nat', 'OUTPUT', { action: ['-j', 'cali-OUTPUT'] });
  w.rule('nat', 'cali-PREROUTING', { action: ['-j', 'cali-fip-dnat'] });
  w.rule('nat', 'cali-OUTPUT', { action: ['-j', 'cali-fip-dnat'] });
  w.rule('nat', 'cali-POSTROUTING', { action: ['-j', 'cali-fip-snat'] });
  w.rule('nat', 'cali-POSTROUTING', { action: ['-j', 'cali-nat-outgoing'] });
  if (encap !== 'none') {
    const tunnel = encap === 'vxlan' ? 'vxlan.calico' : 'tunl0';
    w.rule('nat', 'cali-POSTROUTING', {
      match: ['-o', tunnel, '-m', 'addrtype', '!', '--src-type', 'LOCAL', '--limit-iface-out', '-m', 'addrtype', '--src-type', 'LOCAL'],
      action: ['-j', 'MASQUERADE', '--random-fully'],
    });
  }
  w.rule('nat', 'cali-nat-outgoing', {
    match: ['-m', 'set', '--match-set', 'cali40masq-ipam-pools', 'src', '-m', 'set', '!', '--match-set', 'cali40all-ipam-pools', 'dst'],
    action: ['-j', 'MASQUERADE', '--random-fully'],
  });

  // ----- filter: static chains -----
  const staticFilter = ['cali-INPUT', 'cali-FORWARD', 'cali-OUTPUT', 'cali-wl-to-host', 'cali-failsafe-in', 'cali-failsafe-out', 'cali-from-hep-forward', 'cali-to-hep-forward', 'cali-from-host-endpoint', 'cali-to-host-endpoint', 'cali-cidr-block', 'cali-from-wl-dispatch', 'cali-to-wl-dispatch'];
  for (const c of staticFilter) w.chain('filter', c);
  w.hook('filter', 'INPUT', { action: ['-j', 'cali-INPUT'] });
  w.hook('filter', 'FORWARD', { action: ['-j', 'cali-FORWARD'] });
  w.hook('filter', 'OUTPUT', { action: ['-j', 'cali-OUTPUT'] });
  // StaticFilterForwardAppendRules
  w.rule('filter', 'FORWARD', { comments: ['Policy explicitly accepted packet.'], match: markSet(MARK_ACCEPT), action: ['-j', 'ACCEPT'] });
  w.rule('filter', 'FORWARD', { action: setMark(MARK_ACCEPT) });

  w.rule('filter', 'cali-FORWARD', { action: clearMark(ALL_CALICO_MARKS & ~MARK_ACCEPT) });
  w.rule('filter', 'cali-FORWARD', { match: markClear(MARK_ACCEPT), action: ['-j', 'cali-from-hep-forward'] });
  w.rule('filter', 'cali-FORWARD', { match: ['-i', 'cali+'], action: ['-j', 'cali-from-wl-dispatch'] });
  w.rule('filter', 'cali-FORWARD', { match: ['-o', 'cali+'], action: ['-j', 'cali-to-wl-dispatch'] });
  w.rule('filter', 'cali-FORWARD', { action: ['-j', 'cali-to-hep-forward'] });
  w.rule('filter', 'cali-FORWARD', { action: ['-j', 'cali-cidr-block'] });

  if (encap === 'ipip') {
    w.rule('filter', 'cali-INPUT', { comments: ['Allow IPIP packets from Calico hosts'], match: ['-p', '4', '-m', 'set', '--match-set', hostNetSet, 'src', '-m', 'addrtype', '--dst-type', 'LOCAL'], action: ['-j', 'ACCEPT'] });
    w.rule('filter', 'cali-INPUT', { comments: ['Drop IPIP packets from non-Calico hosts'], match: ['-p', '4'], action: ['-j', 'DROP'] });
  } else if (encap === 'vxlan') {
    w.rule('filter', 'cali-INPUT', { comments: ['Allow IPv4 VXLAN packets from allowed hosts'], match: ['-p', 'udp', ...dports([VXLAN_PORT]), '-m', 'set', '--match-set', hostNetSet, 'src', '-m', 'addrtype', '--dst-type', 'LOCAL'], action: ['-j', 'ACCEPT'] });
    w.rule('filter', 'cali-INPUT', { comments: ['Drop IPv4 VXLAN packets from non-allowed hosts'], match: ['-p', 'udp', ...dports([VXLAN_PORT]), '-m', 'addrtype', '--dst-type', 'LOCAL'], action: ['-j', 'DROP'] });
  }
  w.rule('filter', 'cali-INPUT', { match: ['-i', 'cali+'], action: ['-g', 'cali-wl-to-host'] });
  w.rule('filter', 'cali-INPUT', { match: markSet(MARK_ACCEPT), action: ['-j', 'ACCEPT'] });
  w.rule('filter', 'cali-INPUT', { action: clearMark(ALL_CALICO_MARKS) });
  w.rule('filter', 'cali-INPUT', { action: ['-j', 'cali-from-host-endpoint'] });
  w.rule('filter', 'cali-INPUT', { comments: ['Host endpoint policy accepted packet.'], match: markSet(MARK_ACCEPT), action: ['-j', 'ACCEPT'] });

  w.rule('filter', 'cali-wl-to-host', { action: ['-j', 'cali-from-wl-dispatch'] });
  w.rule('filter', 'cali-wl-to-host', { comments: ['Configured DefaultEndpointToHostAction'], action: ['-j', 'ACCEPT'] });

  w.rule('filter', 'cali-OUTPUT', { match: markSet(MARK_ACCEPT), action: ['-j', 'ACCEPT'] });
  w.rule('filter', 'cali-OUTPUT', { match: ['-o', 'cali+'], action: ['-j', 'RETURN'] });
  if (encap === 'ipip') {
    w.rule('filter', 'cali-OUTPUT', { comments: ['Allow IPIP packets to other Calico hosts'], match: ['-p', '4', '-m', 'set', '--match-set', hostNetSet, 'dst', '-m', 'addrtype', '--src-type', 'LOCAL'], action: ['-j', 'ACCEPT'] });
  } else if (encap === 'vxlan') {
    w.rule('filter', 'cali-OUTPUT', { comments: ['Allow IPv4 VXLAN packets to other allowed hosts'], match: ['-p', 'udp', ...dports([VXLAN_PORT]), '-m', 'addrtype', '--src-type', 'LOCAL', '-m', 'set', '--match-set', hostNetSet, 'dst'], action: ['-j', 'ACCEPT'] });
  }
  w.rule('filter', 'cali-OUTPUT', { action: clearMark(ALL_CALICO_MARKS) });
  w.rule('filter', 'cali-OUTPUT', { match: ['-m', 'conntrack', '!', '--ctstate', 'DNAT'], action: ['-j', 'cali-to-host-endpoint'] });
  w.rule('filter', 'cali-OUTPUT', { comments: ['Host endpoint policy accepted packet.'], match: markSet(MARK_ACCEPT), action: ['-j', 'ACCEPT'] });
  for (const [p, port] of FAILSAFE_IN) w.rule('filter', 'cali-failsafe-in', { match: ['-p', p, ...dports([port])], action: ['-j', 'ACCEPT'] });
  for (const [p, port] of FAILSAFE_OUT) w.rule('filter', 'cali-failsafe-out', { match: ['-p', p, ...dports([port])], action: ['-j', 'ACCEPT'] });

  // ----- filter: dispatch chains -----
  const names = plan.endpoints.map((e) => e.iface);
  const from = dispatchTree('cali-from-wl-dispatch', names, 'from');
  const to = dispatchTree('cali-to-wl-dispatch', names, 'to');
  for (const t of [from, to]) for (const c of t.children) w.chain('filter', c.name);
  for (const c of from.children) for (const r of c.rules) w.rule('filter', c.name, r);
  for (const r of from.root) w.rule('filter', 'cali-from-wl-dispatch', r);
  for (const c of to.children) for (const r of c.rules) w.rule('filter', c.name, r);
  for (const r of to.root) w.rule('filter', 'cali-to-wl-dispatch', r);

  // ----- filter: profiles (one kns.<ns> allow-all profile and one empty ksa.<ns>.default per namespace) -----
  const namespaces = [...new Set(plan.endpoints.map((e) => e.namespace))].sort();
  for (const n of namespaces) {
    for (const profile of [`kns.${n}`, `ksa.${n}.default`]) {
      for (const dir of ['ingress', 'egress'] as const) {
        const chain = profileChainName(dir, profile);
        w.chain('filter', chain);
        const rules: PolicyRule[] = profile.startsWith('kns.') ? [{ action: 'allow' }] : [];
        for (const r of policyChainRules(rules, `Profile ${profile} ${dir}`)) w.rule('filter', chain, r);
      }
    }
  }

  // ----- filter: policies and policy groups -----
  const ordered = orderPolicies(plan.policies);
  for (const p of ordered) {
    for (const dir of ['ingress', 'egress'] as const) {
      const chain = policyChainName(dir, p);
      w.chain('filter', chain);
      const comment = `${p.kind} ${p.namespace}/${p.name} ${dir}`;
      for (const r of policyChainRules(dir === 'ingress' ? p.ingress : p.egress, comment)) w.rule('filter', chain, r);
    }
  }
  const groupsDone = new Set<string>();
  const renderGroup = (g: PolicyGroup): string => {
    if (g.policies.length === 1) return policyChainName(g.dir, g.policies[0]!);
    const name = groupChainName(g);
    if (!groupsDone.has(name)) {
      groupsDone.add(name);
      w.chain('filter', name);
      g.policies.forEach((p, i) => {
        if (i !== 0 && i % 5 === 0) w.rule('filter', name, { comments: ['Return on verdict'], match: markNotClear(MARK_PASS | MARK_ACCEPT), action: ['-j', 'RETURN'] });
        w.rule('filter', name, { match: i % 5 === 0 ? [] : markClear(MARK_PASS | MARK_ACCEPT), action: ['-j', policyChainName(g.dir, p)] });
      });
    }
    return name;
  };

  // ----- filter: workload endpoint chains -----
  for (const ep of [...plan.endpoints].sort((a, b) => a.iface.localeCompare(b.iface))) {
    for (const dir of ['ingress', 'egress'] as const) {
      const chain = `${dir === 'ingress' ? 'cali-tw-' : 'cali-fw-'}${ep.iface}`;
      w.chain('filter', chain);
      w.rule('filter', chain, { match: ctstate('RELATED,ESTABLISHED'), action: ['-j', 'ACCEPT'] });
      w.rule('filter', chain, { match: ctstate('INVALID'), action: ['-j', 'DROP'] });
      w.rule('filter', chain, { action: clearMark(MARK_ACCEPT | MARK_PASS) });
      if (dir === 'egress') {
        w.rule('filter', chain, { comments: ['DROP VXLAN encapped packets originating in workloads'], match: ['-p', 'udp', ...dports([VXLAN_PORT])], action: ['-j', 'DROP'] });
        w.rule('filter', chain, { comments: ['DROP IPinIP encapped packets originating in workloads'], match: ['-p', '4'], action: ['-j', 'DROP'] });
      }
      const groups = groupsFor(ep.policies, dir);
      if (groups.length) {
        w.rule('filter', chain, { comments: ['Start of tier default'], action: clearMark(MARK_PASS) });
        for (const g of groups) {
          w.rule('filter', chain, { match: markClear(MARK_PASS), action: ['-j', renderGroup(g)] });
          w.rule('filter', chain, { comments: ['Return if policy accepted'], match: markSet(MARK_ACCEPT), action: ['-j', 'RETURN'] });
        }
        w.rule('filter', chain, { comments: ['Drop if no policies passed packet'], match: markClear(MARK_PASS), action: ['-j', 'DROP'] });
      }
      for (const profile of [`kns.${ep.namespace}`, `ksa.${ep.namespace}.default`]) {
        w.rule('filter', chain, { action: ['-j', profileChainName(dir, profile)] });
        w.rule('filter', chain, { comments: ['Return if profile accepted'], match: markSet(MARK_ACCEPT), action: ['-j', 'RETURN'] });
      }
      w.rule('filter', chain, { comments: ['Drop if no profiles matched'], action: ['-j', 'DROP'] });
    }
  }

  // ----- IP sets -----
  const pool = opts.ipPool ?? supernet(opts.workloads[0]!.ip, 16);
  const netOpts = ['family', 'inet', 'hashsize', '1024', 'maxelem', '1048576'];
  const sets: IpsetSpec[] = [
    { name: 'cali40all-ipam-pools', type: 'hash:net', options: netOpts, members: [[pool]] },
    { name: 'cali40masq-ipam-pools', type: 'hash:net', options: netOpts, members: [[pool]] },
  ];
  if (encap !== 'none') sets.push({ name: hostNetSet, type: 'hash:net', options: netOpts, members: (opts.hostIps ?? []).map((ip) => [ip]) });
  const referenced = new Set<string>();
  for (const p of plan.policies) for (const r of [...p.ingress, ...p.egress]) for (const s of [r.srcSelector, r.dstSelector]) if (s) referenced.add(s);
  for (const s of [...referenced].sort()) {
    sets.push({ name: selectorIpsetName(s), type: 'hash:net', options: netOpts, members: (plan.selectorMembers.get(s) ?? []).map((ip) => [ip]) });
  }

  // ----- the ESTABLISHED per-packet path of the test flow -----
  const path: string[] = [
    chainKey('raw', 'PREROUTING'), chainKey('raw', 'cali-PREROUTING'),
    chainKey('mangle', 'PREROUTING'), chainKey('mangle', 'cali-PREROUTING'),
    chainKey('filter', 'FORWARD'), chainKey('filter', 'cali-FORWARD'),
  ];
  const a = plan.netperf[0]!;
  const b = plan.netperf[1];
  const viaFrom = (ep: Endpoint): string[] => [
    chainKey('filter', 'cali-from-wl-dispatch'),
    ...(from.childOf.has(ep.iface) ? [chainKey('filter', from.childOf.get(ep.iface)!)] : []),
    chainKey('filter', `cali-fw-${ep.iface}`),
  ];
  const viaTo = (ep: Endpoint): string[] => [
    chainKey('filter', 'cali-to-wl-dispatch'),
    ...(to.childOf.has(ep.iface) ? [chainKey('filter', to.childOf.get(ep.iface)!)] : []),
    chainKey('filter', `cali-tw-${ep.iface}`),
  ];
  // Both directions leave a local workload when both ends are local; with a remote peer the replies come
  // in from the fabric and are dispatched on the output interface.
  path.push(...viaFrom(a), ...(b ? viaFrom(b) : viaTo(a)));
  path.push(chainKey('mangle', 'POSTROUTING'), chainKey('mangle', 'cali-POSTROUTING'));

  const built = w.finish();
  return {
    iptables: built.render(),
    ipsets: renderIpsets(sets),
    ruleCount: built.ruleCount,
    perPacketChains: [...new Set(path)],
  };
}
