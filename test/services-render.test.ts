// Service datapath renderers (src/testbed/services): the catalog and kube-proxy's iptables and nftables rule
// texts, checked purely (no processes, no namespaces). Chain names are checked against values printed in
// upstream's tests and docs (kubernetes pkg/proxy/iptables/proxier_test.go TestOverallIPTablesRules,
// pkg/proxy/nftables/proxier_test.go TestOverallNFTablesRules, knftables docs/iptables-porting.md) and against
// an independent implementation of the hash.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { MAX_ENDPOINTS, catalogCapacity, serviceCatalog, serviceUnderTest, testServiceIP } from '../src/testbed/services/catalog.ts';
import { kubeProxyIptablesRuleset, kubeSepChain, kubeSvcChain, masqueradeMark, probability } from '../src/testbed/services/kubeProxyIptables.ts';
import { kubeProxyNftablesRuleset, nftEndpointChain, nftServiceChain } from '../src/testbed/services/kubeProxyNftables.ts';
import type { ServiceSpec } from '../src/testbed/services/types.ts';
import { socketLbMapWrites } from '../src/testbed/services/ebpfSocketLb.ts';

const PODS = [
  { ip: '10.244.0.2', node: 'node-a' },
  { ip: '10.244.0.3', node: 'node-a' },
  { ip: '10.244.1.2', node: 'node-b' },
  { ip: '10.244.1.3', node: 'node-b' },
  { ip: '10.244.2.2', node: 'node-c' },
];
const CLUSTER_CIDR = '10.244.0.0/16';

/** Go's base32.StdEncoding, written independently of src/testbed/policy/hashNames.ts. */
function base32(buf: Buffer): string {
  const abc = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const bits = [...buf].map((b) => b.toString(2).padStart(8, '0')).join('');
  let out = '';
  for (let i = 0; i < bits.length; i += 5) out += abc[parseInt(bits.slice(i, i + 5).padEnd(5, '0'), 2)];
  return out;
}
const h16 = (s: string): string => base32(createHash('sha256').update(s).digest()).slice(0, 16);

/** The upstream test Service: ns1/svc1, port p80/TCP 80 at 172.30.0.41, one endpoint 10.180.0.1:80. */
const SVC1: ServiceSpec = {
  namespace: 'ns1', name: 'svc1', portName: 'p80', clusterIP: '172.30.0.41', port: 80, protocol: 'TCP', targetPort: 80,
  endpoints: [{ ip: '10.180.0.1', port: 80 }],
};

describe('service catalog', () => {
  const opts = { count: 200, seed: 7, pods: PODS };

  test('is deterministic from the seed and changes with it', () => {
    assert.deepEqual(serviceCatalog(opts), serviceCatalog({ ...opts }));
    assert.notDeepEqual(serviceCatalog(opts), serviceCatalog({ ...opts, seed: 8 }));
  });

  test('allocates ClusterIPs from .2 upward, skipping the network, .1 and the test address', () => {
    const svcs = serviceCatalog(opts);
    assert.equal(svcs[0]!.clusterIP, '10.96.0.2');
    assert.equal(svcs[199]!.clusterIP, '10.96.0.201');
    assert.equal(new Set(svcs.map((s) => s.clusterIP)).size, 200);
    assert.equal(testServiceIP('10.96.0.0/12'), '10.111.255.254');
    for (const s of svcs) assert.ok(!['10.96.0.0', '10.96.0.1', '10.111.255.254', '10.111.255.255'].includes(s.clusterIP));
    const small = serviceCatalog({ count: 4, seed: 1, pods: PODS, serviceCidr: '192.168.5.0/29' });
    assert.deepEqual(small.map((s) => s.clusterIP), ['192.168.5.2', '192.168.5.3', '192.168.5.4', '192.168.5.5']);
    assert.equal(testServiceIP('192.168.5.0/29'), '192.168.5.6');
  });

  test('gives each Service 1-3 distinct endpoints spread over the pods, on the target port', () => {
    const svcs = serviceCatalog(opts);
    const counts = new Set<number>();
    const used = new Set<string>();
    for (const s of svcs) {
      assert.ok(s.endpoints.length >= 1 && s.endpoints.length <= MAX_ENDPOINTS);
      counts.add(s.endpoints.length);
      assert.equal(new Set(s.endpoints.map((e) => e.ip)).size, s.endpoints.length);
      for (const e of s.endpoints) {
        assert.ok(PODS.some((p) => p.ip === e.ip));
        assert.equal(e.port, s.targetPort);
        used.add(e.ip);
      }
      assert.ok(s.port >= 1024 && s.port <= 32767);
    }
    assert.deepEqual([...counts].sort(), [1, 2, 3]);
    assert.equal(used.size, PODS.length);
    const one = serviceCatalog({ ...opts, pods: PODS.slice(0, 1) });
    assert.ok(one.every((s) => s.endpoints.length === 1));
  });

  test('marks endpoints on the given node local', () => {
    const svcs = serviceCatalog({ ...opts, node: 'node-b' });
    for (const s of svcs) for (const e of s.endpoints) assert.equal(e.local, e.ip.startsWith('10.244.1.'));
  });

  test('refuses what does not fit, with the way out in the message', () => {
    assert.equal(catalogCapacity('192.168.5.0/29'), 4);
    assert.throws(() => serviceCatalog({ count: 5, seed: 1, pods: PODS, serviceCidr: '192.168.5.0/29' }), /5 Services do not fit serviceCidr 192\.168\.5\.0\/29, which has room for 4.*wider serviceCidr or fewer Services/);
    assert.throws(() => serviceCatalog({ count: 1, seed: 1, pods: PODS, serviceCidr: '192.168.5.0/31' }), /room for 0/);
    assert.throws(() => serviceCatalog({ count: 1, seed: 1, pods: PODS, serviceCidr: '10.96.0.5/12' }), /host bits set; write it as 10\.96\.0\.0\/12/);
    assert.throws(() => serviceCatalog({ count: 1, seed: 1, pods: PODS, serviceCidr: '10.96.0.0' }), /not an IPv4 CIDR/);
    assert.throws(() => serviceCatalog({ count: 3, seed: 1, pods: [] }), /no pods.*pass at least one pod/);
    assert.throws(() => serviceCatalog({ count: -1, seed: 1, pods: PODS }), /non-negative integer/);
    assert.throws(() => serviceCatalog({ count: 1, seed: 1, pods: PODS, portRange: [100, 10] }), /portRange/);
    assert.deepEqual(serviceCatalog({ count: 0, seed: 1, pods: [] }), []);
  });

  test('the Service under test points at the server pod, outside the catalog addresses', () => {
    const t = serviceUnderTest({ server: PODS[2]!, port: 12865, node: 'node-a' });
    assert.equal(t.clusterIP, '10.111.255.254');
    assert.deepEqual(t.endpoints, [{ ip: '10.244.1.2', port: 12865, local: false }]);
    assert.ok(!serviceCatalog(opts).some((s) => s.clusterIP === t.clusterIP || s.name === t.name));
    assert.equal(serviceUnderTest({ server: PODS[0]!, port: 80, targetPort: 8080 }).endpoints[0]!.port, 8080);
  });
});

describe('chain names', () => {
  test('iptables names equal upstream values and an independent sha256/base32', () => {
    assert.equal(kubeSvcChain(SVC1), 'KUBE-SVC-XPGD46QRK7WJZT7O');
    assert.equal(kubeSepChain(SVC1, SVC1.endpoints[0]!), 'KUBE-SEP-SXIVWICOYRO3J4NJ');
    assert.equal(kubeSvcChain({ ...SVC1, namespace: 'ns5', name: 'svc5' }), 'KUBE-SVC-NUKIZ6OKUXPJNT4C');
    for (const s of serviceCatalog({ count: 20, seed: 3, pods: PODS })) {
      assert.equal(kubeSvcChain(s), `KUBE-SVC-${h16(`cnibench/${s.name}tcp`)}`);
      for (const e of s.endpoints) assert.equal(kubeSepChain(s, e), `KUBE-SEP-${h16(`cnibench/${s.name}tcp${e.ip}:${e.port}`)}`);
    }
    const udp = { ...SVC1, protocol: 'UDP' as const };
    assert.equal(kubeSvcChain(udp), `KUBE-SVC-${h16('ns1/svc1:p80udp')}`);
  });

  test('nftables names equal upstream values', () => {
    assert.equal(nftServiceChain(SVC1), 'service-ULMVA6XW-ns1/svc1/tcp/p80');
    assert.equal(nftEndpointChain(SVC1, SVC1.endpoints[0]!), 'endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80');
    assert.equal(nftServiceChain({ ...SVC1, namespace: 'ns5', name: 'svc5' }), 'service-HVFWP5L3-ns5/svc5/tcp/p80');
    const unnamed = { ...SVC1, portName: '' };
    assert.equal(nftServiceChain(unnamed), `service-${h16('ns1/svc1/tcp/').slice(0, 8)}-ns1/svc1/tcp/`);
  });

  test('probabilities and the mark are formatted as Go formats them', () => {
    assert.equal(probability(3), '0.3333333333');
    assert.equal(probability(2), '0.5000000000');
    assert.equal(probability(7), '0.1428571429');
    assert.equal(probability(2048), '0.0004882812');
    assert.equal(masqueradeMark(14), '0x00004000');
    assert.equal(masqueradeMark(31), '0x80000000');
    assert.throws(() => masqueradeMark(32), /0\.\.31/);
  });
});

interface ParsedRestore {
  declared: Map<string, string[]>;
  rules: { table: string; chain: string; line: string }[];
}

function parseRestore(text: string): ParsedRestore {
  const declared = new Map<string, string[]>();
  const rules: ParsedRestore['rules'] = [];
  let table = '';
  for (const line of text.split('\n')) {
    if (line.startsWith('*')) table = line.slice(1);
    else if (line.startsWith(':')) declared.set(table, [...(declared.get(table) ?? []), line.slice(1).split(' ')[0]!]);
    else if (line.startsWith('-A ') || line.startsWith('-I ')) rules.push({ table, chain: line.split(' ')[1]!, line });
  }
  return { declared, rules };
}

const TARGETS = new Set(['ACCEPT', 'DROP', 'RETURN', 'REJECT', 'MARK', 'MASQUERADE', 'DNAT']);
const BUILTIN = new Set(['PREROUTING', 'INPUT', 'FORWARD', 'OUTPUT', 'POSTROUTING']);

describe('kube-proxy iptables mode', () => {
  const svcs = serviceCatalog({ count: 50, seed: 11, pods: PODS });
  const server = serviceUnderTest({ server: PODS[4]!, port: 12865 });
  const all = [...svcs, server];
  const rs = kubeProxyIptablesRuleset(all, { clusterCIDR: CLUSTER_CIDR, underTest: server });

  test('renders the upstream rules for the upstream example Service', () => {
    const text = kubeProxyIptablesRuleset([SVC1], { clusterCIDR: '10.0.0.0/8' }).text;
    const lines = new Set(text.split('\n'));
    for (const l of [
      '-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O',
      '-A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS',
      '-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ',
      '-A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -j KUBE-SEP-SXIVWICOYRO3J4NJ',
      '-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -s 10.180.0.1 -j KUBE-MARK-MASQ',
      '-A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80',
      '-A KUBE-MARK-MASQ -j MARK --or-mark 0x00004000',
      '-A KUBE-POSTROUTING -m mark ! --mark 0x00004000/0x00004000 -j RETURN',
      '-A KUBE-POSTROUTING -j MARK --xor-mark 0x00004000',
      '-A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE --random-fully',
      '-A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP',
      '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x00004000/0x00004000 -j ACCEPT',
      '-A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT',
      '-A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP',
      '-I PREROUTING 1 -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
      '-I OUTPUT 1 -m comment --comment "kubernetes service portals" -j KUBE-SERVICES',
      '-I POSTROUTING 1 -m comment --comment "kubernetes postrouting rules" -j KUBE-POSTROUTING',
    ]) assert.ok(lines.has(l), `missing: ${l}`);
    // The nodeports rule is the last of nat KUBE-SERVICES; filter FORWARD has the jumps as kube-proxy leaves them.
    const nat = text.slice(text.indexOf('*nat'), text.indexOf('*filter'));
    const natServices = nat.split('\n').filter((l) => l.startsWith('-A KUBE-SERVICES '));
    assert.match(natServices.at(-1)!, /-j KUBE-NODEPORTS$/);
    const forward = text.split('\n').filter((l) => l.startsWith('-I FORWARD '));
    assert.deepEqual(forward.map((l) => l.split(' -j ')[1]), ['KUBE-PROXY-FIREWALL', 'KUBE-FORWARD', 'KUBE-SERVICES', 'KUBE-EXTERNAL-SERVICES']);
  });

  test('spreads three endpoints with probabilities 1/3 and 1/2 in byEndpoint order', () => {
    const svc: ServiceSpec = {
      ...SVC1, endpoints: [{ ip: '10.180.0.2', port: 80 }, { ip: '10.180.0.10', port: 80 }, { ip: '10.180.0.1', port: 80 }],
    };
    const chain = kubeSvcChain(svc);
    const text = kubeProxyIptablesRuleset([svc], { clusterCIDR: '10.0.0.0/8' }).text;
    const toSep = text.split('\n').filter((l) => l.startsWith(`-A ${chain} `) && l.includes('-j KUBE-SEP-'));
    assert.equal(toSep.length, 3);
    // Go compares the "ip:port" strings: "10.180.0.10:80" < "10.180.0.1:80" ('0' < ':') < "10.180.0.2:80".
    assert.match(toSep[0]!, /"ns1\/svc1:p80 -> 10\.180\.0\.10:80" -m statistic --mode random --probability 0\.3333333333 -j KUBE-SEP-/);
    assert.match(toSep[1]!, /"ns1\/svc1:p80 -> 10\.180\.0\.1:80" -m statistic --mode random --probability 0\.5000000000 -j KUBE-SEP-/);
    assert.match(toSep[2]!, /"ns1\/svc1:p80 -> 10\.180\.0\.2:80" -j KUBE-SEP-/);
    assert.ok(!toSep[2]!.includes('statistic'));
    toSep.forEach((l, i) => assert.ok(l.endsWith(kubeSepChain(svc, [svc.endpoints[1]!, svc.endpoints[2]!, svc.endpoints[0]!][i]!))));
  });

  test('declares every chain it uses and uses every chain it declares', () => {
    const { declared, rules } = parseRestore(rs.text);
    for (const [table, chains] of declared) {
      const inTable = rules.filter((r) => r.table === table);
      const targets = new Set(inTable.map((r) => / -[jg] (\S+)/.exec(r.line)?.[1]).filter((t): t is string => !!t));
      for (const c of chains.filter((x) => !BUILTIN.has(x))) assert.ok(targets.has(c), `${table}/${c} declared but never jumped to`);
      for (const t of targets) assert.ok(TARGETS.has(t) || chains.includes(t), `${table}: jump to undeclared ${t}`);
      for (const r of inTable) assert.ok(chains.includes(r.chain), `${table}: rule in undeclared ${r.chain}`);
    }
  });

  test('counts its rules', () => {
    const { rules } = parseRestore(rs.text);
    assert.equal(rs.ruleCount, rules.length);
    const endpoints = all.reduce((n, s) => n + s.endpoints.length, 0);
    assert.equal(rs.endpointCount, endpoints);
    assert.equal(rs.serviceCount, 51);
    // 14 jumps + KUBE-POSTROUTING 3 + KUBE-MARK-MASQ 1 + KUBE-FIREWALL 1 + nodeports 1 + KUBE-FORWARD 3,
    // then per Service: cluster IP + masquerade, per endpoint: SVC->SEP + 2 in the SEP chain.
    assert.equal(rs.ruleCount, 23 + 2 * all.length + 3 * endpoints);
    assert.equal(rs.mode, 'iptables');
  });

  test('reports the chains a NEW connection to the Service under test matches in', () => {
    const sep = kubeSepChain(server, server.endpoints[0]!);
    assert.deepEqual(rs.perConnectionChains, [
      'nat:PREROUTING', 'nat:KUBE-SERVICES', `nat:${kubeSvcChain(server)}`, `nat:${sep}`, 'filter:FORWARD', 'nat:POSTROUTING', 'nat:KUBE-POSTROUTING',
    ]);
    const { rules } = parseRestore(rs.text);
    for (const key of rs.perConnectionChains!) {
      const [table, chain] = key.split(':');
      assert.ok(rules.some((r) => r.table === table && r.chain === chain), `${key} has no rules`);
    }
    const masq = kubeProxyIptablesRuleset(all, { clusterCIDR: CLUSTER_CIDR, underTest: server, client: { ip: '192.168.0.9', local: true } });
    assert.deepEqual(masq.perConnectionChains, [
      'nat:OUTPUT', 'nat:KUBE-SERVICES', `nat:${kubeSvcChain(server)}`, 'nat:KUBE-MARK-MASQ', `nat:${sep}`, 'filter:OUTPUT', 'nat:POSTROUTING', 'nat:KUBE-POSTROUTING',
    ]);
    const hairpin = kubeProxyIptablesRuleset(all, { clusterCIDR: CLUSTER_CIDR, underTest: server, client: { ip: PODS[4]!.ip } });
    assert.ok(hairpin.perConnectionChains!.includes('nat:KUBE-MARK-MASQ') && hairpin.perConnectionChains!.includes('filter:KUBE-FORWARD'));
    assert.ok(!kubeProxyIptablesRuleset(all, { clusterCIDR: CLUSTER_CIDR }).perConnectionChains);
  });

  test('puts the Service under test where it is given: last in KUBE-SERVICES before the nodeports rule', () => {
    const nat = rs.text.slice(rs.text.indexOf('*nat'));
    const natServices = nat.split('\n').filter((l) => l.startsWith('-A KUBE-SERVICES '));
    assert.equal(natServices.length, all.length + 1);
    assert.ok(natServices.at(-2)!.endsWith(`-j ${kubeSvcChain(server)}`));
  });

  test('drops per-endpoint comments above 1000 endpoints, as largeClusterMode does', () => {
    const big = serviceCatalog({ count: 700, seed: 5, pods: PODS });
    const r = kubeProxyIptablesRuleset(big, { clusterCIDR: CLUSTER_CIDR });
    assert.ok(r.endpointCount > 1000);
    const sepLines = r.text.split('\n').filter((l) => l.startsWith('-A KUBE-SEP-') || / -j KUBE-SEP-/.test(l));
    assert.ok(sepLines.length > 0 && sepLines.every((l) => !l.includes('--comment')));
    assert.ok(r.text.includes('cluster IP"'));
    const smallText = kubeProxyIptablesRuleset(big.slice(0, 10), { clusterCIDR: CLUSTER_CIDR }).text;
    assert.ok(smallText.split('\n').filter((l) => l.startsWith('-A KUBE-SEP-')).every((l) => l.includes('--comment')));
  });

  test('rejects connections to a Service without endpoints in filter KUBE-SERVICES', () => {
    const empty = { ...SVC1, endpoints: [] };
    const text = kubeProxyIptablesRuleset([empty], { clusterCIDR: '10.0.0.0/8' }).text;
    assert.ok(text.includes('-A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j REJECT'));
    assert.ok(!text.includes('KUBE-SVC-'));
    assert.throws(() => kubeProxyIptablesRuleset([empty], { clusterCIDR: '10.0.0.0/8', underTest: empty }), /no endpoints.*give it the server pod/);
  });

  test('honours masqueradeAll, localhostNodePorts, randomFully and conntrackTCPLiberal', () => {
    const text = kubeProxyIptablesRuleset([SVC1], {
      clusterCIDR: '10.0.0.0/8', masqueradeAll: true, localhostNodePorts: false, randomFully: false, conntrackTCPLiberal: true,
    }).text;
    assert.ok(text.includes('--dport 80 -j KUBE-MARK-MASQ') && !text.includes('! -s 10.0.0.0/8'));
    assert.ok(text.includes('-m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-NODEPORTS'));
    assert.ok(!text.includes('--random-fully') && !text.includes('INVALID') && !text.includes('block incoming localnet'));
  });

  test('refuses bad input with a clear message', () => {
    assert.throws(() => kubeProxyIptablesRuleset([SVC1, SVC1], { clusterCIDR: '10.0.0.0/8' }), /listed twice/);
    assert.throws(() => kubeProxyIptablesRuleset([SVC1], { clusterCIDR: '10.0.0.0' }), /clusterCIDR 10\.0\.0\.0 is not an IPv4 CIDR/);
    assert.throws(() => kubeProxyIptablesRuleset([{ ...SVC1, port: 0 }], { clusterCIDR: '10.0.0.0/8' }), /port 0/);
    assert.throws(() => kubeProxyIptablesRuleset([SVC1], { clusterCIDR: '10.0.0.0/8', underTest: { namespace: 'x', name: 'y' } }), /x\/y is not among/);
  });
});

describe('kube-proxy nftables mode', () => {
  const svcs = serviceCatalog({ count: 50, seed: 11, pods: PODS });
  const server = serviceUnderTest({ server: PODS[4]!, port: 12865 });
  const all = [...svcs, server];
  const rs = kubeProxyNftablesRuleset(all, { clusterCIDR: CLUSTER_CIDR, serviceCidrs: ['10.96.0.0/12'], underTest: server });
  const lines = rs.text.split('\n');

  test('starts by replacing the table, so the text loads repeatedly', () => {
    assert.deepEqual(lines.slice(0, 3), ['add table ip kube-proxy', 'delete table ip kube-proxy', 'add table ip kube-proxy { comment "rules for kube-proxy" ; }']);
    assert.ok(lines.includes('add chain ip kube-proxy nat-prerouting { type nat hook prerouting priority dstnat ; }'));
    assert.ok(lines.includes('add chain ip kube-proxy filter-prerouting-pre-dnat { type filter hook prerouting priority -110 ; }'));
    assert.ok(lines.includes('add chain ip kube-proxy nat-postrouting { type nat hook postrouting priority srcnat ; }'));
    assert.ok(lines.includes('add map ip kube-proxy service-ips { type ipv4_addr . inet_proto . inet_service : verdict ; comment "ClusterIP, ExternalIP and LoadBalancer IP traffic" ; }'));
    assert.ok(lines.includes('add rule ip kube-proxy services ip daddr . meta l4proto . th dport vmap @service-ips'));
    assert.ok(lines.includes('add rule ip kube-proxy cluster-ips-check ip daddr { 10.96.0.0/12 } drop comment "Drop traffic to unallocated ClusterIPs"'));
  });

  test('renders the upstream rules for the upstream example Service', () => {
    const text = kubeProxyNftablesRuleset([SVC1], { clusterCIDR: '10.0.0.0/8' }).text.split('\n');
    for (const l of [
      'add chain ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80',
      'add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 ip daddr 172.30.0.41 ip saddr != 10.0.0.0/8 jump mark-for-masquerade',
      'add rule ip kube-proxy service-ULMVA6XW-ns1/svc1/tcp/p80 numgen random mod 1 vmap { 0 : goto endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 }',
      'add chain ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80',
      'add rule ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 ip saddr 10.180.0.1 jump mark-for-masquerade',
      'add rule ip kube-proxy endpoint-5OJB2KTY-ns1/svc1/tcp/p80__10.180.0.1/80 meta l4proto tcp dnat to 10.180.0.1:80',
      'add element ip kube-proxy cluster-ips { 172.30.0.41 }',
      'add element ip kube-proxy service-ips { 172.30.0.41 . tcp . 80 : goto service-ULMVA6XW-ns1/svc1/tcp/p80 }',
      'add rule ip kube-proxy mark-for-masquerade mark set mark or 0x00004000',
      'add rule ip kube-proxy masquerading mark and 0x00004000 == 0 return',
      'add rule ip kube-proxy masquerading masquerade fully-random',
      'add rule ip kube-proxy nat-prerouting jump services',
      'add rule ip kube-proxy filter-forward ct state new jump service-endpoints-check',
    ]) assert.ok(text.includes(l), `missing: ${l}`);
  });

  test('has one service-ips element per Service and numgen mod equal to its endpoint count', () => {
    const elements = lines.filter((l) => l.startsWith('add element ip kube-proxy service-ips {'));
    assert.equal(elements.length, all.length);
    for (const s of all) {
      const chain = nftServiceChain(s);
      assert.ok(elements.includes(`add element ip kube-proxy service-ips { ${s.clusterIP} . tcp . ${s.port} : goto ${chain} }`));
      const numgen = lines.filter((l) => l.startsWith(`add rule ip kube-proxy ${chain} numgen`));
      assert.equal(numgen.length, 1);
      const m = /numgen random mod (\d+) vmap \{ (.*) \}$/.exec(numgen[0]!)!;
      assert.equal(Number(m[1]), s.endpoints.length);
      const targets = m[2]!.split(' , ');
      assert.equal(targets.length, s.endpoints.length);
      targets.forEach((t, i) => assert.match(t, new RegExp(`^${i} : goto endpoint-`)));
    }
  });

  test('declares every chain before it is used and uses every chain it declares', () => {
    const declared: string[] = [];
    const referenced = new Set<string>();
    for (const l of lines) {
      const chain = /^add chain ip kube-proxy (\S+)/.exec(l)?.[1];
      if (chain) declared.push(chain);
      const ruleChain = /^add rule ip kube-proxy (\S+)/.exec(l)?.[1];
      if (ruleChain) assert.ok(declared.includes(ruleChain), `rule in ${ruleChain} before its chain`);
      for (const m of l.matchAll(/(?:jump|goto) (\S+)/g)) {
        assert.ok(declared.includes(m[1]!), `${m[1]} referenced before it is declared`);
        referenced.add(m[1]!);
      }
    }
    const base = new Set(['filter-prerouting-pre-dnat', 'filter-output-pre-dnat', 'filter-input', 'filter-forward', 'filter-output', 'nat-prerouting', 'nat-output', 'nat-postrouting']);
    // reject-chain is upstream's helper for no-endpoint-services elements: always there, used only when one exists.
    for (const c of declared) if (!base.has(c) && c !== 'reject-chain') assert.ok(referenced.has(c), `${c} declared but never used`);
    assert.equal(new Set(declared).size, declared.length);
  });

  test('counts its rules and adds counters on request', () => {
    assert.equal(rs.ruleCount, lines.filter((l) => l.startsWith('add rule ')).length);
    const endpoints = all.reduce((n, s) => n + s.endpoints.length, 0);
    // Setup: 11 jumps + 4 masquerade + 2 cluster-ips-check + reject + 2 endpoint checks + firewall-check + 2 services.
    assert.equal(rs.ruleCount, 23 + 2 * all.length + 2 * endpoints);
    assert.equal(rs.mode, 'nftables');
    const counted = kubeProxyNftablesRuleset(all, { clusterCIDR: CLUSTER_CIDR, counters: true });
    const rules = counted.text.split('\n').filter((l) => l.startsWith('add rule '));
    assert.ok(rules.every((l) => /^add rule ip kube-proxy \S+ counter /.test(l)));
    assert.equal(counted.ruleCount, rs.ruleCount - 1);
  });

  test('reports the chains and map a NEW connection to the Service under test goes through', () => {
    assert.deepEqual(rs.perConnectionChains, [
      'filter-prerouting-pre-dnat', 'nat-prerouting', 'services', '@service-ips', nftServiceChain(server),
      nftEndpointChain(server, server.endpoints[0]!), 'filter-forward', 'nat-postrouting', 'masquerading',
    ]);
    for (const c of rs.perConnectionChains!) {
      if (c.startsWith('@')) assert.ok(lines.some((l) => l.includes(`vmap ${c}`)));
      else assert.ok(lines.some((l) => l.startsWith(`add rule ip kube-proxy ${c} `)), `${c} has no rules`);
    }
    const local = kubeProxyNftablesRuleset(all, { clusterCIDR: CLUSTER_CIDR, underTest: server, client: { ip: '192.168.0.9', local: true } });
    assert.deepEqual(local.perConnectionChains!.slice(0, 2), ['filter-output-pre-dnat', 'nat-output']);
    assert.ok(local.perConnectionChains!.includes('mark-for-masquerade') && local.perConnectionChains!.includes('filter-output'));
  });

  test('sends a Service without endpoints to the reject chain', () => {
    const text = kubeProxyNftablesRuleset([{ ...SVC1, endpoints: [] }], { clusterCIDR: '10.0.0.0/8' }).text;
    assert.ok(text.includes('add element ip kube-proxy no-endpoint-services { 172.30.0.41 . tcp . 80 comment "ns1/svc1:p80" : goto reject-chain }'));
    assert.ok(!text.includes('service-ULMVA6XW'));
  });
});

describe('eBPF socket load balancer maps (sock_lb.c layout)', () => {
  const svc = (name: string, clusterIP: string, port: number, protocol: 'TCP' | 'UDP', endpoints: [string, number][]): ServiceSpec => ({
    name, namespace: 'ns', clusterIP, port, protocol, targetPort: endpoints[0]?.[1] ?? port, endpoints: endpoints.map(([ip, p]) => ({ ip, port: p })),
  });
  test('slots 1..n name backends (ip:port shared between Services), slot 0 carries the count and is written last', () => {
    const { lines, servicePorts, backends } = socketLbMapWrites([
      svc('a', '10.96.0.10', 80, 'TCP', [['10.244.0.3', 8080], ['10.244.0.2', 8080]]),
      svc('b', '10.96.0.11', 53, 'UDP', [['10.244.0.2', 8080]]),
    ], '/run/x/maps');
    assert.equal(servicePorts, 2);
    assert.equal(backends, 2, '10.244.0.2:8080 is one backend of both Services');
    // Endpoints sorted as kube-proxy sorts them: 10.244.0.2 is backend 1. Port 8080 = 0x1f90 in network order.
    assert.equal(lines[0], 'map update pinned /run/x/maps/backends key hex 0x01 0x00 0x00 0x00 value hex 0x0a 0xf4 0x00 0x02 0x1f 0x90 0x00 0x00');
    // services key: address, port 80 (0x0050) in network order, slot (host order), protocol 6, padding.
    assert.equal(lines[1], 'map update pinned /run/x/maps/services key hex 0x0a 0x60 0x00 0x0a 0x00 0x50 0x01 0x00 0x06 0x00 0x00 0x00 value hex 0x01 0x00 0x00 0x00 0x00 0x00 0x00 0x00');
    assert.equal(lines[4], 'map update pinned /run/x/maps/services key hex 0x0a 0x60 0x00 0x0a 0x00 0x50 0x00 0x00 0x06 0x00 0x00 0x00 value hex 0x00 0x00 0x00 0x00 0x02 0x00 0x00 0x00');
    assert.match(lines.at(-1)!, /key hex 0x0a 0x60 0x00 0x0b 0x00 0x35 0x00 0x00 0x11 .* value hex 0x00 0x00 0x00 0x00 0x01 0x00/, 'UDP 53, one backend');
    assert.equal(lines.length, 2 + 3 + 2);
  });
  test('the catalog of 10,000 Services fits the maps; a path a batch file cannot carry is refused', () => {
    const services = serviceCatalog({ count: 10_000, seed: 7, serviceCidr: '10.96.0.0/12', pods: [{ ip: '10.244.0.2', node: 'node-a' }, { ip: '10.244.1.2', node: 'node-b' }] });
    const w = socketLbMapWrites(services, '/run/x/maps');
    assert.equal(w.servicePorts, 10_000);
    assert.equal(w.lines.length, w.backends + services.reduce((n, s) => n + s.endpoints.length + 1, 0));
    assert.throws(() => socketLbMapWrites(services.slice(0, 1), '/run/x y/maps'), /whitespace/);
  });
});
