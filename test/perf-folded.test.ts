// Folded stacks (the flame-graph tools' input) from the hand-checked perf excerpt: root first, the component as a
// pseudo-frame, one line per distinct stack, counts that add up to the busy samples, and a lossless round trip.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attributeProfile, explainSample, FoldedStacks, foldedKey, formatFolded, parseFolded, readPerfScript, type PerfSample } from '../src/tools/perf/index.ts';

const EXCERPT = new URL('./fixtures/perf/excerpt.perf-script.txt', import.meta.url).pathname;

test('folded stacks of the excerpt: busy samples only, component then process then root-to-leaf frames', async () => {
  const samples: PerfSample[] = [];
  for await (const s of readPerfScript(EXCERPT)) samples.push(s);
  const r = await attributeProfile(samples, { folded: true });
  const stacks = new Map(Object.entries(r.folded!));
  assert.equal([...stacks.values()].reduce((a, b) => a + b, 0), r.samples - r.idleSamples - r.foreignSamples, 'busy samples of the measured path only');
  // #22 of the excerpt: _raw_spin_unlock_irqrestore ← enqueue_to_backlog ← netif_rx_internal ← __netif_rx ← veth_xmit …
  const s22 = samples[21]!;
  const key = foldedKey(s22, explainSample(s22).component);
  const frames = key.split(';');
  assert.equal(frames[0], '[veth]');
  assert.equal(frames[1], s22.comm);
  assert.equal(frames.at(-1), '_raw_spin_unlock_irqrestore', 'the leaf is last');
  assert.equal(frames.at(-5), 'veth_xmit');
  assert.ok(stacks.has(key));
  for (const k of stacks.keys()) assert.ok(!/\s/.test(k), `no blank inside a stack: ${k}`);

  const text = formatFolded(stacks);
  assert.match(text, /^\[[a-z-]+\];\S+ \d+\n/);
  assert.deepEqual(parseFolded(text), stacks);
  assert.equal(formatFolded(parseFolded(text)), text, 'sorted: the same samples give the same file');
});

test('folded text that is not "stack count" is refused with its line', () => {
  assert.throws(() => parseFolded('[tcp];netperf;tcp_sendmsg 3\nbroken line\n'), /line 2: expected/);
});

test('folded stacks: every sample counted under its own key, and frames that clean to the same text added together', () => {
  const s = (comm: string, frames: string[]): PerfSample => ({ comm, pid: 1, tid: 1, event: 'cpu-clock', frames, dsos: frames.map(() => '[kernel.kallsyms]') });
  const f = new FoldedStacks();
  f.add(s('netperf', ['leaf', 'mid', 'root']), 'tcp');
  f.add(s('netperf', ['leaf', 'mid', 'root']), 'tcp');
  f.add(s('netperf', ['mid', 'root']), 'tcp');
  f.add(s('netperf', ['leaf', 'mid', 'root']), 'veth');
  f.add(s('netperf', ['a b', 'root']), 'tcp');
  f.add(s('netperf', ['a;b', 'root']), 'tcp');
  const samples = [s('netperf', ['leaf', 'mid', 'root']), s('netperf', ['mid', 'root']), s('netperf', ['a b', 'root'])];
  assert.deepEqual(f.toRecord(), {
    [foldedKey(samples[0]!, 'tcp')]: 2,
    [foldedKey(samples[1]!, 'tcp')]: 1,
    [foldedKey(samples[0]!, 'veth')]: 1,
    '[tcp];netperf;root;a_b': 2,
  });
});
