// The progress line's ETA: the items left times the usual time an item takes; one slow step (a testbed that took
// minutes to come up) is not charged to every item after it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StderrProgress } from '../src/collect/progress.ts';

function sink(): { stream: NodeJS.WriteStream; lines: string[] } {
  const lines: string[] = [];
  return { lines, stream: { isTTY: false, write: (s: string) => { lines.push(s); return true; } } as unknown as NodeJS.WriteStream };
}

test('ETA: the expected item time before any finished, then the mean of the usual intervals, a slow bring-up left out', () => {
  let clock = 0;
  const { stream, lines } = sink();
  const p = new StderrProgress(stream, 6, () => clock);
  p.start(12, 2);
  assert.equal(p.eta(), 10 * 6, 'nothing finished yet: the expected time per item');
  // Items of 5 and 9 s, and one that waited 300 s for its testbed.
  for (const s of [300, 5, 9, 5, 9]) { clock += s * 1000; p.item('x', 'ok'); }
  assert.equal(p.eta(), 5 * 7, 'five left at the mean of 5, 9, 5 and 9 s');
  assert.match(lines.at(-1)!, /7\/12 58% ETA 35s  x: ok/);
  // A round added by adaptive stopping: one more item at the same pace.
  p.extend(1);
  assert.equal(p.eta(), 6 * 7);
});
