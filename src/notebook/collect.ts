// A small collection from a notebook: the local backend of `cnibench collect` (plan parsing, prerequisite checks,
// the testbed runner), with progress printed in the cell and the kernel's interrupt (SIGINT) stopping it cleanly.
import type { PlanInput } from '../collect/plan.ts';
import { type CollectResult, type PreparedRun, statusCounts } from '../collect/backend.ts';
import { localBackend } from '../local/backend.ts';
import { StderrProgress } from '../collect/progress.ts';
import { UsageError, errorMessage } from '../util/errors.ts';
import { NotebookStop, requireRoot } from './guard.ts';
import { dataDir } from './study.ts';

export interface CollectOptions {
  /** Default: the notebooks' data folder ($CNIBENCH_DATA_DIR, else data/). */
  dataDir?: string;
  /** Prints progress lines (default: the cell's stdout). */
  out?: NodeJS.WriteStream;
}

/** Counts of the run's items by status, e.g. "ok 4, failed 0, skipped 0, pending 0". */
export function statusLine(result: CollectResult): string {
  return statusCounts(result.manifest);
}

/** Plans, checks and runs a collection; any problem with the plan or the machine stops the notebook with what to do. */
export async function collect(input: PlanInput, opts: CollectOptions = {}): Promise<CollectResult> {
  requireRoot();
  const dir = opts.dataDir ?? dataDir();
  let prepared: PreparedRun;
  try {
    prepared = await localBackend.create(dir, input, {});
  } catch (err) {
    if (err instanceof UsageError) throw new NotebookStop(errorMessage(err));
    throw err;
  }
  const { runDir, manifest } = prepared;
  const out = opts.out ?? process.stdout;
  const progress = new StderrProgress(out, manifest.plan.durationS + localBackend.itemOverheadS);
  const controller = new AbortController();
  const onInterrupt = () => {
    progress.note('interrupted: tearing the testbed down…');
    controller.abort();
  };
  process.on('SIGINT', onInterrupt);
  progress.note(`run ${manifest.runId} → ${runDir}`);
  try {
    const result = await prepared.execute({ progress, signal: controller.signal });
    progress.note(result.outcome === 'interrupted'
      ? `interrupted (${statusLine(result)}); resume with: sudo npx cnibench collect --resume ${runDir}`
      : `run ${result.runId} complete: ${statusLine(result)}`);
    return result;
  } finally {
    process.off('SIGINT', onInterrupt);
  }
}
