// The baseline reference point: pods a1 and a2 share one veth pair and nothing else — no node, no bridge, no route.
import { ipBatch, timed } from '../../build/context.ts';
import type { AttachKind } from './kind.ts';

export const directVeth: AttachKind<'direct-veth'> = {
  kind: 'direct-veth',
  features: [],
  tools: [],
  cniPlugins: false,
  async attachAll(ctx) {
    const [a1, a2] = ctx.tb.pods;
    if (!a1 || !a2) throw new Error('baseline needs two pods');
    a1.ip = '10.99.0.1';
    a2.ip = '10.99.0.2';
    a1.hostIf = a2.hostIf = 'eth0';
    await timed(ctx, 'veth', `${a1.ns}<->${a2.ns}`, async () => {
      await ipBatch(a1.ns, [`link add eth0 type veth peer name eth0 netns ${a2.ns}`, `addr add ${a1.ip}/24 dev eth0`, 'link set eth0 up']);
      await ipBatch(a2.ns, [`addr add ${a2.ip}/24 dev eth0`, 'link set eth0 up']);
    });
  },
  attach: async (ctx) => { throw new Error(`${ctx.model.id} is a reference point: it attaches no pods of its own`); },
  detach: async () => {},
  detachBeforeTeardown: false,
  probes(_spec, kit, _scenario, pods) {
    if (pods) kit.link('a1:eth0:tx', 'a1 sent on its veth', pods.client, 'eth0', 'tx_packets');
    return false;
  },
  routes: [],
  forwards: () => false,
  rows: () => [],
  words: () => 'one veth pair, nothing else',
};
