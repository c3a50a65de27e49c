// The reference CNI `bridge` plugin (CNI protocol, host-local IPAM) run as-is: each pod's veth is a port of a Linux
// bridge that is the pods' gateway (flannel's cni0, Weave's weave, kube-router's kube-bridge).
import { join } from 'node:path';
import { invokeCni, type CniResult } from '../../cni.ts';
import { type PodInfo, podCidr } from '../../topology.ts';
import { type BuildContext, nodeOf, timed } from '../../build/context.ts';
import { hostVethProbes } from './hostVethProbes.ts';
import type { AttachKind, AttachOf } from './kind.ts';
import { interHostKind } from '../interHost/index.ts';

function bridgeCniConfig(ctx: BuildContext, pod: PodInfo, spec: AttachOf<'bridge'>): Record<string, unknown> {
  const { model, tb } = ctx;
  const node = nodeOf(tb, pod.node);
  const flat = model.addressing === 'flat';
  // Weave's flat subnet is shared by both nodes: each node allocates from its own slice of it.
  const range = flat
    ? { subnet: node.podCidr, rangeStart: `10.32.${node.name === 'node-a' ? 0 : 1}.10`, rangeEnd: `10.32.${node.name === 'node-a' ? 0 : 1}.250` }
    : { subnet: node.podCidr };
  return {
    cniVersion: '1.0.0',
    name: `cnibench-${model.id}`,
    type: 'bridge',
    bridge: spec.bridge,
    isGateway: spec.gateway,
    isDefaultGateway: spec.gateway,
    ipMasq: false,
    hairpinMode: true,
    mtu: pod.mtu,
    ipam: { type: 'host-local', ranges: [[range]], dataDir: join(tb.ipamDir, node.name) },
  };
}

function applyCniResult(pod: PodInfo, result: CniResult | undefined): void {
  const ip = result?.ips?.[0]?.address;
  const hostIf = result?.interfaces?.find((i) => !i.sandbox && i.name !== undefined && i.mac !== undefined && i.name.startsWith('veth'));
  if (!ip || !hostIf) throw new Error(`CNI bridge ADD for ${pod.name} returned no address or host veth: ${JSON.stringify(result)}`);
  pod.ip = ip.split('/')[0];
  pod.hostIf = hostIf.name;
}

async function cni(ctx: BuildContext, pod: PodInfo, spec: AttachOf<'bridge'>, command: 'ADD' | 'DEL'): Promise<CniResult | undefined> {
  const node = nodeOf(ctx.tb, pod.node);
  const { result } = await timed(ctx, command === 'ADD' ? 'cni-add' : 'cni-del', pod.ns, () =>
    invokeCni({ command, config: bridgeCniConfig(ctx, pod, spec), containerId: pod.ns, nodeNs: node.ns, podNetnsPath: `/run/netns/${pod.ns}`, ifName: 'eth0' }),
  );
  return result;
}

export const bridge: AttachKind<'bridge'> = {
  kind: 'bridge',
  features: ['bridge'],
  tools: [],
  cniPlugins: true,
  async attachAll(ctx, spec) {
    for (const pod of ctx.tb.pods) applyCniResult(pod, await cni(ctx, pod, spec, 'ADD'));
  },
  async attach(ctx, pod, _index, spec) {
    applyCniResult(pod, await cni(ctx, pod, spec, 'ADD'));
  },
  async detach(ctx, pod, spec) {
    await cni(ctx, pod, spec, 'DEL');
  },
  detachBeforeTeardown: true,
  probes(_spec, kit, scenario, pods) {
    hostVethProbes(kit, pods, { expect: 'most', what: `${pods?.server.node} delivered to ${pods?.server.name} through ${pods?.server.hostIf}` });
    if (scenario === 'intra') kit.forwarding('node-a', 'none', 'bridged within the node, not IP-forwarded');
    return true;
  },
  // Bridged pods leave the bridge for the stack toward a tunnel or the underlay, unless the path stays bridged (Weave).
  routes: [],
  forwards: (_spec, model, scenario) => scenario === 'inter' && model.interHost !== undefined && interHostKind(model.interHost).forwardsFromBridge,
  rows(spec, model, _scenario, node) {
    const details = [spec.gateway ? 'L2 switch, pods\' gateway' : 'L2 only, no gateway address'];
    if (model.addressing === 'flat') details.push(`one flat pod subnet ${podCidr(model, node)}`);
    return [
      { id: 'veth', kind: 'veth', span: false, title: 'veth… (host side)', details: [`port of ${spec.bridge}`] },
      { id: 'bridge', kind: 'bridge', span: true, title: `bridge ${spec.bridge}`, details },
    ];
  },
  words: (spec) => `Linux bridge ${spec.bridge}`,
};
