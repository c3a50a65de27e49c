// Every inter-host kind, by id. A kind added to InterHost (src/testbed/model.ts) without a module here does not
// compile; docs/adding-a-model.md walks through adding one.
import type { InterHost } from '../../model.ts';
import type { InterHostKind, InterHostKindId } from './kind.ts';
import { ipip } from './ipip.ts';
import { native } from './native.ts';
import { udpTun } from './udpTun.ts';
import { vxlan } from './vxlan.ts';
import { vxlanBpf } from './vxlanBpf.ts';
import { vxlanBridged } from './vxlanBridged.ts';
import { wire } from './wire.ts';

export const INTER_HOST_KINDS = {
  vxlan,
  'vxlan-bridged': vxlanBridged,
  'udp-tun': udpTun,
  ipip,
  'vxlan-bpf': vxlanBpf,
  native,
  wire,
} satisfies { [K in InterHostKindId]: InterHostKind<K> };

/** The module of a model's inter-host path, typed for its spec. */
export function interHostKind<K extends InterHostKindId>(spec: Extract<InterHost, { kind: K }>): InterHostKind<K> {
  return INTER_HOST_KINDS[spec.kind] as unknown as InterHostKind<K>;
}

export type { InterHostKind, InterHostKindId } from './kind.ts';
