// Services by an eBPF load balancer at the socket (collect --proxy ebpf; Cilium's kube-proxy replacement): the
// programs of src/testbed/bpf/sock_lb.c attached to a cgroup v2 directory that holds the client pod's processes, and
// their maps filled with every Service and backend. A connect() (or an unconnected UDP send) to a ClusterIP is
// translated to a backend once, in the calling process, before any packet exists — so the packets that follow cross
// the pod datapath as pod-to-pod traffic, with no NAT rule or conntrack entry of kube-proxy's. Which and why:
// Cilium's default for pods is this socket-level LB (bpf_sock.c); its per-packet LB at tc (bpf_lxc.c) is the
// fallback when socket LB is off, and Calico's eBPF dataplane does the same at connect time ("CTLB").
//
// The cgroup: cnibench-<prefix> under the machine's cgroup v2 mount, made and removed by the testbed. Client
// commands join it before they enter the pod's namespace (util/exec.ts `cgroup`), because `ip netns exec` mounts a
// fresh /sys in which the cgroup mounts are hidden.
import { endianness } from 'node:os';
import { mkdir, readdir, readFile, rmdir } from 'node:fs/promises';
import path from 'node:path';
import { compileBpf } from '../bpf/compile.ts';
import { assertBatchSafe, bpftoolBatch, hex, ipv4Bytes, loadObject, readArrayCounters, u32Host } from '../bpf/loader.ts';
import { projectPath } from '../../util/projectRoot.ts';
import { checkServices, sortedEndpoints, type ServiceSpec } from './types.ts';

const SOURCE = projectPath('src', 'testbed', 'bpf', 'sock_lb.c');
const CACHE = projectPath('.cache', 'bpf');

/** The programs of sock_lb.c and the hooks they attach to (bpftool's attach-type names). */
const PROGRAMS = [
  { hook: 'connect4', prog: 'sock4_connect' },
  { hook: 'sendmsg4', prog: 'sock4_sendmsg' },
  { hook: 'recvmsg4', prog: 'sock4_recvmsg' },
  { hook: 'getpeername4', prog: 'sock4_getpeername' },
] as const;

/** Indices of the `counters` map (the CNT_* enum in sock_lb.c). */
const COUNTER_INDEX = { connect: 0, sendmsg: 1, reverse: 2, noBackend: 3 } as const;
export type SocketLbCounters = Record<keyof typeof COUNTER_INDEX, number>;

/** The most map entries sock_lb.c holds (its `services` and `backends` max_entries). */
const SOCKET_LB_CAPACITY = 524_288;

const IPPROTO = { TCP: 6, UDP: 17 } as const;

/** A port as its two bytes in network order. */
function portBytes(port: number): number[] {
  return [port >> 8, port & 0xff];
}

/** A __u16 in host byte order. */
function u16Host(n: number): number[] {
  const b = Buffer.alloc(2);
  if (endianness() === 'LE') b.writeUInt16LE(n);
  else b.writeUInt16BE(n);
  return [...b];
}

/** The map writes for `services`, as bpftool batch lines against the maps pinned in `mapsDir`; pure. */
export function socketLbMapWrites(services: readonly ServiceSpec[], mapsDir: string): { lines: string[]; servicePorts: number; backends: number } {
  checkServices(services);
  assertBatchSafe('map directory', mapsDir);
  const entries = services.reduce((n, s) => n + s.endpoints.length + 1, 0);
  if (entries > SOCKET_LB_CAPACITY) throw new Error(`${services.length} Service ports need ${entries} map entries; sock_lb.c holds ${SOCKET_LB_CAPACITY}`);
  const backendIds = new Map<string, number>();
  const lines: string[] = [];
  const svcKey = (s: ServiceSpec, slot: number) => hex([...ipv4Bytes(s.clusterIP), ...portBytes(s.port), ...u16Host(slot), IPPROTO[s.protocol], 0, 0, 0]).join(' ');
  const update = (map: string, key: string, value: number[]) => lines.push(`map update pinned ${path.join(mapsDir, map)} key hex ${key} value hex ${hex(value).join(' ')}`);
  for (const s of services) {
    const endpoints = sortedEndpoints(s);
    for (const [i, e] of endpoints.entries()) {
      const id = `${e.ip}:${e.port}`;
      let backend = backendIds.get(id);
      if (backend === undefined) {
        backend = backendIds.size + 1;
        backendIds.set(id, backend);
        update('backends', hex(u32Host(backend)).join(' '), [...ipv4Bytes(e.ip), ...portBytes(e.port), 0, 0]);
      }
      update('services', svcKey(s, i + 1), [...u32Host(backend), 0, 0, 0, 0]);
    }
    // The Service entry last, so a lookup never finds a count whose slots are not there yet.
    update('services', svcKey(s, 0), [0, 0, 0, 0, ...u16Host(endpoints.length), 0, 0]);
  }
  return { lines, servicePorts: services.length, backends: backendIds.size };
}

/** The cgroup v2 mount of this machine (from /proc/self/mountinfo), or undefined when there is none. */
export async function cgroup2Root(): Promise<string | undefined> {
  const info = await readFile('/proc/self/mountinfo', 'utf8').catch(() => '');
  for (const line of info.split('\n')) {
    const [pre, post] = line.split(' - ');
    if (pre && post?.startsWith('cgroup2 ')) return pre.split(' ')[4]?.replace(/\\040/g, ' ');
  }
  return undefined;
}

/** The cgroup directory a testbed's client pod runs in (no I/O beyond finding the mount). */
export async function clientCgroupDir(prefix: string): Promise<string> {
  if (!/^[A-Za-z0-9][\w.-]*$/.test(prefix)) throw new Error(`testbed prefix ${JSON.stringify(prefix)} cannot name a cgroup`);
  const root = await cgroup2Root();
  if (!root) throw new Error('no cgroup v2 hierarchy is mounted (none in /proc/self/mountinfo): the eBPF socket load balancer attaches to one; mount cgroup2 or use --proxy iptables');
  return path.join(root, `cnibench-${prefix}`);
}

/** How long loading the programs and filling the maps took, ms. */
export interface SocketLbTiming {
  /** bpftool prog loadall (the verifier) and attaching the four programs to the cgroup: once per node. */
  loadMs: number;
  /** Writing every Service and backend into the maps: what a full sync of the agent costs. */
  mapsMs: number;
}

/**
 * Compiles (cached) and loads sock_lb.c under `pinDir` (on the testbed's bpffs), fills its maps with `services`, makes
 * the cgroup `cgroupDir` and attaches the programs to it.
 */
export async function installSocketLb(pinDir: string, cgroupDir: string, services: readonly ServiceSpec[]): Promise<SocketLbTiming & { servicePorts: number; backends: number }> {
  const writes = socketLbMapWrites(services, path.join(pinDir, 'maps'));
  const { objectPath } = await compileBpf(SOURCE, CACHE);
  const t0 = performance.now();
  await loadObject(objectPath, pinDir);
  await mkdir(cgroupDir, { recursive: true });
  await bpftoolBatch(PROGRAMS.map((p) => `cgroup attach ${cgroupDir} ${p.hook} pinned ${path.join(pinDir, 'progs', p.prog)}`), `attaching the socket load balancer to ${cgroupDir}`);
  const t1 = performance.now();
  await bpftoolBatch(writes.lines, `filling the socket load balancer's maps under ${pinDir}`);
  const t2 = performance.now();
  return { loadMs: Math.round(t1 - t0), mapsMs: Math.round(t2 - t1), servicePorts: writes.servicePorts, backends: writes.backends };
}

/** The translations counted so far (summed over CPUs). */
export async function readSocketLbCounters(pinDir: string): Promise<SocketLbCounters> {
  const byIndex = await readArrayCounters(path.join(pinDir, 'maps', 'counters'));
  return Object.fromEntries(Object.entries(COUNTER_INDEX).map(([k, i]) => [k, byIndex.get(i) ?? 0])) as SocketLbCounters;
}

/**
 * Removes a testbed's cgroup: detaches nothing by hand (removing the directory drops its programs' links) but
 * waits for its processes to leave — they are the run's own client commands, ended by then. Idempotent.
 */
export async function removeCgroup(dir: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await rmdir(dir);
      return;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') return;
      if (code !== 'EBUSY' || attempt >= 20) {
        const procs = await readFile(path.join(dir, 'cgroup.procs'), 'utf8').catch(() => '');
        throw new Error(`cannot remove the cgroup ${dir} (${code})${procs.trim() ? `: processes still in it: ${procs.trim().split('\n').join(', ')}` : ''}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

/** The cgroups testbeds left behind (cnibench-<prefix> under the cgroup v2 mount), for cleanup. */
export async function leftoverCgroups(): Promise<string[]> {
  const root = await cgroup2Root();
  if (!root) return [];
  const entries = await readdir(root, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory() && e.name.startsWith('cnibench-')).map((e) => path.join(root, e.name));
}
