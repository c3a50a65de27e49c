// Figures: each spec builder rendered to SVG from synthetic fixture tables, compared with a normalized snapshot
// (a mismatch writes <name>-changed.svg; CI never writes snapshots), plus structural checks that can fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import type { TopLevelSpec } from 'vega-lite';
import type { CppRow, PacketEventRow } from '../src/analysis/cpp.ts';
import type { DerivedTables } from '../src/analysis/derive.ts';
import { cppMeans, packetEventMeans } from '../src/analysis/means.ts';
import type { Summary } from '../src/analysis/observations.ts';
import { MODELS, findModel } from '../src/testbed/models/index.ts';
import type { Scenario } from '../src/testbed/model.ts';
import {
  COMPONENT_COLORS, FIGURES, MODEL_COLOR, PATH_COLOR, REFERENCE_COLOR, contextSwitchSpec, cppSpec, datapathCompactSpec, datapathGallerySpec, datapathLayout,
  datapathSpec, fibSpec, fig3Panels, flameSpec, icicleNodes, launchSpec, orderModels, performanceSpec, policyScaleSpec, renderSvg,
} from '../src/charts/index.ts';
import { summarizeLaunches } from '../src/analysis/launch.ts';
import type { LaunchTiming } from '../src/launch/record.ts';
import { textWidth } from '../src/charts/textWidth.ts';
import { normalizeSvg } from './helpers/svg.ts';
import { loadRows, policySweepRows, scaleCycleRows } from './helpers/sweepRows.ts';
import { type LoadPoint, hasLoadSweep, loadPoints, loadTimeSpec } from '../src/charts/fig11LoadTime.ts';

const FIXTURES = new URL('./fixtures/charts/', import.meta.url);
const SNAPSHOTS = new URL('./snapshots/charts/', import.meta.url);

async function fixture<T>(name: string): Promise<T> {
  return JSON.parse(await readFile(new URL(`${name}.json`, FIXTURES), 'utf8')) as T;
}

const summaries = await fixture<Summary[]>('summaries');
const cppIntra = await fixture<CppRow[]>('cpp-intra-estimated');
const cppInter = await fixture<CppRow[]>('cpp-inter-measured');
const events = await fixture<PacketEventRow[]>('packet-events');
// The chart builders read the derive stage's means (src/analysis/means.ts), as the report does.
const eventMeans = packetEventMeans(events);
const launches = summarizeLaunches(await fixture<LaunchTiming[]>('launch-timings'));

/** Compares with the stored snapshot; writes one only outside CI, and writes <name>-changed.svg on a mismatch. */
async function matchSnapshot(name: string, svg: string): Promise<void> {
  const actual = normalizeSvg(svg);
  const file = new URL(`${name}.svg`, SNAPSHOTS);
  const changed = new URL(`${name}-changed.svg`, SNAPSHOTS);
  if (!existsSync(file)) {
    if (process.env.CI === 'true') assert.fail(`snapshot ${file.pathname} is missing; snapshots are never written in CI — generate it locally and commit it`);
    await writeFile(file, actual);
    return;
  }
  const expected = await readFile(file, 'utf8');
  if (actual === expected) {
    await rm(changed, { force: true });
    return;
  }
  await writeFile(changed, actual);
  assert.fail(`figure ${name} differs from its snapshot: compare ${changed.pathname} with ${file.pathname}`);
}

function unescape(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
}

/** Every piece of visible text in the SVG. */
function texts(svg: string): string[] {
  return [...svg.matchAll(/<text[^>]*>(.*?)<\/text>/g)].flatMap((m) => {
    const inner = m[1]!;
    const spans = [...inner.matchAll(/<tspan[^>]*>(.*?)<\/tspan>/g)].map((t) => t[1]!);
    return (spans.length ? spans : [inner]).map(unescape);
  });
}

/** Marks by their role description ("bar", "errorbar", …): their aria-label and attributes. */
function items(svg: string, role: string): { label: string; tag: string }[] {
  return [...svg.matchAll(/<(?:path|line|rect)\b[^>]*>/g)]
    .map((m) => m[0])
    .filter((tag) => tag.includes(`aria-roledescription="${role}"`))
    .map((tag) => ({ label: unescape(/aria-label="([^"]*)"/.exec(tag)?.[1] ?? ''), tag }));
}

const attr = (tag: string, name: string) => new RegExp(`\\b${name}="([^"]*)"`).exec(tag)?.[1];
const labelOf = (aria: string) => /(?:^|; )label: ([^;]+)/.exec(aria)?.[1];
const titleOf = (spec: TopLevelSpec) => {
  const t = spec.title;
  return typeof t === 'object' && t !== null && 'text' in t ? String(t.text) : String(t);
};

function modelsIn(scenario: string, test: string): string[] {
  const ids = new Set(summaries.filter((s) => s.scenario === scenario && s.test === test).map((s) => s.model));
  return MODELS.filter((m) => ids.has(m.id)).map((m) => m.label);
}

// ---------------------------------------------------------------- Fig. 3

for (const panel of fig3Panels()) {
  test(`${panel.id}: ${panel.title} — snapshot, bars, error bars, references, units`, async () => {
    const spec = performanceSpec(summaries, { scenario: panel.scenario, test: panel.test });
    const svg = await renderSvg(spec);
    await matchSnapshot(panel.id, svg);
    const t = texts(svg);
    assert.ok(t.includes(titleOf(spec)), 'title');
    assert.ok(t.includes(panel.test === 'tcp_stream' ? 'Throughput (Gbit/s)' : 'Mean round-trip latency (µs)'), `axis title with unit, got ${t.filter((x) => x.includes('(')).join(' | ')}`);
    const bars = items(svg, 'bar');
    const want = modelsIn(panel.scenario, panel.test);
    assert.deepEqual(bars.map((b) => labelOf(b.label)), want, 'one bar per model, in registry order');
    assert.equal(items(svg, 'errorbar').length, want.length, 'one error bar per model');
    for (const b of bars) {
      const ref = labelOf(b.label) === 'Host' || labelOf(b.label) === 'Baseline (veth)';
      assert.equal(attr(b.tag, 'fill'), ref ? REFERENCE_COLOR : MODEL_COLOR, `${labelOf(b.label)} fill`);
      assert.equal(attr(b.tag, 'stroke-dasharray') === '4,2', ref, `${labelOf(b.label)} dashed outline iff reference`);
      assert.match(b.label, /\bn: (9|10)\b/, 'n in the tooltip/description');
    }
    assert.ok(t.some((x) => x.includes('reference points, not CNIs')), 'subtitle explains the reference points');
  });
}

test('Fig. 3: a non-default metric, small throughputs in Mbit/s, and a clear error when nothing matches', async () => {
  const p99 = await renderSvg(performanceSpec(summaries, { scenario: 'inter', test: 'udp_rr', metric: 'p99_latency' }));
  assert.ok(texts(p99).includes('99th-percentile round-trip latency (µs)'));
  const slow = summaries
    .filter((s) => s.scenario === 'inter' && s.test === 'tcp_stream' && ['flannel-udp', 'weave'].includes(s.model))
    .map((s) => ({ ...s, mean: s.mean / 20, ci95Low: s.ci95Low / 20, ci95High: s.ci95High / 20 }));
  const mbit = await renderSvg(performanceSpec(slow, { scenario: 'inter', test: 'tcp_stream' }));
  assert.ok(texts(mbit).includes('Throughput (Mbit/s)'), 'Mbit/s while every bar is below 1 Gbit/s');
  assert.ok(texts(mbit).includes('505'), 'value label in Mbit/s');
  assert.ok(!texts(mbit).includes('Reference (not a CNI)'), 'no legend for references that are not there');
  assert.throws(() => performanceSpec(summaries, { scenario: 'intra', test: 'tcp_stream', metric: 'p99_latency' }), /fig3-intra-tcp_stream-p99_latency: no intra tcp_stream p99_latency summaries/);
});

test('Fig. 3: a model unknown to the registry is charted after the known ones', async () => {
  const rows = summaries.filter((s) => s.scenario === 'intra' && s.test === 'tcp_stream').slice(0, 3);
  const odd: Summary = { ...rows[0]!, model: 'zz-retired', label: 'Retired CNI' };
  const svg = await renderSvg(performanceSpec([odd, ...rows], { scenario: 'intra', test: 'tcp_stream' }));
  assert.deepEqual(items(svg, 'bar').map((b) => labelOf(b.label)), [...rows.map((r) => r.label), 'Retired CNI']);
});

// ---------------------------------------------------------------- Figs. 4–5

function totalsOf(rows: readonly CppRow[], scenario: Scenario): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of rows.filter((x) => x.scenario === scenario)) out.set(r.model, (out.get(r.model) ?? 0) + r.cpp);
  return out;
}

for (const [name, rows, scenario, estimated] of [['fig4', cppIntra, 'intra', true], ['fig5', cppInter, 'inter', false]] as const) {
  test(`${name}: CPP by component (${scenario}, ${estimated ? 'estimated' : 'measured'} cycles) — snapshot, totals, "Estimated" iff estimated`, async () => {
    const spec = cppSpec(cppMeans(rows), scenario);
    const svg = await renderSvg(spec);
    await matchSnapshot(name, svg);
    const t = texts(svg);
    assert.ok(t.includes(titleOf(spec)), 'title');
    assert.equal(t.includes('Estimated CPU cycles per packet'), estimated, 'axis title says Estimated iff estimated');
    assert.equal(/estimated/i.test(t.join('\n')), estimated, '"estimated" appears nowhere for measured cycles');
    if (estimated) assert.ok(t.some((x) => x.includes('estimated: cpu-clock × 2800 MHz')), 'the estimation is stated in the rows\' own words');
    else assert.ok(t.includes('CPU cycles per packet'));
    const totals = totalsOf(rows, scenario);
    const barModels = new Set(items(svg, 'bar').map((b) => labelOf(b.label)));
    assert.deepEqual([...barModels], MODELS.filter((m) => totals.has(m.id)).map((m) => m.label), 'a stacked bar per model, registry order');
    for (const [model, total] of totals) assert.ok(t.includes(Math.round(total).toLocaleString('en-US')), `total of ${model} labelled`);
    const netfilter = items(svg, 'bar').filter((b) => b.label.includes('component: Netfilter'));
    assert.ok(netfilter.length > 0 && netfilter.every((b) => attr(b.tag, 'fill') === COMPONENT_COLORS.netfilter), 'component colours from the palette');
  });
}

test('Figs. 4–5: estimated and measured rows mixed: estimated models starred and the note says how', async () => {
  const mixed = cppInter.map((r) => (r.model === 'cilium' ? { ...r, cycles: 'estimated: cpu-clock × 3000 MHz' } : r));
  const t = texts(await renderSvg(cppSpec(cppMeans(mixed), 'inter')));
  assert.ok(t.includes('Cilium *'));
  assert.ok(t.includes('Flannel'));
  assert.ok(t.includes('CPU cycles per packet (* = Estimated)'));
  assert.ok(t.some((x) => x.includes('estimated: cpu-clock × 3000 MHz')));
});

test('Figs. 4–5: profiles of one model are averaged into one bar', async () => {
  const again = cppInter.filter((r) => r.model === 'flannel').map((r) => ({ ...r, run: 'second', cpp: r.cpp * 1.1 }));
  const means = cppMeans([...cppInter, ...again]);
  assert.ok(means.filter((m) => m.model === 'flannel').every((m) => m.runs === 2), 'two profiles behind each flannel mean');
  const t = texts(await renderSvg(cppSpec(means, 'inter')));
  const total = [...totalsOf(cppInter, 'inter')].find(([m]) => m === 'flannel')![1];
  assert.ok(t.includes(Math.round(total * 1.05).toLocaleString('en-US')), 'mean of the two runs');
  assert.throws(() => cppSpec(cppMeans(cppInter), 'intra'), /fig4: no intra CPP rows/);
});

// ---------------------------------------------------------------- Fig. 6

test('fig6: FIB lookups per 100,000 packets — snapshot, one bar per model, means over runs, host grey', async () => {
  const spec = fibSpec(eventMeans);
  const svg = await renderSvg(spec);
  await matchSnapshot('fig6', svg);
  const t = texts(svg);
  assert.ok(t.includes(titleOf(spec)));
  assert.ok(t.includes('FIB lookups per 100,000 packets'));
  const bars = items(svg, 'bar');
  const inter = new Set(events.filter((e) => e.scenario === 'inter').map((e) => e.model));
  assert.equal(bars.length, inter.size);
  assert.ok(t.includes('414,060'), 'flannel: mean of 412,000 and 416,120');
  assert.equal(attr(bars.find((b) => labelOf(b.label) === 'Host')!.tag, 'fill'), REFERENCE_COLOR);
  const intra = await renderSvg(fibSpec(eventMeans, 'intra'));
  assert.deepEqual(items(intra, 'bar').map((b) => labelOf(b.label)), ['Flannel']);
});

test('fig8: context switches per packet — snapshot; the user-space relay stands out', async () => {
  const spec = contextSwitchSpec(eventMeans, 'inter');
  const svg = await renderSvg(spec);
  await matchSnapshot('fig8', svg);
  const t = texts(svg);
  assert.ok(t.includes(titleOf(spec)));
  assert.ok(t.includes('Context switches per packet'));
  assert.ok(t.includes('2.070'), 'flannel-udp: mean of 2.06 and 2.0806');
  assert.throws(() => contextSwitchSpec(packetEventMeans(events.filter((e) => e.scenario === 'intra')), 'inter'), /no inter packet-event rows/);
});

// ---------------------------------------------------------------- Fig. 7

test('fig7: pod launch time by phase — snapshot, phases stacked in launch order, CI whisker, what a local launch is', async () => {
  const spec = launchSpec(launches, 'local');
  const svg = await renderSvg(spec);
  await matchSnapshot('fig7', svg);
  const t = texts(svg);
  assert.ok(t.includes(titleOf(spec)));
  assert.ok(t.includes('Pod launch time (ms), mean of launches'));
  assert.ok(t.some((x) => x.includes('no API server, scheduler, kubelet or container runtime')), 'says what a local launch leaves out');
  const bars = items(svg, 'bar');
  const cilium = bars.filter((b) => labelOf(b.label) === 'Cilium').map((b) => /phase: ([^;]+)/.exec(b.label)?.[1]);
  assert.deepEqual(cilium, ['Sandbox (network namespace)', 'CNI ADD', 'BPF endpoint', 'Readiness'], 'stacked in launch order');
  const wp = launches.find((s) => s.model === 'calico-wp')!;
  assert.ok(t.includes(wp.meanMs.toFixed(1)), 'mean total at the bar end');
  assert.equal(items(svg, 'rule mark').length, launches.filter((s) => s.backend === 'local').length, 'one CI whisker per model');
  const k8s = await renderSvg(launchSpec(launches, 'k8s'));
  assert.ok(texts(k8s).includes('Pod launch time (s), mean of launches'), 'seconds for cluster-scale launches');
  assert.throws(() => launchSpec(launches.filter((s) => s.backend === 'local'), 'k8s'), /no k8s launch timings/);
});

// ---------------------------------------------------------------- Fig. 1

const DIAGRAMS: [string, Scenario][] = [
  ['flannel', 'intra'], ['flannel', 'inter'], ['flannel-udp', 'inter'], ['weave', 'inter'], ['cilium', 'intra'], ['cilium', 'inter'],
  ['calico-wp', 'intra'], ['calico-np-ipip', 'inter'], ['kube-router', 'inter'], ['baseline', 'intra'], ['host', 'inter'],
];

for (const [id, scenario] of DIAGRAMS) {
  test(`fig1-${id}-${scenario}: datapath diagram — snapshot, title, packet path`, async () => {
    const model = findModel(id)!;
    const spec = datapathSpec(model, scenario);
    const svg = await renderSvg(spec);
    await matchSnapshot(`fig1-${id}-${scenario}`, svg);
    assert.ok(texts(svg).includes(titleOf(spec)), 'title');
    assert.match(svg, new RegExp(`<path[^>]*stroke="${PATH_COLOR}"[^>]*stroke-width="3"`), 'the packet path is drawn');
  });
}

test('Fig. 1 says what each description builds', async () => {
  const text = async (id: string, scenario: Scenario) => texts(await renderSvg(datapathSpec(findModel(id)!, scenario))).join('\n');
  const cilium = await text('cilium', 'intra');
  assert.match(cilium, /BPF/);
  assert.match(cilium, /bpf_redirect_peer/);
  assert.ok(!datapathLayout(findModel('cilium')!, 'intra').boxes.some((b) => b.kind === 'bridge'), 'no bridge box for cilium');
  assert.doesNotMatch(cilium, /^bridge /m);
  const flannel = await text('flannel', 'inter');
  for (const s of ['flannel.1', 'cni0', 'VXLAN, VNI 1, UDP 8472', '10.244.1.0/24', '192.168.254.1, the wire']) assert.ok(flannel.includes(s), s);
  assert.match(flannel, /route 10\.244\.1\.0\/24 via\s+flannel\.1/, 'node-a routes node-b\'s pods into the VXLAN device');
  const weave = await text('weave', 'inter');
  assert.match(weave, /stands in for the OVS datapath/);
  assert.match(weave, /bridge datapath/);
  assert.match(weave, /WEAVE-NPC-EGRESS/);
  assert.match(await text('flannel-udp', 'inter'), /socat UDP relay[\s\S]*user space: stands in for\s+flanneld/);
  assert.match(await text('calico-wp', 'intra'), /cali-FORWARD[\s\S]*per-workload policy/);
  assert.match(await text('calico-np-ipip', 'inter'), /tunl0[\s\S]*IP-in-IP/);
  assert.match(await text('kube-router', 'inter'), /lookup table 77 \(kube-router\)/);
  assert.doesNotMatch(await text('kube-router', 'intra'), /table 77/, 'bridged intra-host traffic never reaches policy routing');
  assert.match(await text('flannel', 'intra'), /no iptables policy chains/);
});

test('Fig. 1 geometry: path from client to server, straight wire, nothing outside the figure', () => {
  for (const model of MODELS) {
    for (const scenario of model.scenarios) {
      const l = datapathLayout(model, scenario);
      const where = `${model.id} ${scenario}`;
      const first = l.path[0]!;
      const last = l.path[l.path.length - 1]!;
      const client = l.boxes.find((b) => b.id === 'pod-a1-eth0' || b.id === 'proc-a1')!;
      const server = l.boxes.find((b) => b.id === (scenario === 'intra' ? 'pod-a2-eth0' : 'pod-b1-eth0') || b.id === (scenario === 'intra' ? 'proc-a2' : 'proc-b1'))!;
      const inside = (p: { x: number; y: number }, b: { x: number; y: number; w: number; h: number }) => p.x >= b.x && p.x <= b.x + b.w && p.y >= b.y && p.y <= b.y + b.h;
      assert.ok(inside(first, client), `${where}: path starts at the client`);
      assert.ok(inside(last, server), `${where}: path ends at the server`);
      for (let i = 1; i < l.path.length; i++) {
        const a = l.path[i - 1]!;
        const b = l.path[i]!;
        assert.ok(a.x === b.x || a.y === b.y, `${where}: path segment ${i} is horizontal or vertical`);
      }
      for (const w of l.lines.filter((x) => x.style === 'wire')) assert.equal(w.y1, w.y2, `${where}: the wire is straight`);
      assert.equal(l.lines.some((x) => x.style === 'wire'), scenario === 'inter', `${where}: a wire iff inter-host`);
      for (const t of l.texts) {
        const size = t.style === 'node-title' ? 12.5 : t.style === 'box-title' ? 11.5 : 10.5;
        const w = textWidth(t.text, size, true);
        const left = t.align === 'center' ? t.x - w / 2 : t.x;
        assert.ok(left >= 0 && left + w <= l.width, `${where}: "${t.text}" fits in the figure`);
      }
      const nodes = l.boxes.filter((b) => b.kind === 'node');
      for (const b of l.boxes.filter((x) => x.kind !== 'node')) {
        assert.ok(b.x + b.w <= l.width && b.y + b.h <= l.height, `${where}: ${b.id} inside the figure`);
        if (nodes.length) assert.ok(nodes.some((n) => inside(b, n) && inside({ x: b.x + b.w, y: b.y + b.h }, n)), `${where}: ${b.id} inside its node`);
      }
    }
  }
});

test('Fig. 1: a scenario the model lacks is refused; the gallery draws every model that has it', async () => {
  assert.throws(() => datapathSpec(findModel('baseline')!, 'inter'), /Baseline \(veth\) has no inter-host datapath/);
  const gallery = datapathGallerySpec(MODELS, 'inter');
  assert.ok('vconcat' in gallery);
  assert.equal(gallery.vconcat.length, MODELS.filter((m) => m.scenarios.includes('inter')).length);
  const svg = await renderSvg(datapathGallerySpec(MODELS.filter((m) => ['flannel', 'cilium'].includes(m.id)), 'intra'));
  await matchSnapshot('fig1-gallery-intra-sample', svg);
  const t = texts(svg);
  assert.ok(t.includes('Flannel') && t.includes('Cilium'));
});

// ---------------------------------------------------------------- rendering and the figure list

test('renderSvg: deterministic, offline, and names the figure when Vega-Lite objects', async () => {
  const spec = performanceSpec(summaries, { scenario: 'intra', test: 'tcp_stream' });
  const a = await renderSvg(spec);
  const b = await renderSvg(spec);
  assert.equal(a, b);
  assert.doesNotMatch(a.replace(/xmlns(:xlink)?="[^"]*"/g, ''), /https?:/, 'no remote references');
  assert.match(a, /font-family="Liberation Sans, sans-serif"/);
  const broken: TopLevelSpec = { name: 'broken-figure', data: { values: [{ a: 1 }] }, mark: 'bar', encoding: { x: { field: 'a', type: 'quantitative' }, shape: { field: 'a', type: 'nominal' } } };
  await assert.rejects(renderSvg(broken), /figure "broken-figure": Vega-Lite rejected parts of the spec/);
  const remote: TopLevelSpec = { name: 'remote-data', data: { url: 'https://example.org/x.json' }, mark: 'bar', encoding: { x: { field: 'a', type: 'quantitative' } } };
  await assert.rejects(renderSvg(remote), /figure "remote-data".*refusing to load "https:\/\/example.org\/x.json"/);
});

// ---------------------------------------------------------------- Flame graphs (Appendix C)

const FOLDED = new Map<string, number>([
  ['[bridge];netperf;entry_SYSCALL_64;tcp_sendmsg;__dev_queue_xmit;br_dev_xmit;br_forward', 30],
  ['[bridge];netserver;handle_softirqs;net_rx_action;br_handle_frame', 10],
  ['[tcp];netperf;entry_SYSCALL_64;tcp_sendmsg;tcp_write_xmit', 40],
  ['[tcp];netserver;entry_SYSCALL_64;tcp_recvmsg', 19],
  ['[user];netperf;main;send_data', 1],
]);

test('flame graph: the icicle partitions the samples, components in the order of Figs. 4–5, narrow frames left out', () => {
  const nodes = icicleNodes(FOLDED, { minShare: 0.02 });
  const top = nodes.filter((n) => n.depth === 0);
  assert.deepEqual(top.map((n) => n.component), ['bridge', 'tcp'], 'user (1%) is under the 2% cut; bridge before TCP as in COMPONENT_ORDER');
  assert.deepEqual(top.map((n) => [n.x0, n.x1]), [[0, 0.4], [0.4, 0.99]]);
  for (const n of nodes.filter((x) => x.depth > 0)) {
    const parent = nodes.find((p) => p.depth === n.depth - 1 && p.x0 <= n.x0 + 1e-12 && p.x1 >= n.x1 - 1e-12);
    assert.ok(parent && parent.component === n.component, `${n.name} sits under a frame of its component`);
  }
  const tcpSend = nodes.find((n) => n.name === 'tcp_sendmsg' && n.component === 'tcp')!;
  assert.equal(tcpSend.samples, 40);
  assert.throws(() => icicleNodes(new Map([['netperf;main', 3]])), /does not start with a \[component\] frame/);
});

test('flame graph: snapshot, one rectangle per kept frame, labels that fit', async () => {
  const spec = flameSpec(FOLDED, { name: 'flame-test', title: 'Synthetic, intra-host', profiles: 2 });
  const svg = await renderSvg(spec);
  await matchSnapshot('flame-test', svg);
  const t = texts(svg);
  assert.ok(t.includes('Synthetic, intra-host'));
  assert.ok(t.some((x) => x.startsWith('100 busy samples over 2 profiles')));
  assert.ok(t.includes('tcp_sendmsg') && t.includes('Bridge'), 'wide frames are labelled');
  const rects = [...svg.matchAll(/<path aria-label="frame: ([^;"]+);/g)].map((m) => m[1]);
  assert.equal(rects.length, icicleNodes(FOLDED).length);
});

test('FIGURES: every figure once; each single-panel spec is titled with the registry\'s label and title; missing data says why', () => {
  const ids = FIGURES.map((f) => f.id);
  assert.equal(new Set(ids).size, ids.length);
  const cpp = [...cppIntra, ...cppInter];
  const d = {
    runs: [], summaries, cpp, cppMeans: cppMeans(cpp), packetEvents: events, packetEventMeans: eventMeans, folded: [], launches, launchRows: [{ backend: 'local' }, { backend: 'k8s' }],
    // A sweep of two sizes through a Service (Fig. 9).
    // A sweep of policy rules (Fig. 10).
    policyScale: { apply: loadRows().apply, rows: policySweepRows() },
    // A profiled Services sweep (Fig. 12).
    scaleCycles: scaleCycleRows(),
    servicePath: { sync: loadRows().sync, rows: [0, 1000].map((services) => ({ run: 'r', model: 'flannel', label: 'Flannel', scenario: 'intra', test: 'tcp_crr', metric: 'transaction_rate', unit: 'transactions/s', n: 5, mean: 10000 - services, sd: 50, ci95Low: 9900 - services, ci95High: 10100 - services, median: 10000, q1: 9950, q3: 10050, min: 9900, max: 10100, proxy: 'iptables', services, target: 'service' })) },
  } as unknown as DerivedTables;
  const singles = FIGURES.filter((f) => !f.id.startsWith('figA') && !f.id.startsWith('figC'));
  assert.deepEqual(singles.map((f) => f.id), ['fig1a', 'fig1b', 'fig3a', 'fig3b', 'fig3c', 'fig3d', 'fig3e', 'fig3f', 'fig4', 'fig5', 'fig6', 'fig8', 'fig7', 'fig7-k8s', 'fig9', 'fig12', 'fig10', 'fig11']);
  for (const f of FIGURES) {
    assert.ok(f.title.length > 0 && f.caption.length > 40, `${f.id} has a title and caption`);
    assert.ok(f.when?.(d) ?? true, `${f.id} is drawn for these tables`);
    const plan = f.plan(d);
    assert.ok(plan.rows.length > 0 || f.id.startsWith('figC'), `${f.id} has CSV rows`);
    if (!singles.includes(f)) continue;
    assert.equal(plan.specs.length, 1, `${f.id}: one panel`);
    const spec = plan.specs[0]!.spec();
    assert.equal(titleOf(spec), `${f.label.replace(/ \(.*\)$/, '')} — ${f.title}`, `${f.id}: the spec's title is the registry's`);
    assert.equal(plan.specs[0]!.file, `${spec.name}.svg`, `${f.id}: the SVG file is named as the spec`);
  }
  const empty = { ...d, summaries: [], cpp: [], cppMeans: [], packetEvents: [], packetEventMeans: [], launches: [], launchRows: [], servicePath: { rows: [], sync: [] }, policyScale: { rows: [], apply: [] }, scaleCycles: [] } as unknown as DerivedTables;
  // Fig. 1 draws the models' descriptions: it needs no data.
  for (const f of singles.filter((x) => (x.when?.(empty) ?? true) && !x.id.startsWith('fig1'))) {
    const plan = f.plan(empty);
    assert.equal(plan.specs.length, 0, `${f.id}: nothing drawn without data`);
    assert.match(plan.missing ?? '', /^no /, `${f.id}: says why it is not drawn`);
  }
});

test('Fig. 1a–b compact: one row per model, the devices in the order the packet crosses them, policy beside', () => {
  for (const scenario of ['intra', 'inter'] as const) {
    const spec = datapathCompactSpec(MODELS, scenario) as unknown as { layer: { data: { values: Record<string, unknown>[] }; mark: { type: string; fontWeight?: string } }[] };
    const labels = spec.layer.at(-1)!.data.values.map((v) => v.text);
    assert.deepEqual(labels, MODELS.filter((m) => m.scenarios.includes(scenario)).map((m) => m.label), `${scenario}: a row per model`);
  }
  const spec = datapathCompactSpec(MODELS.filter((m) => m.id === 'flannel' || m.id === 'calico-wp'), 'inter') as unknown as { layer: { data: { values: { model?: string; text: string; x: number }[] }; mark: { type: string } }[] };
  const chips = spec.layer.filter((l) => l.mark.type === 'rect').flatMap((l) => l.data.values);
  const row = (model: string) => chips.filter((c) => c.model === model).sort((a, b) => a.x - b.x).map((c) => c.text);
  assert.deepEqual(row('flannel'), ['pod a1', 'veth…', 'bridge cni0', 'IP forwarding', 'flannel.1', 'eth0', '⇒ node-b ⇒ pod b1']);
  assert.deepEqual(row('calico-wp'), ['pod a1', 'cali…', 'IP forwarding', 'eth0', '⇒ node-b ⇒ pod b1', 'iptables policy']);
});

test('Fig. 11: a panel per knob, a line per implementation through the nodes\' mean, a dot per node; one size draws no line', () => {
  const { apply, sync } = loadRows();
  const spec = loadTimeSpec(loadPoints(sync, apply)) as unknown as { name: string; data: { values: LoadPoint[] }; spec: { layer: { transform?: unknown[]; encoding: { color: { scale: { domain: string[] } } } }[] } };
  assert.equal(spec.name, 'fig11');
  const values = spec.data.values;
  assert.deepEqual(spec.spec.layer[0]!.encoding.color.scale.domain, ['kube-proxy, iptables (Flannel)', 'kube-proxy, nftables (Flannel)', 'Calico-wp policy', 'Kube-router policy']);
  assert.equal(values.length, sync.length + apply.length, 'a dot per node and load');
  const one = values.find((v) => v.line === 'Kube-router policy' && v.size === 10000)!;
  assert.equal(one.ms, 100 + 205 + 255, 'sets, check and load added');
  assert.equal(new Set(values.map((v) => v.panel)).size, 2);
  assert.ok(spec.spec.layer[0]!.transform, 'the line is the mean of the nodes per size');
  assert.equal(hasLoadSweep(loadPoints(sync, apply)), true);
  assert.equal(hasLoadSweep(loadPoints(sync.filter((r) => r.services === 0), apply.filter((r) => r.policyRules === 10))), false);
  assert.throws(() => loadTimeSpec(loadPoints([], [])), /fig11: no rule-set load times/);
});

test('Fig. 10: a line per model whose policy was scaled, a panel per test, the sizes on the x axis; the controls are not drawn', async () => {
  const spec = policyScaleSpec(policySweepRows()) as unknown as { name: string; data: { values: { line: string; panel: string; size: number }[] }; spec: { layer: { encoding: { color: { scale: { domain: string[] } } } }[] } };
  assert.equal(spec.name, 'fig10');
  const values = spec.data.values;
  assert.deepEqual(spec.spec.layer[0]!.encoding.color.scale.domain, orderModels(['calico-wp', 'weave', 'kube-router']).map((id) => findModel(id)!.label));
  assert.deepEqual([...new Set(values.map((v) => v.size))].sort((a, b) => a - b), [10, 1000, 10000]);
  assert.equal(new Set(values.map((v) => v.panel)).size, 2);
  assert.ok(!values.some((v) => v.line === 'Baseline'), 'the control has no size to draw');
  assert.throws(() => policyScaleSpec(policySweepRows().filter((r) => r.policyRules === undefined)), /fig10: no transaction rates/);
});
