// Which models come first and which are reference points: the registry order, so every figure lists models alike.
import { MODELS, findModel } from '../testbed/models/index.ts';
import type { ServiceProxy } from '../testbed/services/types.ts';

/** The two reference points: not CNIs, drawn grey in every figure. */
export const REFERENCE_IDS: readonly string[] = MODELS.filter((m) => m.cni === 'reference').map((m) => m.id);

export function isReference(modelId: string): boolean {
  return REFERENCE_IDS.includes(modelId);
}

/** The short label of a Service implementation in figures and tables. */
export function proxyLabel(proxy: ServiceProxy): string {
  return proxy === 'ebpf' ? 'eBPF socket LB' : `kube-proxy, ${proxy}`;
}

/** The chart label of a model id (the id itself for a model the registry no longer has). */
export function modelLabel(modelId: string): string {
  return findModel(modelId)?.label ?? modelId;
}

/** Model ids in registry order; unknown ids follow, alphabetically, so old runs still chart. */
export function orderModels(ids: Iterable<string>): string[] {
  const rank = (id: string) => {
    const i = MODELS.findIndex((m) => m.id === id);
    return i < 0 ? MODELS.length : i;
  };
  return [...new Set(ids)].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}
