// The collection backends the command line knows, each loaded only when used: `cnibench collect` on the local
// testbed does not load the Kubernetes code, nor the other way round. Adding a backend: implement CollectBackend
// (src/collect/backend.ts) in a folder of its own and add it here with the options only it takes.
import type { BackendId, CollectBackend } from '../collect/backend.ts';
import { K8S_OPTIONS } from '../k8s/plan.ts';

interface BackendEntry {
  /** Options only this backend takes (all take a value). */
  options: readonly string[];
  load(): Promise<CollectBackend>;
}

const BACKENDS = {
  local: { options: [] as readonly string[], load: async () => (await import('../local/backend.ts')).localBackend },
  k8s: { options: K8S_OPTIONS, load: async () => (await import('../k8s/backend.ts')).k8sBackend },
} satisfies Record<BackendId, BackendEntry>;

export const BACKEND_IDS = Object.keys(BACKENDS) as BackendId[];

export function loadBackend(id: BackendId): Promise<CollectBackend> {
  return BACKENDS[id].load();
}

/** Every backend's own options, as node:util parseArgs wants them. */
export function backendOptions(): Record<string, { type: 'string' }> {
  return Object.fromEntries(BACKEND_IDS.flatMap((id) => BACKENDS[id].options.map((o) => [o, { type: 'string' as const }])));
}

/** The backend an option belongs to, if it is one backend's own. */
export function backendOf(option: string): BackendId | undefined {
  return BACKEND_IDS.find((id) => (BACKENDS[id].options as readonly string[]).includes(option));
}
