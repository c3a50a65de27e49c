// Names of everything the testbed creates: a run-unique prefix starting with "cnib", so leftovers can be found.
import { randomBytes } from 'node:crypto';

const PREFIX_ROOT = 'cnib';
const PREFIX_RE = /^cnib[0-9a-f]{6}$/;

/** Where testbed state (one JSON per testbed), IPAM data and bpffs mounts live. Never under the project. */
export const STATE_DIR = '/run/cnibench';

export function newPrefix(): string {
  return PREFIX_ROOT + randomBytes(3).toString('hex');
}

export function isPrefix(s: string): boolean {
  return PREFIX_RE.test(s);
}

/** Namespace name for a node or pod of the testbed `prefix`, e.g. cnib1a2b3c-node-a. */
export function nsName(prefix: string, member: string): string {
  return `${prefix}-${member}`;
}

/** The prefix a namespace belongs to, if it is one of ours. */
export function prefixOf(ns: string): string | undefined {
  const p = ns.split('-')[0] ?? '';
  return isPrefix(p) ? p : undefined;
}

/** The temp-directory folder a profiled item on testbed `prefix` works in starts with this (mkdtemp adds the rest). */
export function perfWorkPrefix(prefix: string): string {
  return `cnibench-perf-${prefix}-`;
}

/** The testbed a perf working folder belongs to, if the name is one of ours. */
export function perfWorkOwner(name: string): string | undefined {
  const owner = /^cnibench-perf-([^-]+)-/.exec(name)?.[1];
  return owner !== undefined && isPrefix(owner) ? owner : undefined;
}
