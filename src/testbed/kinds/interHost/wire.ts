// The host reference point: node to node over the wire, nothing in between.
import type { InterHostKind } from './kind.ts';

export const wire: InterHostKind<'wire'> = {
  kind: 'wire',
  features: [],
  tools: [],
  encapsulation: 'none',
  forwardsFromBridge: false,
  build: async () => {},
  // The host model's own probe (node-a sent over the wire) comes with its attach kind.
  probes: () => {},
  route: () => undefined,
  rows: () => [],
  words: () => 'node to node over the wire',
};
