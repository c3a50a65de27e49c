// Types shared by the Kubernetes Service datapath renderers (kube-proxy's iptables and nftables modes) and the
// catalog that generates the Services they render. Pure.
import { cidrContains, ipv4ToInt } from '../policy/ipv4.ts';

export type ServiceProtocol = 'TCP' | 'UDP';

/** One backend of a Service, as an EndpointSlice lists it (ready, serving). */
export interface ServiceEndpoint {
  ip: string;
  /** The port the backend listens on (the Service's targetPort, resolved). */
  port: number;
  /**
   * Whether the endpoint's pod runs on the node being rendered. kube-proxy only uses this for the `Local`
   * traffic policies, which these renderers do not implement (ClusterIP Services with the default `Cluster`
   * policy), so it is informational.
   */
  local?: boolean;
}

/** A ClusterIP Service with one port (one ServicePort: what kube-proxy programs per chain). */
export interface ServiceSpec {
  name: string;
  namespace: string;
  clusterIP: string;
  port: number;
  protocol: ServiceProtocol;
  /** The ServicePort's targetPort; the endpoints' `port` is what the datapath DNATs to. */
  targetPort: number;
  /**
   * The ServicePort's name; '' (the default) for an unnamed port, as single-port Services usually have. It is
   * part of every chain name and comment (`ns/name:portName`, or `ns/name` when unnamed).
   */
  portName?: string;
  endpoints: ServiceEndpoint[];
}

/** kube-proxy's modes that cnibench renders as rules (the `ServiceRuleset` kinds). */
export type ServiceProxyMode = 'iptables' | 'nftables';

/** Every Service implementation a testbed can have: kube-proxy's two rule modes, or an eBPF socket load balancer. */
export const SERVICE_PROXIES = ['iptables', 'nftables', 'ebpf'] as const;
export type ServiceProxy = (typeof SERVICE_PROXIES)[number];

export interface ServiceRuleset {
  mode: ServiceProxyMode;
  /** `iptables-restore --noflush` input (iptables mode) or `nft -f` input (nftables mode). */
  text: string;
  /** `-A`/`-I` lines (iptables mode) or `add rule` lines (nftables mode). */
  ruleCount: number;
  serviceCount: number;
  endpointCount: number;
  /**
   * Where the first packet of a NEW connection to the Service under test goes, in traversal order: the chains in
   * which it matches at least one rule (so their counters can verify the path; chains it merely passes through
   * without matching, such as the filter-table KUBE-SERVICES, are left out). iptables mode: `<table>:<chain>`,
   * as `chainKey` writes them, built-in chains included. nftables mode: chain names of `table ip kube-proxy`,
   * and `@<map>` for the verdict-map lookups that send it on. Absent when no Service under test was named.
   */
  perConnectionChains?: string[];
}

/** The options both of kube-proxy's modes take (the mode renderers add their own). */
export interface KubeProxyOptions {
  /** --cluster-cidr: Service traffic from outside it is masqueraded (detect-local-mode ClusterCIDR). */
  clusterCIDR: string;
  /** --masquerade-all. Default false. */
  masqueradeAll?: boolean;
  /** --iptables-masquerade-bit (the nftables mode uses it too). Default 14. */
  masqueradeBit?: number;
  /** The Service the test connection goes to; fills `perConnectionChains`. */
  underTest?: ServiceRef;
  client?: ServiceClient;
}

/** The client of the test connection, which decides the hooks and whether kube-proxy masquerades it. */
export interface ServiceClient {
  /** Source address; outside the cluster CIDR (or equal to the chosen endpoint: hairpin) means masquerade. */
  ip?: string;
  /**
   * true: the client runs in the namespace holding the rules (nat OUTPUT, filter OUTPUT); false (default): its
   * packets are routed through it (nat PREROUTING, filter FORWARD), as from a pod.
   */
  local?: boolean;
}

/** The `ns/name[:port]` string kube-proxy's ServicePortName.String() gives (pkg/proxy/types.go). */
export function servicePortNameString(svc: Pick<ServiceSpec, 'namespace' | 'name' | 'portName'>): string {
  return `${svc.namespace}/${svc.name}${svc.portName ? `:${svc.portName}` : ''}`;
}

/**
 * The endpoints in the order kube-proxy uses them: sorted by their `ip:port` string (byEndpoint in
 * kubernetes pkg/proxy/endpointslicecache.go).
 */
export function sortedEndpoints(svc: ServiceSpec): ServiceEndpoint[] {
  return [...svc.endpoints].sort((a, b) => {
    const x = `${a.ip}:${a.port}`;
    const y = `${b.ip}:${b.port}`;
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/** Which Service the renderers report `perConnectionChains` for. */
export interface ServiceRef {
  namespace: string;
  name: string;
}

function checkPort(port: number, what: string): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`${what}: port ${port} is not an integer in 1..65535`);
}

/**
 * Refuses Services kube-proxy would not program as given: bad addresses or ports, or two ServicePorts with the
 * same namespace/name/portName/protocol (they would get the same chains).
 */
export function checkServices(services: readonly ServiceSpec[]): void {
  const seen = new Set<string>();
  for (const s of services) {
    const id = `${servicePortNameString(s)}/${s.protocol}`;
    if (seen.has(id)) throw new Error(`Service port ${id} is listed twice; give each Service a distinct namespace/name (or port name)`);
    seen.add(id);
    if (s.protocol !== 'TCP' && s.protocol !== 'UDP') throw new Error(`${id}: protocol must be TCP or UDP`);
    ipv4ToInt(s.clusterIP);
    checkPort(s.port, id);
    checkPort(s.targetPort, `${id} targetPort`);
    for (const e of s.endpoints) {
      ipv4ToInt(e.ip);
      checkPort(e.port, `${id} endpoint ${e.ip}`);
    }
  }
}

/** The Service under test, or a clear error when it is not among the rendered ones. */
export function findService(services: readonly ServiceSpec[], ref: ServiceRef): ServiceSpec {
  const s = services.find((x) => x.namespace === ref.namespace && x.name === ref.name);
  if (!s) throw new Error(`Service under test ${ref.namespace}/${ref.name} is not among the ${services.length} Services given; add it (see serviceUnderTest in catalog.ts)`);
  return s;
}

/** Refuses anything but an IPv4 CIDR `a.b.c.d/len`, saying which option was wrong. */
export function checkCidr(cidr: string, what: string): void {
  const [addr, len, extra] = cidr.split('/');
  const n = Number(len);
  if (extra !== undefined || addr === undefined || len === undefined || len === '' || !Number.isInteger(n) || n < 0 || n > 32) {
    throw new Error(`${what} ${cidr} is not an IPv4 CIDR such as 10.244.0.0/16`);
  }
  ipv4ToInt(addr);
}

/** Whether kube-proxy marks the test connection for masquerade: masqueradeAll, a non-pod source, or hairpin. */
function masqueradesClient(svc: ServiceSpec, clusterCIDR: string, masqueradeAll: boolean | undefined, client: ServiceClient | undefined): boolean {
  if (masqueradeAll) return true;
  const ip = client?.ip;
  if (ip === undefined) return false;
  return !cidrContains(clusterCIDR, ip) || (svc.endpoints.length === 1 && svc.endpoints[0]!.ip === ip);
}

/**
 * What decides the test connection's path in either of kube-proxy's modes: the Service's endpoints in kube-proxy's
 * order (refused when there are none: kube-proxy rejects such connections), whether the client runs on the node
 * holding the rules, and whether kube-proxy masquerades it.
 */
export function connectionFacts(svc: ServiceSpec, opts: Pick<KubeProxyOptions, 'clusterCIDR' | 'masqueradeAll' | 'client'>): { endpoints: ServiceEndpoint[]; local: boolean; masq: boolean } {
  const endpoints = sortedEndpoints(svc);
  if (endpoints.length === 0) throw new Error(`Service under test ${servicePortNameString(svc)} has no endpoints, so its connections are rejected; give it the server pod as endpoint`);
  return { endpoints, local: opts.client?.local ?? false, masq: masqueradesClient(svc, opts.clusterCIDR, opts.masqueradeAll, opts.client) };
}
