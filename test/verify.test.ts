// The datapath check's arithmetic: a counter must move with its own end of the flow, or stay still.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluate, type Probe } from '../src/testbed/verify.ts';

const probe = (id: string, expect: 'most' | 'none', side: 'sent' | 'received'): Probe => ({
  id, what: id, expect, side, source: { kind: 'link', ns: 'x', dev: id, field: 'tx_packets' },
});
const values = (m: Record<string, number>) => new Map(Object.entries(m).map(([k, v]) => [`link:x:${k}:tx_packets`, v]));

test('most passes at ≥ 25% of its end, none at ≤ 5%', () => {
  const probes = [probe('a', 'most', 'sent'), probe('b', 'none', 'received')];
  const ok = evaluate('m', 'intra', probes, values({ a: 0, b: 10 }), values({ a: 300, b: 14 }), { sent: 1000, received: 100 });
  assert.equal(ok.pass, true);
  const bad = evaluate('m', 'intra', probes, values({ a: 0, b: 10 }), values({ a: 200, b: 16 }), { sent: 1000, received: 100 });
  assert.equal(bad.pass, false);
  assert.deepEqual(bad.probes.map((p) => p.pass), [false, false]);
});

test('no packets at the server fails the check even with no probes', () => {
  assert.equal(evaluate('m', 'intra', [], new Map(), new Map(), { sent: 5, received: 0 }).pass, false);
});

test('a counter that could not be read fails (NaN is not a pass)', () => {
  const r = evaluate('m', 'intra', [probe('gone', 'none', 'sent')], new Map(), new Map(), { sent: 10, received: 10 });
  assert.equal(r.pass, false);
});
