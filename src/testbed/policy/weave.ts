// weave-npc's iptables + ipset state on a node, for namespaces in the default-allow state (no
// NetworkPolicy), together with the FORWARD/INPUT hooks and NAT chain weave itself installs.
//
// Modelled on weaveworks/weave (2.6–2.8):
//   - prog/weave-npc/main.go  createBaseRules: WEAVE-NPC (ESTABLISHED accept, multicast, physdev-out to
//                             vethwe-bridge, NEW -> WEAVE-NPC-DEFAULT / WEAVE-NPC-INGRESS), WEAVE-NPC-EGRESS
//                             (ESTABLISHED accept, physdev-in vethwe-bridge RETURN, LOCAL RETURN, multicast,
//                             NEW -> WEAVE-NPC-EGRESS-DEFAULT / -CUSTOM unless marked 0x40000, NFLOG + DROP of
//                             unmarked), WEAVE-NPC-EGRESS-ACCEPT (MARK 0x40000).
//   - npc/constants.go        chain names, EgressMark 0x40000/0x40000, ipset prefix "weave-".
//   - npc/namespace.go        newNS: per namespace a hash:ip set of all its pods plus the ingress/egress
//                             default-allow sets ("weave-" + shortName("ingress-default-allow:"+ns) …);
//                             bypassRules: WEAVE-NPC-DEFAULT "-m set --match-set <ingress> dst -j ACCEPT",
//                             WEAVE-NPC-EGRESS-DEFAULT "<egress> src -j WEAVE-NPC-EGRESS-ACCEPT" + RETURN.
//   - npc/selector.go         selector ipset names: "weave-" + shortName(ns + ":" + selector).
//   - npc/shortname.go        shortName: sha1 in base 85 over a printable alphabet.
//   - net/ipset/ipset.go      sets are created with "comment"; entries carry "namespace: …, pod: …".
//   - net/bridge.go           configureIPTables: FORWARD hooks on -i/-o weave (WEAVE-NPC-EGRESS, WEAVE-NPC,
//                             NFLOG of NEW, DROP, pod->world ACCEPT, ESTABLISHED replies), nat WEAVE chain.
//   - prog/weave-kube/launch.sh  INPUT -i weave -j WEAVE-NPC-EGRESS.
// With br_netfilter, bridged pod-to-pod packets hit FORWARD with in/out = the bridge; an ESTABLISHED packet
// takes the first FORWARD rule into WEAVE-NPC-EGRESS and is accepted by its first rule.
import { RestoreBuilder, renderIpsets } from './restore.ts';
import { chainKey, type IpsetSpec, type Ruleset } from './types.ts';
import { cidrContains, ipv4ToInt } from './ipv4.ts';
import { sha } from './hashNames.ts';
import { scaleRules } from './scaleRules.ts';

export interface WeaveNpcOptions {
  /** The weave bridge (`weave`). */
  bridge: string;
  /** Local pods; the test flow is between the first two (or the first one and a remote peer). */
  pods: { ip: string; name?: string }[];
  /** Namespace of the pods. Default 'default'. */
  namespace?: string;
  /** Bridge port towards the router / fastdp (`vethwe-bridge`). */
  bridgePort?: string;
  /** Weave's IP allocation range, used by the nat WEAVE chain. Default '10.32.0.0/12'. */
  ipallocRange?: string;
  /** Other namespaces in the cluster (each gets its default-allow sets and bypass rules). */
  otherNamespaces?: string[];
  /**
   * --policy-rules N: a NetworkPolicy selecting the pods (so they leave their namespace's ingress default-allow set)
   * with N ipBlock + port ingress rules, then one admitting every pod of the namespace — the test flow. 0 is that
   * policy with no rule added; unset: no policy, every pod default-allowed.
   */
  policyRules?: number;
}

const SHORT_NAME_SYMBOLS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789(){}[]+=_$%^!*|/?.;:@#~';

/** npc/shortname.go: sha1 of the string, written least-significant digit first in base 85. */
export function weaveShortName(s: string): string {
  let i = BigInt(`0x${sha('sha1', s).toString('hex')}`);
  const base = BigInt(SHORT_NAME_SYMBOLS.length);
  let out = '';
  while (i > 0n) {
    out += SHORT_NAME_SYMBOLS[Number(i % base)];
    i /= base;
  }
  return out;
}

const EGRESS_MARK = '0x40000/0x40000';

export function weaveNpcRuleset(opts: WeaveNpcOptions): Ruleset {
  if (!opts.pods.length) throw new Error('weaveNpcRuleset: at least one pod is needed');
  if (!/^[\w.-]{1,15}$/.test(opts.bridge)) throw new Error(`weaveNpcRuleset: bad bridge name ${opts.bridge}`);
  for (const p of opts.pods) ipv4ToInt(p.ip);
  const ns = opts.namespace ?? 'default';
  const port = opts.bridgePort ?? 'vethwe-bridge';
  const range = opts.ipallocRange ?? '10.32.0.0/12';
  const br = opts.bridge;
  const b = new RestoreBuilder();

  // ----- filter -----
  const chains = ['WEAVE-NPC', 'WEAVE-NPC-DEFAULT', 'WEAVE-NPC-EGRESS', 'WEAVE-NPC-EGRESS-ACCEPT', 'WEAVE-NPC-EGRESS-CUSTOM', 'WEAVE-NPC-EGRESS-DEFAULT', 'WEAVE-NPC-INGRESS'];
  for (const c of chains) b.chain('filter', c);

  b.insert('filter', 'INPUT', ['-i', br, '-j', 'WEAVE-NPC-EGRESS']);
  const note = "NOTE: this must go before '-j KUBE-FORWARD'";
  b.insert('filter', 'FORWARD', ['-i', br, '-m', 'comment', '--comment', note, '-j', 'WEAVE-NPC-EGRESS']);
  b.insert('filter', 'FORWARD', ['-o', br, '-m', 'comment', '--comment', note, '-j', 'WEAVE-NPC']);
  b.insert('filter', 'FORWARD', ['-o', br, '-m', 'state', '--state', 'NEW', '-j', 'NFLOG', '--nflog-group', '86']);
  b.insert('filter', 'FORWARD', ['-o', br, '-j', 'DROP']);
  b.insert('filter', 'FORWARD', ['-i', br, '!', '-o', br, '-j', 'ACCEPT']);
  b.insert('filter', 'FORWARD', ['-o', br, '-m', 'conntrack', '--ctstate', 'RELATED,ESTABLISHED', '-j', 'ACCEPT']);

  b.append('filter', 'WEAVE-NPC', ['-m', 'state', '--state', 'RELATED,ESTABLISHED', '-j', 'ACCEPT']);
  b.append('filter', 'WEAVE-NPC', ['-d', '224.0.0.0/4', '-j', 'ACCEPT']);
  b.append('filter', 'WEAVE-NPC', ['-m', 'physdev', '--physdev-out', port, '--physdev-is-bridged', '-j', 'ACCEPT']);
  b.append('filter', 'WEAVE-NPC', ['-m', 'state', '--state', 'NEW', '-j', 'WEAVE-NPC-DEFAULT']);
  b.append('filter', 'WEAVE-NPC', ['-m', 'state', '--state', 'NEW', '-j', 'WEAVE-NPC-INGRESS']);

  b.append('filter', 'WEAVE-NPC-EGRESS-ACCEPT', ['-j', 'MARK', '--set-xmark', EGRESS_MARK]);

  b.append('filter', 'WEAVE-NPC-EGRESS', ['-m', 'state', '--state', 'RELATED,ESTABLISHED', '-j', 'ACCEPT']);
  b.append('filter', 'WEAVE-NPC-EGRESS', ['-m', 'physdev', '--physdev-in', port, '--physdev-is-bridged', '-j', 'RETURN']);
  b.append('filter', 'WEAVE-NPC-EGRESS', ['-m', 'addrtype', '--dst-type', 'LOCAL', '-j', 'RETURN']);
  b.append('filter', 'WEAVE-NPC-EGRESS', ['-d', '224.0.0.0/4', '-j', 'RETURN']);
  b.append('filter', 'WEAVE-NPC-EGRESS', ['-m', 'state', '--state', 'NEW', '-j', 'WEAVE-NPC-EGRESS-DEFAULT']);
  b.append('filter', 'WEAVE-NPC-EGRESS', ['-m', 'state', '--state', 'NEW', '-m', 'mark', '!', '--mark', EGRESS_MARK, '-j', 'WEAVE-NPC-EGRESS-CUSTOM']);
  b.append('filter', 'WEAVE-NPC-EGRESS', ['-m', 'state', '--state', 'NEW', '-m', 'mark', '!', '--mark', EGRESS_MARK, '-j', 'NFLOG', '--nflog-group', '86']);
  b.append('filter', 'WEAVE-NPC-EGRESS', ['-m', 'mark', '!', '--mark', EGRESS_MARK, '-j', 'DROP']);

  // Per namespace (default-allow: no policy selects any pod, so every pod is in both default-allow sets).
  const namespaces = [...new Set([ns, ...(opts.otherNamespaces ?? ['kube-node-lease', 'kube-public', 'kube-system'])])].sort();
  const sets: IpsetSpec[] = [];
  const podMembers = opts.pods.map((p, i) => [p.ip, 'comment', `namespace: ${ns}, pod: ${p.name ?? `netperf-${i}`}`]);
  // undefined: no NetworkPolicy (the study's setup); a number, even 0: the policy allow-netperf with that many rules added.
  const policyRules = opts.policyRules;
  for (const n of namespaces) {
    const members = n === ns ? podMembers : [];
    const allPods = `weave-${weaveShortName(`${n}:`)}`;
    const ingress = `weave-${weaveShortName(`ingress-default-allow:${n}`)}`;
    const egress = `weave-${weaveShortName(`egress-default-allow:${n}`)}`;
    // Pods an ingress policy selects are no longer default-allowed in (npc/controller.go, ingress isolation).
    sets.push({ name: ingress, type: 'hash:ip', options: ['comment'], members: n === ns && policyRules !== undefined ? [] : members });
    for (const name of [egress, allPods]) sets.push({ name, type: 'hash:ip', options: ['comment'], members });
    b.append('filter', 'WEAVE-NPC-DEFAULT', ['-m', 'set', '--match-set', ingress, 'dst', '-m', 'comment', '--comment', `DefaultAllow ingress isolation for namespace: ${n}`, '-j', 'ACCEPT']);
    b.append('filter', 'WEAVE-NPC-EGRESS-DEFAULT', ['-m', 'set', '--match-set', egress, 'src', '-m', 'comment', '--comment', `DefaultAllow egress isolation for namespace: ${n}`, '-j', 'WEAVE-NPC-EGRESS-ACCEPT']);
    b.append('filter', 'WEAVE-NPC-EGRESS-DEFAULT', ['-m', 'set', '--match-set', egress, 'src', '-m', 'comment', '--comment', `DefaultAllow egress isolation for namespace: ${n}`, '-j', 'RETURN']);
  }

  if (policyRules !== undefined) {
    // The NetworkPolicy "allow-netperf" (npc/rule.go: each ingress rule one ACCEPT in WEAVE-NPC-INGRESS matching the
    // source peer's set and the selected pods' set; npc/selector.go: a hash:ip set per pod selector; an ipBlock peer
    // gets a hash:net set of its own).
    const selected = `weave-${weaveShortName(`selector:${ns}:app=netperf`)}`;
    sets.push({ name: selected, type: 'hash:ip', options: ['comment'], members: podMembers });
    const to = `pods: namespace: ${ns}, selector: app=netperf`;
    for (const r of scaleRules(policyRules)) {
      const block = `weave-${weaveShortName(`ipblock:${r.cidr}`)}`;
      sets.push({ name: block, type: 'hash:net', options: ['comment'], members: [[r.cidr]] });
      b.append('filter', 'WEAVE-NPC-INGRESS', ['-p', 'tcp', '-m', 'set', '--match-set', block, 'src', '-m', 'set', '--match-set', selected, 'dst', '--dport', String(r.port), '-m', 'comment', '--comment', `cidr: ${r.cidr} -> ${to} (ingress)`, '-j', 'ACCEPT']);
    }
    const allPods = `weave-${weaveShortName(`${ns}:`)}`;
    b.append('filter', 'WEAVE-NPC-INGRESS', ['-m', 'set', '--match-set', allPods, 'src', '-m', 'set', '--match-set', selected, 'dst', '-m', 'comment', '--comment', `pods: namespace: ${ns}, selector:  -> ${to} (ingress)`, '-j', 'ACCEPT']);
  }

  // ----- nat (weave router: masquerade traffic entering/leaving the weave range) -----
  b.chain('nat', 'WEAVE');
  b.append('nat', 'POSTROUTING', ['-j', 'WEAVE']);
  b.append('nat', 'WEAVE', ['-m', 'set', '--match-set', 'weaver-no-masq-local', 'dst', '-m', 'comment', '--comment', 'Prevent SNAT to locally running containers', '-j', 'RETURN']);
  b.append('nat', 'WEAVE', ['-s', range, '-d', '224.0.0.0/4', '-j', 'RETURN']);
  b.append('nat', 'WEAVE', ['!', '-s', range, '-d', range, '-j', 'MASQUERADE']);
  b.append('nat', 'WEAVE', ['-s', range, '!', '-d', range, '-j', 'MASQUERADE']);
  sets.push({ name: 'weaver-no-masq-local', type: 'hash:ip', members: opts.pods.filter((p) => cidrContains(range, p.ip)).map((p) => [p.ip]) });

  return {
    iptables: b.render(),
    ipsets: renderIpsets(sets),
    ruleCount: b.ruleCount,
    perPacketChains: [chainKey('filter', 'FORWARD'), chainKey('filter', 'WEAVE-NPC-EGRESS')],
  };
}
