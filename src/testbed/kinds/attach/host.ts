// The host reference point: no pod at all; traffic runs between the node namespaces (over loopback within a node,
// over the wire between nodes).
import type { AttachKind } from './kind.ts';

export const host: AttachKind<'host'> = {
  kind: 'host',
  features: [],
  tools: [],
  cniPlugins: false,
  attachAll: async () => {},
  attach: async (ctx) => { throw new Error(`${ctx.model.id} is a reference point: it attaches no pods of its own`); },
  detach: async () => {},
  detachBeforeTeardown: false,
  probes(_spec, kit, scenario) {
    if (scenario === 'inter') kit.link('node-a:eth0:tx', 'node-a sent over the wire', 'node-a', 'eth0', 'tx_packets');
    return false;
  },
  routes: [],
  forwards: () => false,
  rows: (_spec, _model, scenario) => (scenario === 'intra' ? [{ id: 'loopback', kind: 'loopback', span: true, title: 'lo (loopback)', details: ['no pod network'] }] : []),
  words: () => 'node loopback',
};
