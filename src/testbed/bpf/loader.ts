// Loads the Cilium-like tc-eBPF datapath (cilium_like.c), attaches it to devices in node namespaces and fills its maps.
//
// How loading and pinning work:
// - Every run mounts its own bpffs instance at /run/cnibench/bpffs/<prefix> (never /sys/fs/bpf). A bpffs mount
//   made in the root mount namespace is copied into the short-lived mount namespaces `ip netns exec` creates,
//   so `tc` running "inside" a node namespace can open the pins by path.
// - `bpftool prog loadall` (libbpf) loads one copy of the object per node and pins it under <bpffs>/<node>/:
//   progs/from_container, progs/from_overlay, maps/{endpoints,tunnels,config,counters}. Like one Cilium agent
//   per node, each node has its own programs and maps. We use bpftool rather than tc's built-in object loader
//   because tc's loader pins maps into /sys/fs/bpf/tc/globals (mounting bpffs there if needed) and loads one
//   section per invocation; bpftool pins where we say, once, and `--nomount` guarantees it never mounts anything.
// - BPF programs and maps are not tied to a network namespace: `tc filter … bpf direct-action pinned <path>`
//   run in any namespace attaches the pinned program there. The ifindexes in the maps are ifindexes in the
//   node's namespace, which is where bpf_redirect()/bpf_redirect_peer() resolve them.
// - Map contents are written with `bpftool batch file -` (one process for any number of updates; loadDatapath
//   applies its initial entries that way right after the load). Keys and values are raw hex bytes laid out as the structs in cilium_like.c.
// - Teardown: deleting the namespaces removes the devices and with them the tc filters; unmounting the bpffs
//   drops the pins, which frees the programs and maps.
import { endianness } from 'node:os';
import { mkdir, readFile, rmdir, stat, statfs } from 'node:fs/promises';
import path from 'node:path';
import { run, CommandError } from '../../util/exec.ts';
import { STATE_DIR } from '../names.ts';
import { supernet } from '../policy/ipv4.ts';

/** Where per-run bpffs instances are mounted. */
const BPFFS_ROOT = path.join(STATE_DIR, 'bpffs');

const PROGRAMS = { fromContainer: 'from_container', fromOverlay: 'from_overlay' } as const;
// ipcache and policy exist only in the ENABLE_POLICY build (the cilium-wp model).
const MAPS = { endpoints: 'endpoints', tunnels: 'tunnels', config: 'config', counters: 'counters', ipcache: 'ipcache', policy: 'policy' } as const;
export type ProgramKey = keyof typeof PROGRAMS;
/** A map the object pins, or an endpoint's policy map (`policy-<endpoint id>`, created by policyMapCreation). */
export type MapName = (typeof MAPS)[keyof typeof MAPS] | `policy-${number}`;

/** Indices of the `counters` map (the CNT_* enum in cilium_like.c; the policy's two only in the ENABLE_POLICY build). */
const COUNTER_INDEX = { localRedirect: 0, tunnelEncap: 1, overlayRedirect: 2, miss: 3, policyAllow: 4, policyDeny: 5 } as const;
export type CounterName = keyof typeof COUNTER_INDEX;
export type Counters = Record<CounterName, number>;

/** Pinned paths of one node's copy of the datapath. */
export interface LoadedDatapath {
  pinDir: string;
  progs: Record<ProgramKey, string>;
  maps: Record<keyof typeof MAPS, string>;
  /** Wall time of load + pin + initial map updates, ms. */
  loadMs: number;
}

/** A value of the `endpoints` map: a pod on this node. */
export interface EndpointInfo {
  /** ifindex of the host-side lxc veth, in the node namespace. */
  ifindex: number;
  /** MAC of the pod's eth0. */
  podMac: string;
  /** MAC of the host-side lxc veth (the MAC pods use for their gateway). */
  lxcMac: string;
  /** The ENABLE_POLICY build's fields: the endpoint's id (its policy map's index in `policy`) and whether it enforces ingress policy. */
  policy?: { endpointId: number; ingress: boolean };
}

/** The single entry of the `config` map. */
export interface DatapathConfig {
  /** ifindex of cilium_vxlan in the node namespace. */
  vxlanIfindex: number;
  /** VXLAN network identifier for encapsulated packets. */
  vni: number;
}

/** One map write for applyMapUpdates(): an update, or a delete when `value` is absent. Bytes as hex strings. */
export interface MapUpdate {
  map: MapName;
  key: string[];
  value?: string[];
}

export interface IngressAttachment {
  dev: string;
  /** Pinned program path, e.g. `loaded.progs.fromContainer`. */
  progPin: string;
}

export interface LinkInfo {
  ifindex: number;
  name: string;
  mac: string;
  mtu: number;
  up: boolean;
}

// ---------------------------------------------------------------------------------------------- bpffs

const PREFIX_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** The mount point for `prefix` (no mounting). */
export function bpffsDir(prefix: string): string {
  if (!PREFIX_RE.test(prefix)) throw new Error(`bpffs prefix ${JSON.stringify(prefix)} must match ${PREFIX_RE} (it becomes a directory name)`);
  return path.join(BPFFS_ROOT, prefix);
}

/** True when a bpffs is mounted exactly at `dir` in this process's mount namespace. */
export async function isBpffsMounted(dir: string): Promise<boolean> {
  const mountinfo = await readFile('/proc/self/mountinfo', 'utf8');
  const unescape = (s: string) => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  for (const line of mountinfo.split('\n')) {
    const [pre, post] = line.split(' - ');
    if (!pre || !post) continue;
    if (unescape(pre.split(' ')[4] ?? '') === dir && post.split(' ')[0] === 'bpf') return true;
  }
  return false;
}

/** Mounts a private bpffs instance at /run/cnibench/bpffs/<prefix> and returns the directory. */
export async function mountBpffs(prefix: string): Promise<string> {
  const dir = bpffsDir(prefix);
  if (await isBpffsMounted(dir)) {
    throw new Error(`a bpffs is already mounted at ${dir} (left by an earlier run?): call unmountBpffs('${prefix}') first`);
  }
  await mkdir(dir, { recursive: true });
  await run(['mount', '-t', 'bpf', 'bpf', dir]);
  return dir;
}

/** Unmounts the bpffs of `prefix` (dropping every pin in it) and removes the directory. Idempotent. */
export async function unmountBpffs(prefix: string): Promise<void> {
  const dir = bpffsDir(prefix);
  // A directory can carry stacked mounts if an earlier run was interrupted; peel them all.
  for (let i = 0; i < 8 && (await isBpffsMounted(dir)); i++) await run(['umount', dir]);
  if (await isBpffsMounted(dir)) throw new Error(`bpffs at ${dir} is still mounted after 8 umounts: check \`findmnt ${dir}\``);
  try {
    await rmdir(dir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

// ---------------------------------------------------------------------------------------------- load + attach

/** The pin paths loadDatapath() creates under `pinDir` (no I/O). */
export function datapathPins(pinDir: string): Omit<LoadedDatapath, 'loadMs'> {
  const progs = Object.fromEntries(Object.entries(PROGRAMS).map(([k, n]) => [k, path.join(pinDir, 'progs', n)])) as Record<ProgramKey, string>;
  const maps = Object.fromEntries(Object.entries(MAPS).map(([k, n]) => [k, path.join(pinDir, 'maps', n)])) as Record<keyof typeof MAPS, string>;
  return { pinDir, progs, maps };
}

export function assertBatchSafe(what: string, p: string): void {
  if (/[\s"'\\#]/.test(p)) throw new Error(`${what} ${JSON.stringify(p)} contains whitespace, quotes, '#' or '\\': bpftool/tc batch files cannot carry it; use a simpler path`);
}

const BPF_FS_MAGIC = 0xcafe4a11;

/** True when `p`, or its nearest existing ancestor, is on a bpffs. */
async function onBpffs(p: string): Promise<boolean> {
  for (let dir = path.resolve(p); ; dir = path.dirname(dir)) {
    try {
      return (await statfs(dir)).type === BPF_FS_MAGIC;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' || dir === '/') return false;
    }
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await stat(p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Loads `objectPath` (from compileBpf) and pins its programs and maps under `pinDir` (a directory on a bpffs,
 * e.g. `${await mountBpffs(prefix)}/node-a`). `initial` map updates are applied right after, in one bpftool batch, so a node's
 * datapath is loaded and filled with two execs.
 */
export async function loadDatapath(objectPath: string, pinDir: string, initial: MapUpdate[] = []): Promise<LoadedDatapath> {
  const pins = datapathPins(pinDir);
  const started = performance.now();
  await loadObject(objectPath, pinDir);
  await applyMapUpdates(pinDir, initial);
  const loadMs = performance.now() - started;
  return { ...pins, loadMs };
}

/**
 * Loads every program of `objectPath` (from compileBpf) and pins programs under `<pinDir>/progs` and maps under
 * `<pinDir>/maps` (pinDir on a bpffs). The verifier runs here; its log is in the error when it refuses a program.
 */
export async function loadObject(objectPath: string, pinDir: string): Promise<void> {
  assertBatchSafe('BPF object path', objectPath);
  assertBatchSafe('pin directory', pinDir);
  if (!(await exists(objectPath))) throw new Error(`BPF object ${objectPath} not found: build it with compileBpf() first`);
  if (!(await onBpffs(pinDir))) throw new Error(`${pinDir} is not on a bpffs: mount one with mountBpffs(prefix) and load into a directory below it`);
  if (await exists(path.join(pinDir, 'progs'))) {
    throw new Error(`programs are already pinned at ${pinDir}: pick another directory, or unmountBpffs() to start clean`);
  }
  await mkdir(pinDir, { recursive: true });
  try {
    // --nomount: if pinDir is not on a bpffs, fail instead of mounting one there.
    // Not part of a batch: bpftool 7.1's `batch` fails with "reading batch file failed: File exists"
    // after a `prog loadall`, because libbpf leaves errno = EEXIST (mkdir of the pin directory) and batch
    // reports any errno left set at the end of the file.
    await run(['bpftool', '--nomount', 'prog', 'loadall', objectPath, path.join(pinDir, 'progs'), 'pinmaps', path.join(pinDir, 'maps')]);
  } catch (err) {
    const hint = /no BPF file system/i.test(String(err))
      ? `${pinDir} is not on a bpffs: mount one with mountBpffs(prefix) and load into a directory below it`
      : 'fix the program using the verifier/libbpf log below; if bpftool is missing: bash scripts/setup.sh';
    const log = err instanceof CommandError ? `\n${err.stderr.trim().split('\n').slice(-40).join('\n')}` : '';
    throw new Error(`loading ${objectPath} into ${pinDir} failed (${hint}): ${(err as Error).message}${log}`);
  }
}

/** Runs bpftool batch lines (map updates and the like) in one bpftool process; `what` names them in an error. */
export async function bpftoolBatch(lines: readonly string[], what: string): Promise<void> {
  if (lines.length === 0) return;
  try {
    await run(['bpftool', '--nomount', 'batch', 'file', '-'], { input: lines.join('\n') + '\n', timeoutMs: 600_000 });
  } catch (err) {
    throw new Error(`${what} failed (is the program loaded and its maps pinned?): ${(err as Error).message}`);
  }
}

function tcAttachLines(attachments: IngressAttachment[]): string[] {
  const lines: string[] = [];
  for (const dev of new Set(attachments.map((a) => a.dev))) lines.push(`qdisc replace dev ${dev} clsact`);
  for (const a of attachments) {
    assertBatchSafe('pinned program path', a.progPin);
    // pref/handle fixed so that re-attaching replaces rather than stacks a second filter.
    lines.push(`filter replace dev ${a.dev} ingress pref 1 handle 1 bpf direct-action pinned ${a.progPin}`);
  }
  return lines;
}

/** Attaches pinned programs at tc ingress (clsact, direct-action) of several devices of namespace `ns`, in one tc process. */
export async function attachIngressAll(ns: string, attachments: IngressAttachment[]): Promise<void> {
  if (attachments.length === 0) return;
  try {
    await run(['tc', '-batch', '-'], { ns, input: tcAttachLines(attachments).join('\n') + '\n' });
  } catch (err) {
    throw new Error(`attaching BPF at tc ingress in ${ns} failed (does every device exist there, and is the program pinned? check \`ip netns exec ${ns} ip link\`): ${(err as Error).message}`);
  }
}

// ---------------------------------------------------------------------------------------------- maps

const LITTLE_ENDIAN = endianness() === 'LE';

export function hex(bytes: Iterable<number>): string[] {
  return [...bytes].map((b) => `0x${b.toString(16).padStart(2, '0')}`);
}

/** A __u32 in host byte order (the layout of ifindex, prefixlen, vni, array keys). */
export function u32Host(n: number): number[] {
  return uintHost(n, 4);
}

/** A __u16 in host byte order. */
function u16Host(n: number): number[] {
  return uintHost(n, 2);
}

function uintHost(n: number, bytes: 2 | 4): number[] {
  if (!Number.isInteger(n) || n < 0 || n >= 2 ** (8 * bytes)) throw new Error(`${n} is not a valid u${8 * bytes}`);
  const b = Buffer.alloc(bytes);
  if (LITTLE_ENDIAN) b.writeUIntLE(n, 0, bytes);
  else b.writeUIntBE(n, 0, bytes);
  return [...b];
}

/** An IPv4 address as 4 bytes in network order. */
export function ipv4Bytes(ip: string): number[] {
  const parts = ip.split('.');
  const bytes = parts.map(Number);
  if (parts.length !== 4 || bytes.some((b, i) => !/^\d{1,3}$/.test(parts[i]!) || b > 255)) throw new Error(`${JSON.stringify(ip)} is not an IPv4 address`);
  return bytes;
}

function macBytes(mac: string): number[] {
  if (!/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/i.test(mac)) throw new Error(`${JSON.stringify(mac)} is not a MAC address (aa:bb:cc:dd:ee:ff)`);
  return mac.split(':').map((h) => parseInt(h, 16));
}

/** `endpoints[ip] = {ifindex, pod_mac, lxc_mac}`, and with `ep.policy` (the ENABLE_POLICY build) `{lxc_id, flags}` after them. */
export function endpointEntry(ip: string, ep: EndpointInfo): MapUpdate {
  const policy = ep.policy ? [...u16Host(ep.policy.endpointId), ...u16Host(ep.policy.ingress ? 1 : 0)] : [];
  return { map: 'endpoints', key: hex(ipv4Bytes(ip)), value: hex([...u32Host(ep.ifindex), ...macBytes(ep.podMac), ...macBytes(ep.lxcMac), ...policy]) };
}

/** An IPv4 CIDR as its prefix length and network address (host bits cleared), 4 bytes in network order. */
function cidrParts(cidr: string): { len: number; net: number[] } {
  const [addr, lenText] = cidr.split('/');
  const len = Number(lenText);
  if (!addr || !/^\d+$/.test(lenText ?? '') || len > 32) throw new Error(`${JSON.stringify(cidr)} is not an IPv4 CIDR (a.b.c.d/len)`);
  ipv4Bytes(addr); // says what is wrong with the address before supernet does
  return { len, net: ipv4Bytes(supernet(addr, len).split('/')[0]!) };
}

/** ipcache's fixed prefix: cluster_id, pad and family (Cilium's IPCACHE_STATIC_PREFIX). */
const IPCACHE_STATIC_PREFIX = 32;
const ENDPOINT_KEY_IPV4 = 1;

/** Removes `cidr` from the ipcache. */
export function ipcacheDeletion(cidr: string): MapUpdate {
  return { map: 'ipcache', key: ipcacheEntry(cidr, 0).key };
}

/** Takes endpoint `endpointId`'s policy map out of the `policy` array (its pin is removed apart). */
export function policyMapDeletion(endpointId: number): MapUpdate {
  return { map: 'policy', key: hex(u32Host(endpointId)) };
}

/** `ipcache[cidr] = {sec_identity}` (Cilium's ipcache_key / remote_endpoint_info layouts, IPv4, cluster 0). */
export function ipcacheEntry(cidr: string, identity: number): MapUpdate {
  const { len, net } = cidrParts(cidr);
  const key = [...u32Host(IPCACHE_STATIC_PREFIX + len), ...u16Host(0), 0, ENDPOINT_KEY_IPV4, ...net, ...Array<number>(12).fill(0)];
  return { map: 'ipcache', key: hex(key), value: hex([...u32Host(identity), ...Array<number>(20).fill(0)]) };
}

/** One entry of an endpoint's ingress policy: an identity (0: any) on a protocol (0: any) and port (0: any). */
export interface PolicyMapEntry {
  endpointId: number;
  identity: number;
  protocol: number;
  port: number;
  deny: boolean;
}

/** The policy key's fixed bits: identity and direction (cilium_like.c struct policy_key, Cilium's). */
const POLICY_STATIC_PREFIX = 32 + 8;
/** What an endpoint's policy map holds at most: Cilium's default bpf-policy-map-max (cilium_like.c struct policy_map). */
export const POLICY_MAP_ENTRIES = 16_384;
/** Endpoint ids the array of policy maps has room for (cilium_like.c `policy`). */
export const MAX_ENDPOINT_ID = 4095;

/**
 * The bpftool lines that create endpoint `endpointId`'s policy map (an LPM trie like the object's template) and put it
 * in the `policy` array at that id: Cilium's agent creates cilium_policy_v2_<id> when it sets an endpoint up.
 */
export function policyMapCreation(pinDir: string, endpointId: number): string[] {
  if (!Number.isInteger(endpointId) || endpointId < 1 || endpointId > MAX_ENDPOINT_ID) throw new Error(`endpoint id ${endpointId} is outside 1–${MAX_ENDPOINT_ID}`);
  const pins = datapathPins(pinDir);
  const inner = path.join(pinDir, 'maps', `policy-${endpointId}`);
  assertBatchSafe('policy map pin', inner);
  return [
    `map create ${inner} type lpm_trie key 12 value 8 entries ${POLICY_MAP_ENTRIES} name cilium_policy flags 1`,
    `map update pinned ${pins.maps.policy} key hex ${hex(u32Host(endpointId)).join(' ')} value pinned ${inner}`,
  ];
}

/**
 * `policy-<endpoint>[{identity, ingress, protocol, port}] = {deny, lpm_prefix_length}`: the protocol and port count in
 * the LPM prefix only when given (a port needs its protocol), as Cilium's policy map keys them.
 */
export function policyEntry(e: PolicyMapEntry): MapUpdate {
  if (!Number.isInteger(e.port) || e.port < 0 || e.port > 0xffff) throw new Error(`${e.port} is not a port`);
  if (!Number.isInteger(e.protocol) || e.protocol < 0 || e.protocol > 255) throw new Error(`${e.protocol} is not an IP protocol number`);
  if (e.port && !e.protocol) throw new Error(`policy entry for port ${e.port} names no protocol: a port is a property of one`);
  const lpm = e.port ? 24 : e.protocol ? 8 : 0;
  const port = [(e.port >>> 8) & 0xff, e.port & 0xff]; // network byte order
  const key = [...u32Host(POLICY_STATIC_PREFIX + lpm), ...u32Host(e.identity), 0, e.protocol, ...port];
  return { map: `policy-${e.endpointId}`, key: hex(key), value: hex([0, 0, e.deny ? 1 : 0, lpm, 0, 0, 0, 0]) };
}

/** Removes `ip` from `endpoints`. */
export function endpointDeletion(ip: string): MapUpdate {
  return { map: 'endpoints', key: hex(ipv4Bytes(ip)) };
}

/** `tunnels[cidr] = remoteIp` (LPM trie key {prefixlen host order, ip network order}; the host bits of cidr are cleared). */
export function tunnelEntry(cidr: string, remoteIp: string): MapUpdate {
  const { len, net } = cidrParts(cidr);
  return { map: 'tunnels', key: hex([...u32Host(len), ...net]), value: hex(ipv4Bytes(remoteIp)) };
}

/** `config[0] = {vxlan_ifindex, vni}`. */
export function configEntry(cfg: DatapathConfig): MapUpdate {
  if (cfg.vni < 0 || cfg.vni > 0xffffff) throw new Error(`VNI ${cfg.vni} does not fit in 24 bits`);
  return { map: 'config', key: hex(u32Host(0)), value: hex([...u32Host(cfg.vxlanIfindex), ...u32Host(cfg.vni)]) };
}

function batchLine(pins: Omit<LoadedDatapath, 'loadMs'>, u: MapUpdate): string {
  const pin = u.map.startsWith('policy-') ? path.join(pins.pinDir, 'maps', u.map) : pins.maps[u.map as keyof typeof MAPS];
  return u.value
    ? `map update pinned ${pin} key hex ${u.key.join(' ')} value hex ${u.value.join(' ')}`
    : `map delete pinned ${pin} key hex ${u.key.join(' ')}`;
}

/** Applies map writes to the datapath pinned at `pinDir`, all in one bpftool process (after `before`, bpftool lines such as policyMapCreation's). */
export async function applyMapUpdates(pinDir: string, updates: MapUpdate[], before: readonly string[] = []): Promise<void> {
  assertBatchSafe('pin directory', pinDir);
  const pins = datapathPins(pinDir);
  await bpftoolBatch([...before, ...updates.map((u) => batchLine(pins, u))], `updating BPF maps under ${pinDir}`);
}

interface DumpEntry {
  key: string[];
  value?: string[];
  values?: { cpu: number; value: string[] }[];
}

function u64Host(bytes: string[]): number {
  const b = Buffer.from(bytes.map((h) => parseInt(h, 16)));
  return Number(LITTLE_ENDIAN ? b.readBigUInt64LE() : b.readBigUInt64BE());
}

/** Packet counters of a node's datapath, summed over CPUs. */
export async function readCounters(pinDir: string): Promise<Counters> {
  const byIndex = await readArrayCounters(datapathPins(pinDir).maps.counters);
  const out = {} as Counters;
  for (const [name, idx] of Object.entries(COUNTER_INDEX) as [CounterName, number][]) out[name] = byIndex.get(idx) ?? 0;
  return out;
}

/** A pinned array (or per-CPU array) of __u64 counters: index → value, summed over CPUs. */
export async function readArrayCounters(pin: string): Promise<Map<number, number>> {
  let entries: DumpEntry[];
  try {
    entries = JSON.parse((await run(['bpftool', '--nomount', '-j', 'map', 'dump', 'pinned', pin])).stdout) as DumpEntry[];
  } catch (err) {
    throw new Error(`reading ${pin} failed (is the program loaded there?): ${(err as Error).message}`);
  }
  const byIndex = new Map<number, number>();
  for (const e of entries) {
    const idx = Buffer.from(e.key.map((h) => parseInt(h, 16)))[LITTLE_ENDIAN ? 'readUInt32LE' : 'readUInt32BE']();
    const total = e.values ? e.values.reduce((s, v) => s + u64Host(v.value), 0) : e.value ? u64Host(e.value) : 0;
    byIndex.set(idx, total);
  }
  return byIndex;
}

// ---------------------------------------------------------------------------------------------- links

/** Every link of namespace `ns` by name (one `ip -j link show`). */
export async function listLinks(ns: string): Promise<Map<string, LinkInfo>> {
  const raw = JSON.parse((await run(['ip', '-j', 'link', 'show'], { ns })).stdout) as {
    ifindex: number;
    ifname: string;
    address?: string;
    mtu: number;
    flags?: string[];
  }[];
  return new Map(raw.map((l) => [l.ifname, { ifindex: l.ifindex, name: l.ifname, mac: l.address ?? '', mtu: l.mtu, up: l.flags?.includes('UP') ?? false }]));
}
