// The raw JSON files a run writes (conditions, profile counters, local launch records) and the testbed state files:
// every one in the committed and fixture runs passes its schema, and a broken one is refused naming the file, the
// field and what was expected.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readConditions, readLocalLaunch, readProfileCounters } from '../src/collect/rawSchemas.ts';
import { parseTestbedState } from '../src/testbed/stateSchema.ts';
import { RawFileError } from '../src/util/jsonSchema.ts';

const ROOT = join(import.meta.dirname, '..');

async function rawFiles(suffix: RegExp): Promise<string[]> {
  const out: string[] = [];
  for (const base of [join(ROOT, 'data', 'runs'), join(ROOT, 'test', 'fixtures', 'runs')]) {
    for (const e of await readdir(base, { recursive: true, withFileTypes: true }).catch(() => [])) {
      if (e.isFile() && suffix.test(e.name)) out.push(join(e.parentPath, e.name));
    }
  }
  return out.sort();
}

test('every conditions, counters and local launch file cnibench wrote passes its schema', async () => {
  const conditions = await rawFiles(/\.conditions\.json$/);
  const counters = await rawFiles(/\.counters\.json$/);
  const launches = (await rawFiles(/^launch-\d+\.json$/)).filter((f) => f.includes('/launch/'));
  assert.ok(conditions.length > 100 && counters.length > 20 && launches.length > 10, `${conditions.length} conditions, ${counters.length} counters, ${launches.length} launches found`);
  for (const f of conditions) assert.ok((await readConditions(f)).processes.length >= 0, f);
  for (const f of counters) assert.ok((await readProfileCounters(f)).serverMtu > 0, f);
  // k8s launch records are pods and events, read by their own deriver; the local ones carry the schema tag.
  const local = [];
  for (const f of launches) if ((await readFile(f, 'utf8')).includes('cnibench.launch.local/1')) local.push(f);
  assert.ok(local.length > 10);
  for (const f of local) assert.ok((await readLocalLaunch(f)).totalMs > 0, f);
});

test('a broken raw file is refused with its name, the field and what was expected', async () => {
  const [condFile] = await rawFiles(/\.conditions\.json$/);
  const [countersFile] = await rawFiles(/\.counters\.json$/);
  const dir = await mkdtemp(join(tmpdir(), 'cnibench-raw-'));
  try {
    const c = JSON.parse(await readFile(condFile!, 'utf8')) as { placement: string; processes: { pid: unknown }[] };
    c.placement = 'sideways';
    await writeFile(join(dir, 'c.json'), JSON.stringify(c));
    await assert.rejects(readConditions(join(dir, 'c.json'), 'raw/x/rep-001.conditions.json'), (err: Error) => {
      assert.ok(err instanceof RawFileError);
      assert.equal(err.message, 'raw/x/rep-001.conditions.json does not match its schema at placement: expected one of same, split, free; got "sideways"');
      return true;
    });
    const k = JSON.parse(await readFile(countersFile!, 'utf8')) as Record<string, unknown>;
    delete k.rxBytes;
    await writeFile(join(dir, 'k.json'), JSON.stringify(k));
    await assert.rejects(readProfileCounters(join(dir, 'k.json')), /k\.json does not match its schema at rxBytes: expected number; got nothing \(the field is missing\)/);
    await writeFile(join(dir, 'cut.json'), '{"schema": "cnibench.conditions/1", "place');
    await assert.rejects(readConditions(join(dir, 'cut.json')), /cut\.json is not valid JSON/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a testbed state file is checked before clean-up trusts it', () => {
  const state = {
    schema: 'cnibench.testbed/1', prefix: 'cb1a2b', model: 'flannel', createdAt: '2026-12-01T00:00:00.000Z', scenarios: ['intra'],
    nodes: [{ name: 'node-a', ns: 'cb1a2b-node-a', underlayIp: '192.168.254.1', podCidr: '10.244.0.0/24', tunnelMac: '' }],
    pods: [{ name: 'a1', ns: 'cb1a2b-a1', node: 'node-a', mtu: 1450 }],
    daemons: [{ name: 'netserver', ns: 'cb1a2b-a2', pid: 4242, argv: ['netserver', '-D'], stop: 'kill' }],
    ipamDir: '/run/cnibench/ipam/cb1a2b', iptables: 'nft', calicoRules: 0, steps: [], emulation: [],
  };
  assert.equal(parseTestbedState(JSON.stringify(state), 'cb1a2b.json').daemons[0]!.pid, 4242);
  const bad = { ...state, daemons: [{ ...state.daemons[0], pid: -1 }] };
  assert.throws(() => parseTestbedState(JSON.stringify(bad), '/run/cnibench/testbeds/cb1a2b.json'), /cb1a2b\.json does not match its schema at daemons\[0\]\.pid: number must be greater than 0; got -1/);
  const pod = { ...state, pods: [{ ...state.pods[0], name: 'zz' }] };
  assert.throws(() => parseTestbedState(JSON.stringify(pod), 'x.json'), /pods\[0\]\.name: a pod name \(a1, a2, b1 or l<n>\); got "zz"/);
});
