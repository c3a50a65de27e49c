// Cilium's network policy as its agent writes it into the BPF datapath's maps for one node (the cilium-wp model): the
// ipcache (every address it knows → a security identity) and each local endpoint's policy map ({identity, direction,
// protocol, port} → allow or deny), for the NetworkPolicy that selects the netperf pods — N ipBlock + port rules
// (--policy-rules, src/testbed/policy/scaleRules.ts) ahead of the rule admitting the namespace's pods. Pure.
//
// Modelled on cilium/cilium:
//   - pkg/identity/numericidentity.go  reserved identities (host 1, world 2, remote-node 6), cluster identities from
//                                      256 (MinimalAllocationIdentity), local ("CIDR") identities with bit 24 set
//                                      (IdentityScopeLocal), which the agent allocates for every CIDR a policy selects.
//   - pkg/maps/ipcache, bpf/lib/eps.h  the ipcache: each pod's /32 and each selected CIDR → its identity.
//   - pkg/policy (MapState), pkg/maps/policymap, bpf/lib/policy.h
//                                      an endpoint's policy map: an allow entry per identity a rule selects, with
//                                      the rule's protocol and port (or none: any), written for ingress only when a
//                                      policy selects the endpoint for ingress; reserved:host is allowed by default
//                                      (--allow-localhost=always).
// The rules are the same N as the iptables models get, so the four CNIs express one policy.
import { scaleRules } from './scaleRules.ts';

/** Reserved identities (Cilium's numericidentity.go). */
export const HOST_ID = 1;
export const WORLD_ID = 2;
export const REMOTE_NODE_ID = 6;
/** The identity of the testbed's pods: all carry the same labels, so Cilium gives them one, the first it allocates. */
export const PODS_IDENTITY = 256;
/** Local identities (the ones Cilium allocates for CIDRs in policy) have bit 24 set. */
const LOCAL_IDENTITY_SCOPE = 1 << 24;

const TCP = 6;

/** An ipcache entry: an address or prefix and the identity of whoever holds it. */
export interface IpcacheRecord {
  cidr: string;
  identity: number;
}

/** One allow entry of an endpoint's ingress policy; identity, protocol and port 0 mean any. */
export interface PolicyRecord {
  identity: number;
  protocol: number;
  port: number;
}

export interface CiliumPolicyInput {
  /** Every pod of the cluster (the ipcache knows them all). */
  podIps: readonly string[];
  /** This node's underlay address (reserved:host) and the other nodes' (reserved:remote-node). */
  nodeIp: string;
  otherNodeIps: readonly string[];
  /** --policy-rules N (unset: the policy without added rules). */
  policyRules?: number;
}

export interface CiliumPolicy {
  ipcache: IpcacheRecord[];
  /** The ingress policy of every endpoint the policy selects (all the testbed's pods: it selects them all). */
  ingress: PolicyRecord[];
}

/**
 * The entries every selected endpoint's policy holds besides the added rules: reserved:host first, and last the rule
 * admitting the namespace's pods on any port — the test flow.
 */
export const BASE_INGRESS: readonly [PolicyRecord, PolicyRecord] = [
  { identity: HOST_ID, protocol: 0, port: 0 },
  { identity: PODS_IDENTITY, protocol: 0, port: 0 },
];

/** The ipcache and the selected endpoints' ingress policy on one node. */
export function ciliumPolicy(input: CiliumPolicyInput): CiliumPolicy {
  const rules = scaleRules(input.policyRules ?? 0);
  const ipcache: IpcacheRecord[] = [
    { cidr: '0.0.0.0/0', identity: WORLD_ID },
    { cidr: `${input.nodeIp}/32`, identity: HOST_ID },
    ...input.otherNodeIps.map((ip) => ({ cidr: `${ip}/32`, identity: REMOTE_NODE_ID })),
    ...input.podIps.map((ip) => ({ cidr: `${ip}/32`, identity: PODS_IDENTITY })),
    ...rules.map((r, i) => ({ cidr: r.cidr, identity: LOCAL_IDENTITY_SCOPE + i + 1 })),
  ];
  const [host, pods] = BASE_INGRESS;
  const ingress: PolicyRecord[] = [host, ...rules.map((r, i) => ({ identity: LOCAL_IDENTITY_SCOPE + i + 1, protocol: TCP, port: r.port })), pods];
  return { ipcache, ingress };
}

/**
 * The endpoint id of a pod: its address's last byte, unique among a node's pods (each node has a /24) and stable
 * across launches and deletions. Cilium numbers endpoints per node as well.
 */
export function endpointIdOf(podIp: string): number {
  const last = Number(podIp.split('.')[3]);
  if (!Number.isInteger(last) || last < 1 || last > 254) throw new Error(`pod address ${podIp} has no host byte 1–254 to number its endpoint by`);
  return last;
}
