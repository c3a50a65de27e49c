// Inter-host paths: how node-a's pods reach node-b's — VXLAN, the Weave datapath stand-in, the UDP/TUN relay,
// IP-in-IP, Cilium's collect-md VXLAN (programmed by BPF, see bpf.ts), native routes, or just the wire.
import { setTimeout as sleep } from 'node:timers/promises';
import { run, spawnDaemon } from '../../util/exec.ts';
import type { NodeInfo } from '../topology.ts';
import { peerOf } from '../topology.ts';
import { type BuildContext, bridgeBatch, daemonLog, hostAddress, ipBatch, nodeOf, timed } from './context.ts';

/** The VXLAN endpoint address of a node: the .0 of its pod CIDR, as flannel gives flannel.1. */
function vtepIp(node: NodeInfo): string {
  return hostAddress(node.podCidr, 0);
}

async function vxlan(ctx: BuildContext, node: NodeInfo, peer: NodeInfo, dev: string, vni: number, port: number): Promise<void> {
  await ipBatch(node.ns, [
    `link add ${dev} type vxlan id ${vni} local ${node.underlayIp} dev eth0 dstport ${port} nolearning`,
    `link set ${dev} address ${node.tunnelMac} mtu 1450 up`,
    `addr add ${vtepIp(node)}/32 dev ${dev}`,
    `neigh add ${vtepIp(peer)} lladdr ${peer.tunnelMac} dev ${dev} nud permanent`,
    `route add ${peer.podCidr} via ${vtepIp(peer)} dev ${dev} onlink`,
  ]);
  await bridgeBatch(node.ns, [`fdb append ${peer.tunnelMac} dev ${dev} dst ${peer.underlayIp}`]);
}

/** Weave: pod bridge → vethwe-bridge/vethwe-datapath → "datapath" bridge (for OVS) → VXLAN port, flooding to the peer. */
async function weaveDatapath(ctx: BuildContext, node: NodeInfo, peer: NodeInfo, dev: string, vni: number, port: number, dpBridge: string): Promise<void> {
  if (ctx.model.attach.kind !== 'bridge') throw new Error('the Weave datapath hangs off the pod bridge');
  const mtu = ctx.model.podMtu;
  await ipBatch(node.ns, [
    `link add ${dpBridge} type bridge`,
    `link add vethwe-bridge mtu ${mtu} type veth peer name vethwe-datapath mtu ${mtu}`,
    `link set vethwe-bridge master ${ctx.model.attach.bridge} up`,
    `link set vethwe-datapath master ${dpBridge} up`,
    `link add ${dev} type vxlan id ${vni} local ${node.underlayIp} dev eth0 dstport ${port}`,
    `link set ${dev} master ${dpBridge} up`,
    `link set ${dpBridge} up`,
  ]);
  await bridgeBatch(node.ns, [`fdb append 00:00:00:00:00:00 dev ${dev} dst ${peer.underlayIp}`]);
}

/** flannel's UDP backend: a user-space relay reads the TUN device and sends each packet in a UDP datagram. */
async function udpTun(ctx: BuildContext, node: NodeInfo, peer: NodeInfo, dev: string, port: number): Promise<void> {
  const argv = [
    'socat', '-b', '65536',
    `TUN:${hostAddress(node.podCidr, 0)}/16,tun-name=${dev},iff-up,iff-no-pi`,
    // Unconnected datagrams: an ICMP "port unreachable" before the peer's relay is up must not end the relay.
    `UDP-DATAGRAM:${peer.underlayIp}:${port},bind=${node.underlayIp}:${port}`,
  ];
  const daemon = spawnDaemon(argv, { ns: node.ns, logFile: daemonLog(ctx.tb, `udp-relay-${node.name}`) });
  ctx.tb.daemons.push({ name: 'udp-relay', ns: node.ns, pid: daemon.pid, argv, stop: 'term' });
  // The relay creates the TUN device itself; wait for it (bounded) before routing into it.
  for (let i = 0; ; i++) {
    const r = await run(['ip', '-n', node.ns, 'link', 'show', dev], { reject: false });
    if (r.exitCode === 0) break;
    if (daemon.exitCode() !== null) throw new Error(`socat exited in ${node.ns}: ${await daemon.lastWords()}`);
    if (i >= 100) throw new Error(`socat did not create ${dev} in ${node.ns} within 2 s`);
    await sleep(20);
  }
  await ipBatch(node.ns, [`link set ${dev} mtu ${ctx.model.podMtu}`, `route add ${peer.podCidr} dev ${dev}`]);
}

async function ipip(node: NodeInfo, peer: NodeInfo, dev: string): Promise<void> {
  await ipBatch(node.ns, [
    `link set ${dev} mtu 1480 up`,
    `addr add ${hostAddress(node.podCidr, 0)}/32 dev ${dev}`,
    `route add ${peer.podCidr} via ${peer.underlayIp} dev ${dev} onlink`,
  ]);
}

export async function buildInterHost(ctx: BuildContext): Promise<void> {
  const spec = ctx.model.interHost;
  if (!spec || ctx.tb.nodes.length < 2) return;
  for (const node of ctx.tb.nodes) {
    const peer = nodeOf(ctx.tb, peerOf(node.name));
    await timed(ctx, `inter-host:${spec.kind}`, node.ns, async () => {
      switch (spec.kind) {
        case 'vxlan': return vxlan(ctx, node, peer, spec.device, spec.vni, spec.port);
        case 'vxlan-bridged': return weaveDatapath(ctx, node, peer, spec.device, spec.vni, spec.port, spec.datapathBridge);
        case 'udp-tun': return udpTun(ctx, node, peer, spec.device, spec.port);
        case 'ipip': return ipip(node, peer, spec.device);
        case 'vxlan-bpf': return ipBatch(node.ns, [`link add ${spec.device} type vxlan external dstport ${spec.port}`, `link set ${spec.device} up`]);
        case 'native': return ipBatch(node.ns, [`route add ${peer.podCidr} via ${peer.underlayIp} dev eth0`]);
        case 'wire': return;
      }
    });
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
