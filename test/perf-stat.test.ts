// Tests the perf stat -x, parser on output captured with perf 6.1 in a VM without hardware cycles (test/fixtures/perf).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parsePerfStatCsv, PerfParseError } from '../src/tools/perf/index.ts';

const FIXTURES = new URL('./fixtures/perf/', import.meta.url);
const fixture = (name: string): string => readFileSync(new URL(name, FIXTURES), 'utf8');
const EVENTS = ['cpu-clock', 'context-switches', 'fib:fib_table_lookup', 'cycles'];

function throwsParse(fn: () => unknown, ...parts: string[]): PerfParseError {
  let caught: unknown;
  try {
    fn();
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof PerfParseError, `expected PerfParseError, got ${String(caught)}`);
  for (const p of parts) assert.ok(caught.message.includes(p), `message ${JSON.stringify(caught.message)} should contain ${JSON.stringify(p)}`);
  return caught;
}

test('the cnibench event set, cycles <not supported> (null, never 0)', () => {
  const r = parsePerfStatCsv(fixture('stat.csv'), { expect: EVENTS, file: 'stat.csv' });
  assert.deepEqual(r['cpu-clock'], { value: 2006.97, unit: 'msec', supported: true, counted: true, runTimeNs: 2006974817, pct: 100 });
  assert.deepEqual(r['context-switches'], { value: 48568, unit: '', supported: true, counted: true, runTimeNs: 2006974095, pct: 100 });
  assert.equal(r['fib:fib_table_lookup']?.value, 75240);
  assert.deepEqual(r.cycles, { value: null, unit: '', supported: false, counted: false, runTimeNs: 0, pct: 100 });
});

test('output written to stderr (no comment line) and a zero count', () => {
  const r = parsePerfStatCsv(fixture('stat-stderr.csv'), { expect: EVENTS });
  assert.equal(r['fib:fib_table_lookup']?.value, 0);
  assert.equal(r['fib:fib_table_lookup']?.counted, true);
  assert.equal(r['context-switches']?.value, 151);
  assert.equal(r.cycles?.supported, false);
});

test('-r repeats: the variance column is skipped', () => {
  const r = parsePerfStatCsv(fixture('stat-repeat.csv'), { expect: EVENTS });
  assert.deepEqual(r['cpu-clock'], { value: 403.09, unit: 'msec', supported: true, counted: true, runTimeNs: 403088612, pct: 100 });
  assert.equal(r.cycles?.value, null);
});

test('an event nobody asked for names the file, the line and the event', () => {
  const e = throwsParse(() => parsePerfStatCsv(fixture('stat-extra-event.csv'), { expect: EVENTS, file: 'stat-extra-event.csv' }), 'stat-extra-event.csv', 'page-faults');
  assert.equal(e.line, 6);
});

test('an expected event missing from the output names the file and the event', () => {
  throwsParse(() => parsePerfStatCsv(fixture('stat.csv'), { expect: [...EVENTS, 'instructions'], file: 'stat.csv' }), 'stat.csv', 'instructions');
  // stat-extra-event.csv has no cycles line at all.
  const text = fixture('stat-extra-event.csv');
  throwsParse(() => parsePerfStatCsv(text, { expect: ['cpu-clock', 'context-switches', 'fib:fib_table_lookup', 'page-faults', 'cycles'], file: 'x.csv' }), 'x.csv', 'cycles');
});

test('<not counted>, a non-number and a line that is not CSV', () => {
  // Not captured here (no multiplexing in this VM): the line as perf writes it when a counter never ran.
  const r = parsePerfStatCsv('<not counted>,,cycles,0,0.00,,\n', { expect: ['cycles'] });
  assert.deepEqual(r.cycles, { value: null, unit: '', supported: true, counted: false, runTimeNs: 0, pct: 0 });
  throwsParse(() => parsePerfStatCsv('12x,,cycles,1,100.00,,\n', { expect: ['cycles'], file: 'bad.csv' }), 'bad.csv', '"12x"');
  throwsParse(() => parsePerfStatCsv(' Performance counter stats for \'system wide\':\n', { expect: ['cycles'], file: 'human.txt' }), 'human.txt', 'not a perf stat -x, line');
});
