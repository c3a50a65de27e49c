// The report's load stage: the runs asked for (or every run under data/runs), checksums verified, and a notice for
// everything that cannot be used as it stands.
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { listRuns, loadRun, type LoadedRun } from '../analysis/loadRun.ts';
import { UsageError, errorMessage } from '../util/errors.ts';
import { MSG } from './messages.ts';
import { runNotices, type Notice } from './notices.ts';

export interface ReportInputs {
  dataDir: string;
  runs: LoadedRun[];
  notices: Notice[];
}

async function isDir(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/**
 * Named runs must all load (a typo is the user's to fix, not a gap to report around); with no names, every folder
 * under runs/ is tried and one that is not a readable run becomes a notice.
 */
export async function loadInputs(dataDir: string, runIds: readonly string[] = []): Promise<ReportInputs> {
  const runsDir = join(dataDir, 'runs');
  const runs: LoadedRun[] = [];
  const notices: Notice[] = [];
  if (runIds.length) {
    for (const id of runIds) {
      const dir = id.includes('/') ? id : join(runsDir, id); // as runDirOf(), with runsDir given directly
      if (!(await isDir(dir))) throw new UsageError(MSG.unknownRun(id, runsDir));
      runs.push(await loadRun(dataDir, id));
    }
  } else {
    for (const name of await listRuns(dataDir)) {
      if (name.startsWith('.') || !(await isDir(join(runsDir, name)))) continue;
      try {
        runs.push(await loadRun(dataDir, name));
      } catch (err) {
        notices.push({ level: 'warning', text: MSG.notARun(join(runsDir, name), errorMessage(err)) });
      }
    }
  }
  // Stable order whatever order the ids were given in: run ids start with their creation time.
  runs.sort((a, b) => a.runId.localeCompare(b.runId));
  if (!runs.length) notices.push({ level: 'warning', text: MSG.noData(runsDir) });
  for (const run of runs) notices.push(...runNotices(run));
  return { dataDir, runs, notices };
}
