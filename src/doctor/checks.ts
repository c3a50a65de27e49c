// `cnibench doctor`: every prerequisite and kernel feature, probed for real, with how to fix what is missing.
import { access, readFile } from 'node:fs/promises';
import { run } from '../util/exec.ts';
import { probeFeatures } from '../testbed/features.ts';
import { CNI_PATH } from '../testbed/cni.ts';
import { readCpuidle } from '../tools/proc/cpuidle.ts';
import { awakeUnsupported } from '../collect/idle.ts';
import { onlineCpus } from '../collect/placement.ts';

export type CheckStatus = 'ok' | 'missing' | 'degraded';

export interface Check {
  name: string;
  status: CheckStatus;
  detail: string;
  fix: string;
  /** Whether `cnibench collect --backend local` cannot run without it. */
  neededForCollect: boolean;
}

const SETUP = 'bash scripts/setup.sh';

async function tryRun(argv: string[], ns?: string) {
  return run(argv, { reject: false, ns, timeoutMs: 20_000 }).catch((err: Error) => ({ exitCode: -1, stdout: '', stderr: err.message }));
}

function firstLine(s: string): string {
  return s.trim().split('\n')[0]?.trim() ?? '';
}

async function commandCheck(name: string, argv: string[], fix: string, neededForCollect: boolean): Promise<Check> {
  const r = await tryRun(argv);
  const text = firstLine(r.stdout) || firstLine(r.stderr);
  const ok = r.exitCode === 0;
  return { name, status: ok ? 'ok' : 'missing', detail: ok ? text : text || 'not found', fix: ok ? '' : fix, neededForCollect };
}

async function perfEvents(): Promise<Check[]> {
  const cycles = await tryRun(['perf', 'stat', '-x,', '-e', 'cycles', 'true']);
  const cpuClock = await tryRun(['perf', 'stat', '-x,', '-e', 'cpu-clock', 'true']);
  const cyclesOk = cycles.exitCode === 0 && !/not supported|not counted/.test(cycles.stderr);
  const clockOk = cpuClock.exitCode === 0 && !/not supported/.test(cpuClock.stderr);
  return [
    {
      name: 'perf: hardware cycles',
      status: cyclesOk ? 'ok' : 'degraded',
      detail: cyclesOk ? 'counted' : 'not supported here (virtual machine?): cycles will be estimated from cpu-clock × nominal MHz',
      fix: cyclesOk ? '' : 'run on bare metal or a VM with PMU passthrough for measured cycles',
      neededForCollect: false,
    },
    { name: 'perf: cpu-clock', status: clockOk ? 'ok' : 'missing', detail: clockOk ? 'counted' : firstLine(cpuClock.stderr), fix: clockOk ? '' : `${SETUP} (linux-perf)`, neededForCollect: false },
  ];
}

async function tracefs(): Promise<Check> {
  for (const dir of ['/sys/kernel/tracing', '/sys/kernel/debug/tracing']) {
    const events = await readFile(`${dir}/available_events`, 'utf8').catch(() => undefined);
    if (events !== undefined) {
      const fib = events.includes('fib:fib_table_lookup');
      return {
        name: 'tracefs + fib:fib_table_lookup',
        status: fib ? 'ok' : 'degraded',
        detail: fib ? `${dir}` : `${dir} mounted but fib:fib_table_lookup is not listed`,
        fix: fib ? '' : 'a kernel with FIB tracepoints (CONFIG_TRACEPOINTS)',
        neededForCollect: false,
      };
    }
  }
  return { name: 'tracefs + fib:fib_table_lookup', status: 'degraded', detail: 'tracefs not mounted', fix: 'mount -t tracefs nodev /sys/kernel/tracing (done automatically by profiled runs)', neededForCollect: false };
}

async function cniPlugins(): Promise<Check> {
  const need = ['bridge', 'host-local'];
  const missing: string[] = [];
  for (const p of need) await access(`${CNI_PATH}/${p}`).catch(() => missing.push(p));
  return {
    name: 'CNI reference plugins',
    status: missing.length ? 'missing' : 'ok',
    detail: missing.length ? `missing in ${CNI_PATH}: ${missing.join(', ')}` : `${need.join(', ')} in ${CNI_PATH}`,
    fix: missing.length ? `${SETUP} (containernetworking-plugins)` : '',
    neededForCollect: true,
  };
}

async function clangBpf(): Promise<Check> {
  const r = await tryRun(['clang', '-print-targets']);
  const ok = r.exitCode === 0 && /\bbpf\b/.test(r.stdout);
  const headers = await access('/usr/include/bpf/bpf_helpers.h').then(() => true, () => false);
  return {
    name: 'clang (BPF target) + libbpf headers',
    status: ok && headers ? 'ok' : 'missing',
    detail: ok && headers ? 'clang targets bpf; /usr/include/bpf present' : !ok ? 'clang missing or without the bpf target' : 'libbpf-dev headers missing',
    fix: ok && headers ? '' : `${SETUP} (clang, libbpf-dev)`,
    neededForCollect: true,
  };
}

async function tslab(): Promise<Check> {
  const r = await tryRun(['jupyter', 'kernelspec', 'list', '--json']);
  const ok = r.exitCode === 0 && /"tslab"/.test(r.stdout);
  return {
    name: 'Jupyter + tslab kernel',
    status: ok ? 'ok' : 'missing',
    detail: ok ? 'tslab kernel registered' : r.exitCode === 0 ? 'Jupyter found, tslab kernel not registered' : 'jupyter not found',
    fix: ok ? '' : SETUP,
    neededForCollect: false,
  };
}

/** Idle states and CPUs: what --idle awake and --placement split need. */
async function cpuAndIdle(): Promise<Check[]> {
  const info = await readCpuidle();
  const why = awakeUnsupported(info);
  const cpus = await onlineCpus();
  return [
    {
      name: 'cpuidle (--idle awake)',
      status: why ? 'degraded' : 'ok',
      detail: why ? `driver ${info.driver}: ${why}` : `driver ${info.driver}, governor ${info.governor}, states ${info.states.map((s) => s.name).join(', ')}: a 0 µs latency limit keeps the CPUs polling`,
      fix: why ? 'use --idle default (the default); placement "same" does not need awake CPUs' : '',
      neededForCollect: false,
    },
    {
      name: 'CPUs (--placement split)',
      status: cpus.length >= 2 ? 'ok' : 'degraded',
      detail: `${cpus.length} online (${cpus.join(', ')})`,
      fix: cpus.length >= 2 ? '' : 'placement split and both need two CPUs; same (the default) works',
      neededForCollect: false,
    },
  ];
}

export async function runChecks(): Promise<Check[]> {
  const root = process.getuid?.() === 0;
  const checks: Check[] = [
    { name: 'root', status: root ? 'ok' : 'missing', detail: root ? 'running as root' : 'not root: the testbed creates network namespaces', fix: root ? '' : 'run as root (sudo)', neededForCollect: true },
    await commandCheck('netperf 2.7', ['netperf', '-V'], `${SETUP} (Debian non-free: netperf)`, true),
    await commandCheck('netserver', ['sh', '-c', 'command -v netserver'], `${SETUP} (netperf)`, true),
    await commandCheck('iproute2 (ip, tc, bridge, ss)', ['ip', '-V'], `${SETUP} (iproute2)`, true),
    await commandCheck('iptables-legacy', ['iptables-legacy', '--version'], `${SETUP} (iptables)`, true),
    await commandCheck('iptables-nft', ['iptables-nft', '--version'], `${SETUP} (iptables)`, false),
    await commandCheck('ipset', ['ipset', '--version'], `${SETUP} (ipset)`, true),
    await commandCheck('socat (flannel UDP relay)', ['socat', '-V'], `${SETUP} (socat)`, true),
    await commandCheck('bpftool', ['bpftool', 'version'], `${SETUP} (bpftool)`, true),
    await commandCheck('ethtool (--wire nic)', ['ethtool', '--version'], `${SETUP} (ethtool)`, false),
    await clangBpf(),
    await cniPlugins(),
    await commandCheck('perf', ['perf', '--version'], `${SETUP} (linux-perf)`, false),
    ...(await perfEvents()),
    await tracefs(),
    ...(await cpuAndIdle()),
    await commandCheck('Chromium (report PDF)', ['chromium', '--version'], `${SETUP} (chromium)`, false),
    await tslab(),
  ];
  if (root) {
    for (const f of await probeFeatures()) {
      // IPIP only serves the Calico IP-in-IP variants, which are recorded as skipped without it; IPVS only kube-proxy's
      // IPVS mode, refused when asked for without it. nftables is part of the setup (kube-proxy's nftables mode).
      const needed = f.feature !== 'ipip' && f.feature !== 'ipvs';
      checks.push({
        name: `kernel: ${f.feature}`,
        status: f.ok ? 'ok' : needed ? 'missing' : 'degraded',
        detail: f.ok ? 'works in a network namespace' : f.detail,
        fix: f.ok ? '' : needed ? (f.feature === 'nftables' ? `${SETUP} (nftables)` : 'a kernel with this feature built in or as a module') : f.feature === 'ipvs' ? 'collect --proxy ipvs is refused' : 'models that need it are recorded as skipped',
        neededForCollect: needed,
      });
    }
  } else {
    checks.push({ name: 'kernel features', status: 'missing', detail: 'not probed: needs root', fix: 'run cnibench doctor as root', neededForCollect: true });
  }
  return checks;
}

export function formatChecks(checks: Check[]): string {
  const w = Math.max(...checks.map((c) => c.name.length));
  const lines = checks.map((c) => {
    const mark = c.status === 'ok' ? 'ok      ' : c.status === 'degraded' ? 'degraded' : 'MISSING ';
    return `${mark}  ${c.name.padEnd(w)}  ${c.detail}${c.fix ? `  → ${c.fix}` : ''}`;
  });
  return lines.join('\n');
}

export function collectBlockers(checks: Check[]): Check[] {
  return checks.filter((c) => c.neededForCollect && c.status === 'missing');
}
