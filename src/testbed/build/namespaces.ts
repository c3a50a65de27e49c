// Creates the testbed's namespaces and the wire between the nodes; all links are made from inside a namespace.
import { run } from '../../util/exec.ts';
import { type BuildContext, ipBatch, sysctl, timed } from './context.ts';

export async function createNamespaces(ctx: BuildContext): Promise<void> {
  const all = [...ctx.tb.nodes.map((n) => n.ns), ...ctx.tb.pods.map((p) => p.ns)];
  for (const ns of all) {
    await timed(ctx, 'netns', ns, async () => {
      await run(['ip', 'netns', 'add', ns]);
      await ipBatch(ns, ['link set lo up']);
    });
  }
  for (const node of ctx.tb.nodes) {
    // Nodes forward for their pods; strict reverse-path filtering would drop asymmetric tunnel traffic.
    await sysctl(node.ns, { 'net.ipv4.ip_forward': 1, 'net.ipv4.conf.all.rp_filter': 0, 'net.ipv4.conf.default.rp_filter': 0 });
  }
}

/** The underlay: one veth pair, eth0 in each node, MTU 1500. Created from node-a's namespace straight into node-b's. */
export async function createWire(ctx: BuildContext): Promise<void> {
  const [a, b] = ctx.tb.nodes;
  if (!a) return;
  if (!b) {
    // A one-node testbed still gets an eth0, so the node has a real interface and address. Its far end stays
    // in the node (no `dummy` device: some kernels, this VM's among them, are built without it).
    await timed(ctx, 'wire', a.ns, () => ipBatch(a.ns, ['link add eth0 type veth peer name wire0', `addr add ${a.underlayIp}/24 dev eth0`, 'link set wire0 up', 'link set eth0 up']));
    return;
  }
  await timed(ctx, 'wire', `${a.ns}<->${b.ns}`, async () => {
    await ipBatch(a.ns, [`link add eth0 type veth peer name eth0 netns ${b.ns}`, `addr add ${a.underlayIp}/24 dev eth0`, 'link set eth0 up']);
    await ipBatch(b.ns, [`addr add ${b.underlayIp}/24 dev eth0`, 'link set eth0 up']);
  });
}
