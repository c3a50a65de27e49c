// No network policy installed.
import type { PolicyKind } from './kind.ts';

export const none: PolicyKind<'none'> = {
  kind: 'none',
  features: () => [],
  scales: () => false,
  iptables: false,
  ruleset: () => undefined,
  probes: () => {},
  // Beside the pods: the rows' side lane is left to labels of the path.
  box: () => ({ title: 'no iptables policy chains', details: [], hook: () => undefined }),
  // Cilium enforces policy in eBPF, but its model installs none: say so rather than claim a policy it lacks.
  words: (_spec, model) => (model.cni === 'cilium' ? 'none installed' : '—'),
};
