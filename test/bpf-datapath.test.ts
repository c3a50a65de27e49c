// The Cilium-like tc-eBPF datapath end to end: two node namespaces joined by a veth wire, three pod namespaces,
// our programs loaded per node and attached at tc ingress; pings and a netperf stream must flow through them.
// Needs root (skipped otherwise, failed when CI=true). Everything lives in namespaces named cnibtestbpf-* and a
// private bpffs at /run/cnibench/bpffs/cnibtestbpf; both are removed afterwards, also when a test fails.
import { after, before, describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run, spawnDaemon } from '../src/util/exec.ts';
import { stopPids } from '../src/testbed/processes.ts';
import { compileBpf } from '../src/testbed/bpf/compile.ts';
import {
  attachIngressAll,
  bpffsDir,
  configEntry,
  endpointEntry,
  isBpffsMounted,
  listLinks,
  loadDatapath,
  mountBpffs,
  readCounters,
  tunnelEntry,
  unmountBpffs,
  type Counters,
  type LoadedDatapath,
} from '../src/testbed/bpf/loader.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE = path.join(ROOT, 'src/testbed/bpf/cilium_like.c');
const PREFIX = 'cnibtestbpf';
const VNI = 2;
const POD_MTU = 1450; // 1500-byte underlay minus 50 bytes of VXLAN/UDP/IPv4/Ethernet overhead
const NETSERVER_PORT = 12865;

interface NodeSpec {
  name: string;
  ns: string;
  underlayIp: string;
  podCidr: string;
  gateway: string;
}
interface PodSpec {
  id: string;
  ns: string;
  node: NodeSpec;
  ip: string;
  lxc: string;
  podMac: string;
  lxcMac: string;
}

function node(name: string, octet: number): NodeSpec {
  return { name, ns: `${PREFIX}-${name}`, underlayIp: `192.168.254.${octet}`, podCidr: `10.244.${octet - 1}.0/24`, gateway: `10.244.${octet - 1}.1` };
}
const NODE_A = node('node-a', 1);
const NODE_B = node('node-b', 2);
const NODES = [NODE_A, NODE_B];

function pod(id: string, n: NodeSpec, host: number): PodSpec {
  const third = n.podCidr.split('.')[2]!;
  const tail = `0a:f4:${Number(third).toString(16).padStart(2, '0')}:${host.toString(16).padStart(2, '0')}`;
  return { id, ns: `${PREFIX}-pod-${id}`, node: n, ip: `10.244.${third}.${host}`, lxc: `lxc${id}`, podMac: `02:00:${tail}`, lxcMac: `02:fe:${tail}` };
}
const A1 = pod('a1', NODE_A, 10);
const A2 = pod('a2', NODE_A, 11);
const B1 = pod('b1', NODE_B, 10);
const PODS = [A1, A2, B1];

const ipBatch = (ns: string, lines: string[]) => run(['ip', '-batch', '-'], { ns, input: lines.join('\n') + '\n' });

/** Node-side links: lo, cilium_vxlan, and one lxc veth per pod (pod end moved straight into the pod namespace). */
function nodeLines(n: NodeSpec): string[] {
  const lines = ['link set lo up', 'link add cilium_vxlan type vxlan external dstport 8472', 'link set cilium_vxlan up'];
  for (const p of PODS.filter((p) => p.node === n)) {
    lines.push(
      `link add ${p.lxc} mtu ${POD_MTU} address ${p.lxcMac} type veth peer name eth0 mtu ${POD_MTU} address ${p.podMac} netns ${p.ns}`,
      `link set ${p.lxc} up`,
    );
  }
  return lines;
}

/** Pod-side set-up. Real Cilium answers the pod's ARP for its gateway from BPF; we pin the gateway's MAC instead. */
function podLines(p: PodSpec): string[] {
  return [
    'link set lo up',
    `addr add ${p.ip}/32 dev eth0`,
    'link set eth0 up',
    `route add ${p.node.gateway} dev eth0 scope link`,
    `route add default via ${p.node.gateway}`,
    `neigh add ${p.node.gateway} lladdr ${p.lxcMac} dev eth0 nud permanent`,
  ];
}

const underlayLines = (n: NodeSpec) => [`addr add ${n.underlayIp}/24 dev eth0`, 'link set eth0 up'];

async function ourNamespaces(): Promise<string[]> {
  try {
    return (await readdir('/run/netns')).filter((n) => n.startsWith(PREFIX));
  } catch {
    return [];
  }
}

/** Deletes every cnibtestbpf* namespace and our bpffs. Safe to call any time, repeatedly. */
async function teardown(): Promise<void> {
  await Promise.all((await ourNamespaces()).map((ns) => run(['ip', 'netns', 'del', ns], { reject: false })));
  await unmountBpffs(PREFIX);
}

interface Built {
  datapaths: Map<string, LoadedDatapath>;
  timings: Record<string, number>;
}

/** Builds the topology, loads + attaches + fills the datapath on both nodes. */
async function buildModel(objectPath: string): Promise<Built> {
  const t0 = performance.now();
  const timings: Record<string, number> = {};
  const mark = (k: string) => (timings[k] = Math.round(performance.now() - t0));

  await Promise.all([...NODES, ...PODS].map((x) => run(['ip', 'netns', 'add', x.ns])));
  const bpffs = await mountBpffs(PREFIX);
  mark('namespaces+bpffs');

  // The underlay wire is created from node-a (its other end goes to node-b), so node-b configures it afterwards.
  await Promise.all([
    ipBatch(NODE_A.ns, [`link add eth0 type veth peer name eth0 netns ${NODE_B.ns}`, ...underlayLines(NODE_A), ...nodeLines(NODE_A)]),
    ipBatch(NODE_B.ns, nodeLines(NODE_B)),
  ]);
  const [linkLists] = await Promise.all([
    Promise.all(NODES.map((n) => listLinks(n.ns))),
    ipBatch(NODE_B.ns, underlayLines(NODE_B)),
    ...PODS.map((p) => ipBatch(p.ns, podLines(p))),
  ]);
  const links = new Map(NODES.map((n, i) => [n.name, linkLists[i]!]));
  mark('links');

  const datapaths = new Map<string, LoadedDatapath>();
  await Promise.all(
    NODES.map(async (n) => {
      const nodeLinks = links.get(n.name)!;
      const ifindex = (dev: string) => {
        const l = nodeLinks.get(dev);
        assert.ok(l, `${dev} missing in ${n.ns}`);
        return l.ifindex;
      };
      const initial = [
        configEntry({ vxlanIfindex: ifindex('cilium_vxlan'), vni: VNI }),
        ...PODS.filter((p) => p.node === n).map((p) => endpointEntry(p.ip, { ifindex: ifindex(p.lxc), podMac: p.podMac, lxcMac: p.lxcMac })),
        ...NODES.filter((m) => m !== n).map((m) => tunnelEntry(m.podCidr, m.underlayIp)),
      ];
      const dp = await loadDatapath(objectPath, path.join(bpffs, n.name), initial);
      await attachIngressAll(n.ns, [
        ...PODS.filter((p) => p.node === n).map((p) => ({ dev: p.lxc, progPin: dp.progs.fromContainer })),
        { dev: 'cilium_vxlan', progPin: dp.progs.fromOverlay },
      ]);
      datapaths.set(n.name, dp);
    }),
  );
  mark('load+fill+attach');
  return { datapaths, timings };
}

async function vxlanStats(ns: string): Promise<{ rx: number; tx: number }> {
  const [l] = JSON.parse((await run(['ip', '-j', '-s', 'link', 'show', 'dev', 'cilium_vxlan'], { ns })).stdout) as {
    stats64: { rx: { packets: number }; tx: { packets: number } };
  }[];
  assert.ok(l, `cilium_vxlan missing in ${ns}`);
  return { rx: l.stats64.rx.packets, tx: l.stats64.tx.packets };
}

function delta(after: Counters, before: Counters): Counters {
  return {
    localRedirect: after.localRedirect - before.localRedirect,
    tunnelEncap: after.tunnelEncap - before.tunnelEncap,
    overlayRedirect: after.overlayRedirect - before.overlayRedirect,
    miss: after.miss - before.miss,
    policyAllow: after.policyAllow - before.policyAllow,
    policyDeny: after.policyDeny - before.policyDeny,
  };
}

async function ping(from: PodSpec, to: PodSpec): Promise<void> {
  const r = await run(['ping', '-c', '3', '-W', '1', to.ip], { ns: from.ns, reject: false, timeoutMs: 10_000 });
  assert.equal(r.exitCode, 0, `ping ${from.id} (${from.ip}) -> ${to.id} (${to.ip}) failed:\n${r.stdout}${r.stderr}`);
}

let teardownMs: number | undefined;

const isRoot = process.getuid?.() === 0;
const skip = isRoot ? false : 'needs root (network namespaces, tc, bpf): run as root';

if (!isRoot && process.env.CI === 'true') {
  test('bpf datapath tests need root', () => assert.fail('CI=true but not running as root: the BPF datapath tests cannot run'));
}

// Compiling needs clang but not root.
const hasClang = (process.env.PATH ?? '').split(':').some((d) => d && existsSync(path.join(d, 'clang')));
const compileSkip = hasClang || process.env.CI === 'true' ? false : 'clang not installed: bash scripts/setup.sh';

test('compileBpf caches the object by source + clang version + flags', { skip: compileSkip }, async (t) => {
  const cacheDir = await mkdtemp(path.join(tmpdir(), 'cnibtestbpf-cache-'));
  try {
    let t0 = performance.now();
    const cold = await compileBpf(SOURCE, cacheDir);
    const coldMs = performance.now() - t0;
    t0 = performance.now();
    const warm = await compileBpf(SOURCE, cacheDir);
    const warmMs = performance.now() - t0;
    t.diagnostic(`compile cold ${coldMs.toFixed(0)} ms, cached ${warmMs.toFixed(1)} ms`);
    assert.equal(cold.cached, false);
    assert.equal(warm.cached, true);
    assert.equal(warm.objectPath, cold.objectPath);
    assert.equal(warm.sha256, cold.sha256);
    assert.match(cold.sha256, /^[0-9a-f]{64}$/);
    assert.ok((await stat(cold.objectPath)).size > 0);
    assert.ok(warmMs < 50, `cached compile took ${warmMs.toFixed(1)} ms`);
    assert.deepEqual((await readdir(cacheDir)).filter((f) => f.endsWith('.tmp')), [], 'temp files left behind');
  } finally {
    await rm(cacheDir, { recursive: true, force: true });
  }
});

describe('Cilium-like tc-eBPF datapath (tunnel mode)', { skip }, () => {
  let built: Built;
  let netserverPid: number | undefined;

  before(async () => {
    await teardown(); // leftovers of an interrupted run
    const { objectPath } = await compileBpf(SOURCE, path.join(ROOT, '.cache/bpf'));
    try {
      built = await buildModel(objectPath);
    } catch (err) {
      await teardown();
      throw err;
    }
  });

  after(async () => {
    if (netserverPid !== undefined) await stopPids([netserverPid], 0);
    const t0 = performance.now();
    await teardown();
    teardownMs = performance.now() - t0;
  });

  const pinDir = (n: NodeSpec) => built.datapaths.get(n.name)!.pinDir;

  it('comes up quickly', (t) => {
    t.diagnostic(`model up: ${JSON.stringify(built.timings)} (ms since start)`);
    t.diagnostic(`per-node load+fill: ${[...built.datapaths].map(([n, d]) => `${n} ${d.loadMs.toFixed(0)} ms`).join(', ')}`);
    assert.ok(built.timings['load+fill+attach']! < 3000, 'model up took more than 3 s');
  });

  it('pod to pod on one node: bpf_redirect_peer via the endpoints map', async () => {
    const before = await readCounters(pinDir(NODE_A));
    await ping(A1, A2);
    const d = delta(await readCounters(pinDir(NODE_A)), before);
    assert.ok(d.localRedirect >= 6, `LOCAL_REDIRECT moved by ${d.localRedirect}, expected >= 6 (3 requests + 3 replies)`);
    assert.equal(d.tunnelEncap, 0);
  });

  it('pod to pod across nodes: tunnel key + redirect to cilium_vxlan, decap + redirect_peer', async () => {
    const [ca, cb, va, vb] = await Promise.all([readCounters(pinDir(NODE_A)), readCounters(pinDir(NODE_B)), vxlanStats(NODE_A.ns), vxlanStats(NODE_B.ns)]);
    await ping(A1, B1);
    const [ca2, cb2, va2, vb2] = await Promise.all([readCounters(pinDir(NODE_A)), readCounters(pinDir(NODE_B)), vxlanStats(NODE_A.ns), vxlanStats(NODE_B.ns)]);
    const da = delta(ca2, ca);
    const db = delta(cb2, cb);
    assert.ok(da.tunnelEncap >= 3, `node-a TUNNEL_ENCAP moved by ${da.tunnelEncap}`);
    assert.ok(db.overlayRedirect >= 3, `node-b OVERLAY_REDIRECT moved by ${db.overlayRedirect}`);
    assert.ok(db.tunnelEncap >= 3, `node-b TUNNEL_ENCAP (replies) moved by ${db.tunnelEncap}`);
    assert.ok(da.overlayRedirect >= 3, `node-a OVERLAY_REDIRECT (replies) moved by ${da.overlayRedirect}`);
    assert.ok(va2.tx - va.tx >= 3, `node-a cilium_vxlan tx rose by ${va2.tx - va.tx}`);
    assert.ok(vb2.rx - vb.rx >= 3, `node-b cilium_vxlan rx rose by ${vb2.rx - vb.rx}`);
    assert.ok(vb2.tx - vb.tx >= 3, `node-b cilium_vxlan tx rose by ${vb2.tx - vb.tx}`);
    assert.ok(va2.rx - va.rx >= 3, `node-a cilium_vxlan rx rose by ${va2.rx - va.rx}`);
  });

  it('netperf TCP_STREAM across nodes reports a positive throughput', async (t) => {
    const server = spawnDaemon(['netserver', '-D', '-p', String(NETSERVER_PORT)], { ns: B1.ns, logFile: '/dev/null' });
    netserverPid = server.pid;
    assert.ok(netserverPid, 'netserver did not start (is netperf installed? bash scripts/setup.sh)');
    try {
      const before = await readCounters(pinDir(NODE_A));
      let out = '';
      for (let attempt = 0; attempt < 30; attempt++) {
        const r = await run(['netperf', '-H', B1.ip, '-p', String(NETSERVER_PORT), '-t', 'TCP_STREAM', '-l', '1'], { ns: A1.ns, reject: false, timeoutMs: 15_000 });
        out = r.stdout + r.stderr;
        if (r.exitCode === 0) break;
        if (!/establish control|connect/i.test(out)) assert.fail(`netperf failed:\n${out}`);
        await new Promise((res) => setTimeout(res, 100)); // netserver not listening yet
      }
      const last = out.trim().split('\n').at(-1)?.trim().split(/\s+/) ?? [];
      const mbps = Number(last.at(-1));
      t.diagnostic(`TCP_STREAM a1 -> b1: ${mbps} Mbit/s`);
      assert.ok(Number.isFinite(mbps) && mbps > 0, `no throughput in netperf output:\n${out}`);
      const d = delta(await readCounters(pinDir(NODE_A)), before);
      assert.ok(d.tunnelEncap > 0, 'the stream did not go through from_container');
    } finally {
      // netserver may ignore SIGTERM; it holds no state worth a clean exit.
      await stopPids([server.pid], 0);
      netserverPid = undefined;
    }
  });
});

test('teardown leaves no cnibtestbpf namespace and no bpffs mount', { skip }, async (t) => {
  if (teardownMs !== undefined) t.diagnostic(`model down (netns del + bpffs umount): ${teardownMs.toFixed(0)} ms`);
  const t0 = performance.now();
  await teardown(); // no-op after the suite's own teardown; measures nothing left to do
  assert.deepEqual(await ourNamespaces(), []);
  const dir = bpffsDir(PREFIX);
  assert.equal(await isBpffsMounted(dir), false, `${dir} still mounted`);
  await assert.rejects(stat(dir), `${dir} still exists`);
  assert.ok(performance.now() - t0 < 5000);
});
