// The options of `cnibench collect --backend k8s`: the same plan options as the local backend (tests, reps,
// duration, profile, launch, scenario) plus where to run (context, kubeconfig, namespace, nodes, image).
import { resolve } from 'node:path';
import { parsePlan, type CollectPlan, type PlanInput } from '../collect/plan.ts';
import { UsageError } from '../util/errors.ts';
import { CNI_ID } from './cni.ts';
import { DEFAULT_NAMESPACE, badNamespaceName } from './labels.ts';
import type { K8sTarget } from '../collect/clusterRecord.ts';
import { DEFAULT_IMAGE_ARCH } from './nodes.ts';

/**
 * Default measurement image: Antrea's netperf image, built from the netperf 2.7.0 release tarball
 * (antrea-io/antrea, build/images/netperf/Dockerfile.netperf27.ubuntu: gcc base image, netperf and netserver in
 * /usr/local/bin). Large (a gcc base) but public and built from the same netperf release as Debian's package. Every
 * run checks `netperf -V` in it and records the version and the image digest the kubelet resolved.
 */
export const DEFAULT_K8S_IMAGE = 'docker.io/antrea/netperf-ubuntu:2.7';

const DEFAULT_READY_TIMEOUT_S = 300;

/** `cnibench collect` options that only the k8s backend takes (they choose the cluster and its pods). */
export const K8S_OPTIONS = ['context', 'kubeconfig', 'namespace', 'nodes', 'image', 'image-arch', 'profile-image', 'ready-timeout'] as const;

export interface K8sPlanInput extends PlanInput {
  context?: string;
  kubeconfig?: string;
  namespace?: string;
  nodes?: string;
  image?: string;
  imageArch?: string;
  profileImage?: string;
  readyTimeout?: string;
}

/** A plan for a cluster, before the CNI is known (models are filled in once the cluster was looked at). */
export interface K8sPlanDraft {
  plan: Omit<CollectPlan, 'models'>;
  target: K8sTarget;
  /** Whether --scenario was given (an impossible inter-host then is an error, not a skipped item). */
  scenarioExplicit: boolean;
}

const IMAGE_REF = /^[a-z0-9][a-z0-9._\-/:@]*$/i;

export function parseK8sPlan(input: K8sPlanInput): K8sPlanDraft {
  if (input.iptables !== undefined || input.calicoRules !== undefined || input.policyRules !== undefined) {
    throw new UsageError(`${input.iptables !== undefined ? '--iptables' : input.calicoRules !== undefined ? '--calico-rules' : '--policy-rules'} configures the local testbed's emulated datapath; a cluster runs its own CNI: drop it with --backend k8s.`);
  }
  const cni = input.cni?.trim();
  if (cni !== undefined) {
    if (cni.includes(',')) throw new UsageError(`--cni with --backend k8s names the one CNI the cluster runs (it overrides detection), got "${cni}".`);
    if (!CNI_ID.test(cni)) throw new UsageError(`--cni "${cni}" is not a CNI id: use lower-case letters, digits and '-' (e.g. flannel, cilium, calico-np).`);
  }
  const namespace = input.namespace ?? DEFAULT_NAMESPACE;
  const badNs = badNamespaceName(namespace);
  if (badNs) throw new UsageError(`--namespace ${badNs}.`);
  const nodes = input.nodes === undefined ? undefined : input.nodes.split(',').map((s) => s.trim()).filter(Boolean);
  if (nodes && nodes.length === 0) throw new UsageError('--nodes needs one or two node names, comma-separated (kubectl get nodes).');
  if (nodes && nodes.length > 2) throw new UsageError(`--nodes takes one or two node names (A: client and intra-host server, B: inter-host server), got ${nodes.length}.`);
  const image = input.image ?? DEFAULT_K8S_IMAGE;
  for (const [flag, ref] of [['--image', image], ['--profile-image', input.profileImage]] as const) {
    if (ref !== undefined && !IMAGE_REF.test(ref)) throw new UsageError(`${flag} "${ref}" is not an image reference (e.g. ${DEFAULT_K8S_IMAGE}).`);
  }
  // The kubelet labels nodes with Go's GOARCH names (kubernetes.io/arch): amd64, arm64, arm, ppc64le, s390x, riscv64…
  const imageArch = input.imageArch === undefined ? [DEFAULT_IMAGE_ARCH] : input.imageArch.split(',').map((a) => a.trim()).filter(Boolean);
  if (!imageArch.length || imageArch.some((a) => !/^[a-z0-9]+$/.test(a))) throw new UsageError(`--image-arch takes the architectures the image is built for, as kubernetes.io/arch names them, comma-separated (e.g. amd64 or amd64,arm64), got "${input.imageArch}".`);
  if (input.profileImage !== undefined && !input.profile) throw new UsageError('--profile-image only applies with --profile.');
  let readyTimeoutS = DEFAULT_READY_TIMEOUT_S;
  if (input.readyTimeout !== undefined) {
    readyTimeoutS = Number(input.readyTimeout);
    if (!/^\d+$/.test(input.readyTimeout.trim()) || readyTimeoutS < 1) throw new UsageError(`--ready-timeout must be a whole number of seconds of at least 1 (got "${input.readyTimeout}").`);
  }
  for (const [flag, given] of [['--placement', input.placement], ['--idle', input.idle], ['--sender-nice', input.senderNice]] as const) {
    if (given !== undefined) throw new UsageError(`${flag} controls the local testbed's CPUs; on a cluster the kubelet places the pods' processes: drop it with --backend k8s.`);
  }
  if (input.wire !== undefined) throw new UsageError('--wire sets the link between the local testbed\'s nodes; a cluster\'s nodes are joined by their own NICs: drop it with --backend k8s.');
  for (const [flag, given] of [['--proxy', input.proxy], ['--services', input.services], ['--target', input.target], ['--sweep', input.sweep]] as const) {
    if (given !== undefined) throw new UsageError(`${flag} installs kube-proxy's rules on the local testbed's nodes; a cluster runs its own kube-proxy (or eBPF replacement): drop it with --backend k8s.`);
  }
  const { models: _models, wire: _wire, ...common } = parsePlan({ ...input, cni: undefined, noControl: true });
  const target: K8sTarget = {
    ...(input.context ? { context: input.context } : {}),
    ...(input.kubeconfig ? { kubeconfig: resolve(input.kubeconfig) } : {}),
    namespace,
    ...(nodes ? { nodes } : {}),
    image,
    imageArch,
    ...(input.profile ? { profileImage: input.profileImage ?? image } : {}),
    readyTimeoutS,
    ...(cni ? { cniOverride: cni } : {}),
  };
  // Pods run where the kubelet puts their processes, and the nodes' idle states are not ours to hold.
  const { idle: _idle, senderNice: _nice, ...rest } = common;
  return { plan: { ...rest, placement: 'free', backend: 'k8s' }, target, scenarioExplicit: input.scenario !== undefined };
}
