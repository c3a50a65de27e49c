// Policy rulesets (src/testbed/policy): pure checks of the generators, and, as root, applying each ruleset
// with both iptables flavours in throwaway namespaces (prefix cnibtestpol) and checking that the test traffic
// passes and is counted on the per-packet chains. Never touches the root network namespace.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import {
  CALICO_DEFAULT_RULES,
  applyRuleset,
  calicoRuleset,
  chainKey,
  detectIptablesFlavours,
  kubeRouterRuleset,
  lintRuleset,
  parseIptablesSave,
  readChainCounters,
  readChainPackets,
  listedPackets,
  tokenizeRule,
  weaveNpcRuleset,
  weaveShortName,
  type ChainCounter,
  type IptablesFlavour,
  type Ruleset,
} from '../src/testbed/policy/index.ts';
import { MAX_POLICY_RULES, scaleRules } from '../src/testbed/policy/scaleRules.ts';
import { stopPids } from '../src/testbed/processes.ts';
import { run, spawnDaemon } from '../src/util/exec.ts';

const WORKLOADS = [
  { iface: 'cali3f9a1c2b4d5', ip: '10.65.0.2' },
  { iface: 'cali8e7d6c5b4a3', ip: '10.65.0.3' },
];
const WEAVE_PODS = [{ ip: '10.32.0.2' }, { ip: '10.32.0.3' }];
const KR_PODS = [{ ip: '10.244.0.2' }, { ip: '10.244.0.3' }];

function allRulesets(): Record<string, Ruleset> {
  return {
    'calico-np': calicoRuleset({ policy: false, workloads: WORKLOADS }),
    'calico-wp': calicoRuleset({ policy: true, workloads: WORKLOADS }),
    'calico-wp-vxlan': calicoRuleset({ policy: true, workloads: WORKLOADS, encap: 'vxlan', rules: 800 }),
    'calico-wp-1wl': calicoRuleset({ policy: true, workloads: WORKLOADS.slice(0, 1), encap: 'none' }),
    weave: weaveNpcRuleset({ bridge: 'weave', pods: WEAVE_PODS }),
    'kube-router': kubeRouterRuleset({ bridge: 'kube-bridge', pods: KR_PODS }),
    'kube-router+policy': kubeRouterRuleset({ bridge: 'kube-bridge', pods: KR_PODS, policy: true }),
    'calico-wp+rules': calicoRuleset({ policy: true, workloads: WORKLOADS, policyRules: 50 }),
    'weave+rules': weaveNpcRuleset({ bridge: 'weave', pods: WEAVE_PODS, policyRules: 50 }),
    'kube-router+rules': kubeRouterRuleset({ bridge: 'kube-bridge', pods: KR_PODS, policyRules: 50 }),
  };
}

/** The rules of one chain, in order, as `args` strings. */
function chainRules(rs: Ruleset, table: string, chain: string): string[] {
  return parseIptablesSave(rs.iptables).find((t) => t.name === table)?.chains.get(chain)?.rules.map((r) => `${r.args.join(' ')} -j ${r.target}`) ?? [];
}

describe('policy rulesets (pure)', () => {
  test('generators are deterministic', () => {
    assert.deepEqual(allRulesets(), allRulesets());
  });

  test('calico-wp rule count is within ±10% of the target; calico-np is much smaller', () => {
    const np = calicoRuleset({ policy: false, workloads: WORKLOADS });
    for (const target of [CALICO_DEFAULT_RULES, 300, 1000, 2500]) {
      const wp = target === CALICO_DEFAULT_RULES ? calicoRuleset({ policy: true, workloads: WORKLOADS }) : calicoRuleset({ policy: true, workloads: WORKLOADS, rules: target });
      assert.ok(Math.abs(wp.ruleCount - target) <= target * 0.1, `wp ruleCount ${wp.ruleCount} for target ${target}`);
    }
    const wp = calicoRuleset({ policy: true, workloads: WORKLOADS });
    assert.ok(np.ruleCount * 2 < wp.ruleCount, `np ${np.ruleCount} vs wp ${wp.ruleCount}`);
  });

  test('every chain jumped to is defined, no chain is defined twice, ruleCount matches the text', () => {
    for (const [name, rs] of Object.entries(allRulesets())) {
      assert.deepEqual(lintRuleset(rs), [], name);
      assert.ok(rs.perPacketChains.length > 0, name);
    }
  });

  test('lint catches undefined and duplicate chains', () => {
    const bad: Ruleset = { iptables: '*filter\n:A - [0:0]\n:A - [0:0]\n-A A -j B\n-A FORWARD -g C\nCOMMIT\n', ipsets: '', ruleCount: 3, perPacketChains: ['filter:Z'] };
    const problems = lintRuleset(bad);
    assert.ok(problems.some((p) => p.includes('declared 2 times')));
    assert.ok(problems.some((p) => p.includes('undefined chain B')));
    assert.ok(problems.some((p) => p.includes('undefined chain C')));
    assert.ok(problems.some((p) => p.includes('ruleCount')));
    assert.ok(problems.some((p) => p.includes('filter:Z')));
  });

  test('calico-wp: dispatch is a two-level tree on the per-packet path, policies end in allows', () => {
    const np = calicoRuleset({ policy: false, workloads: WORKLOADS });
    const wp = calicoRuleset({ policy: true, workloads: WORKLOADS });
    const child = (rs: Ruleset) => rs.perPacketChains.filter((c) => /^filter:cali-from-wl-dispatch-./.test(c));
    assert.equal(child(np).length, 0);
    assert.equal(child(wp).length, 2);
    assert.ok(wp.perPacketChains.length > np.perPacketChains.length);
    // Established packets are accepted at the top of the workload chains, as Felix does.
    const filter = parseIptablesSave(wp.iptables).find((t) => t.name === 'filter')!;
    for (const w of WORKLOADS) {
      for (const prefix of ['cali-fw-', 'cali-tw-']) {
        const first = filter.chains.get(prefix + w.iface)!.rules[0]!;
        assert.ok(first.args.join(' ').includes('--ctstate RELATED,ESTABLISHED') && first.target === 'ACCEPT', prefix + w.iface);
      }
    }
    // Group chains, policy chains with ipset / port / CIDR matches and the MARK+RETURN allow pattern.
    assert.match(wp.iptables, /^:cali-gi-/m);
    assert.match(wp.iptables, /-m set --match-set cali40s:\S+ src -m multiport --dports 80,443,8080 -j MARK --set-xmark 0x10000\/0x10000/);
    assert.match(wp.iptables, /--source 203\.0\.113\.0\/24 -j DROP/);
    assert.match(wp.iptables, /-m mark --mark 0x10000\/0x10000 -j RETURN/);
    assert.match(wp.ipsets, /^create cali40s:\S{23} hash:net/m);
    // Interface names Calico-style and no longer than 15 characters; chain names no longer than 28.
    for (const t of parseIptablesSave(wp.iptables)) for (const c of t.chains.keys()) assert.ok(c.length <= 28, c);
    for (const m of wp.iptables.matchAll(/-[io] (cali[^+\s]*)\s/g)) assert.ok(m[1]!.length <= 15, m[1]);
  });

  test('--policy-rules adds N rules ahead of the one admitting the test flow, the same peers for every CNI', () => {
    const n = 40;
    const sets = (rs: Ruleset) => rs.ipsets.split('\n').filter((l) => l.startsWith('create ')).length;
    // Calico: 2 iptables rules per allow (MARK, then RETURN on the mark), in the netperf ingress policy; the node's
    // filler endpoints stay as without them.
    const wp = calicoRuleset({ policy: true, workloads: WORKLOADS });
    const wpN = calicoRuleset({ policy: true, workloads: WORKLOADS, policyRules: n });
    assert.equal(wpN.ruleCount - wp.ruleCount, 2 * n);
    const [ingress] = chainsWithComment(wpN, 'NetworkPolicy default/default.allow-netperf ingress');
    const calicoChain = chainRules(wpN, 'filter', ingress!.split(':')[1]!);
    const firstScale = calicoChain.findIndex((r) => r.includes('--source 198.18.0.1/32'));
    const lastScale = calicoChain.findIndex((r) => r.includes(`--source 198.18.0.${n}/32`));
    const admit = calicoChain.findIndex((r, i) => i > lastScale && /^-p tcp -j MARK/.test(r.replace(/-m comment --comment \S+ /, '')));
    assert.ok(firstScale >= 0 && lastScale > firstScale && admit > lastScale, `scale rules at ${firstScale}–${lastScale}, admit at ${admit}`);
    // Weave: a policy selecting the pods takes them out of the ingress default-allow set; one ACCEPT per rule, then
    // the rule admitting the namespace's pods; an IP set per ipBlock and one for the selected pods.
    const weave = weaveNpcRuleset({ bridge: 'weave', pods: WEAVE_PODS });
    const weaveN = weaveNpcRuleset({ bridge: 'weave', pods: WEAVE_PODS, policyRules: n });
    assert.equal(weaveN.ruleCount - weave.ruleCount, n + 1);
    assert.equal(sets(weaveN) - sets(weave), n + 1);
    const ing = chainRules(weaveN, 'filter', 'WEAVE-NPC-INGRESS');
    assert.equal(ing.length, n + 1);
    assert.ok(ing.slice(0, n).every((r) => /--dport \d+/.test(r)) && !/--dport/.test(ing[n]!), 'ipBlock rules first, the admitting rule last');
    const defaultAllow = `weave-${weaveShortName('ingress-default-allow:default')}`;
    assert.doesNotMatch(weaveN.ipsets, new RegExp(`^add ${defaultAllow.replace(/[$()*+.?[\]^{|}\\/]/g, '\\$&')} `, 'm'));
    assert.match(weave.ipsets, new RegExp(`^add ${defaultAllow.replace(/[$()*+.?[\]^{|}\\/]/g, '\\$&')} 10\\.32\\.0\\.2`, 'm'));
    // kube-router: MARK + RETURN per rule in the policy chain, a KUBE-SRC hash:net set per rule, before the allow-all.
    const kr = kubeRouterRuleset({ bridge: 'kube-bridge', pods: KR_PODS, policy: true });
    const krN = kubeRouterRuleset({ bridge: 'kube-bridge', pods: KR_PODS, policyRules: n });
    assert.equal(krN.ruleCount - kr.ruleCount, 2 * n);
    assert.equal(sets(krN) - sets(kr), n);
    const policyChain = parseIptablesSave(krN.iptables).find((t) => t.name === 'filter')!.chains.get([...parseIptablesSave(krN.iptables).find((t) => t.name === 'filter')!.chains.keys()].find((c) => c.startsWith('KUBE-NWPLCY-') && c !== 'KUBE-NWPLCY-DEFAULT')!)!;
    const texts = policyChain.rules.map((r) => r.args.join(' '));
    const lastPort = texts.map((t) => /--dport (\d+)/.exec(t)?.[1]).lastIndexOf(String(1024 + n - 1));
    const allowAll = texts.findIndex((t) => t.includes('from all sources'));
    assert.ok(lastPort >= 0 && allowAll > lastPort, `last scale rule at ${lastPort}, allow-all at ${allowAll}`);
  });

  test('--policy-rules 0 is the policy with no rule added, not the absence of a policy (a sweep\'s smallest size)', () => {
    // Weave: the pods leave the ingress default-allow set and the admitting rule is there, as at any other size.
    const weave = weaveNpcRuleset({ bridge: 'weave', pods: WEAVE_PODS });
    const weave0 = weaveNpcRuleset({ bridge: 'weave', pods: WEAVE_PODS, policyRules: 0 });
    const weave1 = weaveNpcRuleset({ bridge: 'weave', pods: WEAVE_PODS, policyRules: 1 });
    assert.equal(chainRules(weave0, 'filter', 'WEAVE-NPC-INGRESS').length, 1);
    assert.equal(weave0.ruleCount - weave.ruleCount, 1);
    assert.equal(weave1.ruleCount - weave0.ruleCount, 1);
    const defaultAllow = `weave-${weaveShortName('ingress-default-allow:default')}`.replace(/[$()*+.?[\]^{|}\\/]/g, '\\$&');
    assert.doesNotMatch(weave0.ipsets, new RegExp(`^add ${defaultAllow} `, 'm'));
    // kube-router: the policy chain exists (the rules of policy: true), and one rule more adds exactly its two.
    const kr = kubeRouterRuleset({ bridge: 'kube-bridge', pods: KR_PODS, policy: true });
    const kr0 = kubeRouterRuleset({ bridge: 'kube-bridge', pods: KR_PODS, policyRules: 0 });
    const kr1 = kubeRouterRuleset({ bridge: 'kube-bridge', pods: KR_PODS, policyRules: 1 });
    assert.equal(kr0.ruleCount, kr.ruleCount);
    assert.equal(kr1.ruleCount - kr0.ruleCount, 2);
    // Calico-wp: its policy is there either way; 0 adds nothing.
    assert.equal(calicoRuleset({ policy: true, workloads: WORKLOADS, policyRules: 0 }).ruleCount, calicoRuleset({ policy: true, workloads: WORKLOADS }).ruleCount);
  });

  test('a listed chain\'s packets are the sum of its rules\' counters; anything else is refused', () => {
    const text = [
      'Chain FORWARD (policy ACCEPT 7 packets, 420 bytes)',
      '    pkts      bytes target     prot opt in     out     source               destination         ',
      '     120    10080 KUBE-ROUTER-FORWARD  0    --  *      *       0.0.0.0/0            0.0.0.0/0            /* kube-router netpol */',
      '       3      180            0    --  *      *       0.0.0.0/0            0.0.0.0/0           ',
      '',
    ].join('\n');
    assert.equal(listedPackets(text), 123, 'the policy\'s own count is not a rule\'s');
    assert.equal(listedPackets('Chain X (1 references)\n    pkts      bytes target     prot opt in     out     source               destination\n'), 0);
    assert.throws(() => listedPackets('*filter\n:INPUT ACCEPT [0:0]\n'), /not the listing of one chain/);
    assert.throws(() => listedPackets('Chain X (1 references)\n    pkts bytes\n  many  0 ACCEPT\n'), /without a packet count/);
  });

  test('--policy-rules is refused out of range', () => {
    assert.throws(() => scaleRules(-1), /whole number/);
    assert.throws(() => scaleRules(MAX_POLICY_RULES + 1), /whole number/);
    assert.equal(new Set(scaleRules(1000).map((r) => r.cidr)).size, 1000);
  });

  test('calico rejects interface names that are not cali… or too long', () => {
    assert.throws(() => calicoRuleset({ policy: false, workloads: [{ iface: 'veth0', ip: '10.0.0.1' }] }));
    assert.throws(() => calicoRuleset({ policy: false, workloads: [{ iface: 'cali0123456789ab', ip: '10.0.0.1' }] }));
  });

  test('CIDR rules avoid the workload addresses', () => {
    const rs = calicoRuleset({ policy: true, workloads: [{ iface: 'calia', ip: '203.0.113.5' }, { iface: 'calib', ip: '198.51.100.7' }] });
    assert.doesNotMatch(rs.iptables, /203\.0\.113\.0\/24|198\.51\.100\.0\/24/);
  });

  test('weave shortName matches weave-npc (base-85 sha1, ≤ 25 characters)', () => {
    const n = weaveShortName('ingress-default-allow:default');
    assert.ok(n.length <= 25 && n.length >= 20, n);
    assert.equal(weaveShortName('x'), weaveShortName('x'));
  });

  test('tokenizer handles quotes and escapes', () => {
    assert.deepEqual(tokenizeRule(`-A X -m comment --comment "a \\"b\\" 'c'" -j ACCEPT`), ['-A', 'X', '-m', 'comment', '--comment', `a "b" 'c'`, '-j', 'ACCEPT']);
  });
});

// ---------------------------------------------------------------------------------------------------------
// Root: apply in namespaces and send traffic.

const isRoot = process.getuid?.() === 0;
const needRoot = (t: { skip: (msg: string) => void }): boolean => {
  if (isRoot) return true;
  if (process.env.CI === 'true') assert.fail('policy namespace tests need root (CI=true)');
  t.skip('needs root: creates network namespaces');
  return false;
};

const PREFIX = `cnibtestpol${process.pid.toString(36)}`;
let nsCounter = 0;
let flavoursFound: Promise<IptablesFlavour[]> | undefined;
const flavours = (): Promise<IptablesFlavour[]> => (flavoursFound ??= detectIptablesFlavours({ nsPrefix: 'cnibtestpolprobe' }));

class Namespaces {
  readonly names: string[] = [];
  async add(tag: string): Promise<string> {
    const name = `${PREFIX}${tag}${nsCounter++}`;
    await run(['ip', 'netns', 'add', name]);
    this.names.push(name);
    await run(['ip', 'link', 'set', 'lo', 'up'], { ns: name });
    return name;
  }
  async cleanup(): Promise<void> {
    for (const n of this.names.reverse()) await run(['ip', 'netns', 'del', n], { reject: false });
  }
}

const sysctl = (ns: string, key: string, value: string) => run(['sysctl', '-q', '-w', `${key}=${value}`], { ns });

/** Calico: routed veths, /32 pod addresses, proxy ARP for 169.254.1.1, /32 host routes. */
async function calicoTopology(nss: Namespaces): Promise<{ node: string; pods: string[] }> {
  const node = await nss.add('n');
  await sysctl(node, 'net.ipv4.ip_forward', '1');
  // The node's "uplink" (a veth pair inside the node namespace carrying the node address and the default
  // route), so that proxy ARP for 169.254.1.1 finds a route out of another interface.
  await run(['ip', 'link', 'add', 'cnbup0', 'type', 'veth', 'peer', 'name', 'cnbup1'], { ns: node });
  await run(['ip', 'addr', 'add', '172.31.255.1/32', 'dev', 'cnbup0'], { ns: node });
  await run(['ip', 'link', 'set', 'cnbup1', 'up'], { ns: node });
  await run(['ip', 'link', 'set', 'cnbup0', 'up'], { ns: node });
  await run(['ip', 'route', 'add', 'default', 'dev', 'cnbup0'], { ns: node });
  const pods: string[] = [];
  for (const w of WORKLOADS) {
    const pod = await nss.add('p');
    pods.push(pod);
    await run(['ip', 'link', 'add', w.iface, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pod], { ns: node });
    await run(['ip', 'link', 'set', w.iface, 'up'], { ns: node });
    await sysctl(node, `net.ipv4.conf.${w.iface}.proxy_arp`, '1');
    await sysctl(node, `net.ipv4.neigh.${w.iface}.proxy_delay`, '0');
    await run(['ip', 'route', 'add', `${w.ip}/32`, 'dev', w.iface], { ns: node });
    await run(['ip', 'addr', 'add', `${w.ip}/32`, 'dev', 'eth0'], { ns: pod });
    await run(['ip', 'link', 'set', 'eth0', 'up'], { ns: pod });
    await run(['ip', 'route', 'add', '169.254.1.1', 'dev', 'eth0', 'scope', 'link'], { ns: pod });
    await run(['ip', 'route', 'add', 'default', 'via', '169.254.1.1', 'dev', 'eth0', 'onlink'], { ns: pod });
  }
  return { node, pods };
}

/** Weave / kube-router: a Linux bridge with br_netfilter on, two pods on it. */
async function bridgeTopology(nss: Namespaces, bridge: string, pods: { ip: string }[], prefixLen: number): Promise<{ node: string; pods: string[] }> {
  const node = await nss.add('n');
  await sysctl(node, 'net.bridge.bridge-nf-call-iptables', '1');
  await run(['ip', 'link', 'add', bridge, 'type', 'bridge'], { ns: node });
  await run(['ip', 'link', 'set', bridge, 'up'], { ns: node });
  const names: string[] = [];
  for (const [i, p] of pods.entries()) {
    const pod = await nss.add('p');
    names.push(pod);
    const host = `vethcnb${i}`;
    await run(['ip', 'link', 'add', host, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', pod], { ns: node });
    await run(['ip', 'link', 'set', host, 'master', bridge, 'up'], { ns: node });
    await run(['ip', 'addr', 'add', `${p.ip}/${prefixLen}`, 'dev', 'eth0'], { ns: pod });
    await run(['ip', 'link', 'set', 'eth0', 'up'], { ns: pod });
  }
  return { node, pods: names };
}

/** ping both ways, then netperf TCP_RR and UDP_RR from pod 0 to pod 1 (netserver started and stopped here). */
async function traffic(pods: string[], ips: string[]): Promise<void> {
  const [a, b] = pods as [string, string];
  const [ipA, ipB] = ips as [string, string];
  await run(['ping', '-c', '3', '-i', '0.2', '-W', '2', ipB], { ns: a, timeoutMs: 15_000 });
  await run(['ping', '-c', '2', '-i', '0.2', '-W', '2', ipA], { ns: b, timeoutMs: 15_000 });
  const server = spawnDaemon(['netserver', '-D', '-f', '-L', ipB, '-p', '12865'], { ns: b, logFile: '/dev/null' });
  try {
    let lastErr = '';
    for (const t of ['TCP_RR', 'UDP_RR']) {
      let ok = false;
      for (let attempt = 0; attempt < 20 && !ok; attempt++) {
        const r = await run(['netperf', '-H', ipB, '-p', '12865', '-t', t, '-l', '-200', '-P', '0'], { ns: a, reject: false, timeoutMs: 20_000 });
        ok = r.exitCode === 0 && /\d/.test(r.stdout);
        lastErr = `${t}: exit ${r.exitCode} ${r.stderr.trim()} ${r.stdout.trim()}`;
        if (!ok) await new Promise((res) => setTimeout(res, 100));
      }
      assert.ok(ok, `netperf failed: ${lastErr}`);
    }
  } finally {
    // netserver may ignore SIGTERM; it holds no state worth a clean exit.
    await stopPids([server.pid], 0);
  }
}

interface Measured {
  applyMs: number;
  counters: ChainCounter[];
}

async function applyAndRun(flavour: IptablesFlavour, rs: Ruleset, topo: { node: string; pods: string[] }, ips: string[]): Promise<Measured> {
  const t0 = performance.now();
  await applyRuleset(topo.node, flavour, rs);
  const applyMs = performance.now() - t0;
  await traffic(topo.pods, ips);
  const counters = await readChainCounters(topo.node, flavour);
  const installed = counters.reduce((s, c) => s + c.rules, 0);
  assert.equal(installed, rs.ruleCount, 'rules read back from the namespace');
  const byKey = new Map(counters.map((c) => [chainKey(c.table, c.chain), c]));
  for (const key of rs.perPacketChains) {
    const c = byKey.get(key);
    assert.ok(c, `chain ${key} not installed`);
    assert.ok(c.packets > 0, `no packets counted on per-packet chain ${key}`);
  }
  // Saving only the tables of the per-packet chains reads the same counters for them, and nothing of other tables.
  const tables = [...new Set(rs.perPacketChains.map((k) => k.split(':')[0]!))];
  const some = await readChainCounters(topo.node, flavour, tables);
  assert.deepEqual([...new Set(some.map((c) => c.table))].sort(), [...tables].sort());
  for (const key of rs.perPacketChains) {
    const c = some.find((x) => chainKey(x.table, x.chain) === key);
    assert.ok(c && c.packets === byKey.get(key)!.packets, `${key}: ${c?.packets} packets read by table, ${byKey.get(key)!.packets} by one save`);
  }
  // Listing the per-packet chains one by one (a node with a big policy) reads the same packets again.
  const listed = await readChainPackets(topo.node, flavour, rs.perPacketChains);
  for (const key of rs.perPacketChains) assert.equal(listed.get(key), byKey.get(key)!.packets, `${key}: listed against saved`);
  // Nothing of the test traffic was dropped or rejected by the ruleset.
  const saved = await run([`iptables-${flavour}-save`, '-c'], { ns: topo.node });
  for (const t of parseIptablesSave(saved.stdout)) {
    for (const c of t.chains.values()) {
      for (const r of c.rules) {
        if (r.target === 'DROP' || r.target === 'REJECT') assert.equal(r.packets, 0, `${t.name}/${c.name} ${r.target} counted ${r.packets} packets: ${r.args.join(' ')}`);
      }
    }
  }
  return { applyMs, counters };
}

/** Chains (table:chain) whose first rule carries the given comment, e.g. Felix's policy chain comment. */
function chainsWithComment(rs: Ruleset, comment: string): string[] {
  const out: string[] = [];
  for (const t of parseIptablesSave(rs.iptables)) {
    for (const c of t.chains.values()) if (c.rules[0]?.args.includes(comment)) out.push(chainKey(t.name, c.name));
  }
  return out;
}

/** Rules in the filter-table chains of the per-packet path (an upper bound on rules an established packet evaluates). */
function pathRules(rs: Ruleset, counters: ChainCounter[]): number {
  const byKey = new Map(counters.map((c) => [chainKey(c.table, c.chain), c]));
  return rs.perPacketChains.reduce((s, k) => s + (byKey.get(k)?.rules ?? 0), 0);
}

describe('policy rulesets in namespaces (root)', () => {
  const report: string[] = [];
  const pathByFlavour = new Map<string, number>();

  test('detectIptablesFlavours finds a working backend', async (t) => {
    if (!needRoot(t)) return;
    const found = await flavours();
    t.diagnostic(`flavours: ${found.join(', ')}`);
    assert.ok(found.length > 0);
  });

  for (const flavour of ['legacy', 'nft'] as const) {
    const scenarios: { name: string; make: () => Ruleset; topo: (n: Namespaces) => Promise<{ node: string; pods: string[] }>; ips: string[] }[] = [
      { name: 'calico-np', make: () => calicoRuleset({ policy: false, workloads: WORKLOADS }), topo: (n) => calicoTopology(n), ips: WORKLOADS.map((w) => w.ip) },
      { name: 'calico-wp', make: () => calicoRuleset({ policy: true, workloads: WORKLOADS }), topo: (n) => calicoTopology(n), ips: WORKLOADS.map((w) => w.ip) },
      { name: 'weave', make: () => weaveNpcRuleset({ bridge: 'weave', pods: WEAVE_PODS }), topo: (n) => bridgeTopology(n, 'weave', WEAVE_PODS, 12), ips: WEAVE_PODS.map((p) => p.ip) },
      { name: 'kube-router', make: () => kubeRouterRuleset({ bridge: 'kube-bridge', pods: KR_PODS }), topo: (n) => bridgeTopology(n, 'kube-bridge', KR_PODS, 24), ips: KR_PODS.map((p) => p.ip) },
      { name: 'kube-router+policy', make: () => kubeRouterRuleset({ bridge: 'kube-bridge', pods: KR_PODS, policy: true }), topo: (n) => bridgeTopology(n, 'kube-bridge', KR_PODS, 24), ips: KR_PODS.map((p) => p.ip) },
      { name: 'calico-wp+rules', make: () => calicoRuleset({ policy: true, workloads: WORKLOADS, policyRules: 300 }), topo: (n) => calicoTopology(n), ips: WORKLOADS.map((w) => w.ip) },
      { name: 'weave+rules', make: () => weaveNpcRuleset({ bridge: 'weave', pods: WEAVE_PODS, policyRules: 300 }), topo: (n) => bridgeTopology(n, 'weave', WEAVE_PODS, 12), ips: WEAVE_PODS.map((p) => p.ip) },
      { name: 'kube-router+rules', make: () => kubeRouterRuleset({ bridge: 'kube-bridge', pods: KR_PODS, policyRules: 300 }), topo: (n) => bridgeTopology(n, 'kube-bridge', KR_PODS, 24), ips: KR_PODS.map((p) => p.ip) },
    ];
    for (const s of scenarios) {
      test(`${s.name} with iptables-${flavour}: traffic passes and is counted on the per-packet chains`, async (t) => {
        if (!needRoot(t)) return;
        if (!(await flavours()).includes(flavour)) {
          t.skip(`iptables-${flavour} does not work here`);
          return;
        }
        const nss = new Namespaces();
        try {
          const rs = s.make();
          const topo = await s.topo(nss);
          const m = await applyAndRun(flavour, rs, topo, s.ips);
          if (s.name.endsWith('+rules')) {
            // New connections walked past the 300 added rules to the one admitting them: the policy chain counted them.
            const byKey = new Map(m.counters.map((c) => [chainKey(c.table, c.chain), c]));
            const chain = s.name === 'weave+rules' ? 'filter:WEAVE-NPC-INGRESS'
              : s.name === 'calico-wp+rules' ? chainsWithComment(rs, 'NetworkPolicy default/default.allow-netperf ingress')[0]!
                : [...byKey.keys()].find((k) => k.startsWith('filter:KUBE-NWPLCY-') && k !== 'filter:KUBE-NWPLCY-DEFAULT')!;
            assert.ok((byKey.get(chain)?.packets ?? 0) > 0, `no new connection reached ${chain}`);
          }
          if (s.name === 'calico-wp') {
            // The first packets of each flow walked the netperf workloads' policy chains (and were allowed there).
            const byKey = new Map(m.counters.map((c) => [chainKey(c.table, c.chain), c]));
            for (const comment of ['NetworkPolicy default/default.allow-netperf ingress', 'NetworkPolicy default/default.allow-netperf-egress egress']) {
              const chains = chainsWithComment(rs, comment);
              assert.equal(chains.length, 1, comment);
              assert.ok((byKey.get(chains[0]!)?.packets ?? 0) > 0, `no packets in ${chains[0]} (${comment})`);
            }
          }
          const onPath = pathRules(rs, m.counters);
          pathByFlavour.set(`${flavour}/${s.name}`, onPath);
          const line = `${s.name} ${flavour}: ${rs.ruleCount} rules, apply ${m.applyMs.toFixed(1)} ms, ${rs.perPacketChains.length} chains / ${onPath} rules on the per-packet path`;
          report.push(line);
          t.diagnostic(line);
          assert.ok(m.applyMs < 2000, `apply took ${m.applyMs} ms`);
        } finally {
          await nss.cleanup();
        }
      });
    }
    test(`calico-wp puts more rules on the per-packet path than calico-np (${flavour})`, (t) => {
      if (!needRoot(t)) return;
      const np = pathByFlavour.get(`${flavour}/calico-np`);
      const wp = pathByFlavour.get(`${flavour}/calico-wp`);
      if (np === undefined || wp === undefined) {
        t.skip(`calico runs with iptables-${flavour} did not complete`);
        return;
      }
      assert.ok(wp > np, `wp ${wp} vs np ${np}`);
    });
  }

  test('apply timing summary', (t) => {
    for (const l of report) t.diagnostic(l);
  });
});
