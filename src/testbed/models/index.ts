// The registry of datapath models, in the order the study presents them.
import type { ModelDescription } from '../model.ts';
import { baseline, host } from './reference.ts';
import { flannel, flannelUdp } from './flannel.ts';
import { weave } from './weave.ts';
import { cilium, ciliumWp } from './cilium.ts';
import { calicoNp, calicoWp, calicoNpIpip, calicoWpIpip, calicoNpVxlan, calicoWpVxlan } from './calico.ts';
import { kubeRouter } from './kubeRouter.ts';

export const MODELS: readonly ModelDescription[] = [
  baseline, host,
  flannel, flannelUdp, weave, cilium, ciliumWp,
  calicoNp, calicoWp, calicoNpIpip, calicoWpIpip, calicoNpVxlan, calicoWpVxlan,
  kubeRouter,
];

export const MODEL_IDS = MODELS.map((m) => m.id);

export function findModel(id: string): ModelDescription | undefined {
  return MODELS.find((m) => m.id === id);
}
