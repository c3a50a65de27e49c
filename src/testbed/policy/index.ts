// Policy rulesets (iptables + ipset) that the emulated CNIs install in a node namespace, and applying them.
export type { IptablesFlavour, Ruleset, ChainCounter, IpsetSpec } from './types.ts';
export { chainKey, BUILTIN_CHAINS } from './types.ts';
export { RestoreBuilder, renderIpsets } from './restore.ts';
export { calicoRuleset, CALICO_DEFAULT_RULES, type CalicoRulesetOptions, type CalicoWorkload } from './calico/index.ts';
export { weaveNpcRuleset, weaveShortName, type WeaveNpcOptions } from './weave.ts';
export { kubeRouterRuleset, type KubeRouterOptions } from './kubeRouter.ts';
export {
  applyRuleset,
  readChainCounters,
  readChainPackets,
  listedPackets,
  detectIptablesFlavours,
  parseIptablesSave,
  tokenizeRule,
  lintRuleset,
  type ParsedTable,
  type ParsedChain,
  type ParsedRule,
} from './apply.ts';
