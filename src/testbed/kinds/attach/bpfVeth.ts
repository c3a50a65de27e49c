// Cilium's attach: a veth `lxc…` per pod whose host side carries a tc-eBPF program that looks the destination up in
// a map and redirects — to the peer pod's veth (bpf_redirect_peer) or into the tunnel — past the host's IP stack.
// The programs are loaded by src/testbed/build/bpf.ts.
import { hostVethProbes } from './hostVethProbes.ts';
import type { AttachKind } from './kind.ts';
import { attachAllRoutedVeth, attachRoutedVeth, deleteHostVeth } from './routedVeth.ts';

export const bpfVeth: AttachKind<'bpf-veth'> = {
  kind: 'bpf-veth',
  features: ['tc-bpf'],
  tools: ['clang', 'bpftool'],
  cniPlugins: false,
  attachAll: (ctx, spec) => attachAllRoutedVeth(ctx, spec.hostPrefix, true),
  attach: (ctx, pod, index, spec) => attachRoutedVeth(ctx, pod, index, spec.hostPrefix, true),
  detach: (ctx, pod) => deleteHostVeth(ctx, pod),
  detachBeforeTeardown: false,
  probes(_spec, kit, scenario, pods) {
    // bpf_redirect_peer hands the packet straight to the pod's eth0: the host-side veth never transmits it.
    hostVethProbes(kit, pods, { expect: 'none', what: `BPF skipped ${pods?.server.hostIf} (redirect to the peer)` });
    if (scenario === 'intra') {
      kit.forwarding('node-a', 'none', 'redirected by BPF, bypassing IP forwarding');
      kit.bpf('node-a:bpf:local', 'BPF redirected pod to pod', 'node-a', 'localRedirect');
    }
    return true;
  },
  routes: [],
  forwards: () => false,
  rows(spec, _model, scenario, node) {
    const detail = scenario === 'intra' ? 'map lookup → redirect to peer pod' : node === 'node-a' ? 'set tunnel key → cilium_vxlan' : '';
    return [{
      id: 'veth', kind: 'veth', span: false, title: `${spec.hostPrefix}… (host side)`, details: [],
      bpf: `tc ingress BPF${detail ? `: ${detail}` : ''}`,
      // With bpf_redirect_peer the packet enters the server pod's eth0 straight from the BPF program.
      onPath: (pod) => pod === 'a1',
    }];
  },
  words: () => 'tc-eBPF redirect between veths',
};
