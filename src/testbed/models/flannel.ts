// Flannel: Linux bridge cni0 per node (pods attached by the reference `bridge` plugin, as flannel delegates to it);
// inter-host over the VXLAN backend (flannel.1) or the legacy UDP backend (TUN + user-space encapsulation).
import type { ModelDescription } from '../model.ts';

export const flannel: ModelDescription = {
  id: 'flannel',
  cni: 'flannel',
  label: 'Flannel',
  summary: 'Hybrid + overlay: cni0 bridge within a node, IP forwarding to the flannel.1 VXLAN device between nodes.',
  scenarios: ['intra', 'inter'],
  attach: { kind: 'bridge', bridge: 'cni0', gateway: true },
  interHost: { kind: 'vxlan', device: 'flannel.1', vni: 1, port: 8472 },
  policy: { kind: 'none' },
  podMtu: 1450,
  addressing: 'per-node',
  emulation: ['flanneld is not run: its static FDB, neighbour and route entries are written once at set-up.'],
};

export const flannelUdp: ModelDescription = {
  id: 'flannel-udp',
  cni: 'flannel',
  label: 'Flannel (UDP)',
  summary: 'Hybrid + overlay with user-space encapsulation: cni0 bridge, then a TUN device read and written by a UDP relay.',
  scenarios: ['intra', 'inter'],
  attach: { kind: 'bridge', bridge: 'cni0', gateway: true },
  interHost: { kind: 'udp-tun', device: 'flannel0', port: 8285 },
  policy: { kind: 'none' },
  podMtu: 1472,
  addressing: 'per-node',
  emulation: ['socat relays between the flannel0 TUN device and UDP port 8285 in place of flanneld (same user-space crossings per packet).'],
};
