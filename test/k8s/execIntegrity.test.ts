// kubectl exec can lose the end of stdout and still exit 0 (kubernetes/kubernetes#124571): perf script's output is
// measured in the pod (size, sha256), fetched, checked, fetched again once, and refused when it arrives damaged twice.
// The measuring script runs here with the real sh, wc and sha256sum; the fetch against commands that truncate, and
// end to end against the kubectl stand-in whose `cat` loses the stream's end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { execa } from 'execa';
import { ROOT } from '../helpers/cli.ts';
import { TruncatedExecError, WRITE_AND_MEASURE, fetchChecked, parseMeasure } from '../../src/k8s/execIntegrity.ts';
import { parseK8sPlan } from '../../src/k8s/plan.ts';
import { surveyCluster } from '../../src/k8s/survey.ts';
import { createK8sRun, executeK8sRun } from '../../src/k8s/run.ts';
import { silentProgress } from '../../src/collect/progress.ts';
import { withStub, type KubectlStub } from './stub.ts';

const PERF_SCRIPT = join(ROOT, 'test', 'fixtures', 'perf', 'excerpt.perf-script.txt');

async function scratch<T>(fn: (dir: string) => Promise<T>): Promise<T> {
  const dir = await mkdtemp(join(tmpdir(), 'cnibench-exec-'));
  try {
    return await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('the in-pod measure: the command\'s stdout into a file, then its size and sha256, arguments never parsed by the shell', () => scratch(async (dir) => {
  const out = join(dir, 'odd name; $(touch pwned).txt');
  const r = await execa('sh', ['-c', WRITE_AND_MEASURE, 'sh', out, 'cat', PERF_SCRIPT]);
  const text = await readFile(PERF_SCRIPT);
  assert.deepEqual(parseMeasure(r.stdout), { bytes: text.length, sha256: createHash('sha256').update(text).digest('hex') });
  assert.deepEqual(await readFile(out), text);
  await assert.rejects(readFile(join(dir, 'pwned')), 'nothing in the path was run');
  assert.equal(parseMeasure('wc: missing\n'), undefined);
}));

test('fetchChecked: a whole fetch passes; one that lost its end is fetched again; two damaged fetches are refused', () => scratch(async (dir) => {
  const text = await readFile(PERF_SCRIPT);
  const expected = { bytes: text.length, sha256: createHash('sha256').update(text).digest('hex') };
  const dest = join(dir, 'out.txt.gz');
  const whole = await fetchChecked(['cat', PERF_SCRIPT], dest, expected, { what: 'perf script', timeoutMs: 10_000 });
  assert.equal(whole.attempts, 1);
  assert.deepEqual(gunzipSync(await readFile(dest)), text);
  // Truncated the first time only (exit 0 all the same, as kubectl exec does), whole the second time.
  const marker = join(dir, 'fetched-once');
  const flaky = ['sh', '-c', 'if [ -e "$1" ]; then cat "$2"; else touch "$1"; head -c 1000 "$2"; fi', 'sh', marker, PERF_SCRIPT];
  const again = await fetchChecked(flaky, dest, expected, { what: 'perf script', timeoutMs: 10_000 });
  assert.equal(again.attempts, 2);
  assert.match(again.mismatches[0]!, /fetch 1: 1000 of \d+ bytes, sha256 different/);
  assert.deepEqual(gunzipSync(await readFile(dest)), text);
  // Always truncated: refused, and no damaged file left behind.
  await rm(dest);
  await assert.rejects(
    fetchChecked(['head', '-c', '1000', PERF_SCRIPT], dest, expected, { what: 'perf script', timeoutMs: 10_000 }),
    (e: Error) => e instanceof TruncatedExecError && /arrived damaged twice through kubectl exec \(fetch 1: 1000 of \d+ bytes.*fetch 2: 1000 of/.test(e.message) && /kubernetes\/kubernetes#124571/.test(e.message),
  );
  await assert.rejects(readFile(dest), 'no damaged file is kept');
  // A fetch that fails outright says so.
  await assert.rejects(fetchChecked(['sh', '-c', 'echo gone >&2; exit 3'], dest, expected, { what: 'perf script', timeoutMs: 10_000 }), /fetching perf script failed \(exit 3\): gone/);
}));

async function profileRun(stub: KubectlStub) {
  const undo = stub.install();
  try {
    const draft = parseK8sPlan({ tests: 'none', scenario: 'intra', profile: true, profileDuration: '1', profileReps: '1' });
    const survey = await surveyCluster(draft.target, undefined, { profile: true });
    const { runDir, manifest } = await createK8sRun(stub.dataDir, draft, survey);
    const r = await executeK8sRun(runDir, manifest, survey, { progress: silentProgress, signal: new AbortController().signal, pollMs: 20 });
    return { runDir, manifest: r.manifest };
  } finally {
    undo();
  }
}

test('end to end: a perf script fetch that kubectl exec cut short is fetched again and kept whole', () => withStub({ perf: 'image', truncateExec: 1 }, async (stub) => {
  const { runDir, manifest } = await profileRun(stub);
  const item = manifest.items[0]!;
  assert.equal(item.status, 'ok', item.reason);
  const rel = item.files.find((f) => f.endsWith('record.perf-script.txt.gz'))!;
  assert.deepEqual(gunzipSync(await readFile(join(runDir, rel))), await readFile(PERF_SCRIPT));
  assert.equal(stub.commands().filter((c) => / -c perf -- cat \/tmp\/\S+\.perf-script\.txt$/.test(c)).length, 2, 'fetched twice');
}));

test('end to end: cut short twice, the profile fails with the cause and what to do, and the run goes on', () => withStub({ perf: 'image', truncateExec: 2 }, async (stub) => {
  const { manifest } = await profileRun(stub);
  const item = manifest.items[0]!;
  assert.equal(item.status, 'failed');
  assert.match(item.reason!, /perf script output of .* arrived damaged twice through kubectl exec .*kubernetes\/kubernetes#124571.*--resume/);
  assert.equal(manifest.status, 'complete');
}));
