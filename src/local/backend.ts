// The local backend of `cnibench collect` (the default): each model's datapath rebuilt on a testbed of network
// namespaces on this machine. Needs root and the tools the plan's models use, checked before anything is created.
import { type CollectBackend, type OptionValues, type PreparedRun, skippedNotes } from '../collect/backend.ts';
import { parsePlan, type PlanInput } from '../collect/plan.ts';
import type { RunManifest } from '../collect/manifest.ts';
import { checkCollectPrerequisites } from './requirements.ts';
import { createRun, executeRun } from './run.ts';

function prepared(runDir: string, manifest: RunManifest): PreparedRun {
  return { runDir, manifest, notes: skippedNotes(manifest), execute: (control) => executeRun(runDir, manifest, control) };
}

export const localBackend: CollectBackend = {
  id: 'local',
  async create(dataDir: string, input: PlanInput, _values: OptionValues): Promise<PreparedRun> {
    const plan = parsePlan(input);
    await checkCollectPrerequisites(plan);
    const { runDir, manifest } = await createRun(dataDir, plan);
    return prepared(runDir, manifest);
  },
  async resume(_dataDir: string, runDir: string, manifest: RunManifest): Promise<PreparedRun> {
    await checkCollectPrerequisites(manifest.plan);
    return prepared(runDir, manifest);
  },
  cleanupWords: 'tearing the testbed down',
  cleanedWords: 'the testbed is removed',
  itemOverheadS: 0.5,
};
