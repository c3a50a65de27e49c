// The two reference points every CNI is compared with: a bare veth pair, and the nodes themselves.
import type { ModelDescription } from '../model.ts';

export const baseline: ModelDescription = {
  id: 'baseline',
  cni: 'reference',
  label: 'Baseline (veth)',
  summary: 'Two pods joined by one veth pair: the least any container network can cost.',
  scenarios: ['intra'],
  attach: { kind: 'direct-veth' },
  policy: { kind: 'none' },
  podMtu: 1500,
  addressing: 'per-node',
  emulation: [],
};

export const host: ModelDescription = {
  id: 'host',
  cni: 'reference',
  label: 'Host',
  summary: 'No pod network: intra-host runs over the node\'s loopback, inter-host over the wire between the nodes.',
  scenarios: ['intra', 'inter'],
  attach: { kind: 'host' },
  interHost: { kind: 'wire' },
  policy: { kind: 'none' },
  podMtu: 1500,
  addressing: 'per-node',
  emulation: [],
};
