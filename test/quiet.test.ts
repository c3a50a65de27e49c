// Waiting for the machine to go quiet after a testbed is removed (src/tools/proc/quiet.ts): two nearly idle windows
// in a row end the wait; a machine that stays busy is given up on at the limit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { waitForQuiet } from '../src/tools/proc/quiet.ts';

/** /proc/stat texts whose "cpu" line advances by `busy` busy ticks and `idle` idle ticks per read. */
function procStat(steps: readonly { busy: number; idle: number }[]): () => Promise<string> {
  let user = 1000;
  let idle = 5000;
  let i = -1;
  return async () => {
    const s = i < 0 ? { busy: 0, idle: 0 } : steps[Math.min(i, steps.length - 1)]!;
    i++;
    user += s.busy;
    idle += s.idle;
    return `cpu  ${user} 0 0 ${idle} 0 0 0 0 0 0\ncpu0 ${user} 0 0 ${idle} 0 0 0 0 0 0\nctxt 1\n`;
  };
}

test('waitForQuiet: ends after two quiet windows in a row, not after one', async () => {
  // busy 34%, quiet, busy again, then quiet twice: four windows before it ends.
  let reads = 0;
  const read = procStat([{ busy: 17, idle: 33 }, { busy: 1, idle: 49 }, { busy: 10, idle: 40 }, { busy: 0, idle: 50 }, { busy: 2, idle: 48 }, { busy: 40, idle: 10 }]);
  const w = await waitForQuiet({ windowMs: 1, limitMs: 5000, read: () => { reads++; return read(); } });
  assert.equal(w.quiet, true);
  assert.equal(reads, 1 + 5, 'the first read, then five windows: busy, quiet, busy, quiet, quiet');
});

test('waitForQuiet: a machine that stays busy is given up on at the limit', async () => {
  const w = await waitForQuiet({ windowMs: 5, limitMs: 60, read: procStat([{ busy: 30, idle: 20 }]) });
  assert.equal(w.quiet, false);
  assert.ok(w.ms >= 60 && w.ms < 1000, `${w.ms} ms`);
});
