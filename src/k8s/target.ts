// Where a Kubernetes collection runs (from the command line) and what was found there (recorded in the manifest).

export interface K8sTarget {
  context?: string;
  kubeconfig?: string;
  /** Namespace the measurement pods live in (default: a dedicated one, created and deleted by the run). */
  namespace: string;
  /** Nodes asked for with --nodes (one for intra only, two for inter); chosen and recorded when absent. */
  nodes?: string[];
  /** Image carrying netperf 2.7 (client and server pods). */
  image: string;
}

export interface ClusterFacts {
  kubernetesVersion: string;
  /** The CNI detected from kube-system workloads, or the --cni override (and which it was). */
  cni: string;
  cniSource: 'detected' | 'override';
  /** Nodes used: name, kernel, OS image, kubelet version, container runtime. */
  nodes: { name: string; kernel: string; osImage: string; kubelet: string; runtime: string }[];
}
