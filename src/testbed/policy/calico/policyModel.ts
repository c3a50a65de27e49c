// Calico's policy objects as Felix sees them (policies, rules, endpoints, groups of policies sharing a selector) and
// the names of the chains they become.
import { base64RawUrl, sha } from '../hashNames.ts';
import { MAX_CHAIN, lengthLimitedId } from './felix.ts';

export interface PolicyRule {
  action: 'allow' | 'deny';
  protocol?: 'tcp' | 'udp' | 'icmp';
  srcSelector?: string;
  dstSelector?: string;
  srcNet?: string;
  dstNet?: string;
  dstPorts?: (number | string)[];
  icmpType?: number;
}

export interface PolicyDef {
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

export interface Endpoint {
  iface: string;
  ip: string;
  namespace: string;
  /** Policies applying to the endpoint (empty for calico-np and for profile-only endpoints). */
  policies: PolicyDef[];
}

export function policyId(p: PolicyDef): string {
  return `default/${p.namespace}/${p.name}`;
}

export function policyChainName(dir: 'ingress' | 'egress', p: PolicyDef): string {
  return lengthLimitedId(dir === 'ingress' ? 'cali-pi-' : 'cali-po-', policyId(p));
}

export function profileChainName(dir: 'ingress' | 'egress', profile: string): string {
  return lengthLimitedId(dir === 'ingress' ? 'cali-pri-' : 'cali-pro-', profile);
}

export interface PolicyGroup {
  selector: string;
  dir: 'ingress' | 'egress';
  policies: PolicyDef[];
}

export function groupChainName(g: PolicyGroup): string {
  const data = ['default', g.selector, g.dir === 'ingress' ? 'inbound' : 'outbound', String(g.policies.length), ...g.policies.map((p) => p.name)].join('\n');
  return (g.dir === 'ingress' ? 'cali-gi-' : 'cali-go-') + base64RawUrl(sha('sha224', data)).slice(0, MAX_CHAIN - 8);
}

/** Policies (already in order) that apply in one direction, grouped by consecutive equal selectors. */
export function groupsFor(policies: readonly PolicyDef[], dir: 'ingress' | 'egress'): PolicyGroup[] {
  const groups: PolicyGroup[] = [];
  for (const p of policies) {
    if (!p.types.includes(dir)) continue;
    const last = groups[groups.length - 1];
    if (last && last.selector === p.selector) last.policies.push(p);
    else groups.push({ selector: p.selector, dir, policies: [p] });
  }
  return groups;
}

export function orderPolicies(ps: readonly PolicyDef[]): PolicyDef[] {
  return [...ps].sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
}
