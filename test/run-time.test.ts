// Where a run's time went (src/analysis/runTime.ts), on a committed run: the parts add up to the wall time, each is
// read from what the run recorded, and the summary prints them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loadRun } from '../src/analysis/loadRun.ts';
import { runTimeLines, runTimeOf } from '../src/analysis/runTime.ts';
import { ROOT, cli } from './helpers/cli.ts';

const RUN = '20261208-012655-9d73'; // the policy sweep: TCP_CRR and TCP_RR items, warm-ups, 17 testbeds

test('a run\'s time: windows, netperf past them, readings, warm-ups, bring-ups and the rest add up to its wall time', async () => {
  const run = await loadRun(join(ROOT, 'data'), RUN);
  const b = (await runTimeOf(run))!;
  const m = run.manifest;
  const wall = m.sessions.reduce((s, x) => s + (Date.parse(x.endedAt!) - Date.parse(x.startedAt)), 0) / 1000;
  assert.ok(Math.abs(b.wallS - wall) < 1e-9);
  assert.equal(b.items, m.items.filter((i) => i.kind === 'netperf' && i.status === 'ok').length);
  assert.equal(b.windowsS, b.items * m.plan.durationS);
  const parts = b.windowsS + b.netperfPastWindowS + b.itemOverheadS + b.warmupsS + b.testbedsS + b.otherItemsS + b.restS;
  assert.ok(Math.abs(parts - b.wallS) < 1e-6, `parts ${parts} against wall ${b.wallS}`);
  assert.equal(b.warmups, m.warmups!.length);
  assert.equal(b.testbeds, Object.keys(m.files).filter((f) => /\/testbed-cnib[0-9a-f]{6}\.json$/.test(f)).length);
  // TCP_CRR's netserver waits 4 s past the window, and half the items are TCP_CRR: netperf's own time shows.
  assert.ok(b.netperfPastWindowS > 0.4 * 4 * (b.items / 2), `netperf past its windows: ${b.netperfPastWindowS} s`);
  for (const k of ['itemOverheadS', 'warmupsS', 'testbedsS'] as const) assert.ok(b[k] > 0, k);
  assert.ok(Math.abs(b.overheadPct - (100 * (b.wallS - b.windowsS)) / b.windowsS) < 1e-9);
  assert.ok(Math.abs(b.ownPct - (100 * (b.itemOverheadS + b.testbedsS + b.restS)) / b.windowsS) < 1e-9);
  const lines = runTimeLines(b);
  assert.match(lines[0]!, new RegExp(`for ${b.items} measured items; .*collection overhead is ${b.overheadPct.toFixed(0)}% of them`));
  assert.match(lines.at(-1)!, new RegExp(`own share .*: ${b.ownPct.toFixed(1)}% of the windows`));
});

test('cnibench summary ends with where the run\'s time went', async () => {
  const r = await cli(['summary', RUN]);
  assert.equal(r.exitCode, 0, r.stderr);
  assert.match(r.stdout, /where the time went: \d+ min of wall time for \d+ measured items/);
  assert.match(r.stdout, /cnibench's own share .*% of the windows/);
});
