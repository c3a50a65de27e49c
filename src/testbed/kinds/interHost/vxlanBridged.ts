// Weave's fast datapath, stood in for: pod bridge → extra veth pair (vethwe-bridge/vethwe-datapath) → a second
// bridge where Weave has its OVS datapath → VXLAN port, flooding to the peer. Bridged all the way: no IP forwarding.
import { bridgeBatch, ipBatch } from '../../build/context.ts';
import type { InterHostKind } from './kind.ts';
import { tunnelProbes } from './tunnelProbes.ts';

export const vxlanBridged: InterHostKind<'vxlan-bridged'> = {
  kind: 'vxlan-bridged',
  features: ['vxlan', 'bridge'],
  tools: [],
  encapsulation: 'vxlan',
  forwardsFromBridge: false,
  async build(ctx, node, peer, { device, vni, port, datapathBridge }) {
    if (ctx.model.attach.kind !== 'bridge') throw new Error('the Weave datapath hangs off the pod bridge');
    const mtu = ctx.model.podMtu;
    await ipBatch(node.ns, [
      `link add ${datapathBridge} type bridge`,
      `link add vethwe-bridge mtu ${mtu} type veth peer name vethwe-datapath mtu ${mtu}`,
      `link set vethwe-bridge master ${ctx.model.attach.bridge} up`,
      `link set vethwe-datapath master ${datapathBridge} up`,
      `link add ${device} type vxlan id ${vni} local ${node.underlayIp} dev eth0 dstport ${port}`,
      `link set ${device} master ${datapathBridge} up`,
      `link set ${datapathBridge} up`,
    ]);
    await bridgeBatch(node.ns, [`fdb append 00:00:00:00:00:00 dev ${device} dst ${peer.underlayIp}`]);
  },
  probes({ device }, kit) {
    kit.forwarding('node-a', 'none', 'bridged into the datapath, not IP-forwarded');
    kit.link('node-a:vethwe:tx', 'node-a crossed the extra veth pair (vethwe-bridge)', 'node-a', 'vethwe-bridge', 'tx_packets');
    tunnelProbes(kit, device);
  },
  route: () => undefined,
  rows: ({ device, vni, port, datapathBridge }, model) => [
    // Device names as build() creates them.
    { id: 'vethwe', kind: 'veth', span: true, title: 'veth pair vethwe-*', details: [`vethwe-bridge (on ${model.attach.kind === 'bridge' ? model.attach.bridge : 'the pod bridge'}) ↔ vethwe-datapath (on ${datapathBridge})`] },
    { id: 'ovs', kind: 'ovs', span: true, title: `bridge ${datapathBridge}`, details: ['stands in for the OVS datapath'] },
    { id: 'tunnel', kind: 'vxlan', span: true, title: device, details: [`VXLAN, VNI ${vni}, UDP ${port}, port of ${datapathBridge}`] },
  ],
  words: ({ device, datapathBridge }) => `bridge → extra veth pair → ${datapathBridge} bridge → VXLAN ${device}`,
};
