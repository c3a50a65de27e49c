// What every build step gets: the model, the testbed being built, and timed helpers for ip, bridge and sysctl.
import { join } from 'node:path';
import { run } from '../../util/exec.ts';
import type { ModelDescription } from '../model.ts';
import type { NodeInfo, NodeName, PodInfo, Testbed } from '../topology.ts';
import { must } from '../topology.ts';

export interface BuildContext {
  model: ModelDescription;
  tb: Testbed;
}

/** Runs `fn`, recording how long it took under `step` (these timings are the local pod-launch breakdown). */
export async function timed<T>(ctx: BuildContext, step: string, target: string, fn: () => Promise<T>): Promise<T> {
  const t0 = performance.now();
  try {
    return await fn();
  } finally {
    ctx.tb.steps.push({ step, target, ms: Math.round((performance.now() - t0) * 1000) / 1000 });
  }
}

/** Several `ip` commands in one process (`ip -n NS -batch -`): a model comes up in well under a second. */
export async function ipBatch(ns: string, lines: string[]): Promise<void> {
  if (lines.length === 0) return;
  await run(['ip', '-n', ns, '-batch', '-'], { input: lines.join('\n') + '\n' });
}

export async function bridgeBatch(ns: string, lines: string[]): Promise<void> {
  if (lines.length === 0) return;
  await run(['bridge', '-n', ns, '-batch', '-'], { input: lines.join('\n') + '\n' });
}

/** Sets sysctls inside a namespace (per-netns keys only: never the root namespace's). */
export async function sysctl(ns: string, settings: Record<string, string | number>): Promise<void> {
  const args = Object.entries(settings).map(([k, v]) => `${k}=${v}`);
  if (args.length) await run(['sysctl', '-q', '-w', ...args], { ns });
}

export function nodeOf(tb: Testbed, name: NodeName): NodeInfo {
  return must(tb.nodes.find((n) => n.name === name), name);
}

export function podsOn(tb: Testbed, node: NodeName): PodInfo[] {
  return tb.pods.filter((p) => p.node === node);
}

/** Log file of a daemon of this testbed (removed with the testbed). */
export function daemonLog(tb: Testbed, name: string): string {
  return join(tb.ipamDir, `${name}.log`);
}

/** The nth usable address of a /24 pod CIDR (10.244.0.0/24, 2 → 10.244.0.2). */
export function hostAddress(cidr: string, n: number): string {
  const base = cidr.split('/')[0]!.split('.').map(Number);
  return `${base[0]}.${base[1]}.${base[2]}.${n}`;
}
