// Facts about the machine and the tools a run used, recorded in its manifest (and the report's setup section).
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { run } from '../util/exec.ts';

export interface HostFacts {
  kernel: string;
  os: string;
  cpuModel: string;
  /** Nominal MHz from /proc/cpuinfo (used to estimate cycles where hardware counters are missing). */
  cpuMHz: number;
  cores: number;
  memoryGiB: number;
  /** Whether the machine is a virtual machine (the hypervisor flag in /proc/cpuinfo). */
  virtualized: boolean;
}

export type ToolVersions = Record<string, string>;

export async function hostFacts(): Promise<HostFacts> {
  const cpuinfo = await readFile('/proc/cpuinfo', 'utf8').catch(() => '');
  const field = (name: string) => cpuinfo.match(new RegExp(`^${name}\\s*:\\s*(.+)$`, 'm'))?.[1]?.trim() ?? '';
  const osRelease = await readFile('/etc/os-release', 'utf8').catch(() => '');
  return {
    kernel: os.release(),
    os: osRelease.match(/^PRETTY_NAME="?([^"\n]+)"?$/m)?.[1] ?? os.type(),
    cpuModel: field('model name') || os.cpus()[0]?.model || 'unknown',
    cpuMHz: Number(field('cpu MHz')) || os.cpus()[0]?.speed || 0,
    cores: os.cpus().length,
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    virtualized: /\bhypervisor\b/.test(field('flags')),
  };
}

const VERSION_COMMANDS: Record<string, string[]> = {
  netperf: ['netperf', '-V'],
  iproute2: ['ip', '-V'],
  'iptables-legacy': ['iptables-legacy', '--version'],
  'iptables-nft': ['iptables-nft', '--version'],
  ipset: ['ipset', '--version'],
  socat: ['socat', '-V'],
  clang: ['clang', '--version'],
  bpftool: ['bpftool', 'version'],
  ethtool: ['ethtool', '--version'],
  perf: ['perf', '--version'],
  'containernetworking-plugins': ['dpkg-query', '-W', '-f', '${Version}', 'containernetworking-plugins'],
};

/** First meaningful line each tool prints of its version; "missing" when it does not run. */
export async function toolVersions(): Promise<ToolVersions> {
  const out: ToolVersions = { node: process.version };
  await Promise.all(
    Object.entries(VERSION_COMMANDS).map(async ([name, argv]) => {
      const r = await run(argv, { reject: false }).catch(() => undefined);
      const text = `${r?.stdout ?? ''}\n${r?.stderr ?? ''}`.split('\n').map((l) => l.trim()).find((l) => /\d/.test(l));
      out[name] = r && r.exitCode === 0 && text ? text : 'missing';
    }),
  );
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => a.localeCompare(b)));
}
