// Pod attach: joins each pod namespace to its node the way the model's CNI does, through the model's attach kind
// (src/testbed/kinds/attach: the reference CNI bridge plugin where it matches the real CNI, otherwise the same links,
// addresses and routes the CNI's own binary makes).
import type { PodInfo } from '../topology.ts';
import { attachKind } from '../kinds/attach/index.ts';
import type { BuildContext } from './context.ts';

export async function attachPods(ctx: BuildContext): Promise<void> {
  await attachKind(ctx.model.attach).attachAll(ctx, ctx.model.attach);
}

/** Joins one pod to its node as the model's CNI does; `index` picks the address of routed models (10 + index). */
export async function attachPod(ctx: BuildContext, pod: PodInfo, index: number): Promise<void> {
  await attachKind(ctx.model.attach).attach(ctx, pod, index, ctx.model.attach);
}

/** Undoes attachPod for one pod: CNI DEL for bridge models; routed models remove the host veth and its /32 route. */
export async function detachPod(ctx: BuildContext, pod: PodInfo): Promise<void> {
  await attachKind(ctx.model.attach).detach(ctx, pod, ctx.model.attach);
}

/** CNI DEL for bridge-attached pods (frees their host-local leases); other attaches vanish with their namespaces. */
export async function detachPods(ctx: BuildContext): Promise<void> {
  const kind = attachKind(ctx.model.attach);
  if (!kind.detachBeforeTeardown) return;
  for (const pod of ctx.tb.pods) await kind.detach(ctx, pod, ctx.model.attach);
}
