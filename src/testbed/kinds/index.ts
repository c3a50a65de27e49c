// The datapath kinds of the models, and what a model needs from the kernel as the sum of its kinds' needs.
import type { KernelFeature, ModelDescription, Scenario } from '../model.ts';
import { attachKind } from './attach/index.ts';
import { interHostKind } from './interHost/index.ts';
import { policyKind } from './policy/index.ts';

export { ATTACH_KINDS, attachKind } from './attach/index.ts';
export { INTER_HOST_KINDS, interHostKind } from './interHost/index.ts';
export { POLICY_KINDS, policyKind } from './policy/index.ts';

/** The kernel features a model needs in a scenario (each is probed before a run, never assumed). */
export function requiredFeatures(model: ModelDescription, scenario: Scenario): KernelFeature[] {
  const need = new Set<KernelFeature>(['veth']);
  for (const f of attachKind(model.attach).features) need.add(f);
  if (scenario === 'inter' && model.interHost) for (const f of interHostKind(model.interHost).features) need.add(f);
  for (const f of policyKind(model.policy).features(model)) need.add(f);
  return [...need];
}
