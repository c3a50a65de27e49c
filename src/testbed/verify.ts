// Datapath evidence: counters read before and after a test prove the packets took the model's path (bridge ports,
// IP forwarding, tunnel devices, BPF redirects, iptables chains) — and did not take the paths the model avoids.
import { run } from '../util/exec.ts';
import { parseSnmp } from '../tools/proc/snmp.ts';
import { parseNetDev } from '../tools/proc/netdev.ts';
import { readNetFile } from './nsHolders.ts';
import type { ModelDescription, Scenario } from './model.ts';
import { type Testbed, type NodeName, endpointsOf, must } from './topology.ts';
import { readBpfCounters } from './build/bpf.ts';
import { readPolicyCounters } from './build/policy.ts';
import { interHostKind } from './kinds/interHost/index.ts';
import { attachKind } from './kinds/attach/index.ts';
import { policyKind } from './kinds/policy/index.ts';
import type { BpfProbeCounter, ProbeKit } from './kinds/probeKit.ts';

/** One counter that should move (most) or stay still (none) while a test runs. */
export interface Probe {
  id: string;
  /** What the counter moving means, in words. */
  what: string;
  source:
    | { kind: 'link'; ns: string; dev: string; field: 'rx_packets' | 'tx_packets' }
    | { kind: 'snmp'; ns: string; key: 'Ip:ForwDatagrams' }
    | { kind: 'bpf'; node: NodeName; counter: BpfProbeCounter }
    | { kind: 'iptables'; ns: string; chains: string[] };
  /** most: delta ≥ 25% of the reference packets; none: delta ≤ 5% of them. */
  expect: 'most' | 'none';
  /**
   * Which end the counter is compared with: packets the client sent (before any segmentation on the way) or
   * packets the server received. GSO super-packets are split where a device cannot carry them (a TUN device),
   * so a counter is only comparable with the end on its side of that split.
   */
  side: 'sent' | 'received';
}

export interface ProbeResult {
  id: string;
  what: string;
  expect: 'most' | 'none';
  side: 'sent' | 'received';
  reference: number;
  before: number;
  after: number;
  delta: number;
  pass: boolean;
}

/** The datapath check recorded with every netperf item. */
export interface DatapathCheck {
  model: string;
  scenario: Scenario;
  /** Packets the server's interface received during the test. */
  referencePackets: number;
  /** Packets the client's interface sent during the test. */
  sentPackets: number;
  probes: ProbeResult[];
  pass: boolean;
}

export function probesFor(model: ModelDescription, tb: Testbed, scenario: Scenario): Probe[] {
  const nodeNs = (n: NodeName) => must(tb.nodes.find((x) => x.name === n), n).ns;
  const pod = (name: string) => must(tb.pods.find((p) => p.name === name), name);
  const hasPods = tb.pods.length > 0;
  const serverPod = scenario === 'intra' ? 'a2' : 'b1';
  const probes: Probe[] = [];
  // Counters on node-a see what the client sent; counters on node-b (or on the server's side) what it received.
  const sideOf = (ns: string): 'sent' | 'received' => (scenario === 'inter' && ns !== nodeNs('node-a') && !(hasPods && ns === pod('a1').ns) ? 'received' : 'sent');
  const link = (id: string, what: string, ns: string, dev: string, field: 'rx_packets' | 'tx_packets', expect: 'most' | 'none' = 'most', side = sideOf(ns)) =>
    probes.push({ id, what, source: { kind: 'link', ns, dev, field }, expect, side });
  const forwarding = (node: NodeName, expect: 'most' | 'none', what: string) =>
    probes.push({ id: `${node}:ip-forward`, what, source: { kind: 'snmp', ns: nodeNs(node), key: 'Ip:ForwDatagrams' }, expect, side: sideOf(nodeNs(node)) });
  const kit: ProbeKit = {
    link: (id, what, at, dev, field, expect = 'most', side) => {
      const ns = typeof at === 'string' ? nodeNs(at) : at.ns;
      link(id, what, ns, dev, field, expect, side ?? sideOf(ns));
    },
    forwarding,
    bpf: (id, what, node, counter) => probes.push({ id, what, source: { kind: 'bpf', node, counter }, expect: 'most', side: sideOf(nodeNs(node)) }),
    chains: (id, what, node, chains, side) => probes.push({ id, what, source: { kind: 'iptables', ns: nodeNs(node), chains: [...chains] }, expect: 'most', side }),
  };
  const pods = hasPods ? { client: pod('a1'), server: pod(serverPod) } : undefined;
  // The attach's evidence first; a reference point's probes end there.
  if (!attachKind(model.attach).probes(model.attach, kit, scenario, pods)) return probes;

  if (scenario === 'inter') {
    const ih = must(model.interHost, 'inter-host path');
    interHostKind(ih).probes(ih, kit);
  }
  policyKind(model.policy).probes(model.policy, kit, scenario, tb);
  return probes;
}

/** Reads every counter the probes name, with one command per namespace and source kind. */
export async function readProbes(tb: Testbed, probes: Probe[], extraLinks: { ns: string; dev: string }[] = []): Promise<Map<string, number>> {
  const values = new Map<string, number>();
  const linkNs = new Set<string>([...extraLinks.map((l) => l.ns)]);
  const snmpNs = new Set<string>();
  const iptNs = new Map<string, string[]>();
  const bpfNodes = new Set<NodeName>();
  for (const p of probes) {
    const s = p.source;
    if (s.kind === 'link') linkNs.add(s.ns);
    else if (s.kind === 'snmp') snmpNs.add(s.ns);
    else if (s.kind === 'iptables') iptNs.set(s.ns, [...(iptNs.get(s.ns) ?? []), ...s.chains]);
    else bpfNodes.add(s.node);
  }
  await Promise.all([
    ...[...linkNs].map(async (ns) => {
      for (const [dev, stats] of await linkCounters(ns)) {
        values.set(`link:${ns}:${dev}:rx_packets`, stats.rx);
        values.set(`link:${ns}:${dev}:tx_packets`, stats.tx);
      }
    }),
    ...[...snmpNs].map(async (ns) => values.set(`snmp:${ns}:Ip:ForwDatagrams`, await forwDatagrams(ns))),
    ...[...iptNs].map(async ([ns, chains]) => {
      const counters = await readPolicyCounters(tb, ns, chains);
      for (const [chain, packets] of counters) values.set(`ipt:${ns}:${chain}`, packets);
    }),
    ...[...bpfNodes].map(async (node) => {
      const c = await readBpfCounters(tb, node);
      for (const [k, v] of Object.entries(c) as [string, number][]) values.set(`bpf:${node}:${k}`, v);
    }),
  ]);
  return values;
}

function probeValue(values: Map<string, number>, p: Probe): number {
  const s = p.source;
  switch (s.kind) {
    case 'link': return values.get(`link:${s.ns}:${s.dev}:${s.field}`) ?? NaN;
    case 'snmp': return values.get(`snmp:${s.ns}:${s.key}`) ?? NaN;
    case 'bpf': return values.get(`bpf:${s.node}:${s.counter}`) ?? NaN;
    case 'iptables': return s.chains.reduce((sum, c) => sum + (values.get(`ipt:${s.ns}:${c}`) ?? 0), 0);
  }
}

export function evaluate(model: string, scenario: Scenario, probes: Probe[], before: Map<string, number>, after: Map<string, number>, ends: { sent: number; received: number }): DatapathCheck {
  const results = probes.map((p): ProbeResult => {
    const b = probeValue(before, p);
    const a = probeValue(after, p);
    const delta = a - b;
    const reference = ends[p.side];
    const pass = Number.isFinite(delta) && reference > 0 && (p.expect === 'most' ? delta >= 0.25 * reference : delta <= 0.05 * reference);
    return { id: p.id, what: p.what, expect: p.expect, side: p.side, reference, before: b, after: a, delta, pass };
  });
  const pass = ends.received > 0 && ends.sent > 0 && results.every((r) => r.pass);
  return { model, scenario, referencePackets: ends.received, sentPackets: ends.sent, probes: results, pass };
}

/** Counters of one link: packets (as the device counts them: GSO super-packets count once) and bytes. */
export interface LinkCounters {
  rx: number;
  tx: number;
  rxBytes: number;
  txBytes: number;
  mtu: number;
  /** Packets the device dropped (a full queue, no route, a relay that could not keep up). */
  rxDropped?: number;
  txDropped?: number;
}

/** Counters of every link in a namespace (one `ip -s -j link` call). */
export async function linkStats(ns: string): Promise<Map<string, LinkCounters>> {
  const r = await run(['ip', '-n', ns, '-s', '-j', 'link', 'show']);
  type Stats = { packets: number; bytes: number; dropped?: number };
  const links = JSON.parse(r.stdout) as { ifname: string; mtu: number; stats64?: { rx: Stats; tx: Stats } }[];
  return new Map(links.map((l) => [l.ifname, {
    rx: l.stats64?.rx.packets ?? NaN, tx: l.stats64?.tx.packets ?? NaN,
    rxBytes: l.stats64?.rx.bytes ?? NaN, txBytes: l.stats64?.tx.bytes ?? NaN, mtu: l.mtu,
    rxDropped: l.stats64?.rx.dropped ?? NaN, txDropped: l.stats64?.tx.dropped ?? NaN,
  }]));
}

/**
 * Packet, byte and drop counters of every link in a namespace, without the MTU: read as a file through the
 * namespace's holder when it has one (no process started), else with `ip`. For counters read around every item.
 */
export async function linkCounters(ns: string): Promise<Map<string, Omit<LinkCounters, 'mtu'>>> {
  const text = await readNetFile(ns, 'dev');
  return text === undefined ? linkStats(ns) : parseNetDev(text);
}

/** /proc/net/snmp of a namespace: through its holder, else by running `cat` in it. */
export async function snmpText(ns: string): Promise<string> {
  return (await readNetFile(ns, 'snmp')) ?? (await run(['cat', '/proc/net/snmp'], { ns })).stdout;
}

async function forwDatagrams(ns: string): Promise<number> {
  const value = parseSnmp(await snmpText(ns))['Ip:ForwDatagrams'];
  if (value === undefined) throw new Error(`no Ip ForwDatagrams in /proc/net/snmp of ${ns}`);
  return value;
}

/** The two ends every probe is compared with: the client's interface (tx) and the server's (rx). */
export function endCounters(tb: Testbed, scenario: Scenario): { links: { ns: string; dev: string }[]; sentKey: string; receivedKey: string } {
  const ep = endpointsOf(tb, scenario);
  const clientIf = ep.serverIf === 'lo' ? 'lo' : 'eth0';
  return {
    links: [{ ns: ep.clientNs, dev: clientIf }, { ns: ep.serverNs, dev: ep.serverIf }],
    sentKey: `link:${ep.clientNs}:${clientIf}:tx_packets`,
    receivedKey: `link:${ep.serverNs}:${ep.serverIf}:rx_packets`,
  };
}

/** Deltas of the two ends between two readings. */
export function endDeltas(ends: ReturnType<typeof endCounters>, before: Map<string, number>, after: Map<string, number>): { sent: number; received: number } {
  const d = (k: string) => (after.get(k) ?? NaN) - (before.get(k) ?? NaN);
  return { sent: d(ends.sentKey), received: d(ends.receivedKey) };
}
