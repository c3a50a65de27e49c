// flannel's UDP backend: a TUN device read by a user-space relay that sends each packet in a UDP datagram (socat
// stands in for flanneld).
import { setTimeout as sleep } from 'node:timers/promises';
import { run, spawnDaemon } from '../../../util/exec.ts';
import { daemonLog, hostAddress, ipBatch } from '../../build/context.ts';
import type { InterHostKind } from './kind.ts';
import { tunnelProbes } from './tunnelProbes.ts';

export const udpTun: InterHostKind<'udp-tun'> = {
  kind: 'udp-tun',
  features: ['tun'],
  // taskset pins the relay like the ends it carries traffic for.
  tools: ['socat', 'taskset'],
  encapsulation: 'udp',
  forwardsFromBridge: true,
  async build(ctx, node, peer, { device, port }) {
    const argv = [
      'socat', '-b', '65536',
      `TUN:${hostAddress(node.podCidr, 0)}/16,tun-name=${device},iff-up,iff-no-pi`,
      // Unconnected datagrams: an ICMP "port unreachable" before the peer's relay is up must not end the relay.
      `UDP-DATAGRAM:${peer.underlayIp}:${port},bind=${node.underlayIp}:${port}`,
    ];
    const daemon = spawnDaemon(argv, { ns: node.ns, logFile: daemonLog(ctx.tb, `udp-relay-${node.name}`) });
    ctx.tb.daemons.push({ name: 'udp-relay', ns: node.ns, pid: daemon.pid, argv, stop: 'term' });
    // The relay creates the TUN device itself; wait for it (bounded) before routing into it.
    for (let i = 0; ; i++) {
      const r = await run(['ip', '-n', node.ns, 'link', 'show', device], { reject: false });
      if (r.exitCode === 0) break;
      if (daemon.exitCode() !== null) throw new Error(`socat exited in ${node.ns}: ${await daemon.lastWords()}`);
      if (i >= 100) throw new Error(`socat did not create ${device} in ${node.ns} within 2 s`);
      await sleep(20);
    }
    await ipBatch(node.ns, [`link set ${device} mtu ${ctx.model.podMtu}`, `route add ${peer.podCidr} dev ${device}`]);
  },
  probes({ device }, kit) {
    kit.forwarding('node-a', 'most', 'node-a IP-forwarded into the tunnel');
    tunnelProbes(kit, device);
  },
  route: ({ device }, remote) => `route ${remote} dev ${device}`,
  rows: ({ device, port }) => [
    { id: 'tunnel', kind: 'tun', span: true, title: device, details: ['TUN device'] },
    { id: 'relay', kind: 'user', span: true, title: 'socat UDP relay', details: ['user space: stands in for flanneld', `UDP port ${port}`] },
  ],
  words: ({ device }) => `TUN ${device} + user-space UDP relay`,
};
