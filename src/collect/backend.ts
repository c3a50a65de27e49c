// What a collection backend is. src/collect/ owns everything that does not depend on where the measurement runs —
// the plan, the schedule of rounds, adaptive stopping, the run folder and its manifest, progress — and the one
// `cnibench collect` command drives a backend through this interface: plan in, items and raw files out, resumable.
// The local testbed (src/local/) and a Kubernetes cluster (src/k8s/) implement it in their own folders;
// nothing in src/collect/ imports either (test/layout.test.ts checks it).
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileSha256 } from '../util/atomic.ts';
import { type PlanInput, profileTestsOf } from './plan.ts';
import { type RunManifest, loadManifest } from './manifest.ts';
import type { ProgressSink } from './progress.ts';

export type BackendId = RunManifest['backend'];

export interface CollectResult {
  runId: string;
  runDir: string;
  manifest: RunManifest;
  outcome: 'complete' | 'interrupted';
  /** What the run could not remove (a testbed that would not come down), each with how to remove it. */
  leftovers?: string[];
}

export interface RunControl {
  progress: ProgressSink;
  /** Aborted on Ctrl-C: the backend stops at the next safe point, cleans up and returns "interrupted". */
  signal: AbortSignal;
}

/** The command line's option values as parsed (long names, strings or booleans). */
export type OptionValues = Readonly<Record<string, string | boolean | undefined>>;

/** A run ready to go: created or reopened, with the machine or cluster it needs checked. */
export interface PreparedRun {
  runDir: string;
  manifest: RunManifest;
  /** What to tell the user before the first item (what was found, what will be skipped and why). */
  notes: string[];
  /**
   * Runs the pending items in the manifest's order, writing raw files and the manifest after each, and cleans up
   * whatever happens. Resolves "interrupted" after Ctrl-C; throws when the run could not go on (the run stays
   * resumable and the message says how).
   */
  execute(control: RunControl): Promise<CollectResult>;
}

export interface CollectBackend {
  id: BackendId;
  /** A new run from the plan options and this backend's own options; bad input throws a UsageError. */
  create(dataDir: string, plan: PlanInput, values: OptionValues): Promise<PreparedRun>;
  /** An earlier run of this backend, reopened (reopenRun) and its environment checked again. */
  resume(dataDir: string, runDir: string, manifest: RunManifest): Promise<PreparedRun>;
  /** What stopping involves, for the progress line after Ctrl-C: "tearing the testbed down". */
  cleanupWords: string;
  /** What is left after an interruption: "the testbed is removed". */
  cleanedWords: string;
  /** Seconds one item takes beyond its netperf duration, for the progress estimate. */
  itemOverheadS: number;
}

export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}

/**
 * A run of an earlier session, ready to go on: failed items are pending again, and so is every finished item whose
 * raw files are gone or changed (their sha256 no longer matches the manifest).
 */
export async function reopenRun(runDir: string): Promise<RunManifest> {
  const m = await loadManifest(runDir);
  for (const item of m.items) {
    if (item.status !== 'ok') {
      if (item.status === 'failed') { item.status = 'pending'; delete item.reason; item.files = []; }
      continue;
    }
    for (const f of item.files) {
      const rec = m.files[f];
      const now = await fileSha256(join(runDir, f)).catch(() => undefined);
      if (!rec || !now || now.sha256 !== rec.sha256) {
        item.status = 'pending';
        item.files = [];
        break;
      }
    }
  }
  return m;
}

/** "ok 4, failed 0, skipped 2, pending 0". */
export function statusCounts(m: RunManifest): string {
  const count = (s: string) => m.items.filter((i) => i.status === s).length;
  return `ok ${count('ok')}, failed ${count('failed')}, skipped ${count('skipped')}, pending ${count('pending')}`;
}

/** Each model and scenario the run skips, once, with why: "  skipped baseline inter: no inter-host path". */
export function skippedNotes(m: RunManifest): string[] {
  const first = (kind: string) => (kind === 'profile' && m.plan.profile ? profileTestsOf(m.plan.profile)[0] : m.plan.tests[0]);
  const lines = m.items
    .filter((i) => i.status === 'skipped' && i.rep === 1 && i.kind !== 'launch' && i.test === first(i.kind))
    .map((i) => `  skipped ${i.model} ${i.scenario}: ${i.reason}`);
  return [...new Set(lines)];
}
