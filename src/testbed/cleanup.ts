// Finds and removes leftovers of any cnibench testbed by their "cnib" prefix: namespaces (and the processes inside
// them, which only a testbed started), BPF mounts, cgroups, IPAM data, state files and perf's working folders.
import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { run } from '../util/exec.ts';
import { STATE_DIR, perfWorkOwner, prefixOf } from './names.ts';
import { pidsInNamespace, stopDaemons, stopPids } from './processes.ts';
import { listStates, removeState } from './state.ts';
import { unmountBpffs } from './bpf/loader.ts';
import { leftoverCgroups, removeCgroup } from './services/ebpfSocketLb.ts';

/** Every named network namespace on the machine (`ip netns list`). */
export async function listNamespaces(): Promise<string[]> {
  const r = await run(['ip', '-j', 'netns', 'list'], { reject: false });
  return r.stdout.trim() ? (JSON.parse(r.stdout) as { name: string }[]).map((n) => n.name) : [];
}

export async function ourNamespaces(prefix?: string): Promise<string[]> {
  return (await listNamespaces()).filter((n) => {
    const p = prefixOf(n);
    return p !== undefined && (prefix === undefined || p === prefix);
  });
}

export interface CleanupReport {
  namespaces: string[];
  processes: number;
  prefixes: string[];
  /** perf's working folders removed (a profiled item killed before it could remove its own). */
  tempDirs: string[];
}

/** perf's working folders (`cnibench-perf-<prefix>-*`, a perf.data of megabytes each) of one testbed or of all. */
async function perfWorkFolders(prefix?: string): Promise<{ path: string; owner: string }[]> {
  const names = await readdir(tmpdir()).catch(() => [] as string[]);
  return names.flatMap((n) => {
    const owner = perfWorkOwner(n);
    return owner !== undefined && (prefix === undefined || owner === prefix) ? [{ path: join(tmpdir(), n), owner }] : [];
  });
}

/** Removes one testbed (prefix given) or all of them. Stopping a testbed's own daemons first, by PID. */
export async function cleanup(prefix?: string): Promise<CleanupReport> {
  const states = (await listStates()).filter((s) => prefix === undefined || s.prefix === prefix);
  let processes = 0;
  for (const s of states) {
    processes += s.daemons.length;
    await stopDaemons(s.daemons);
  }
  const namespaces = await ourNamespaces(prefix);
  for (const ns of namespaces) {
    const pids = await pidsInNamespace(ns);
    processes += pids.length;
    await stopPids(pids, 0);
  }
  for (const ns of namespaces) await run(['ip', 'netns', 'del', ns], { reject: false });
  const prefixes = new Set<string>([...states.map((s) => s.prefix), ...namespaces.map((n) => prefixOf(n)!)]);
  for (const dir of ['ipam', 'bpffs']) {
    const names = await readdir(join(STATE_DIR, dir)).catch(() => [] as string[]);
    for (const n of names) if (prefixOf(n) && (prefix === undefined || n === prefix)) prefixes.add(n);
  }
  // The eBPF socket load balancer's cgroups (cnibench-<prefix>); their processes were stopped with the namespaces.
  const cgroupOwner = (d: string) => prefixOf(basename(d).slice('cnibench-'.length));
  const cgroups = (await leftoverCgroups()).filter((d) => cgroupOwner(d) && (prefix === undefined || cgroupOwner(d) === prefix));
  for (const d of cgroups) {
    prefixes.add(cgroupOwner(d)!);
    await removeCgroup(d);
  }
  const perfFolders = await perfWorkFolders(prefix);
  for (const { path, owner } of perfFolders) {
    prefixes.add(owner);
    await rm(path, { recursive: true, force: true });
  }
  for (const p of prefixes) {
    await unmountBpffs(p); // a no-op when nothing is mounted
    await rm(join(STATE_DIR, 'ipam', p), { recursive: true, force: true });
    await removeState(p);
  }
  return { namespaces, processes, prefixes: [...prefixes], tempDirs: perfFolders.map((f) => f.path) };
}
