// Every claim's verdict logic on constructed data: a "study world" whose numbers follow the study (every measurable
// claim must come out reproduced), and for each claim a change that reverses it (contradicted), one that leaves the
// data unable to tell (inconclusive) and one that removes what it needs (not measurable). Plus the statistics
// underneath: Welch and paired tests, TOST, Holm and Benjamini–Hochberg against values computed by hand or by R.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CLAIMS, type ClaimTables } from '../src/catalog/claims.ts';
import { settleVerdicts, type Verdict } from '../src/catalog/verdict.ts';
import { againstBound, benjaminiHochberg, compare, equivalence, holm, type Unit } from '../src/analysis/inference.ts';
import type { CppMean, PacketEventMean } from '../src/analysis/means.ts';
import type { CppUnit, EventUnit, LaunchUnit, PerfUnit } from '../src/analysis/units.ts';
import type { Summary } from '../src/analysis/observations.ts';
import type { LaunchSummary } from '../src/analysis/launch.ts';
import { prng, seedOf } from '../src/util/random.ts';
import { mean, sd } from '../src/util/stats.ts';

// ---- the statistics ------------------------------------------------------------------------------------------------

const units = (values: number[], prefix = 'r') => values.map((value, i) => ({ unit: `${prefix}${i + 1}`, value }));
const close = (a: number, b: number, tol: number, what: string) => assert.ok(Math.abs(a - b) <= tol, `${what}: ${a} vs ${b}`);

// Reference values computed with SciPy 1.17.1 (not a dependency of this project; listed so anyone can recompute them).
test('Welch one-sided test on logs matches scipy.stats.ttest_ind(log(a), log(b), equal_var=False, alternative="greater")', () => {
  // a = [10.2, 10.5, 9.9, 10.8, 10.1], b = [9.1, 9.6, 9.3, 9.9, 9.0]  →  t = 4.030364, df = 7.852014, p = 0.0019675832
  const r = compare(units([10.2, 10.5, 9.9, 10.8, 10.1], 'a'), units([9.1, 9.6, 9.3, 9.9, 9.0], 'b'), true);
  assert.equal(r.design, 'Welch');
  close(r.p, 0.0019675832, 1e-9, 'p');
  close(r.pReverse, 1 - 0.0019675832, 1e-9, 'p reverse');
  close(Math.log(r.ratio), mean([10.2, 10.5, 9.9, 10.8, 10.1].map(Math.log)) - mean([9.1, 9.6, 9.3, 9.9, 9.0].map(Math.log)), 1e-12, 'log ratio');
  assert.ok(r.ciLow > 1 && r.ciHigh > r.ratio);
});

test('paired by round when both sides share their rounds: scipy.stats.ttest_1samp(log(b) - log(a), 0, alternative="greater")', () => {
  // Latency (lower is better): does A beat B?  a = [15, 16, 15.5, 15.2], b = [16, 16.8, 16.1, 16.4]  →  t = 6.766137, p = 0.0032982189
  const r = compare(units([15, 16, 15.5, 15.2]), units([16, 16.8, 16.1, 16.4]), false);
  assert.equal(r.design, 'paired by round');
  assert.equal(r.n, 4);
  close(r.p, 0.0032982189, 1e-9, 'p');
  assert.ok(r.ratio > 1, 'oriented: above 1 means A is better');
});

test('TOST: within ×1.5 of the study\'s value, outside it, or unable to tell', () => {
  const within = equivalence(units([240, 255, 262, 248, 251, 246]), 250, 1.5);
  assert.ok(within.pWithin < 0.001 && within.pOutside > 0.5);
  const outside = equivalence(units([900, 880, 940, 910, 905]), 250, 1.5);
  assert.ok(outside.pOutside < 0.001 && outside.pWithin > 0.5);
  const edge = equivalence(units([300, 420, 380, 500]), 250, 1.5);
  assert.ok(edge.pWithin > 0.05 && edge.pOutside > 0.05, `${edge.pWithin} ${edge.pOutside}`);
  const below = againstBound(units([0.04, 0.05, 0.045, 0.042]), 0.1, false);
  assert.ok(below.p < 0.001, 'a share clearly under 10%');
});

test('Holm and Benjamini–Hochberg on a worked example', () => {
  // Holm by hand: sorted 0.01×4 = 0.04, 0.03×3 = 0.09, 0.04×2 = 0.08 → 0.09 (monotone), 0.2×1 = 0.2.
  // BH: scipy.stats.false_discovery_control([0.01, 0.04, 0.03, 0.2]) → 0.04, 0.05333, 0.05333, 0.2.
  assert.deepEqual(holm([0.01, 0.04, 0.03, 0.2]).map((x) => +x.toFixed(4)), [0.04, 0.09, 0.09, 0.2]);
  assert.deepEqual(benjaminiHochberg([0.01, 0.04, 0.03, 0.2]).map((x) => +x.toFixed(4)), [0.04, 0.0533, 0.0533, 0.2]);
  assert.ok(Number.isNaN(benjaminiHochberg([NaN, 0.01])[0]!), 'NaN is left out of the family');
});

test('inconclusive says how many rounds would tell a difference of the observed size', () => {
  const r = compare(units([100, 103, 98, 101, 99]), units([99, 101, 100, 102, 98]), true);
  assert.ok(r.p > 0.05 && r.pReverse > 0.05);
  assert.ok(Number.isFinite(r.neededN) && r.neededN > 5, `needed ${r.neededN}`);
});

// ---- a world of data -----------------------------------------------------------------------------------------------

type Scen = 'intra' | 'inter';
interface World {
  /** model → "scenario/test/metric" → mean */
  perf: Record<string, Record<string, number>>;
  /** model → "scenario/component" → mean CPP ("total" for the total) */
  cpp: Record<string, Record<string, number>>;
  /** model → "scenario/fib|switches" → mean */
  events: Record<string, Record<string, number>>;
  /** backend → model → mean launch ms (and the network share on k8s) */
  launches: Record<string, Record<string, number>>;
  share: number;
}

const STUDY_INTRA = ['flannel', 'weave', 'cilium', 'kube-router', 'calico-np', 'calico-wp'];
const STUDY_INTER = [...STUDY_INTRA, 'calico-np-ipip', 'calico-wp-ipip'];

/** The study's world: every statement of the catalogue holds, by a clear margin. */
function studyWorld(): World {
  const tputIntra: Record<string, number> = { cilium: 12000, flannel: 10000, weave: 9800, 'kube-router': 9900, 'calico-np': 8000, 'calico-wp': 7000 };
  const rrIntra: Record<string, number> = { cilium: 15, flannel: 18, weave: 18.5, 'kube-router': 18.2, 'calico-np': 20, 'calico-wp': 25 };
  const tputInter: Record<string, number> = { 'kube-router': 9000, 'calico-np': 9200, 'calico-wp': 8500, flannel: 6000, weave: 5000, cilium: 6500, 'calico-np-ipip': 7000, 'calico-wp-ipip': 6200 };
  const rrInter: Record<string, number> = { 'kube-router': 30, 'calico-np': 29, 'calico-wp': 32, flannel: 40, weave: 45, cilium: 38, 'calico-np-ipip': 36, 'calico-wp-ipip': 39 };
  const perf: World['perf'] = {};
  for (const m of STUDY_INTER) {
    const p: Record<string, number> = (perf[m] = {});
    if (STUDY_INTRA.includes(m)) Object.assign(p, { 'intra/tcp_stream/throughput': tputIntra[m]!, 'intra/tcp_rr/mean_latency': rrIntra[m]!, 'intra/udp_rr/mean_latency': rrIntra[m]! * 0.9 });
    Object.assign(p, { 'inter/tcp_stream/throughput': tputInter[m]!, 'inter/tcp_rr/mean_latency': rrInter[m]!, 'inter/udp_rr/mean_latency': rrInter[m]! * 0.9 });
  }
  const nfIntra: Record<string, number> = { flannel: 1400, weave: 1500, cilium: 5, 'kube-router': 1500, 'calico-np': 1400, 'calico-wp': 2200 };
  const totalIntra: Record<string, number> = { cilium: 2500, flannel: 3500, weave: 3600, 'kube-router': 3700, 'calico-np': 4000, 'calico-wp': 6000 };
  const cpp: World['cpp'] = {};
  for (const m of STUDY_INTRA) {
    const c: Record<string, number> = (cpp[m] = { 'intra/total': totalIntra[m]!, 'intra/veth': 80, 'intra/netfilter': nfIntra[m]!, 'intra/stack': 1000 });
    if (['flannel', 'weave', 'kube-router'].includes(m)) c['intra/bridge'] = 250;
    if (m.startsWith('calico')) Object.assign(c, { 'intra/fib': 200, 'intra/ip-forward': 240 });
    if (m === 'cilium') c['intra/ebpf'] = 1200;
  }
  const totalInter: Record<string, number> = { 'kube-router': 4000, 'calico-np': 3800, 'calico-wp': 4500, flannel: 6000, weave: 6500, cilium: 5500, 'calico-np-ipip': 5000, 'calico-wp-ipip': 5800 };
  const nfInter: Record<string, number> = { 'kube-router': 300, 'calico-np': 300, 'calico-wp': 1800, flannel: 800, weave: 1200, cilium: 800, 'calico-np-ipip': 900, 'calico-wp-ipip': 2500 };
  const fib: Record<string, [number, number]> = { weave: [200, 360], cilium: [300, 490], 'kube-router': [400, 600], 'calico-np': [300, 490], 'calico-wp': [300, 490], flannel: [600, 800], 'calico-np-ipip': [600, 800], 'calico-wp-ipip': [600, 800] };
  for (const m of STUDY_INTER) {
    const c: Record<string, number> = (cpp[m] ??= {});
    Object.assign(c, { 'inter/total': totalInter[m]!, 'inter/netfilter': nfInter[m]!, 'inter/veth': m === 'weave' ? 90 : 45, 'inter/fib': fib[m]![0], 'inter/ip-forward': fib[m]![1], 'inter/stack': 1000 });
    if (['flannel', 'kube-router'].includes(m)) c['inter/bridge'] = 250;
    if (m === 'weave') Object.assign(c, { 'inter/bridge': 500, 'inter/ovs': 250 });
    if (['flannel', 'weave', 'cilium'].includes(m)) c['inter/vxlan'] = 900;
    if (m.endsWith('-ipip')) c['inter/ipip'] = 250;
    if (m === 'cilium') c['inter/ebpf'] = 1550;
  }
  const events: World['events'] = Object.fromEntries([...STUDY_INTER, 'flannel-udp'].map((m) => [m, { 'inter/fib': m === 'kube-router' ? 300_000 : 150_000, 'inter/switches': m === 'flannel-udp' ? 2 : 0.01 }]));
  const order: Record<string, number> = { flannel: 30, 'kube-router': 32, cilium: 50, 'calico-np': 55, weave: 80 };
  return { perf, cpp, events, launches: { local: { ...order }, k8s: Object.fromEntries(Object.entries(order).map(([m, v]) => [m, v * 100])) }, share: 0.045 };
}

const N = 10;
const CV = 0.02;

/** Values with seeded noise: each series its own stream, so pairs by round are not artificially identical. */
function series(name: string, m: number, cv = CV, n = N): Unit[] {
  const random = prng(seedOf(name));
  return Array.from({ length: n }, (_, i) => ({ unit: `w#r${i + 1}`, value: m * (1 + cv * (2 * random() - 1) * 1.7) }));
}

/**
 * A series that cannot tell: ×e^δ and ×e^−δ in turn, so its geometric mean is exactly `m` and its spread is δ —
 * deterministic, unlike a random draw that may land significant by chance.
 */
function swinging(m: number, delta: number, n = N): Unit[] {
  return Array.from({ length: n }, (_, i) => ({ unit: `w#r${i + 1}`, value: m * Math.exp(i % 2 ? -delta : delta) }));
}

function tablesOf(w: World, noise: Record<string, number> = {}): ClaimTables {
  const seriesOf = (key: string, m: number) => (noise[key] === undefined ? series(key, m) : swinging(m, noise[key]!));
  const perfUnits: PerfUnit[] = [];
  const summaries: Summary[] = [];
  for (const [model, panels] of Object.entries(w.perf)) {
    for (const [key, m] of Object.entries(panels)) {
      const [scenario, test, metric] = key.split('/') as [Scen, string, string];
      const s = seriesOf(`${model}/${key}`, m);
      perfUnits.push(...s.map((u) => ({ ...u, model, scenario, test, metric })));
      const v = s.map((u) => u.value);
      summaries.push({ model, label: model, scenario, test, metric: metric as Summary['metric'], unit: metric === 'throughput' ? 'Mbit/s' : 'µs', n: v.length, mean: mean(v), sd: sd(v), ci95Low: 0, ci95High: 0, median: 0, q1: 0, q3: 0, min: Math.min(...v), max: Math.max(...v) });
    }
  }
  const cppUnits: CppUnit[] = [];
  const cpp: CppMean[] = [];
  for (const [model, comps] of Object.entries(w.cpp)) {
    for (const [key, m] of Object.entries(comps)) {
      const [scenario, component] = key.split('/') as [Scen, CppUnit['component']];
      const s = seriesOf(`${model}/${key}`, m);
      cppUnits.push(...s.map((u) => ({ ...u, model, scenario, component })));
      if (component === 'total') continue;
      // Per skb and per KB are not judged by any claim: any consistent numbers do.
      const value = mean(s.map((u) => u.value));
      const total = comps[`${scenario}/total`] ?? 0;
      cpp.push({ model, scenario, component, cpp: value, totalCpp: total, cppPerSkb: 10 * value, cppPerKB: value / 1.5, share: total ? value / total : 0, foreignShare: 0, estimated: false, cycles: ['measured: cycles'], runs: N });
    }
  }
  const eventUnits: EventUnit[] = [];
  const packetEvents: PacketEventMean[] = [];
  for (const [model, evs] of Object.entries(w.events)) {
    const f = series(`${model}/fib`, evs['inter/fib'] ?? NaN);
    const s = series(`${model}/sw`, evs['inter/switches'] ?? NaN);
    eventUnits.push(...f.map((u) => ({ ...u, model, scenario: 'inter' as const, event: 'fib' as const })), ...s.map((u) => ({ ...u, model, scenario: 'inter' as const, event: 'switches' as const })));
    packetEvents.push({ model, scenario: 'inter', fibPer100k: mean(f.map((u) => u.value)), contextSwitchesPerPacket: mean(s.map((u) => u.value)), packets: 0, runs: N });
  }
  const launchUnits: LaunchUnit[] = [];
  const launches: LaunchSummary[] = [];
  for (const [backend, models] of Object.entries(w.launches)) {
    for (const [model, ms] of Object.entries(models)) {
      const s = series(`${backend}/${model}/launch`, ms, 0.05, 30).map((u, i) => ({ ...u, unit: `${backend}/${model}/${i}` }));
      const shares = series(`${backend}/${model}/share`, w.share, 0.05, 30);
      launchUnits.push(...s.map((u, i) => ({ ...u, backend, model, networkShare: shares[i]!.value })));
      launches.push({ backend, model, label: model, n: 30, meanMs: mean(s.map((u) => u.value)), sdMs: 0, ci95Low: 0, ci95High: 0, medianMs: 0, minMs: 0, maxMs: 0, phases: [], networkShare: w.share });
    }
  }
  return { summaries, cpp, packetEvents, missing: [], launches, perfUnits, cppUnits, eventUnits, launchUnits };
}

function verdictOf(id: string, t: ClaimTables): { verdict: Verdict; reason: string } {
  const claim = CLAIMS.find((c) => c.id === id);
  assert.ok(claim, `claim ${id} exists`);
  const [r] = settleVerdicts([claim.test(t)]);
  return { verdict: r!.verdict, reason: r!.reason };
}

/** What makes each claim contradicted, inconclusive and not measurable: changes to the study world. */
type Change = (w: World) => World | { world: World; noise: Record<string, number> };
const drop = (w: World, model: string) => { delete w.perf[model]; delete w.cpp[model]; delete w.events[model]; for (const b of Object.values(w.launches)) delete b[model]; return w; };
const set = (w: World, kind: 'perf' | 'cpp' | 'events', model: string, key: string, value: number) => { (w[kind][model] ??= {})[key] = value; return w; };
/** An inconclusive change: the deciding series swings widely around the value set (see `swinging`). */
const noisy = (w: World, keys: string[], cv = 0.25) => ({ world: w, noise: Object.fromEntries(keys.map((k) => [k, cv])) });

const CASES: Record<string, { contradicted: Change; inconclusive: Change; missing: Change }> = {
  'intra-cilium-throughput': {
    contradicted: (w) => set(w, 'perf', 'cilium', 'intra/tcp_stream/throughput', 6000),
    inconclusive: (w) => noisy(set(w, 'perf', 'cilium', 'intra/tcp_stream/throughput', 10000), ['cilium/intra/tcp_stream/throughput']),
    missing: (w) => drop(w, 'cilium'),
  },
  'intra-cilium-latency': {
    contradicted: (w) => set(w, 'perf', 'cilium', 'intra/udp_rr/mean_latency', 30),
    inconclusive: (w) => noisy(set(w, 'perf', 'cilium', 'intra/udp_rr/mean_latency', 18 * 0.9), ['cilium/intra/udp_rr/mean_latency']),
    missing: (w) => drop(w, 'cilium'),
  },
  'intra-calico-wp-latency': {
    contradicted: (w) => set(w, 'perf', 'calico-wp', 'intra/tcp_rr/mean_latency', 10),
    inconclusive: (w) => noisy(set(w, 'perf', 'calico-wp', 'intra/tcp_rr/mean_latency', 20), ['calico-wp/intra/tcp_rr/mean_latency']),
    missing: (w) => drop(w, 'calico-wp'),
  },
  'intra-calico-wp-throughput': {
    contradicted: (w) => set(w, 'perf', 'calico-wp', 'intra/tcp_stream/throughput', 11000),
    inconclusive: (w) => noisy(set(w, 'perf', 'calico-wp', 'intra/tcp_stream/throughput', 8000), ['calico-wp/intra/tcp_stream/throughput']),
    missing: (w) => drop(w, 'calico-wp'),
  },
  'intra-l3-below-bridge': {
    contradicted: (w) => set(w, 'perf', 'calico-np', 'intra/tcp_stream/throughput', 11000),
    inconclusive: (w) => noisy(set(w, 'perf', 'calico-np', 'intra/tcp_stream/throughput', 9800), ['calico-np/intra/tcp_stream/throughput']),
    missing: (w) => drop(drop(w, 'calico-np'), 'calico-wp'),
  },
  'intra-tcp-rr-above-udp-rr': {
    contradicted: (w) => set(w, 'perf', 'flannel', 'intra/udp_rr/mean_latency', 25),
    inconclusive: (w) => noisy(set(w, 'perf', 'flannel', 'intra/udp_rr/mean_latency', 18), ['flannel/intra/udp_rr/mean_latency']),
    missing: (w) => { for (const m of Object.keys(w.perf)) delete w.perf[m]!['intra/udp_rr/mean_latency']; return w; },
  },
  'inter-native-beats-overlay': {
    contradicted: (w) => set(w, 'perf', 'cilium', 'inter/tcp_stream/throughput', 12000),
    inconclusive: (w) => noisy(set(w, 'perf', 'cilium', 'inter/tcp_stream/throughput', 8500), ['cilium/inter/tcp_stream/throughput']),
    missing: (w) => ['kube-router', 'calico-np', 'calico-wp'].reduce(drop, w),
  },
  'inter-simple-policy-faster': {
    contradicted: (w) => set(w, 'perf', 'calico-wp', 'inter/tcp_rr/mean_latency', 20),
    inconclusive: (w) => noisy(set(w, 'perf', 'calico-wp', 'inter/tcp_rr/mean_latency', 29), ['calico-wp/inter/tcp_rr/mean_latency']),
    missing: (w) => drop(drop(w, 'calico-wp'), 'calico-wp-ipip'),
  },
  'inter-tcp-rr-above-udp-rr': {
    contradicted: (w) => set(w, 'perf', 'weave', 'inter/udp_rr/mean_latency', 60),
    inconclusive: (w) => noisy(set(w, 'perf', 'weave', 'inter/udp_rr/mean_latency', 49.5), ['weave/inter/udp_rr/mean_latency']),
    missing: (w) => { for (const m of Object.keys(w.perf)) delete w.perf[m]!['inter/tcp_rr/mean_latency']; return w; },
  },
  'intra-cpp-extremes': {
    contradicted: (w) => set(w, 'cpp', 'cilium', 'intra/total', 7000),
    inconclusive: (w) => noisy(set(w, 'cpp', 'cilium', 'intra/total', 3500), ['cilium/intra/total']),
    missing: (w) => drop(w, 'calico-wp'),
  },
  'bridge-cpp': {
    contradicted: (w) => set(w, 'cpp', 'weave', 'intra/bridge', 1000),
    inconclusive: (w) => noisy(set(w, 'cpp', 'weave', 'intra/bridge', 375), ['weave/intra/bridge'], 0.3),
    missing: (w) => ['flannel', 'weave', 'kube-router'].reduce(drop, w),
  },
  'calico-fib-forward-cpp': {
    contradicted: (w) => set(w, 'cpp', 'calico-np', 'intra/fib', 800),
    inconclusive: (w) => noisy(set(w, 'cpp', 'calico-np', 'intra/fib', 300), ['calico-np/intra/fib'], 0.3),
    missing: (w) => drop(drop(w, 'calico-np'), 'calico-wp'),
  },
  'calico-forwarding-cpp': {
    contradicted: (w) => set(w, 'cpp', 'flannel', 'intra/bridge', 60),
    inconclusive: (w) => noisy(set(w, 'cpp', 'flannel', 'intra/bridge', 440 / 2.55), ['flannel/intra/bridge'], 0.3),
    missing: (w) => drop(drop(w, 'calico-np'), 'calico-wp'),
  },
  'ebpf-cpp': {
    contradicted: (w) => set(w, 'cpp', 'cilium', 'inter/ebpf', 900),
    inconclusive: (w) => noisy(set(w, 'cpp', 'cilium', 'inter/ebpf', 1300), ['cilium/inter/ebpf'], 0.3),
    missing: (w) => drop(w, 'cilium'),
  },
  'veth-cpp': {
    contradicted: (w) => set(w, 'cpp', 'flannel', 'intra/veth', 400),
    inconclusive: (w) => noisy(set(w, 'cpp', 'flannel', 'intra/veth', 120), ['flannel/intra/veth'], 0.3),
    missing: (w) => STUDY_INTRA.reduce(drop, w),
  },
  'cilium-no-netfilter': {
    contradicted: (w) => set(w, 'cpp', 'cilium', 'intra/netfilter', 3000),
    inconclusive: (w) => noisy(set(w, 'cpp', 'cilium', 'intra/netfilter', 1400), ['cilium/intra/netfilter']),
    missing: (w) => drop(w, 'cilium'),
  },
  'netfilter-calico-wp': {
    contradicted: (w) => set(w, 'cpp', 'calico-wp', 'intra/netfilter', 700),
    inconclusive: (w) => noisy(set(w, 'cpp', 'calico-wp', 'intra/netfilter', 1500), ['calico-wp/intra/netfilter']),
    missing: (w) => drop(w, 'calico-wp'),
  },
  'inter-native-lower-cpp': {
    contradicted: (w) => set(w, 'cpp', 'kube-router', 'inter/total', 9000),
    inconclusive: (w) => noisy(set(w, 'cpp', 'kube-router', 'inter/total', 5000), ['kube-router/inter/total']),
    missing: (w) => ['kube-router', 'calico-np', 'calico-wp'].reduce(drop, w),
  },
  'inter-simple-policy-lower-cpp': {
    contradicted: (w) => set(w, 'cpp', 'calico-np', 'inter/total', 9000),
    inconclusive: (w) => noisy(set(w, 'cpp', 'calico-np', 'inter/total', 4500), ['calico-np/inter/total']),
    missing: (w) => drop(drop(w, 'calico-wp'), 'calico-wp-ipip'),
  },
  'weave-bridge-double': {
    contradicted: (w) => set(w, 'cpp', 'weave', 'inter/bridge', 250),
    inconclusive: (w) => noisy(set(w, 'cpp', 'weave', 'inter/bridge', 750), ['weave/inter/bridge'], 0.3),
    missing: (w) => drop(w, 'weave'),
  },
  'inter-forwarding-once-twice': {
    contradicted: (w) => set(set(w, 'cpp', 'flannel', 'inter/fib', 100), 'cpp', 'flannel', 'inter/ip-forward', 100),
    inconclusive: (w) => noisy(set(set(w, 'cpp', 'flannel', 'inter/fib', 400), 'cpp', 'flannel', 'inter/ip-forward', 600), ['flannel/inter/fib', 'flannel/inter/ip-forward']),
    missing: (w) => ['flannel', 'calico-np-ipip', 'calico-wp-ipip'].reduce(drop, w),
  },
  'inter-netfilter-lowest': {
    contradicted: (w) => set(w, 'cpp', 'kube-router', 'inter/netfilter', 3000),
    inconclusive: (w) => noisy(set(w, 'cpp', 'kube-router', 'inter/netfilter', 800), ['kube-router/inter/netfilter']),
    missing: (w) => drop(w, 'kube-router'),
  },
  'inter-netfilter-highest-ipip': {
    contradicted: (w) => set(w, 'cpp', 'calico-wp-ipip', 'inter/netfilter', 100),
    inconclusive: (w) => noisy(set(w, 'cpp', 'calico-wp-ipip', 'inter/netfilter', 1800), ['calico-wp-ipip/inter/netfilter']),
    missing: (w) => drop(w, 'calico-wp-ipip'),
  },
  'inter-veth-cpp': {
    contradicted: (w) => set(w, 'cpp', 'cilium', 'inter/veth', 300),
    inconclusive: (w) => noisy(set(w, 'cpp', 'cilium', 'inter/veth', 67), ['cilium/inter/veth'], 0.3),
    missing: (w) => STUDY_INTER.filter((m) => m !== 'weave').reduce(drop, w),
  },
  'weave-veth-double': {
    contradicted: (w) => set(w, 'cpp', 'weave', 'inter/veth', 45),
    inconclusive: (w) => noisy(set(w, 'cpp', 'weave', 'inter/veth', 135), ['weave/inter/veth'], 0.3),
    missing: (w) => drop(w, 'weave'),
  },
  'weave-least-forwarding': {
    contradicted: (w) => set(w, 'cpp', 'weave', 'inter/bridge', 3000),
    inconclusive: (w) => noisy(set(w, 'cpp', 'weave', 'inter/bridge', 645), ['weave/inter/bridge', 'weave/inter/fib']),
    missing: (w) => drop(w, 'weave'),
  },
  'vxlan-cpp': {
    contradicted: (w) => set(w, 'cpp', 'flannel', 'inter/vxlan', 250),
    inconclusive: (w) => noisy(set(w, 'cpp', 'flannel', 'inter/vxlan', 1350), ['flannel/inter/vxlan'], 0.3),
    missing: (w) => ['flannel', 'weave', 'cilium'].reduce(drop, w),
  },
  'ipip-below-vxlan': {
    contradicted: (w) => set(set(w, 'cpp', 'calico-np-ipip', 'inter/ipip', 2000), 'cpp', 'calico-wp-ipip', 'inter/ipip', 2000),
    inconclusive: (w) => noisy(set(w, 'cpp', 'calico-np-ipip', 'inter/ipip', 900), ['calico-np-ipip/inter/ipip']),
    missing: (w) => drop(drop(w, 'calico-np-ipip'), 'calico-wp-ipip'),
  },
  'weave-ovs': {
    contradicted: (w) => set(w, 'cpp', 'weave', 'inter/ovs', 1500),
    inconclusive: (w) => noisy(set(w, 'cpp', 'weave', 'inter/ovs', 375), ['weave/inter/ovs'], 0.3),
    missing: (w) => set(w, 'cpp', 'weave', 'inter/ovs', 0),
  },
  'kube-router-fib': {
    contradicted: (w) => set(w, 'events', 'kube-router', 'inter/fib', 50_000),
    inconclusive: (w) => noisy(set(w, 'events', 'kube-router', 'inter/fib', 150_000), []),
    missing: (w) => drop(w, 'kube-router'),
  },
  'flannel-udp-context-switches': {
    contradicted: (w) => set(w, 'events', 'flannel-udp', 'inter/switches', 0.001),
    inconclusive: (w) => noisy(set(w, 'events', 'flannel-udp', 'inter/switches', 0.01), []),
    missing: (w) => drop(w, 'flannel-udp'),
  },
  'launch-order': {
    contradicted: (w) => { w.launches.k8s!.weave = 1000; return w; },
    inconclusive: (w) => { w.launches.k8s!.weave = w.launches.k8s!['calico-np']!; return w; },
    missing: (w) => { delete w.launches.k8s; delete w.launches.local!.weave; return w; },
  },
  'launch-network-share': {
    contradicted: (w) => { w.share = 0.3; return w; },
    inconclusive: (w) => { w.share = 0.1; return w; },
    missing: (w) => { delete w.launches.k8s; return w; },
  },
};

function apply(change: Change): ClaimTables {
  const out = change(studyWorld());
  return 'world' in out ? tablesOf(out.world, out.noise) : tablesOf(out);
}

test('every claim of the catalogue has its four cases here', () => {
  assert.deepEqual(CLAIMS.map((c) => c.id).sort(), Object.keys(CASES).sort());
  assert.ok(CLAIMS.length >= 26, `the whole of §III (${CLAIMS.length} claims)`);
});

test('in the study\'s world every claim is reproduced', () => {
  const t = tablesOf(studyWorld());
  for (const c of CLAIMS) {
    const v = verdictOf(c.id, t);
    assert.equal(v.verdict, 'reproduced', `${c.id}: ${v.reason}`);
  }
});

for (const [id, cases] of Object.entries(CASES)) {
  test(`${id}: contradicted, inconclusive and not measurable when the data says so`, () => {
    const c = verdictOf(id, apply(cases.contradicted));
    assert.equal(c.verdict, 'contradicted', `contradicted case: ${c.reason}`);
    const i = verdictOf(id, apply(cases.inconclusive));
    assert.equal(i.verdict, 'inconclusive', `inconclusive case: ${i.reason}`);
    const m = verdictOf(id, apply(cases.missing));
    assert.equal(m.verdict, 'not measurable', `missing case: ${m.reason}`);
  });
}

test('across the catalogue the false discovery rate is controlled: q ≥ p, and verdicts follow q', () => {
  const results = settleVerdicts(CLAIMS.map((c) => ({ ...c, ...c.test(tablesOf(studyWorld())) })));
  for (const r of results) {
    if (r.verdict === 'not measurable') continue;
    assert.ok(r.qFor! >= r.pFor! - 1e-15 && r.qAgainst! >= r.pAgainst! - 1e-15, r.id);
  }
});
