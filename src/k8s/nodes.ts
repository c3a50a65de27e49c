// Which nodes a run uses: the ones named with --nodes (checked), or two schedulable workers chosen and recorded.
import { UsageError } from '../util/errors.ts';
import type { ClusterNodeFacts } from '../collect/clusterRecord.ts';

/** The parts of a Node object (kubectl get nodes -o json) that cnibench reads. */
export interface NodeObject {
  metadata: { name: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  spec?: { unschedulable?: boolean; taints?: { key: string; value?: string; effect: string }[] };
  status?: {
    conditions?: { type: string; status: string; reason?: string }[];
    nodeInfo?: { kernelVersion?: string; osImage?: string; kubeletVersion?: string; containerRuntimeVersion?: string; architecture?: string };
    capacity?: Record<string, string>;
  };
}

export interface NodeList {
  items: NodeObject[];
}

/** The architecture assumed for an image unless --image-arch says otherwise (the kubelet's GOARCH name). */
export const DEFAULT_IMAGE_ARCH = 'amd64';

const CONTROL_PLANE_ROLES = ['node-role.kubernetes.io/control-plane', 'node-role.kubernetes.io/master'];

/** What our pods' image runs on: Linux, and these CPU architectures (the values of the kubernetes.io/arch label). */
export interface ImagePlatform {
  arch: string[];
}

/**
 * Why our pods cannot run on this node (its os and arch labels, which the kubelet sets from GOOS/GOARCH), or
 * undefined when they can. An image for another architecture would start and fail with "exec format error", which
 * reads like an image without netserver; refusing the node first names the real cause.
 */
function platformReason(n: NodeObject, platform: ImagePlatform): string | undefined {
  const os = n.metadata.labels?.['kubernetes.io/os'];
  if (os && os !== 'linux') return `a ${os} node (kubernetes.io/os=${os}); netperf pods need linux`;
  const arch = n.metadata.labels?.['kubernetes.io/arch'] ?? n.status?.nodeInfo?.architecture;
  if (arch && !platform.arch.includes(arch)) return `an ${arch} node (kubernetes.io/arch=${arch}) and the image is for ${platform.arch.join(', ')} (--image-arch)`;
  return undefined;
}

/** Why pods of ours cannot be scheduled on this node, or undefined when they can. */
function unschedulableReasonOn(n: NodeObject, platform: ImagePlatform): string | undefined {
  const wrong = platformReason(n, platform);
  if (wrong) return wrong;
  const ready = n.status?.conditions?.find((c) => c.type === 'Ready');
  if (ready?.status !== 'True') return `not Ready${ready?.reason ? ` (${ready.reason})` : ''}`;
  if (n.spec?.unschedulable) return 'cordoned (spec.unschedulable)';
  const taint = n.spec?.taints?.find((t) => t.effect === 'NoSchedule' || t.effect === 'NoExecute');
  if (taint) return `tainted ${taint.key}${taint.value ? `=${taint.value}` : ''}:${taint.effect}`;
  return undefined;
}

function isControlPlane(n: NodeObject): boolean {
  return CONTROL_PLANE_ROLES.some((r) => n.metadata.labels?.[r] !== undefined);
}

/** Value of the node's kubernetes.io/hostname label, which our pods' nodeSelector matches (usually its name). */
export function hostnameOf(n: NodeObject): string {
  return n.metadata.labels?.['kubernetes.io/hostname'] ?? n.metadata.name;
}

export interface NodeChoice {
  /** Node A (client, intra-host server) and, when the cluster has one, node B (inter-host server). */
  nodes: NodeObject[];
  /** Why there is no node B, when there is none. */
  noInter?: string;
}

/**
 * Checks the nodes named with --nodes, or picks two: schedulable workers first (sorted by name, so the choice is
 * stable), then schedulable control-plane nodes (a one-node kind or k3s cluster has only those).
 */
export function chooseNodes(list: NodeList, asked: string[] | undefined, platform: ImagePlatform = { arch: [DEFAULT_IMAGE_ARCH] }): NodeChoice {
  const unschedulableReason = (n: NodeObject) => unschedulableReasonOn(n, platform);
  const byName = new Map(list.items.map((n) => [n.metadata.name, n]));
  if (asked?.length) {
    if (asked.length > 2) throw new UsageError(`--nodes takes one or two node names (A for the client and the intra-host server, B for the inter-host server), got ${asked.length}.`);
    if (asked.length === 2 && asked[0] === asked[1]) throw new UsageError('--nodes names the same node twice: give two different nodes, or one for intra-host only.');
    const chosen = asked.map((name) => {
      const n = byName.get(name);
      if (!n) throw new UsageError(`node "${name}" does not exist in the cluster; its nodes are: ${[...byName.keys()].sort().join(', ') || '(none)'} ("kubectl get nodes").`);
      const why = unschedulableReason(n);
      if (why) throw new UsageError(`node "${name}" cannot take our pods: it is ${why}. Choose another with --nodes (kubectl get nodes -L kubernetes.io/os,kubernetes.io/arch)${/--image-arch/.test(why) ? ', or pass --image with an image built for it and say so with --image-arch' : ''}.`);
      return n;
    });
    return { nodes: chosen, ...(chosen.length < 2 ? { noInter: 'only one node was given with --nodes' } : {}) };
  }
  const usable = list.items.filter((n) => !unschedulableReason(n)).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
  const ordered = [...usable.filter((n) => !isControlPlane(n)), ...usable.filter(isControlPlane)];
  if (ordered.length === 0) {
    const why = list.items.map((n) => `${n.metadata.name}: ${unschedulableReason(n)}`).join('; ');
    throw new UsageError(`the cluster has no node that can take our pods (${why || 'no nodes at all'}): uncordon or untaint one, name one with --nodes, or pass an --image for the nodes' architecture with --image-arch.`);
  }
  const nodes = ordered.slice(0, 2);
  const left = list.items.filter((n) => !usable.includes(n)).map((n) => `${n.metadata.name}: ${unschedulableReason(n)}`);
  return { nodes, ...(nodes.length < 2 ? { noInter: `the cluster has only one schedulable node (${nodes[0]!.metadata.name}${left.length ? `; ${left.join('; ')}` : ''}); inter-host needs two` } : {}) };
}

export function nodeFacts(n: NodeObject, role?: 'A' | 'B'): ClusterNodeFacts {
  const info = n.status?.nodeInfo ?? {};
  return {
    name: n.metadata.name,
    kernel: info.kernelVersion ?? 'unknown',
    osImage: info.osImage ?? 'unknown',
    kubelet: info.kubeletVersion ?? 'unknown',
    runtime: info.containerRuntimeVersion ?? 'unknown',
    ...(role ? { role } : {}),
    ...(info.architecture ? { architecture: info.architecture } : {}),
    ...(n.status?.capacity?.cpu ? { cores: Number(n.status.capacity.cpu) } : {}),
  };
}

/** Parses /proc/cpuinfo (read inside a pod on the node) for the CPU model and nominal MHz. */
export function cpuOfCpuinfo(text: string): { cpuModel?: string; cpuMHz?: number } {
  const field = (name: string) => text.match(new RegExp(`^${name}\\s*:\\s*(.+)$`, 'm'))?.[1]?.trim();
  const mhz = Number(field('cpu MHz'));
  const model = field('model name');
  return { ...(model ? { cpuModel: model } : {}), ...(mhz > 0 ? { cpuMHz: mhz } : {}) };
}
