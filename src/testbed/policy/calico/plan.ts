// What a node holds: the netperf workloads with their policies, and (calico-wp) filler endpoints of made-up apps with
// theirs, until the ruleset reaches the requested number of rules.
import { sha } from '../hashNames.ts';
import { cidrContains, intToIpv4, ipv4ToInt, supernet } from '../ipv4.ts';
import type { CalicoRulesetOptions } from './index.ts';
import { type Endpoint, type PolicyDef, type PolicyRule, orderPolicies, policyId } from './policyModel.ts';
import { scaleRules } from '../scaleRules.ts';

export interface Plan {
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

export function buildPlan(opts: CalicoRulesetOptions, fillers: number): Plan {
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
          // --policy-rules N: N more rules, none admitting the test flow (see ../scaleRules.ts).
          ...scaleRules(opts.policyRules ?? 0).map((r): PolicyRule => ({ action: 'allow', protocol: 'tcp', srcNet: r.cidr, dstPorts: [r.port] })),
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
