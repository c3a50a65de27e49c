// Every figure's Vega-Lite spec, as the chart stage builds it, validated against the JSON schema the vega-lite package
// ships (build/vega-lite-schema.json): a spec Vega-Lite would only warn about, or silently misread, fails here with
// the path of the offending field.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import Ajv from 'ajv';
import type { TopLevelSpec } from 'vega-lite';
import type { CppRow, PacketEventRow } from '../src/analysis/cpp.ts';
import type { Summary } from '../src/analysis/observations.ts';
import { summarizeLaunches } from '../src/analysis/launch.ts';
import type { LaunchTiming } from '../src/launch/record.ts';
import { MODELS } from '../src/testbed/models/index.ts';
import { cppMeans, packetEventMeans } from '../src/analysis/means.ts';
import { contextSwitchSpec, cppSpec, datapathGallerySpec, datapathSpec, fibSpec, fig3Panels, flameSpec, launchSpec, performanceSpec, policyScaleSpec, serviceScaleSpec } from '../src/charts/index.ts';
import { policySweepRows } from './helpers/sweepRows.ts';
import type { ServicePathRow } from '../src/analysis/servicePath.ts';

const FIXTURES = new URL('./fixtures/charts/', import.meta.url);
const fixture = async <T>(name: string): Promise<T> => JSON.parse(await readFile(new URL(`${name}.json`, FIXTURES), 'utf8')) as T;

const require = createRequire(import.meta.url);
const schema = JSON.parse(await readFile(require.resolve('vega-lite/build/vega-lite-schema.json'), 'utf8')) as object;
// Vega-Lite's schema uses a few keywords of its own for documentation; strict mode would refuse them.
const ajv = new (Ajv as unknown as typeof Ajv.default)({ allErrors: false, strict: false });
const validate = ajv.compile(schema);

/** A synthetic sweep: two models, their own Service datapaths, three sizes, two tests. */
function sweepRows(): ServicePathRow[] {
  return [['flannel', 'Flannel', 'iptables'], ['cilium', 'Cilium', 'ebpf']].flatMap(([model, label, proxy]) => [0, 1000, 10000].flatMap((services) => (['tcp_rr', 'tcp_crr'] as const).map((test) => ({
    run: 'r', model: model!, label: label!, scenario: 'intra', test, metric: 'transaction_rate' as const, unit: 'transactions/s', n: 5, mean: 10000 - services / 10, sd: 100,
    ci95Low: 9800 - services / 10, ci95High: 10200 - services / 10, median: 10000, q1: 9900, q3: 10100, min: 9700, max: 10300, proxy: proxy as 'iptables' | 'ebpf', services, target: 'service' as const,
  }))));
}

async function everySpec(): Promise<TopLevelSpec[]> {
  const summaries = await fixture<Summary[]>('summaries');
  const cppIntra = await fixture<CppRow[]>('cpp-intra-estimated');
  const cppInter = await fixture<CppRow[]>('cpp-inter-measured');
  const events = await fixture<PacketEventRow[]>('packet-events');
  const launches = summarizeLaunches(await fixture<LaunchTiming[]>('launch-timings'));
  const folded = new Map([['[tcp];netperf;entry_SYSCALL_64;tcp_sendmsg;tcp_write_xmit', 40], ['[bridge];netserver;handle_softirqs;net_rx_action;br_handle_frame', 60]]);
  return [
    ...fig3Panels().map((p) => performanceSpec(summaries, { scenario: p.scenario, test: p.test })),
    cppSpec(cppMeans(cppIntra), 'intra'), cppSpec(cppMeans(cppInter), 'inter'),
    fibSpec(packetEventMeans(events)), contextSwitchSpec(packetEventMeans(events), 'inter'),
    launchSpec(launches, 'local'), launchSpec(launches, 'k8s'),
    datapathGallerySpec(MODELS, 'intra'), datapathGallerySpec(MODELS, 'inter'),
    ...MODELS.flatMap((m) => m.scenarios.map((s) => datapathSpec(m, s))),
    flameSpec(folded, { name: 'flame-schema', title: 'Synthetic, intra-host', profiles: 1 }),
    serviceScaleSpec(sweepRows()),
    policyScaleSpec(policySweepRows()), policyScaleSpec(policySweepRows(), { tips: true }),
  ];
}

test('every figure spec is valid against the Vega-Lite JSON schema the package ships', async () => {
  const specs = await everySpec();
  assert.ok(specs.length > 30, `the figures are all there (${specs.length})`);
  for (const spec of specs) {
    // The JSON a spec becomes is what Vega-Lite reads (functions and undefined drop out, as in the report).
    const json = JSON.parse(JSON.stringify(spec)) as unknown;
    const ok = validate(json);
    const e = validate.errors?.[0];
    assert.ok(ok, `${spec.name ?? 'a spec'}: ${e ? `${e.instancePath || '/'} ${e.message} (${JSON.stringify(e.params)})` : ''}`);
  }
});

test('the schema check can fail: a mark Vega-Lite does not know is refused with its path', () => {
  const bad = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', data: { values: [] }, mark: 'blob', encoding: {} };
  assert.equal(validate(bad), false);
  assert.ok(validate.errors?.some((e) => e.instancePath === '/mark'), JSON.stringify(validate.errors?.slice(0, 3)));
});
