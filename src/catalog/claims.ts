// The study's claims, restated in our words, each with the test that checks it against derived tables — data, so the
// report's Findings section is generated and never argued by hand.
import type { Summary } from '../analysis/observations.ts';
import type { LaunchSummary } from '../analysis/launch.ts';
import type { Component } from '../tools/perf/types.ts';
import type { Scenario } from '../testbed/model.ts';
import { MODELS, findModel } from '../testbed/models/index.ts';

export type Verdict = 'reproduced' | 'not reproduced' | 'not measurable here';

export interface ClaimResult {
  verdict: Verdict;
  /** What the data says, with the numbers (or why there are none). */
  evidence: string;
}

/** A model's mean CPP in one component, over the runs that profiled it. */
export interface CppMean {
  model: string;
  scenario: Scenario;
  component: Component;
  cpp: number;
  totalCpp: number;
  /** Cycles estimated from cpu-clock samples × nominal MHz (no hardware counter). */
  estimated: boolean;
  runs: number;
}

/** A model's mean per-packet counts from perf stat, over the runs that profiled it. */
export interface PacketEventMean {
  model: string;
  scenario: Scenario;
  fibPer100k: number;
  contextSwitchesPerPacket: number;
  runs: number;
}

/** Why a model × scenario has no usable data of a kind (skipped, failed, damaged raw files, or never planned). */
export interface MissingData {
  model: string;
  scenario: Scenario;
  kind: 'netperf' | 'profile' | 'launch';
  /** The netperf test, for netperf items. */
  test?: string;
  reason: string;
}

/** Everything a claim's test may look at. */
export interface ClaimTables {
  summaries: readonly Summary[];
  cpp: readonly CppMean[];
  packetEvents: readonly PacketEventMean[];
  missing: readonly MissingData[];
  /** Pod-launch summaries per backend × model. */
  launches: readonly LaunchSummary[];
}

export interface Claim {
  id: string;
  /** The study's claim, in our words. */
  claim: string;
  /** Where the study shows it, and where this report does. */
  figure: string;
  /** What has to hold for "reproduced". */
  criterion: string;
  test: (t: ClaimTables) => ClaimResult;
}

/** "≈ x" in the study is taken to mean within this factor either way: different CPUs, a VM, estimated cycles. */
export const TOLERANCE = 1.5;

/** Digits shown for each kind of number, in the evidence and in the report's tables alike. */
export const DIGITS = { throughput: 1, latency: 2, cpp: 0, fib: 0, switches: 3, ratio: 2 } as const;

export function formatNumber(value: number, digits: number): string {
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

/** The configurations the study measured (its Figs. 3–6); models beyond it (flannel-udp, Calico VXLAN) are not judged. */
const STUDY_MODELS: Record<Scenario, readonly string[]> = {
  intra: ['flannel', 'weave', 'cilium', 'kube-router', 'calico-np', 'calico-wp'],
  inter: ['flannel', 'weave', 'cilium', 'kube-router', 'calico-np', 'calico-wp', 'calico-np-ipip', 'calico-wp-ipip'],
};

const label = (model: string) => findModel(model)?.label ?? model;
const near = (value: number, target: number) => value >= target / TOLERANCE && value <= target * TOLERANCE;
const cppText = (v: number) => formatNumber(v, DIGITS.cpp);
const reproduced = (ok: boolean): Verdict => (ok ? 'reproduced' : 'not reproduced');
const na = (evidence: string): ClaimResult => ({ verdict: 'not measurable here', evidence });

function why(t: ClaimTables, model: string, scenario: Scenario, kind: MissingData['kind'], test?: string): string {
  const mine = t.missing.filter((m) => m.model === model && m.scenario === scenario && m.kind === kind && (!test || !m.test || m.test === test));
  const reasons = [...new Set(mine.map((m) => m.reason))];
  return `${label(model)} ${scenario}-host: ${reasons.length ? reasons.join('; ') : 'not in these runs'}`;
}

// ---- netperf summaries -----------------------------------------------------------------------------------------

type PerfKey = { test: 'tcp_stream' | 'tcp_rr' | 'udp_rr'; metric: 'throughput' | 'mean_latency' };
const TPUT: PerfKey = { test: 'tcp_stream', metric: 'throughput' };
const TCP_RR: PerfKey = { test: 'tcp_rr', metric: 'mean_latency' };
const UDP_RR: PerfKey = { test: 'udp_rr', metric: 'mean_latency' };

function summary(t: ClaimTables, model: string, scenario: Scenario, k: PerfKey): Summary | undefined {
  return t.summaries.find((s) => s.model === model && s.scenario === scenario && s.test === k.test && s.metric === k.metric);
}

function perfText(s: Summary): string {
  const d = s.metric === 'throughput' ? DIGITS.throughput : DIGITS.latency;
  return `${label(s.model)} ${formatNumber(s.mean, d)} ${s.unit}`;
}

/** Summaries of the study's models present for one panel, and what is missing. */
function panel(t: ClaimTables, scenario: Scenario, k: PerfKey, models = STUDY_MODELS[scenario]): { rows: Summary[]; absent: string[] } {
  const rows: Summary[] = [];
  const absent: string[] = [];
  for (const m of models) {
    const s = summary(t, m, scenario, k);
    if (s) rows.push(s);
    else absent.push(why(t, m, scenario, 'netperf', k.test));
  }
  return { rows, absent };
}

const higherIsBetter = (k: PerfKey) => k.metric === 'throughput';
function ranked(rows: readonly Summary[], k: PerfKey): Summary[] {
  return [...rows].sort((a, b) => (higherIsBetter(k) ? b.mean - a.mean : a.mean - b.mean));
}

function absentNote(absent: readonly string[]): string {
  return absent.length ? ` Not measured: ${absent.join('; ')}.` : '';
}

/** Whether `model` is the best (or worst) of the study's models on a panel. */
function extreme(t: ClaimTables, model: string, scenario: Scenario, keys: readonly PerfKey[], which: 'best' | 'worst'): ClaimResult {
  const parts: string[] = [];
  let ok = true;
  for (const k of keys) {
    const { rows, absent } = panel(t, scenario, k);
    const mine = rows.find((r) => r.model === model);
    if (!mine) return na(`${why(t, model, scenario, 'netperf', k.test)}.`);
    if (rows.length < 2) return na(`only ${label(model)} of the study's models was measured ${scenario}-host.${absentNote(absent)}`);
    const order = ranked(rows, k);
    const top = which === 'best' ? order[0]! : order[order.length - 1]!;
    const hit = top.model === model;
    ok &&= hit;
    const others = order.filter((r) => r.model !== model);
    const rival = which === 'best' ? others[0]! : others[others.length - 1]!;
    const digits = k.metric === 'throughput' ? DIGITS.throughput : DIGITS.latency;
    const ci = `95% CI ${formatNumber(mine.ci95Low, digits)}–${formatNumber(mine.ci95High, digits)}`;
    const other = hit ? rival : top;
    // A ranking inside the noise is still a ranking, but the reader should know.
    const overlap = other.ci95Low <= mine.ci95High && mine.ci95Low <= other.ci95High ? ' (their 95% intervals overlap)' : '';
    parts.push(`${k.test.toUpperCase()}: ${perfText(mine)} (${ci}, n = ${mine.n}); ${hit ? 'next is' : `${which} is`} ${perfText(other)}${overlap}`);
    if (absent.length && k === keys[keys.length - 1]) parts.push(`Not measured: ${absent.join('; ')}`);
  }
  return { verdict: reproduced(ok), evidence: `${parts.join('. ')}.` };
}

function tcpAboveUdp(t: ClaimTables): ClaimResult {
  const tcp = panel(t, 'intra', TCP_RR).rows;
  const pairs = tcp.flatMap((s) => {
    const u = summary(t, s.model, 'intra', UDP_RR);
    return u ? [{ model: s.model, tcp: s.mean, udp: u.mean }] : [];
  });
  if (!pairs.length) return na('no model has both TCP_RR and UDP_RR intra-host results.');
  const below = pairs.filter((p) => !(p.tcp > p.udp));
  const list = pairs.map((p) => `${label(p.model)} ${formatNumber(p.tcp, DIGITS.latency)} vs ${formatNumber(p.udp, DIGITS.latency)} µs`).join('; ');
  return { verdict: reproduced(below.length === 0), evidence: `TCP_RR vs UDP_RR mean latency: ${list}.${below.length ? ` UDP is not faster for ${below.map((p) => label(p.model)).join(', ')}.` : ''}` };
}

/** Every model of group `a` beats every model of group `b` on each panel. */
function groupBeats(t: ClaimTables, scenario: Scenario, a: readonly string[], b: readonly string[], keys: readonly PerfKey[], names: [string, string]): ClaimResult {
  const parts: string[] = [];
  let ok = true;
  const absentAll = new Set<string>();
  for (const k of keys) {
    const A = panel(t, scenario, k, a);
    const B = panel(t, scenario, k, b);
    [...A.absent, ...B.absent].forEach((x) => absentAll.add(x));
    if (!A.rows.length || !B.rows.length) return na(`no ${!A.rows.length ? names[0] : names[1]} model was measured ${scenario}-host.${absentNote([...absentAll])}`);
    const worstA = ranked(A.rows, k).at(-1)!;
    const bestB = ranked(B.rows, k)[0]!;
    const hit = higherIsBetter(k) ? worstA.mean > bestB.mean : worstA.mean < bestB.mean;
    ok &&= hit;
    parts.push(`${k.test.toUpperCase()}: weakest ${names[0]} ${perfText(worstA)} ${hit ? 'beats' : 'does not beat'} best ${names[1]} ${perfText(bestB)}`);
  }
  return { verdict: reproduced(ok), evidence: `${parts.join('; ')}.${absentNote([...absentAll])}` };
}

// ---- CPP ---------------------------------------------------------------------------------------------------------

function cppOf(t: ClaimTables, model: string, scenario: Scenario, component: Component): CppMean | undefined {
  return t.cpp.find((r) => r.model === model && r.scenario === scenario && r.component === component);
}

function estimatedNote(rows: readonly (CppMean | undefined)[]): string {
  return rows.some((r) => r?.estimated) ? ' (cycles estimated from cpu-clock samples × nominal MHz)' : '';
}

/** CPP rows of one component for the study's models present; the rest listed as missing. */
function cppPanel(t: ClaimTables, scenario: Scenario, component: Component, models: readonly string[]): { rows: CppMean[]; absent: string[] } {
  const rows: CppMean[] = [];
  const absent: string[] = [];
  for (const m of models) {
    const r = cppOf(t, m, scenario, component);
    if (r) rows.push(r);
    else absent.push(why(t, m, scenario, 'profile'));
  }
  return { rows, absent };
}

const list = (rows: readonly CppMean[], value = (r: CppMean) => r.cpp) => rows.map((r) => `${label(r.model)} ${cppText(value(r))}`).join(', ');

/** One row per profiled model carrying its total CPP (every component row of a model carries the same total). */
const totalsPanel = (t: ClaimTables, scenario: Scenario, models: readonly string[]) => cppPanel(t, scenario, 'stack', models);

function cppExtremes(t: ClaimTables): ClaimResult {
  const { rows, absent } = totalsPanel(t, 'intra', STUDY_MODELS.intra);
  const wp = rows.find((r) => r.model === 'calico-wp');
  const cil = rows.find((r) => r.model === 'cilium');
  if (!wp || !cil) return na(`${[!wp ? why(t, 'calico-wp', 'intra', 'profile') : '', !cil ? why(t, 'cilium', 'intra', 'profile') : ''].filter(Boolean).join('; ')}.`);
  const byTotal = [...rows].sort((a, b) => b.totalCpp - a.totalCpp);
  const ok = byTotal[0]!.model === 'calico-wp' && byTotal.at(-1)!.model === 'cilium';
  return {
    verdict: reproduced(ok),
    evidence: `Total CPP intra-host${estimatedNote(rows)}: ${list(byTotal, (r) => r.totalCpp)}; highest ${label(byTotal[0]!.model)}, lowest ${label(byTotal.at(-1)!.model)}.${absentNote(absent)}`,
  };
}

function bridgeCpp(t: ClaimTables): ClaimResult {
  const bridged = STUDY_MODELS.intra.filter((m) => findModel(m)?.attach.kind === 'bridge');
  const { rows, absent } = cppPanel(t, 'intra', 'bridge', bridged);
  if (!rows.length) return na(`no bridge-based model was profiled intra-host.${absentNote(absent)}`);
  const far = rows.filter((r) => !near(r.cpp, 250));
  return {
    verdict: reproduced(far.length === 0),
    evidence: `Bridge CPP intra-host${estimatedNote(rows)}: ${list(rows)} (study ≈ 250).${far.length ? ` Outside ${cppText(250 / TOLERANCE)}–${cppText(250 * TOLERANCE)}: ${far.map((r) => label(r.model)).join(', ')}.` : ''}${absentNote(absent)}`,
  };
}

function calicoForwarding(t: ClaimTables): ClaimResult {
  const calico = ['calico-np', 'calico-wp'].filter((m) => cppOf(t, m, 'intra', 'fib'));
  const bridged = STUDY_MODELS.intra.filter((m) => findModel(m)?.attach.kind === 'bridge' && cppOf(t, m, 'intra', 'bridge'));
  if (!calico.length || !bridged.length) return na(`needs Calico and bridge-based intra-host profiles; ${[...(calico.length ? [] : ['calico-np', 'calico-wp']), ...(bridged.length ? [] : ['flannel', 'weave', 'kube-router'])].map((m) => why(t, m, 'intra', 'profile')).join('; ')}.`);
  const routed = calico.map((m) => cppOf(t, m, 'intra', 'fib')!.cpp + cppOf(t, m, 'intra', 'ip-forward')!.cpp);
  const bridge = bridged.map((m) => cppOf(t, m, 'intra', 'bridge')!.cpp);
  const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;
  const ratio = mean(routed) / mean(bridge);
  return {
    verdict: reproduced(near(ratio, 1.7)),
    evidence: `FIB + IP forwarding CPP: ${calico.map((m, i) => `${label(m)} ${cppText(routed[i]!)}`).join(', ')}; bridge CPP: ${bridged.map((m, i) => `${label(m)} ${cppText(bridge[i]!)}`).join(', ')}; ratio of means ${formatNumber(ratio, DIGITS.ratio)}× (study ≈ 1.7×).`,
  };
}

function ebpfCpp(t: ClaimTables): ClaimResult {
  const intra = cppOf(t, 'cilium', 'intra', 'ebpf');
  const inter = cppOf(t, 'cilium', 'inter', 'ebpf');
  if (!intra || !inter) return na(`${[!intra ? why(t, 'cilium', 'intra', 'profile') : '', !inter ? why(t, 'cilium', 'inter', 'profile') : ''].filter(Boolean).join('; ')}.`);
  const order = inter.cpp > intra.cpp;
  const size = near(intra.cpp, 1200) && near(inter.cpp, 1550);
  return {
    verdict: reproduced(order && size),
    evidence: `Cilium eBPF CPP${estimatedNote([intra, inter])}: ${cppText(intra.cpp)} intra-host, ${cppText(inter.cpp)} inter-host (study ≈ 1,200 and ≈ 1,550); inter ${order ? '>' : '≤'} intra; magnitudes ${size ? 'within' : 'outside'} a factor of ${TOLERANCE} of the study's.`,
  };
}

function vethCpp(t: ClaimTables): ClaimResult {
  const { rows, absent } = cppPanel(t, 'intra', 'veth', STUDY_MODELS.intra);
  if (rows.length < 2) return na(`fewer than two of the study's models were profiled intra-host.${absentNote(absent)}`);
  const shares = rows.map((r) => r.cpp / r.totalCpp);
  const small = shares.every((s) => s <= 0.1);
  const spread = Math.max(...rows.map((r) => r.cpp)) / Math.max(1e-9, Math.min(...rows.map((r) => r.cpp)));
  return {
    verdict: reproduced(small && spread <= 2),
    evidence: `veth CPP intra-host${estimatedNote(rows)}: ${list(rows)}; at most ${formatNumber(Math.max(...shares) * 100, 1)}% of a model's total; largest / smallest ${formatNumber(spread, DIGITS.ratio)}× (similar means ≤ 2×).${absentNote(absent)}`,
  };
}

function netfilterCpp(t: ClaimTables): ClaimResult {
  const { rows, absent } = cppPanel(t, 'intra', 'netfilter', STUDY_MODELS.intra);
  const wp = rows.find((r) => r.model === 'calico-wp');
  if (!wp) return na(`${why(t, 'calico-wp', 'intra', 'profile')}.`);
  const others = rows.filter((r) => r.model !== 'calico-wp' && r.cpp > 0);
  if (!others.length) return na(`no other model with netfilter cycles was profiled intra-host.${absentNote(absent)}`);
  const mean = others.reduce((s, r) => s + r.cpp, 0) / others.length;
  const ratio = wp.cpp / mean;
  const highest = others.every((r) => r.cpp < wp.cpp);
  return {
    verdict: reproduced(highest && near(ratio, 1.5)),
    evidence: `Netfilter CPP intra-host${estimatedNote(rows)}: Calico-wp ${cppText(wp.cpp)}; others with netfilter cycles ${list(others)}; Calico-wp ${highest ? 'is' : 'is not'} the highest and ${formatNumber(ratio, DIGITS.ratio)}× their mean (study ≈ 2,200 CPP, 1.5×).${absentNote(absent)}`,
  };
}

const isNative = (m: string) => findModel(m)?.interHost?.kind === 'native';

function nativeLowerCpp(t: ClaimTables): ClaimResult {
  const { rows, absent } = totalsPanel(t, 'inter', STUDY_MODELS.inter);
  const native = rows.filter((r) => isNative(r.model));
  const overlay = rows.filter((r) => !isNative(r.model));
  if (!native.length || !overlay.length) return na(`needs inter-host profiles of native-routing and overlay models.${absentNote(absent)}`);
  const worstNative = native.reduce((a, b) => (b.totalCpp > a.totalCpp ? b : a));
  const bestOverlay = overlay.reduce((a, b) => (b.totalCpp < a.totalCpp ? b : a));
  const ok = worstNative.totalCpp < bestOverlay.totalCpp;
  return {
    verdict: reproduced(ok),
    evidence: `Total CPP inter-host${estimatedNote(rows)}: native ${list(native, (r) => r.totalCpp)}; overlay ${list(overlay, (r) => r.totalCpp)}; highest native ${label(worstNative.model)} ${ok ? 'is below' : 'is not below'} lowest overlay ${label(bestOverlay.model)}.${absentNote(absent)}`,
  };
}

const VXLAN_MODELS = MODELS.filter((m) => m.interHost && ['vxlan', 'vxlan-bridged', 'vxlan-bpf'].includes(m.interHost.kind)).map((m) => m.id);
const IPIP_MODELS = MODELS.filter((m) => m.interHost?.kind === 'ipip').map((m) => m.id);

function vxlanCpp(t: ClaimTables): ClaimResult {
  const { rows, absent } = cppPanel(t, 'inter', 'vxlan', VXLAN_MODELS);
  if (!rows.length) return na(`no VXLAN model was profiled inter-host.${absentNote(absent)}`);
  const far = rows.filter((r) => !near(r.cpp, 900));
  return {
    verdict: reproduced(far.length === 0),
    evidence: `VXLAN CPP inter-host${estimatedNote(rows)}: ${list(rows)} (study ≈ 900; within a factor of ${TOLERANCE}: ${cppText(900 / TOLERANCE)}–${cppText(900 * TOLERANCE)}).`,
  };
}

function ipipBelowVxlan(t: ClaimTables): ClaimResult {
  const ipip = cppPanel(t, 'inter', 'ipip', IPIP_MODELS);
  const vxlan = cppPanel(t, 'inter', 'vxlan', VXLAN_MODELS);
  if (!ipip.rows.length) return na(`no IP-in-IP model has a profile — ${ipip.absent.join('; ')}.${vxlan.rows.length ? ` VXLAN measured: ${list(vxlan.rows)}.` : ''}`);
  if (!vxlan.rows.length) return na(`no VXLAN model was profiled inter-host.${absentNote(vxlan.absent)}`);
  const maxIpip = Math.max(...ipip.rows.map((r) => r.cpp));
  const minVxlan = Math.min(...vxlan.rows.map((r) => r.cpp));
  return {
    verdict: reproduced(maxIpip < minVxlan),
    evidence: `IP-in-IP CPP${estimatedNote(ipip.rows)}: ${list(ipip.rows)} (study ≈ 250); VXLAN CPP: ${list(vxlan.rows)}.`,
  };
}

function weaveOvs(t: ClaimTables): ClaimResult {
  const ovs = cppOf(t, 'weave', 'inter', 'ovs');
  const note = findModel('weave')?.emulation.find((e) => /openvswitch|OVS/i.test(e));
  if (!ovs) return na(`${why(t, 'weave', 'inter', 'profile')}.${note ? ` In any case: ${note}` : ''}`);
  if (ovs.cpp === 0) return na(`Weave inter-host spent no cycles in OVS functions because there is no OVS here${note ? `: ${note}` : '.'}`);
  return { verdict: reproduced(near(ovs.cpp, 250)), evidence: `Weave OVS CPP${estimatedNote([ovs])}: ${cppText(ovs.cpp)} (study ≈ 250).` };
}

// ---- packet events -----------------------------------------------------------------------------------------------

function mostFib(t: ClaimTables): ClaimResult {
  const rows = STUDY_MODELS.inter.flatMap((m) => t.packetEvents.filter((r) => r.model === m && r.scenario === 'inter'));
  const absent = STUDY_MODELS.inter.filter((m) => !rows.some((r) => r.model === m)).map((m) => why(t, m, 'inter', 'profile'));
  const kr = rows.find((r) => r.model === 'kube-router');
  if (!kr) return na(`${why(t, 'kube-router', 'inter', 'profile')}.`);
  if (rows.length < 2) return na(`no other of the study's models was profiled inter-host.${absentNote(absent)}`);
  const sorted = [...rows].sort((a, b) => b.fibPer100k - a.fibPer100k);
  const beyond = t.packetEvents.filter((r) => r.scenario === 'inter' && !STUDY_MODELS.inter.includes(r.model) && !MODELS.some((m) => m.id === r.model && m.cni === 'reference'));
  const fib = (r: PacketEventMean) => `${label(r.model)} ${formatNumber(r.fibPer100k, DIGITS.fib)}`;
  return {
    verdict: reproduced(sorted[0]!.model === 'kube-router'),
    evidence: `FIB lookups per 100,000 packets, inter-host: ${sorted.map(fib).join(', ')}.${beyond.length ? ` Beyond the study's set (not judged): ${beyond.map(fib).join(', ')}.` : ''}${absentNote(absent)}`,
  };
}

function mostSwitches(t: ClaimTables): ClaimResult {
  const rows = t.packetEvents.filter((r) => r.scenario === 'inter' && !MODELS.some((m) => m.id === r.model && m.cni === 'reference'));
  const udp = rows.find((r) => r.model === 'flannel-udp');
  if (!udp) return na(`${why(t, 'flannel-udp', 'inter', 'profile')}.`);
  if (rows.length < 2) return na('flannel-udp is the only CNI model profiled inter-host.');
  const sorted = [...rows].sort((a, b) => b.contextSwitchesPerPacket - a.contextSwitchesPerPacket);
  const next = sorted.find((r) => r.model !== 'flannel-udp')!;
  return {
    verdict: reproduced(sorted[0]!.model === 'flannel-udp'),
    evidence: `Context switches per packet, inter-host: Flannel (UDP) ${formatNumber(udp.contextSwitchesPerPacket, DIGITS.switches)}; ${sorted[0]!.model === 'flannel-udp' ? 'next' : 'highest'} ${label(next.model)} ${formatNumber(next.contextSwitchesPerPacket, DIGITS.switches)}.`,
  };
}

const LAUNCH_WORDS: Record<string, string> = { local: 'local testbed (the CNI\'s own part of a launch only)', k8s: 'Kubernetes' };
const msText = (ms: number) => (ms >= 2000 ? `${formatNumber(ms / 1000, 2)} s` : `${formatNumber(ms, 1)} ms`);

/** The backend whose launches judge a claim: a cluster's when there are any (the study's setting), else the testbed's. */
function launchesToJudge(t: ClaimTables): { backend: string; rows: LaunchSummary[] } | undefined {
  for (const backend of ['k8s', 'local']) {
    const rows = t.launches.filter((s) => s.backend === backend && STUDY_MODELS.intra.includes(s.model));
    if (rows.length) return { backend, rows };
  }
  return undefined;
}

function launchOrder(t: ClaimTables): ClaimResult {
  const judged = launchesToJudge(t);
  if (!judged) return na('no run holds pod-launch timings of the study\'s CNIs (collect with --launch).');
  const present = new Set(judged.rows.map((r) => r.model));
  const absent = ['flannel', 'kube-router', 'weave'].filter((m) => !present.has(m));
  if (absent.length || judged.rows.length < 4) {
    return na(`${LAUNCH_WORDS[judged.backend]}: needs Flannel, Kube-router, Weave and one more CNI; ${absent.length ? `missing ${absent.map(label).join(', ')}` : 'only three CNIs'}.`);
  }
  const sorted = [...judged.rows].sort((a, b) => a.meanMs - b.meanMs);
  const fastest = new Set(sorted.slice(0, 2).map((r) => r.model));
  const ok = fastest.has('flannel') && fastest.has('kube-router') && sorted.at(-1)!.model === 'weave';
  return {
    verdict: reproduced(ok),
    evidence: `Mean launch time, ${LAUNCH_WORDS[judged.backend]}: ${sorted.map((r) => `${label(r.model)} ${msText(r.meanMs)}`).join(', ')}.`,
  };
}

function launchNetworkShare(t: ClaimTables): ClaimResult {
  const k8s = t.launches.filter((s) => s.backend === 'k8s');
  if (!k8s.length) {
    const local = t.launches.filter((s) => s.backend === 'local');
    return na(local.length
      ? `only local-testbed launches, which have no Kubernetes components to compare with: there the whole launch is network set-up plus the readiness probe (${local.map((r) => `${label(r.model)} ${msText(r.meanMs)}`).join(', ')}).`
      : 'no run holds pod-launch timings (collect with --launch; the share needs a cluster: --backend k8s).');
  }
  const worst = [...k8s].sort((a, b) => b.networkShare - a.networkShare)[0]!;
  return {
    verdict: reproduced(worst.networkShare < 0.1),
    evidence: `Network set-up share of the launch on Kubernetes: ${k8s.map((r) => `${label(r.model)} ${formatNumber(r.networkShare * 100, 1)}% of ${msText(r.meanMs)}`).join(', ')}.`,
  };
}

// ---- the claims --------------------------------------------------------------------------------------------------

export const CLAIMS: readonly Claim[] = [
  {
    id: 'intra-cilium-throughput',
    claim: 'Within a node, Cilium\'s eBPF redirect gives the highest TCP throughput of the CNIs.',
    figure: 'Fig. 3a',
    criterion: 'Cilium has the highest mean TCP_STREAM throughput of the study\'s CNIs present, intra-host.',
    test: (t) => extreme(t, 'cilium', 'intra', [TPUT], 'best'),
  },
  {
    id: 'intra-cilium-latency',
    claim: 'Within a node, Cilium has the lowest round-trip latency, for TCP and for UDP.',
    figure: 'Fig. 3b–c',
    criterion: 'Cilium has the lowest mean TCP_RR and UDP_RR latency of the study\'s CNIs present, intra-host.',
    test: (t) => extreme(t, 'cilium', 'intra', [TCP_RR, UDP_RR], 'best'),
  },
  {
    id: 'intra-calico-wp-latency',
    claim: 'Within a node, Calico with its full policy (Calico-wp) has the worst round-trip latency.',
    figure: 'Fig. 3b–c',
    criterion: 'Calico-wp has the highest mean TCP_RR and UDP_RR latency of the study\'s CNIs present, intra-host.',
    test: (t) => extreme(t, 'calico-wp', 'intra', [TCP_RR, UDP_RR], 'worst'),
  },
  {
    id: 'intra-l3-below-bridge',
    claim: 'Within a node, Calico\'s routed (L3) datapath delivers less TCP throughput than the bridge-based (L2) CNIs.',
    figure: 'Fig. 3a',
    criterion: 'Every Calico model\'s mean intra-host throughput is below every bridge-based model\'s (Flannel, Weave, Kube-router).',
    test: (t) => groupBeats(t, 'intra', STUDY_MODELS.intra.filter((m) => findModel(m)?.attach.kind === 'bridge'), ['calico-np', 'calico-wp'], [TPUT], ['bridge-based', 'Calico']),
  },
  {
    id: 'intra-tcp-rr-above-udp-rr',
    claim: 'A TCP round trip takes slightly longer than a UDP one on every CNI.',
    figure: 'Fig. 3b–c',
    criterion: 'Mean TCP_RR latency exceeds mean UDP_RR latency for each of the study\'s CNIs present, intra-host.',
    test: tcpAboveUdp,
  },
  {
    id: 'inter-native-beats-overlay',
    claim: 'Between nodes, native routing (Kube-router, Calico without encapsulation) outperforms the overlays (Flannel, Weave, Cilium, Calico IP-in-IP) in throughput and latency.',
    figure: 'Fig. 3d–f',
    criterion: 'For TCP_STREAM, TCP_RR and UDP_RR inter-host, the weakest native-routing model beats the best overlay model of the study\'s set.',
    test: (t) => groupBeats(t, 'inter', STUDY_MODELS.inter.filter(isNative), STUDY_MODELS.inter.filter((m) => !isNative(m)), [TPUT, TCP_RR, UDP_RR], ['native', 'overlay']),
  },
  {
    id: 'intra-cpp-extremes',
    claim: 'Within a node, Calico-wp costs the most cycles per packet and Cilium the fewest.',
    figure: 'Fig. 4',
    criterion: 'Highest total intra-host CPP is Calico-wp\'s and lowest is Cilium\'s, among the study\'s CNIs present.',
    test: cppExtremes,
  },
  {
    id: 'bridge-cpp',
    claim: 'The Linux bridge costs about 250 cycles per packet in each bridge-based CNI.',
    figure: 'Fig. 4',
    criterion: `Bridge CPP of Flannel, Weave and Kube-router intra-host each within a factor of ${TOLERANCE} of 250.`,
    test: bridgeCpp,
  },
  {
    id: 'calico-forwarding-cpp',
    claim: 'Routing in the host (FIB lookup plus IP forwarding) costs Calico about 1.7 times what bridging costs the L2 CNIs.',
    figure: 'Fig. 4',
    criterion: `Mean Calico FIB + IP-forward CPP over mean bridge CPP of the bridge-based CNIs within a factor of ${TOLERANCE} of 1.7.`,
    test: calicoForwarding,
  },
  {
    id: 'ebpf-cpp',
    claim: 'Cilium\'s eBPF programs cost about 1,200 cycles per packet within a node and more, about 1,550, between nodes.',
    figure: 'Figs. 4–5',
    criterion: `Cilium eBPF CPP inter-host > intra-host, each within a factor of ${TOLERANCE} of the study's value.`,
    test: ebpfCpp,
  },
  {
    id: 'veth-cpp',
    claim: 'veth processing is a small, similar cost in every CNI.',
    figure: 'Fig. 4',
    criterion: 'veth CPP is at most 10% of each model\'s total, and the largest is at most twice the smallest, intra-host.',
    test: vethCpp,
  },
  {
    id: 'netfilter-calico-wp',
    claim: 'Calico-wp\'s per-workload iptables tree makes netfilter its largest cost, about 1.5 times that of the other CNIs.',
    figure: 'Fig. 4',
    criterion: `Calico-wp has the highest netfilter CPP intra-host, and its ratio to the others' mean is within a factor of ${TOLERANCE} of 1.5.`,
    test: netfilterCpp,
  },
  {
    id: 'inter-native-lower-cpp',
    claim: 'Between nodes, native routing spends fewer cycles per packet than the overlays.',
    figure: 'Fig. 5',
    criterion: 'The highest total inter-host CPP of a native-routing model is below the lowest of an overlay model, in the study\'s set.',
    test: nativeLowerCpp,
  },
  {
    id: 'vxlan-cpp',
    claim: 'VXLAN encapsulation and decapsulation cost about 900 cycles per packet.',
    figure: 'Fig. 5',
    criterion: `VXLAN CPP of every VXLAN model inter-host within a factor of ${TOLERANCE} of 900.`,
    test: vxlanCpp,
  },
  {
    id: 'ipip-below-vxlan',
    claim: 'IP-in-IP is a much cheaper tunnel than VXLAN (about 250 against 900 cycles per packet).',
    figure: 'Fig. 5',
    criterion: 'Every IP-in-IP model\'s tunnel CPP is below every VXLAN model\'s, inter-host.',
    test: ipipBelowVxlan,
  },
  {
    id: 'weave-ovs',
    claim: 'Weave pays an extra ~250 cycles per packet in its Open vSwitch datapath.',
    figure: 'Fig. 5',
    criterion: `Weave OVS CPP inter-host within a factor of ${TOLERANCE} of 250.`,
    test: weaveOvs,
  },
  {
    id: 'kube-router-fib',
    claim: 'Kube-router does the most FIB lookups per packet, because its extra routing table (for direct server return) is consulted too.',
    figure: 'Fig. 6',
    criterion: 'Kube-router has the most FIB lookups per 100,000 packets inter-host among the study\'s models present.',
    test: mostFib,
  },
  {
    id: 'flannel-udp-context-switches',
    claim: 'Encapsulating in a user-space daemon (Flannel\'s UDP mode) adds context switches on every packet.',
    figure: '§II; Fig. 8',
    criterion: 'Flannel (UDP) has the most context switches per packet of the CNI models profiled inter-host.',
    test: mostSwitches,
  },
  {
    id: 'launch-order',
    claim: 'Flannel and Kube-router start pods fastest and Weave slowest.',
    figure: 'Fig. 7a',
    criterion: 'Flannel and Kube-router have the two lowest mean launch times and Weave the highest, among the study\'s CNIs present (on a cluster when there is cluster data, else on the local testbed, where only the CNI\'s own part of a launch is timed).',
    test: launchOrder,
  },
  {
    id: 'launch-network-share',
    claim: 'Setting up the pod\'s network is a small part (≈ 4.5% for Weave) of a pod\'s start-up; the exchanges between Kubernetes components dominate.',
    figure: 'Fig. 7b',
    criterion: 'On Kubernetes, the phases that set up the network (sandbox and CNI ADD) take under 10% of the mean launch time for every CNI measured.',
    test: launchNetworkShare,
  },
];

export function evaluateClaims(t: ClaimTables): (Claim & ClaimResult)[] {
  return CLAIMS.map((c) => ({ ...c, ...c.test(t) }));
}
