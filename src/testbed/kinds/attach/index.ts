// Every attach kind, by id. A kind added to PodAttach (src/testbed/model.ts) without a module here does not compile;
// docs/adding-a-model.md walks through adding one.
import type { PodAttach } from '../../model.ts';
import type { AttachKind, AttachKindId } from './kind.ts';
import { bpfVeth } from './bpfVeth.ts';
import { bridge } from './bridge.ts';
import { directVeth } from './directVeth.ts';
import { host } from './host.ts';
import { routedVeth } from './routedVeth.ts';

export const ATTACH_KINDS = {
  bridge,
  'routed-veth': routedVeth,
  'bpf-veth': bpfVeth,
  'direct-veth': directVeth,
  host,
} satisfies { [K in AttachKindId]: AttachKind<K> };

/** The module of a model's attach, typed for its spec. */
export function attachKind<K extends AttachKindId>(spec: Extract<PodAttach, { kind: K }>): AttachKind<K> {
  return ATTACH_KINDS[spec.kind] as unknown as AttachKind<K>;
}

export type { AttachKind, AttachKindId, ProbePods } from './kind.ts';
