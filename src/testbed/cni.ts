// Invokes a reference CNI plugin (containernetworking-plugins) through the CNI protocol: env + JSON config on stdin.
import { access } from 'node:fs/promises';
import { run } from '../util/exec.ts';
import { PrerequisiteError } from '../util/errors.ts';

export const CNI_PATH = process.env.CNIBENCH_CNI_PATH ?? '/usr/lib/cni';

export interface CniInvocation {
  command: 'ADD' | 'DEL';
  /** The plugin's network configuration (type, ipam, …). */
  config: Record<string, unknown>;
  containerId: string;
  /** Namespace the plugin runs in: the node's (where the host side of the veth lives). */
  nodeNs: string;
  /** Path of the pod's network namespace (CNI_NETNS). */
  podNetnsPath: string;
  ifName: string;
}

/** The parts of a CNI 1.0 ADD result we use. */
export interface CniResult {
  cniVersion: string;
  interfaces?: { name: string; mac?: string; sandbox?: string }[];
  ips?: { address: string; gateway?: string; interface?: number }[];
}

export async function cniPluginPath(type: string): Promise<string> {
  const path = `${CNI_PATH}/${type}`;
  try {
    await access(path);
  } catch {
    throw new PrerequisiteError(`CNI plugin "${type}" not found in ${CNI_PATH}: install containernetworking-plugins (bash scripts/setup.sh).`);
  }
  return path;
}

/** Runs one CNI command; returns the parsed result (ADD) and how long the plugin took. */
export async function invokeCni(inv: CniInvocation): Promise<{ result?: CniResult; ms: number }> {
  const type = String(inv.config.type);
  const plugin = await cniPluginPath(type);
  const res = await run([plugin], {
    ns: inv.nodeNs,
    input: JSON.stringify(inv.config),
    env: {
      CNI_COMMAND: inv.command,
      CNI_CONTAINERID: inv.containerId,
      CNI_NETNS: inv.podNetnsPath,
      CNI_IFNAME: inv.ifName,
      CNI_PATH,
    },
    reject: false,
  });
  if (res.exitCode !== 0) {
    // CNI errors come back as JSON on stdout: {"code":…, "msg":…, "details":…}
    let msg = res.stderr.trim() || res.stdout.trim();
    try {
      const e = JSON.parse(res.stdout) as { msg?: string; details?: string };
      msg = [e.msg, e.details].filter(Boolean).join(': ');
    } catch { /* not JSON: keep the raw text */ }
    throw new Error(`CNI ${type} ${inv.command} for ${inv.containerId} failed: ${msg}`);
  }
  const result = inv.command === 'ADD' ? (JSON.parse(res.stdout) as CniResult) : undefined;
  return { result, ms: res.durationMs };
}
