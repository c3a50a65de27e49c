// Creates the testbed's namespaces and the wire between the nodes; all links are made from inside a namespace.
import { run } from '../../util/exec.ts';
import { aggregatingOn, offloadsOffArgs, parseFeatures } from '../../tools/ethtool/features.ts';
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
  if (ctx.tb.wire === 'nic') {
    for (const node of [a, b]) {
      const off = await timed(ctx, 'wire-offloads-off', node.ns, () => offloadsOff(node.ns, 'eth0'));
      (ctx.tb.wireOffloadsOff ??= {})[node.name] = off;
    }
  }
}

/**
 * Turns off every offload that lets one packet stand for several frames on `dev` (GSO, TSO and its tunnel kinds,
 * GRO), then reads the features back: one still on is an error, never a wire that only looks like a NIC's.
 */
async function offloadsOff(ns: string, dev: string): Promise<string[]> {
  const before = parseFeatures((await run(['ethtool', '-k', dev], { ns })).stdout);
  await run(['ethtool', '-K', dev, ...offloadsOffArgs(before)], { ns });
  const after = parseFeatures((await run(['ethtool', '-k', dev], { ns })).stdout);
  const left = aggregatingOn(after);
  if (left.length) throw new Error(`--wire nic: ${left.join(', ')} stayed on for ${dev} in ${ns} (this kernel's veth will not turn it off); use --wire veth here`);
  return aggregatingOn(before);
}
