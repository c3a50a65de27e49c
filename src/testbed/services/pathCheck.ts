// Proving that an item's test went through the Service under test, whichever implementation the testbed has:
// kube-proxy's rules leave a conntrack entry per translated connection (forgotten before the item, listed after);
// the eBPF socket load balancer counts its translations in a map (read before and after).
import type { Scenario } from '../model.ts';
import { serviceOf, type Testbed } from '../topology.ts';
import { checkServicePath, forgetServiceConnections, type ServicePathCheck } from './apply.ts';
export type { ServicePathCheck };
import { readSocketLbCounters } from './ebpfSocketLb.ts';

/** Starts watching the Service of `scenario`; the returned function reads what the item did through it. */
export async function watchServicePath(tb: Testbed, scenario: Scenario): Promise<() => Promise<ServicePathCheck>> {
  const service = serviceOf(tb, scenario);
  const lb = tb.services?.socketLb;
  if (!lb) {
    await forgetServiceConnections(service.nodeNs, service.clusterIP);
    return () => checkServicePath(service.nodeNs, service.clusterIP, service.serverIp);
  }
  const translations = async () => {
    const c = await readSocketLbCounters(lb.pinDir);
    return c.connect + c.sendmsg;
  };
  const before = await translations();
  return async () => {
    // Only the client pod's commands are in the load balancer's cgroup, and during an item only netperf runs there.
    const n = (await translations()) - before;
    return { via: 'socket-lb', node: lb.cgroup, clusterIP: service.clusterIP, serverIp: service.serverIp, connections: n, toServer: n, pass: n >= 2 };
  };
}

/** Why an item failed its Service check (what was seen), or undefined when it passed. */
export function servicePathFailure(p: ServicePathCheck): string | undefined {
  if (p.pass) return undefined;
  const seen = p.via === 'socket-lb'
    ? `the eBPF socket load balancer of ${p.node} translated ${p.connections} connection(s) or datagram(s) to ${p.clusterIP}`
    : `conntrack of ${p.node} lists ${p.toServer} connection(s) to ${p.clusterIP} answered by the server ${p.serverIp} (of ${p.connections})`;
  return `Service check failed: ${seen}; netperf's control and data connections should both have been translated there`;
}
