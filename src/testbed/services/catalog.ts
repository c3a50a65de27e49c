// A deterministic catalog of ClusterIP Services for the Service-datapath renderers: `count` Services with
// ClusterIPs taken in order from the service CIDR and 1-3 endpoints each, drawn with a seeded PRNG (mulberry32,
// src/util/random.ts) from the given pods; and the one Service under test, pointing at the server pod. Pure.
//
// Addresses follow the apiserver's ClusterIP allocator (kubernetes pkg/registry/core/service/ipallocator,
// bitmap allocator: the network and the broadcast address are never handed out) and the convention that the
// first address (.1) belongs to the `kubernetes` Service (GetIndexedIP(serviceCIDR, 1), pkg/controlplane).
// The catalog takes .2 upward; the highest usable address is kept for the Service under test, so the two never
// collide. (The apiserver allocates at random; in order is enough here, since no datapath orders by address.)
import { prng } from '../../util/random.ts';
import { intToIpv4, ipv4ToInt } from '../policy/ipv4.ts';
import type { ServiceProtocol, ServiceSpec } from './types.ts';

export interface CatalogPod {
  ip: string;
  /** Node the pod runs on; endpoints on `ServiceCatalogOptions.node` are marked `local`. */
  node: string;
}

export interface ServiceCatalogOptions {
  /** Number of Services (0 is allowed: a node with only the Service under test). */
  count: number;
  seed: number;
  /** The cluster's --service-cluster-ip-range. Default 10.96.0.0/12 (kubeadm's). */
  serviceCidr?: string;
  /** Pods the endpoints are spread over. */
  pods: readonly CatalogPod[];
  /** Inclusive range the Service ports are drawn from (targetPort = port). Default [1024, 32767]. */
  portRange?: readonly [number, number];
  /** Namespace of every catalog Service. Default 'cnibench'. */
  namespace?: string;
  /** Default 'TCP'. */
  protocol?: ServiceProtocol;
  /** The node the rules are for; endpoints whose pod runs there get `local: true`. */
  node?: string;
}

/** Endpoints per catalog Service: 1..MAX_ENDPOINTS (fewer when there are fewer pods). */
export const MAX_ENDPOINTS = 3;

interface ServiceRange {
  base: number;
  size: number;
}

function parseServiceCidr(cidr: string): ServiceRange {
  const [addr, lenText, extra] = cidr.split('/');
  const len = Number(lenText);
  if (extra !== undefined || addr === undefined || lenText === undefined || !Number.isInteger(len) || len < 0 || len > 32) {
    throw new Error(`serviceCidr ${cidr} is not an IPv4 CIDR such as 10.96.0.0/12`);
  }
  const base = ipv4ToInt(addr);
  const size = 2 ** (32 - len);
  if (base % size !== 0) {
    const net = intToIpv4(base - (base % size));
    throw new Error(`serviceCidr ${cidr} has host bits set; write it as ${net}/${len}`);
  }
  return { base, size };
}

/** Addresses the catalog can hand out: all but the network, .1 (kubernetes), the test Service's and broadcast. */
export function catalogCapacity(serviceCidr: string): number {
  return Math.max(0, parseServiceCidr(serviceCidr).size - 4);
}

/** The ClusterIP kept for the Service under test: the highest usable address of the range. */
export function testServiceIP(serviceCidr: string): string {
  const r = parseServiceCidr(serviceCidr);
  if (r.size < 4) throw new Error(`serviceCidr ${serviceCidr} is too small for the kubernetes Service and a Service under test; use /30 or wider`);
  return intToIpv4(r.base + r.size - 2);
}

export function serviceCatalog(opts: ServiceCatalogOptions): ServiceSpec[] {
  const cidr = opts.serviceCidr ?? '10.96.0.0/12';
  const { count, seed, pods } = opts;
  const [lo, hi] = opts.portRange ?? [1024, 32767];
  if (!Number.isInteger(count) || count < 0) throw new Error(`serviceCatalog: count ${count} must be a non-negative integer`);
  if (!Number.isInteger(seed)) throw new Error(`serviceCatalog: seed ${seed} must be an integer`);
  if (!Number.isInteger(lo) || !Number.isInteger(hi) || lo < 1 || hi > 65535 || lo > hi) {
    throw new Error(`serviceCatalog: portRange [${lo}, ${hi}] must be integers with 1 <= min <= max <= 65535`);
  }
  const range = parseServiceCidr(cidr);
  const capacity = Math.max(0, range.size - 4);
  if (count > capacity) {
    throw new Error(
      `serviceCatalog: ${count} Services do not fit serviceCidr ${cidr}, which has room for ${capacity} ` +
        `(the network, .1 for the kubernetes Service, the Service under test's address and the broadcast address are reserved); ` +
        `use a wider serviceCidr or fewer Services`,
    );
  }
  if (count > 0 && pods.length === 0) throw new Error('serviceCatalog: no pods to spread the endpoints over; pass at least one pod');
  for (const p of pods) ipv4ToInt(p.ip);

  const rand = prng(seed);
  const namespace = opts.namespace ?? 'cnibench';
  const protocol = opts.protocol ?? 'TCP';
  const width = String(Math.max(count - 1, 0)).length;
  const out: ServiceSpec[] = [];
  for (let i = 0; i < count; i++) {
    const port = lo + Math.floor(rand() * (hi - lo + 1));
    const n = Math.min(pods.length, 1 + Math.floor(rand() * MAX_ENDPOINTS));
    // Partial Fisher-Yates: n distinct pods.
    const idx = pods.map((_, k) => k);
    for (let k = 0; k < n; k++) {
      const j = k + Math.floor(rand() * (idx.length - k));
      [idx[k], idx[j]] = [idx[j]!, idx[k]!];
    }
    const endpoints = idx.slice(0, n).map((k) => {
      const pod = pods[k]!;
      return opts.node === undefined ? { ip: pod.ip, port } : { ip: pod.ip, port, local: pod.node === opts.node };
    });
    out.push({
      name: `svc-${String(i).padStart(width, '0')}`,
      namespace,
      clusterIP: intToIpv4(range.base + 2 + i),
      port,
      protocol,
      targetPort: port,
      endpoints,
    });
  }
  return out;
}

export interface ServiceUnderTestOptions {
  /** The server pod: the Service's only endpoint. */
  server: CatalogPod;
  port: number;
  /** Default: `port`. */
  targetPort?: number;
  serviceCidr?: string;
  name?: string;
  namespace?: string;
  protocol?: ServiceProtocol;
  /** As in the catalog: marks the endpoint `local` when the server runs on this node. */
  node?: string;
}

/** The Service the test connection goes to: one endpoint (the server pod), at `testServiceIP(serviceCidr)`. */
export function serviceUnderTest(opts: ServiceUnderTestOptions): ServiceSpec {
  const cidr = opts.serviceCidr ?? '10.96.0.0/12';
  const targetPort = opts.targetPort ?? opts.port;
  ipv4ToInt(opts.server.ip);
  const endpoint = opts.node === undefined
    ? { ip: opts.server.ip, port: targetPort }
    : { ip: opts.server.ip, port: targetPort, local: opts.server.node === opts.node };
  return {
    name: opts.name ?? 'netperf-server',
    namespace: opts.namespace ?? 'cnibench',
    clusterIP: testServiceIP(cidr),
    port: opts.port,
    protocol: opts.protocol ?? 'TCP',
    targetPort,
    endpoints: [endpoint],
  };
}
