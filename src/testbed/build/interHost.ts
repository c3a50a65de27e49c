// Inter-host paths: how node-a's pods reach node-b's, built by the model's inter-host kind (src/testbed/kinds/interHost:
// VXLAN, the Weave datapath stand-in, the UDP/TUN relay, IP-in-IP, Cilium's collect-md VXLAN, native routes, the
// wire), and kube-router's policy routing.
import { peerOf } from '../topology.ts';
import { interHostKind } from '../kinds/interHost/index.ts';
import { type BuildContext, ipBatch, nodeOf, timed } from './context.ts';

export async function buildInterHost(ctx: BuildContext): Promise<void> {
  const spec = ctx.model.interHost;
  if (!spec || ctx.tb.nodes.length < 2) return;
  for (const node of ctx.tb.nodes) {
    const peer = nodeOf(ctx.tb, peerOf(node.name));
    await timed(ctx, `inter-host:${spec.kind}`, node.ns, () => interHostKind(spec).build(ctx, node, peer, spec));
  }
}

/** kube-router: traffic from local pods is looked up in its own table first (an extra FIB lookup per packet). */
export async function buildPolicyRouting(ctx: BuildContext): Promise<void> {
  const pr = ctx.model.policyRouting;
  if (!pr) return;
  for (const node of ctx.tb.nodes) {
    const peer = ctx.tb.nodes.find((n) => n.name !== node.name);
    await timed(ctx, 'policy-routing', node.ns, () =>
      ipBatch(node.ns, [
        `rule add from ${node.podCidr} lookup ${pr.table} priority ${pr.priority}`,
        ...(peer ? [`route add ${peer.podCidr} via ${peer.underlayIp} dev eth0 table ${pr.table}`] : []),
      ]),
    );
  }
}
