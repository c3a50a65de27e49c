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
import {
  RestoreBuilder,
  base64RawUrl,
  chainKey,
  cidrContains,
  intToIpv4,
  ipv4ToInt,
  renderIpsets,
  sha,
  supernet,
  type IpsetSpec,
  type Ruleset,
} from './types.ts';

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

const MARK_ACCEPT = 0x10000;
const MARK_PASS = 0x20000;
const MARK_SCRATCH0 = 0x40000;
const ALL_CALICO_MARKS = 0xf0000;
const WIREGUARD_MARK = 0x100000;
const MAX_CHAIN = 28;
const VXLAN_PORT = 4789;

const hex = (n: number): string => `0x${n.toString(16)}`;
const setMark = (m: number): string[] => ['-j', 'MARK', '--set-xmark', `${hex(m)}/${hex(m)}`];
const clearMark = (m: number): string[] => ['-j', 'MARK', '--set-xmark', `0x0/${hex(m)}`];
const markSet = (m: number): string[] => ['-m', 'mark', '--mark', `${hex(m)}/${hex(m)}`];
const markClear = (m: number): string[] => ['-m', 'mark', '--mark', `0x0/${hex(m)}`];
const markNotClear = (m: number): string[] => ['-m', 'mark', '!', '--mark', `0x0/${hex(m)}`];
const ctstate = (s: string): string[] => ['-m', 'conntrack', '--ctstate', s];
const dports = (ports: readonly (number | string)[]): string[] => ['-m', 'multiport', '--dports', ports.join(',')];
const sports = (ports: readonly (number | string)[]): string[] => ['-m', 'multiport', '--sports', ports.join(',')];

/** hashutils.GetLengthLimitedID: prefix+suffix, or prefix + "_" + sha224(suffix) when too long. */
function lengthLimitedId(prefix: string, suffix: string, maxLen = MAX_CHAIN): string {
  if (prefix.length + suffix.length <= maxLen && !suffix.startsWith('_')) return prefix + suffix;
  return `${prefix}_${base64RawUrl(sha('sha224', suffix)).slice(0, maxLen - prefix.length - 1)}`;
}

/** Felix's IP set for a selector: "cali40" + "s:" + hash (31 characters). */
function selectorIpsetName(selector: string): string {
  return `cali40s:${base64RawUrl(sha('sha224', selector)).slice(0, 23)}`;
}

interface RuleParts {
  match?: string[];
  action?: string[];
  comments?: string[];
}

/**
 * Renders rules the way Felix does: a "cali:<hash>" comment, then rule comments, match and action. Like
 * Felix's iptables Table (felix/iptables/table.go, chainRefCounts), only chains reachable from the built-in
 * chains' hooks are programmed: e.g. the failsafe chains (used only by host endpoints), the WireGuard mark
 * chain and the unused direction of a policy are rendered but not installed.
 */
class FelixWriter {
  private readonly chains = new Map<string, Map<string, string[][]>>();
  private readonly hooks: { table: string; chain: string; args: string[] }[] = [];
  private readonly appends: { table: string; chain: string; args: string[] }[] = [];
  private readonly prev = new Map<string, string>();

  chain(table: string, name: string): void {
    let t = this.chains.get(table);
    if (!t) this.chains.set(table, (t = new Map()));
    if (t.has(name)) throw new Error(`chain ${table}/${name} rendered twice`);
    t.set(name, []);
  }

  private args(table: string, chain: string, r: RuleParts): string[] {
    const body = [
      ...(r.comments ?? []).flatMap((c) => ['-m', 'comment', '--comment', c]),
      ...(r.match ?? []),
      ...(r.action ?? []),
    ];
    const key = `${table}/${chain}`;
    const hash = base64RawUrl(sha('sha224', `${chain}\n${this.prev.get(key) ?? ''}\n${body.join(' ')}`)).slice(0, 16);
    this.prev.set(key, hash);
    return ['-m', 'comment', '--comment', `cali:${hash}`, ...body];
  }

  rule(table: string, chain: string, r: RuleParts): void {
    const c = this.chains.get(table)?.get(chain);
    if (c) c.push(this.args(table, chain, r));
    else this.appends.push({ table, chain, args: this.args(table, chain, r) });
  }

  /** A hook at the top of a built-in chain. */
  hook(table: string, chain: string, r: RuleParts): void {
    this.hooks.push({ table, chain, args: this.args(table, chain, r) });
  }

  finish(): RestoreBuilder {
    const targetOf = (args: string[]): string | undefined => {
      const i = args.findIndex((a) => a === '-j' || a === '-g');
      return i >= 0 ? args[i + 1] : undefined;
    };
    const reachable = new Map<string, Set<string>>();
    for (const [table, chains] of this.chains) {
      const seen = new Set<string>();
      const queue = [...this.hooks, ...this.appends].filter((h) => h.table === table).map((h) => targetOf(h.args));
      while (queue.length) {
        const c = queue.pop();
        if (!c || seen.has(c) || !chains.has(c)) continue;
        seen.add(c);
        for (const args of chains.get(c)!) queue.push(targetOf(args));
      }
      reachable.set(table, seen);
    }
    const b = new RestoreBuilder();
    for (const [table, chains] of this.chains) {
      for (const name of chains.keys()) if (reachable.get(table)!.has(name)) b.chain(table, name);
    }
    for (const h of this.hooks) b.insert(h.table, h.chain, h.args);
    for (const a of this.appends) b.append(a.table, a.chain, a.args);
    for (const [table, chains] of this.chains) {
      for (const [name, rules] of chains) if (reachable.get(table)!.has(name)) for (const r of rules) b.append(table, name, r);
    }
    return b;
  }
}

// ---------- policy model ----------

interface PolicyRule {
  action: 'allow' | 'deny';
  protocol?: 'tcp' | 'udp' | 'icmp';
  srcSelector?: string;
  dstSelector?: string;
  srcNet?: string;
  dstNet?: string;
  dstPorts?: (number | string)[];
  icmpType?: number;
}

interface PolicyDef {
  kind: 'NetworkPolicy' | 'KubernetesNetworkPolicy';
  namespace: string;
  name: string;
  order: number;
  /** The policy's selector (policies sharing it are grouped, as Felix does). */
  selector: string;
  types: ('ingress' | 'egress')[];
  ingress: PolicyRule[];
  egress: PolicyRule[];
}

interface Endpoint {
  iface: string;
  ip: string;
  namespace: string;
  /** Policies applying to the endpoint (empty for calico-np and for profile-only endpoints). */
  policies: PolicyDef[];
}

function policyId(p: PolicyDef): string {
  return `default/${p.namespace}/${p.name}`;
}

function policyChainName(dir: 'ingress' | 'egress', p: PolicyDef): string {
  return lengthLimitedId(dir === 'ingress' ? 'cali-pi-' : 'cali-po-', policyId(p));
}

function profileChainName(dir: 'ingress' | 'egress', profile: string): string {
  return lengthLimitedId(dir === 'ingress' ? 'cali-pri-' : 'cali-pro-', profile);
}

interface PolicyGroup {
  selector: string;
  dir: 'ingress' | 'egress';
  policies: PolicyDef[];
}

function groupChainName(g: PolicyGroup): string {
  const data = ['default', g.selector, g.dir === 'ingress' ? 'inbound' : 'outbound', String(g.policies.length), ...g.policies.map((p) => p.name)].join('\n');
  return (g.dir === 'ingress' ? 'cali-gi-' : 'cali-go-') + base64RawUrl(sha('sha224', data)).slice(0, MAX_CHAIN - 8);
}

/** Policies (already in order) that apply in one direction, grouped by consecutive equal selectors. */
function groupsFor(policies: readonly PolicyDef[], dir: 'ingress' | 'egress'): PolicyGroup[] {
  const groups: PolicyGroup[] = [];
  for (const p of policies) {
    if (!p.types.includes(dir)) continue;
    const last = groups[groups.length - 1];
    if (last && last.selector === p.selector) last.policies.push(p);
    else groups.push({ selector: p.selector, dir, policies: [p] });
  }
  return groups;
}

function orderPolicies(ps: readonly PolicyDef[]): PolicyDef[] {
  return [...ps].sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
}

// ---------- the generator ----------

interface Plan {
  endpoints: Endpoint[];
  policies: PolicyDef[];
  /** selector -> members, for the cali40s: sets the policies reference. */
  selectorMembers: Map<string, string[]>;
  netperf: Endpoint[];
}

const FILLER_APPS: readonly { ns: string; app: string; port: number; peer: string; egressTo?: { ns: string; app: string; port: number } }[] = [
  { ns: 'shop', app: 'frontend', port: 8080, peer: 'ingress-nginx', egressTo: { ns: 'shop', app: 'cart', port: 7070 } },
  { ns: 'shop', app: 'cart', port: 7070, peer: 'frontend', egressTo: { ns: 'shop', app: 'redis-cart', port: 6379 } },
  { ns: 'shop', app: 'checkout', port: 5050, peer: 'frontend', egressTo: { ns: 'payments', app: 'payments-api', port: 8443 } },
  { ns: 'shop', app: 'redis-cart', port: 6379, peer: 'cart' },
  { ns: 'payments', app: 'payments-api', port: 8443, peer: 'checkout', egressTo: { ns: 'payments', app: 'postgres', port: 5432 } },
  { ns: 'payments', app: 'postgres', port: 5432, peer: 'payments-api' },
  { ns: 'monitoring', app: 'prometheus', port: 9090, peer: 'grafana' },
  { ns: 'logging', app: 'fluentd', port: 24224, peer: 'fluent-bit' },
  { ns: 'kube-system', app: 'coredns', port: 53, peer: '' },
];

/** Documentation / benchmarking ranges used for CIDR rules; any that would contain a workload is skipped. */
const CANDIDATE_CIDRS = ['203.0.113.0/24', '198.51.100.0/24', '192.0.2.0/24', '198.18.0.0/15', '100.64.0.0/16', '172.31.250.0/24'];

function sel(ns: string, expr: string): string {
  return `projectcalico.org/namespace == '${ns}' && ${expr}`;
}

function hexName(seed: string): string {
  return sha('sha1', seed).toString('hex');
}

function buildPlan(opts: CalicoRulesetOptions, fillers: number): Plan {
  const ns = opts.namespace ?? 'default';
  const real = opts.workloads;
  const realIps = new Set(real.map((w) => w.ip));
  const pool = opts.ipPool ?? supernet(real[0]!.ip, 16);
  const poolBase = ipv4ToInt(pool.split('/')[0]!);
  const poolSize = 2 ** (32 - Number(pool.split('/')[1]));
  let nextAddr = 0;
  // Fake addresses of other pods in the cluster (never equal to a real workload's address).
  const fakeIp = (): string => {
    for (;;) {
      const ip = intToIpv4((poolBase + ((4096 + nextAddr++ * 37) % Math.max(poolSize - 2, 1)) + 1) >>> 0);
      if (!realIps.has(ip)) return ip;
    }
  };
  const freeCidrs = CANDIDATE_CIDRS.filter((c) => !real.some((w) => cidrContains(c, w.ip)));
  const cidr = (i: number): string => freeCidrs[i % Math.max(freeCidrs.length, 1)] ?? '203.0.113.0/24';

  const selectorMembers = new Map<string, string[]>();
  const members = (selector: string, n: number): string => {
    if (!selectorMembers.has(selector)) selectorMembers.set(selector, Array.from({ length: n }, fakeIp));
    return selector;
  };

  const policies: PolicyDef[] = [];
  const netperfSel = sel(ns, "app == 'netperf'");
  const netperfPolicies: PolicyDef[] = [];
  if (opts.policy) {
    // Ingress: two Calico policies with the same selector (-> a cali-gi- group chain) and the namespace's
    // Kubernetes default-deny. Every rule before the final allows is crafted not to match the netperf flow.
    netperfPolicies.push(
      {
        kind: 'NetworkPolicy', namespace: ns, name: 'default.allow-netperf', order: 100, selector: netperfSel, types: ['ingress'],
        ingress: [
          { action: 'allow', protocol: 'tcp', srcSelector: members(sel('shop', "role == 'frontend'"), 4), dstPorts: [80, 443, 8080] },
          { action: 'deny', protocol: 'tcp', srcNet: cidr(0) },
          { action: 'allow', protocol: 'tcp', srcNet: cidr(1), dstPorts: [22] },
          { action: 'allow', protocol: 'tcp' },
          { action: 'allow', protocol: 'udp' },
          { action: 'allow', protocol: 'icmp' },
        ],
        egress: [],
      },
      {
        kind: 'NetworkPolicy', namespace: ns, name: 'default.allow-netperf-metrics', order: 100, selector: netperfSel, types: ['ingress'],
        ingress: [
          { action: 'allow', protocol: 'tcp', srcSelector: members(sel('monitoring', "app == 'prometheus'"), 2), dstPorts: [9100, 9102] },
          { action: 'allow', protocol: 'tcp', srcNet: cidr(2), dstPorts: [443] },
        ],
        egress: [],
      },
      {
        kind: 'NetworkPolicy', namespace: ns, name: 'default.allow-netperf-egress', order: 100, selector: netperfSel, types: ['egress'],
        ingress: [],
        egress: [
          { action: 'allow', protocol: 'udp', dstSelector: members(sel('kube-system', "k8s-app == 'kube-dns'"), 2), dstPorts: [53] },
          { action: 'allow', protocol: 'tcp', dstSelector: sel('kube-system', "k8s-app == 'kube-dns'"), dstPorts: [53] },
          { action: 'deny', protocol: 'tcp', dstNet: cidr(3), dstPorts: [25] },
          { action: 'allow', protocol: 'tcp' },
          { action: 'allow', protocol: 'udp' },
          { action: 'allow', protocol: 'icmp' },
        ],
      },
      {
        kind: 'KubernetesNetworkPolicy', namespace: ns, name: 'knp.default.default-deny', order: 1000,
        selector: `projectcalico.org/namespace == '${ns}'`, types: ['ingress'], ingress: [], egress: [],
      },
    );
    policies.push(...netperfPolicies);
  }

  const netperf: Endpoint[] = real.map((w) => ({ iface: w.iface, ip: w.ip, namespace: ns, policies: opts.policy ? orderPolicies(netperfPolicies) : [] }));

  // Filler endpoints: interfaces that do not exist, named like Calico names them ("cali" + 11 hex digits).
  // The first ones share their first five characters with a real workload so the real workloads sit in a
  // child dispatch chain, as they would on a node with many pods.
  const taken = new Set(real.map((w) => w.iface));
  const appPolicies = new Map<string, PolicyDef[]>();
  const endpoints: Endpoint[] = [...netperf];
  for (let i = 0; i < fillers; i++) {
    const app = FILLER_APPS[i % FILLER_APPS.length]!;
    let name = '';
    for (let k = 0; !name || taken.has(name); k++) {
      const h = hexName(`filler/${app.ns}/${app.app}-${i}/${k}`);
      const sibling = real[i];
      name = sibling ? (sibling.iface.slice(0, 5) + h).slice(0, 15) : `cali${h.slice(0, 11)}`;
    }
    taken.add(name);
    let pols = appPolicies.get(app.app);
    if (!pols && opts.policy) {
      const s = sel(app.ns, `app == '${app.app}'`);
      pols = [
        {
          kind: 'KubernetesNetworkPolicy', namespace: app.ns, name: `knp.default.allow-${app.app}`, order: 1000, selector: s, types: ['ingress'],
          ingress: app.app === 'coredns'
            ? [
                { action: 'allow', protocol: 'udp', dstPorts: [53] },
                { action: 'allow', protocol: 'tcp', dstPorts: [53] },
                { action: 'allow', protocol: 'tcp', srcSelector: members(sel('monitoring', "app == 'prometheus'"), 2), dstPorts: [9153] },
              ]
            : [
                { action: 'allow', protocol: 'tcp', srcSelector: members(sel(app.ns, `app == '${app.peer}'`), 3), dstPorts: [app.port] },
                { action: 'allow', protocol: 'tcp', srcSelector: members(sel('monitoring', "app == 'prometheus'"), 2), dstPorts: [9102] },
                { action: 'allow', protocol: 'tcp', srcNet: cidr(i + 1), dstPorts: [app.port] },
              ],
          egress: [],
        },
        {
          kind: 'KubernetesNetworkPolicy', namespace: app.ns, name: `knp.default.allow-${app.app}-probes`, order: 1000, selector: s, types: ['ingress'],
          ingress: [{ action: 'allow', protocol: 'tcp', srcNet: cidr(i + 2), dstPorts: [8081, '10254:10256'] }],
          egress: [],
        },
      ];
      if (app.egressTo) {
        pols.push({
          kind: 'KubernetesNetworkPolicy', namespace: app.ns, name: `knp.default.${app.app}-egress`, order: 1000, selector: s, types: ['egress'],
          ingress: [],
          egress: [
            { action: 'allow', protocol: 'udp', dstSelector: members(sel('kube-system', "k8s-app == 'kube-dns'"), 2), dstPorts: [53] },
            { action: 'allow', protocol: 'tcp', dstSelector: sel('kube-system', "k8s-app == 'kube-dns'"), dstPorts: [53] },
            { action: 'allow', protocol: 'tcp', dstSelector: members(sel(app.egressTo.ns, `app == '${app.egressTo.app}'`), 3), dstPorts: [app.egressTo.port] },
          ],
        });
      }
      const deny: PolicyDef = {
        kind: 'KubernetesNetworkPolicy', namespace: app.ns, name: 'knp.default.default-deny', order: 1000,
        selector: `projectcalico.org/namespace == '${app.ns}'`, types: ['ingress'], ingress: [], egress: [],
      };
      if (!policies.some((p) => policyId(p) === policyId(deny))) policies.push(deny);
      const nsDeny = policies.find((p) => policyId(p) === policyId(deny))!;
      policies.push(...pols);
      pols = [...pols, nsDeny];
      appPolicies.set(app.app, pols);
    }
    endpoints.push({ iface: name, ip: fakeIp(), namespace: app.ns, policies: opts.policy ? orderPolicies(pols ?? []) : [] });
  }
  return { endpoints, policies, selectorMembers, netperf };
}

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

function render(opts: CalicoRulesetOptions, plan: Plan): Ruleset {
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
  const memo = new Map<number, Ruleset>();
  const build = (n: number): Ruleset => {
    let rs = memo.get(n);
    if (!rs) memo.set(n, (rs = render(opts, buildPlan(opts, n))));
    return rs;
  };
  if (opts.fillerWorkloads !== undefined) return build(opts.fillerWorkloads);
  if (!opts.policy) return build(0);
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
  return Math.abs(rl.ruleCount - target) <= Math.abs(rh.ruleCount - target) ? rl : rh;
}
