// What a Kubernetes run records in its plan and manifest: where it ran (from the command line) and what was found
// there. Part of the run folder's data contract, so it lives with the manifest; src/k8s/ fills it in.

export interface K8sTarget {
  context?: string;
  kubeconfig?: string;
  /** Namespace the measurement pods live in (default: a dedicated one, created and deleted by the run). */
  namespace: string;
  /** Nodes asked for with --nodes (one for intra only, two for inter); chosen and recorded when absent. */
  nodes?: string[];
  /** Image carrying netperf 2.7 (client and server pods). */
  image: string;
  /** Image of the profiler DaemonSet (--profile): one with perf, or with nsenter to use the node's own perf. */
  profileImage?: string;
  /** Seconds to wait for pods to become Ready before the run stops with the scheduler's or kubelet's reason. */
  readyTimeoutS?: number;
  /** CPU architectures the image runs on (--image-arch; kubernetes.io/arch values), default amd64: nodes are chosen for them. */
  imageArch?: string[];
  /** The CNI id given with --cni (overrides detection). */
  cniOverride?: string;
}

/** One node the run used, as its Node object and (where a pod of ours ran there) /proc/cpuinfo describe it. */
export interface ClusterNodeFacts {
  name: string;
  kernel: string;
  osImage: string;
  kubelet: string;
  runtime: string;
  /** Role in the run: A holds the client and the intra-host server, B the inter-host server. */
  role?: 'A' | 'B';
  architecture?: string;
  /** CPU model and nominal MHz read from /proc/cpuinfo inside a pod of ours on the node (estimated cycles use it). */
  cpuModel?: string;
  cpuMHz?: number;
  cores?: number;
}

export interface ClusterFacts {
  kubernetesVersion: string;
  /** The CNI detected from kube-system workloads, or the --cni override (and which it was). */
  cni: string;
  cniSource: 'detected' | 'override';
  /** Nodes used: name, kernel, OS image, kubelet version, container runtime. */
  nodes: ClusterNodeFacts[];
  /** What the detection saw (DaemonSets, images, node annotations), even when --cni overrode it. */
  cniEvidence?: string[];
  /** The CNI detection found, when --cni overrode it. */
  cniDetected?: string;
  /** kubectl's own version (client). */
  kubectlVersion?: string;
  /** What the run found wrong with how the cluster admitted its pods (e.g. a CPU limit it did not ask for), once each. */
  warnings?: string[];
  /** The measurement image as the kubelet resolved it (digest) and the netperf it carries (`netperf -V`). */
  image?: { name: string; imageId?: string; netperfVersion?: string };
}
