// Probes which kernel features the testbed can use, inside a throwaway namespace of our own — never assumed.
import { access, mkdir, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { cgroup2Root } from './services/ebpfSocketLb.ts';
import { run } from '../util/exec.ts';
import type { KernelFeature } from './model.ts';
import { newPrefix, nsName } from './names.ts';

export interface FeatureStatus {
  feature: KernelFeature;
  ok: boolean;
  /** Why it is missing, in words a user can act on. */
  detail: string;
}

const LINK_PROBES: Partial<Record<KernelFeature, string>> = {
  veth: 'link add cnibp0 type veth peer name cnibp1',
  bridge: 'link add cnibbr type bridge',
  vxlan: 'link add cnibvx type vxlan id 42 dstport 4789',
  ipip: 'link add cnibip type ipip local 192.0.2.1',
  tun: 'tuntap add dev cnibtun mode tun',
};

let cache: Promise<FeatureStatus[]> | undefined;

/** All features, probed once per process. */
export function probeFeatures(): Promise<FeatureStatus[]> {
  cache ??= probeAll();
  return cache;
}

async function probeAll(): Promise<FeatureStatus[]> {
  const ns = nsName(newPrefix(), 'probe');
  await run(['ip', 'netns', 'add', ns]);
  try {
    const out: FeatureStatus[] = [];
    for (const [feature, cmd] of Object.entries(LINK_PROBES) as [KernelFeature, string][]) {
      const r = await run(['ip', '-n', ns, ...cmd.split(' ')], { reject: false });
      out.push({ feature, ok: r.exitCode === 0, detail: r.exitCode === 0 ? '' : `kernel lacks ${feature} (${firstLine(r.stderr)})` });
    }
    const bpf = await run(['tc', '-n', ns, 'qdisc', 'add', 'dev', 'lo', 'clsact'], { reject: false });
    out.push({ feature: 'tc-bpf', ok: bpf.exitCode === 0, detail: bpf.exitCode === 0 ? '' : `no tc clsact qdisc (${firstLine(bpf.stderr)})` });
    const ipt = await run(['iptables-legacy', '-w', '-L', '-n'], { ns, reject: false });
    const iptNft = await run(['iptables-nft', '-w', '-L', '-n'], { ns, reject: false });
    const iptOk = ipt.exitCode === 0 || iptNft.exitCode === 0;
    out.push({ feature: 'iptables', ok: iptOk, detail: iptOk ? '' : `iptables does not work in a namespace (${firstLine(ipt.stderr || iptNft.stderr)})` });
    const ipset = await run(['ipset', 'list', '-n'], { ns, reject: false });
    out.push({ feature: 'ipset', ok: ipset.exitCode === 0, detail: ipset.exitCode === 0 ? '' : `ipset unavailable (${firstLine(ipset.stderr)})` });
    await run(['ip', '-n', ns, 'link', 'add', 'cnibbr2', 'type', 'bridge'], { reject: false });
    const brnf = await run(['sysctl', '-n', 'net.bridge.bridge-nf-call-iptables'], { ns, reject: false });
    out.push({ feature: 'br-netfilter', ok: brnf.exitCode === 0, detail: brnf.exitCode === 0 ? '' : 'bridge netfilter (br_netfilter) is missing: bridged traffic cannot reach iptables' });
    // kube-proxy's nftables mode: the nft tool and nf_tables in the kernel (a table added and listed in the namespace).
    const nft = await run(['nft', 'add', 'table', 'ip', 'cnibprobe'], { ns, reject: false }).catch((err: unknown) => ({ exitCode: -1, stderr: String(err) }));
    out.push({ feature: 'nftables', ok: nft.exitCode === 0, detail: nft.exitCode === 0 ? '' : /ENOENT|No such file|not found/i.test(nft.stderr) ? 'nft is not installed (run the setup script, which installs nftables)' : `nftables does not work in a namespace (${firstLine(nft.stderr)})` });
    // kube-proxy's IPVS mode needs the ip_vs module: a kernel with it lists /proc/net/ip_vs in every namespace.
    const ipvs = await run(['cat', '/proc/net/ip_vs'], { ns, reject: false });
    out.push({ feature: 'ipvs', ok: ipvs.exitCode === 0, detail: ipvs.exitCode === 0 ? '' : 'kernel lacks IPVS (no /proc/net/ip_vs: the ip_vs module is not built or not loaded)' });
    out.push(await cgroupBpfProbe(ns));
    return out;
  } finally {
    await run(['ip', 'netns', 'del', ns], { reject: false });
  }
}

/**
 * The eBPF socket load balancer (--proxy ebpf) attaches to a cgroup v2 directory: a cgroup2 mount where a directory of
 * ours can be made and removed.
 */
async function cgroupBpfProbe(ns: string): Promise<FeatureStatus> {
  const root = await cgroup2Root();
  if (!root) return { feature: 'cgroup-bpf', ok: false, detail: 'no cgroup v2 hierarchy is mounted, which the eBPF socket load balancer attaches to' };
  const dir = join(root, `cnibench-${ns}`);
  try {
    await mkdir(dir);
    await rmdir(dir);
    return { feature: 'cgroup-bpf', ok: true, detail: '' };
  } catch (err) {
    return { feature: 'cgroup-bpf', ok: false, detail: `cannot make a cgroup under ${root} (${(err as NodeJS.ErrnoException).code ?? String(err)})` };
  }
}

export async function missingFeatures(needed: KernelFeature[]): Promise<FeatureStatus[]> {
  const all = await probeFeatures();
  return all.filter((f) => needed.includes(f.feature) && !f.ok);
}

function firstLine(s: string): string {
  return s.trim().split('\n')[0] ?? '';
}

export async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
