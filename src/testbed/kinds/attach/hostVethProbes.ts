// The evidence a CNI's per-pod veth leaves: the client's host-side veth received its packets, and the server's
// host-side veth delivered them (or, with a BPF redirect to the peer, never saw them).
import { must } from '../../topology.ts';
import type { ProbeKit } from '../probeKit.ts';
import type { ProbePods } from './kind.ts';

export function hostVethProbes(kit: ProbeKit, pods: ProbePods | undefined, server: { expect: 'most' | 'none'; what: string }): void {
  const { client, server: to } = must(pods, 'the testbed\'s pods');
  kit.link('a1:host-veth:rx', `node-a received a1's packets on ${client.hostIf}`, 'node-a', must(client.hostIf, 'a1 veth'), 'rx_packets');
  kit.link(`${to.name}:host-veth:tx`, server.what, to.node, must(to.hostIf, 'server veth'), 'tx_packets', server.expect, 'received');
}
