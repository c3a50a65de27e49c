// Stops a notebook with a message that says what to do: tslab prints what a cell throws with console.error, and a
// plain Error would bring its stack trace along. A thrown NotebookStop prints as its message alone, and tslab
// cancels the cells queued after it, so "Run All" ends at the explanation instead of a cascade of errors.
import { inspect } from 'node:util';
import { listRuns } from '../analysis/loadRun.ts';
import { join } from 'node:path';

export class NotebookStop extends Error {
  override name = 'NotebookStop';

  [inspect.custom](): string {
    return `cnibench: ${this.message}`;
  }
}

/** Root is needed to build the local testbed (network namespaces, veths, BPF, iptables). */
export function requireRoot(uid: number | undefined = process.getuid?.()): void {
  if (uid === 0) return;
  throw new NotebookStop(
    'collecting builds network namespaces, which needs root, and this kernel runs as an ordinary user. '
    + 'Stop Jupyter and start it as root from the project folder: "sudo npm run notebooks" '
    + '(or, as root, "npm run notebooks"), then open this notebook again and run it from the top. '
    + 'The other notebooks only read data and work without root.',
  );
}

/** The run ids under dataDir/runs, or a stop that says how to get one. */
export async function requireRuns(dataDir: string): Promise<string[]> {
  const runs = (await listRuns(dataDir)).filter((n) => !n.startsWith('.'));
  if (runs.length) return runs;
  throw new NotebookStop(
    `there are no runs in ${join(dataDir, 'runs')}, so there is nothing to show yet. `
    + 'Collect one first: "sudo npx cnibench collect --cni flannel,cilium --scenario intra --reps 3 --duration 2" '
    + '(a few minutes; add --profile for cycles per packet), or run notebook 05-collect.ipynb as root; '
    + 'then run this notebook again from the top.',
  );
}
