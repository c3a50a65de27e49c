// A launch item of a local run: one pod launched, timed and deleted on the model's running testbed; the record is
// written whole to raw/<model>/launch/launch-NNN.json (kept when the launch fails, if it got that far).
import type { ModelDescription } from '../testbed/model.ts';
import type { Testbed } from '../testbed/topology.ts';
import { launchPod } from '../launch/local.ts';
import { errorMessage } from '../util/errors.ts';
import { type ItemRecord, type RunManifest, writeRaw } from '../collect/manifest.ts';

function launchRawPath(model: string, index: number): string {
  return `raw/${model}/launch/launch-${String(index).padStart(3, '0')}.json`;
}

export async function runLaunchItem(runDir: string, m: RunManifest, model: ModelDescription, tb: Testbed, item: ItemRecord, signal: AbortSignal): Promise<void> {
  item.startedAt = new Date().toISOString();
  item.testbed = tb.prefix;
  try {
    const rec = await launchPod(model, tb, item.rep, signal);
    item.files = [await writeRaw(runDir, m, launchRawPath(item.model, item.rep), JSON.stringify(rec, null, 2) + '\n')];
    item.headline = { value: rec.totalMs, units: 'ms' };
    item.status = 'ok';
  } catch (err) {
    if (signal.aborted) {
      item.status = 'pending';
      delete item.startedAt;
      return;
    }
    Object.assign(item, { status: 'failed', reason: `pod launch failed: ${errorMessage(err)}` });
  } finally {
    if (item.status !== 'pending') item.finishedAt = new Date().toISOString();
  }
}
