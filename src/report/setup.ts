// Section "Experimental setup", written from the run manifests: the host, the plan (repetitions, durations,
// iptables flavour, Calico rule count, profiling), what each model emulates, and what was skipped or failed and why.
import type { LoadedRun } from '../analysis/loadRun.ts';
import { MODELS, findModel } from '../testbed/models/index.ts';
import { type SectionContext, appendixRef, sectionHeading, sectionNumber, sectionRef } from './context.ts';
import { count, formatNumber, joinWords } from './format.ts';
import { code, md, mdCell, table } from './markdown.ts';
import { methodSubsection } from './method.ts';
import { sortTests } from './notices.ts';

const STUDY = { reps: 50, durationS: 10, profileS: 10 };

const label = (model: string) => findModel(model)?.label ?? model;

function profiling(run: LoadedRun): string {
  const p = run.manifest.plan.profile;
  if (!p) return 'no';
  const events = [...new Set(run.manifest.items.filter((i) => i.profile).map((i) => `${i.profile!.event}${i.profile!.estimatedCycles ? ' (cycles estimated)' : ''}`))];
  const tests = p.tests ? `, ${p.tests.map((t) => t.toUpperCase()).join(', ')}` : '';
  return `${p.durationS} s at ${p.freqHz} Hz${tests}${events.length ? `; ${events.join(', ')}` : ''}`;
}

function hostTable(runs: readonly LoadedRun[]): Record<string, string>[] {
  return runs.map((r) => {
    const h = r.manifest.host;
    return {
      Run: mdCell(r.runId),
      Role: r.manifest.backend === 'k8s' ? 'ran kubectl' : 'testbed host',
      CPU: mdCell(h.cpuModel),
      Cores: mdCell(h.cores),
      'Nominal MHz': formatNumber(h.cpuMHz, 0),
      'Memory (GiB)': formatNumber(h.memoryGiB, 1),
      Virtualized: h.virtualized ? 'yes' : 'no',
      Kernel: mdCell(h.kernel),
      OS: mdCell(h.os),
    };
  });
}

/** One row per node a cluster run used: the Kubernetes version, CNI and image of its run, and the node's facts. */
function clusterTable(runs: readonly LoadedRun[]): Record<string, string>[] {
  return runs.flatMap((r) => {
    const c = r.manifest.cluster;
    if (r.manifest.backend !== 'k8s' || !c) return [];
    return c.nodes.map((n) => ({
      Run: mdCell(r.runId),
      Kubernetes: mdCell(c.kubernetesVersion),
      CNI: mdCell(`${c.cni} (${c.cniSource})`),
      Image: mdCell(c.image ? `${c.image.name}${c.image.netperfVersion ? `, netperf ${c.image.netperfVersion}` : ''}` : (r.manifest.plan.k8s?.image ?? '')),
      Node: mdCell(`${n.name}${n.role ? ` (${n.role})` : ''}`),
      Kernel: mdCell(n.kernel),
      OS: mdCell(n.osImage),
      Runtime: mdCell(n.runtime),
      CPU: mdCell(n.cpuModel ? `${n.cpuModel}${n.cpuMHz ? `, ${formatNumber(n.cpuMHz, 0)} MHz` : ''}${n.cores ? `, ${n.cores} cores` : ''}` : 'not read'),
    }));
  });
}

/** What cluster runs recorded as wrong with how their pods were admitted (a CPU limit they did not ask for…). */
function clusterWarnings(runs: readonly LoadedRun[]): string {
  const lines = runs.flatMap((r) => (r.manifest.backend === 'k8s' ? (r.manifest.cluster?.warnings ?? []).map((w) => `- ${code(r.runId)}: ${md(w)}`) : []));
  return lines.length ? [`**Warnings recorded by the cluster runs** — read their numbers with these in mind:`, ...lines].join('\n') : '';
}

/**
 * A run's models in few words: all of today's registry, all but one or two (a run made before a model was added), or
 * the list.
 */
function modelsCell(models: readonly string[]): string {
  const missing = MODELS.filter((m) => !models.includes(m.id));
  const all = `all ${MODELS.length}`;
  if (models.every((m) => MODELS.some((x) => x.id === m)) && missing.length <= 2) {
    return `${missing.length ? `${all} but ${missing.map((m) => mdCell(label(m.id))).join(' and ')}` : all} (${sectionRef('sec-cnis')})`;
  }
  return models.map((m) => mdCell(label(m))).join(', ');
}

function planTable(runs: readonly LoadedRun[]): Record<string, string>[] {
  return runs.map((r) => {
    const p = r.manifest.plan;
    return {
      Run: mdCell(r.runId),
      Status: mdCell(r.manifest.status),
      Models: modelsCell(p.models),
      Scenarios: p.scenarios.map(mdCell).join(', '),
      Tests: p.tests.length ? p.tests.map(mdCell).join(', ') : '—',
      'Reps × duration': p.tests.length ? `${p.reps} × ${p.durationS} s` : '—',
      iptables: mdCell(p.iptables),
      'Calico rules': mdCell(p.calicoRules),
      'Wire between nodes': r.manifest.backend === 'k8s' ? '—' : p.wire === 'nic' ? 'NIC-like (no GSO, TSO, GRO)' : 'veth',
      Profiling: mdCell(profiling(r)),
      'Pod launches': p.launch ? `${p.launch.count} per model` : '—',
      Sessions: mdCell(r.manifest.sessions.length),
    };
  });
}

/** Model ids, longest first, so "calico-np-vxlan" is found before "calico-np". */
const MODEL_IDS = [...MODELS.map((m) => m.id)].sort((a, b) => b.length - a.length);
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
// Hyphens bound a model id too: "host" in "inter-host" is not the model.
const OTHER_MODEL = new RegExp(`(?<![\\w-])(${MODEL_IDS.map(escapeRe).join('|')})(?![\\w-])`, 'g');

/**
 * A reason with its model taken out, so items of several models skipped for one reason share a row: the leading
 * model id goes, any other model named in it becomes "its native variant" ("… is measured as calico-np").
 */
export function reasonKind(reason: string, model: string): string {
  const own = reason.startsWith(`${model} `) ? reason.slice(model.length + 1) : reason;
  const text = own.replace(OTHER_MODEL, (id) => (id === model ? 'this model' : 'its native variant'));
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** One row per kind of gap (skipped or failed, and why): which models, scenarios and tests, how many items, which runs. */
function gapsTable(runs: readonly LoadedRun[]): Record<string, string>[] {
  const groups = new Map<string, { status: string; why: string; what: Map<string, Set<string>>; runs: Set<string>; n: number }>();
  for (const run of runs) {
    for (const item of run.manifest.items) {
      const bad = item.files.filter((f) => run.badFiles.has(f));
      const status = item.status === 'ok' ? (bad.length ? 'raw file changed' : '') : item.status;
      if (!status) continue;
      const reason = bad.length ? bad.map((f) => `${f}: ${run.badFiles.get(f)}`).join('; ') : item.reason ?? (item.status === 'pending' ? 'never finished' : 'no reason recorded');
      const why = reasonKind(reason, item.model);
      const key = `${status}\u0000${why}`;
      const g = groups.get(key) ?? { status, why, what: new Map<string, Set<string>>(), runs: new Set<string>(), n: 0 };
      // Pod launches belong to a model, not to a scenario.
      const where = item.kind === 'launch' ? label(item.model) : `${label(item.model)} ${item.scenario}`;
      g.what.set(where, (g.what.get(where) ?? new Set<string>()).add(item.kind === 'netperf' ? item.test : item.kind));
      g.runs.add(run.runId);
      g.n++;
      groups.set(key, g);
    }
  }
  const order = (status: string) => ['failed', 'raw file changed', 'pending', 'skipped'].indexOf(status);
  return [...groups.values()].sort((a, b) => order(a.status) - order(b.status) || b.n - a.n).map((g) => ({
    Why: `${g.status === 'skipped' ? '' : `**${mdCell(g.status)}:** `}${mdCell(g.why)}`,
    What: [...g.what].map(([where, tests]) => `${mdCell(where)} (${sortTests(tests).map(mdCell).join(', ')})`).join('; '),
    Items: String(g.n),
    Runs: [...g.runs].map(mdCell).join(', '),
  }));
}

/** Emulation notes per model as the manifests recorded them (they may differ from today's model descriptions). */
export function emulationList(runs: readonly LoadedRun[]): string {
  const notes = new Map<string, Map<string, string[]>>();
  for (const run of runs) {
    for (const [model, lines] of Object.entries(run.manifest.emulation ?? {})) {
      for (const line of lines) {
        const byNote = notes.get(model) ?? new Map<string, string[]>();
        byNote.set(line, [...(byNote.get(line) ?? []), run.runId]);
        notes.set(model, byNote);
      }
    }
  }
  const items: string[] = [];
  for (const [model, byNote] of notes) {
    for (const [note, ids] of byNote) {
      const where = ids.length === runs.length ? '' : ` (${ids.map(md).join(', ')})`;
      items.push(`- **${md(label(model))}**: ${md(note)}${where}`);
    }
  }
  return items.join('\n');
}

function toolWords(runs: readonly LoadedRun[], tool: string): string {
  const versions = [...new Set(runs.map((r) => r.manifest.tools[tool]).filter((v): v is string => Boolean(v)))];
  return versions.length ? versions.map(code).join(' / ') : 'not recorded';
}

export function setupSection(ctx: SectionContext): string {
  const runs = ctx.data.runs;
  const t = ctx.tables;
  if (!runs.length) {
    return [sectionHeading('sec-setup'), 'There is no run to describe: the data directory holds no collected runs (see the notices at the top). Run `sudo npx cnibench collect` on a Linux host with the prerequisites that `npx cnibench doctor` lists, then rebuild this report with `npm run report`.'].join('\n\n');
  }
  const newest = runs[runs.length - 1]!;
  const h = newest.manifest.host;
  const netperfRuns = runs.filter((r) => r.manifest.plan.tests.length > 0);
  const reps = [...new Set(netperfRuns.map((r) => `${r.manifest.plan.reps} × ${r.manifest.plan.durationS} s`))];
  const shortRuns = netperfRuns.some((r) => r.manifest.plan.reps < STUDY.reps || r.manifest.plan.durationS < STUDY.durationS);
  const estimated = runs.some((r) => r.manifest.items.some((i) => i.profile?.estimatedCycles));
  const iptables = [...new Set(runs.map((r) => r.manifest.plan.iptables))];
  const rules = [...new Set(runs.map((r) => r.manifest.plan.calicoRules))];
  const profiled = runs.filter((r) => r.manifest.plan.profile);
  const gaps = gapsTable(runs);
  const n = sectionNumber('sec-setup');
  const clusterRows = clusterTable(runs);
  const onCluster = runs.filter((r) => r.manifest.backend === 'k8s');
  const onTestbed = runs.filter((r) => r.manifest.backend !== 'k8s');
  // A function: it refers to the cluster table, which must be captioned (numbered) before it is referred to.
  const where = () => [
    onTestbed.length ? `${onTestbed.length === runs.length ? 'Here' : `In ${joinWords(onTestbed.map((r) => code(r.runId)))}`} both "nodes" and every pod are network namespaces on one ${h.virtualized ? 'virtual machine' : 'machine'}, and each CNI's datapath is rebuilt from the same kernel features the CNI uses; no CNI daemon and no Kubernetes run.` : '',
    onCluster.length ? `${joinWords(onCluster.map((r) => code(r.runId)))} ran on a Kubernetes cluster through kubectl: real pods on real nodes with the cluster's own CNI, nothing emulated (${t.ref('table-cluster')}).` : '',
  ].filter(Boolean).join(' ');
  const out = [
    sectionHeading('sec-setup'),
    `Everything below is read from the manifests of the ${count(runs.length, 'run')} this report is built from (${runs.map((r) => code(r.runId)).join(', ')}). The study used two bare-metal nodes (ten-core Intel E5-2640 v4 at 2.4 GHz, Ubuntu 18.04, kernel 4.15) joined by a 10 Gbit/s switch and a real Kubernetes cluster.`,
    `### ${n}.1 Host`,
    t.caption('table-host', 'The host of each run, as its manifest recorded it (for a cluster run, the machine that ran kubectl).'),
    table(hostTable(runs), { Cores: 'r', 'Nominal MHz': 'r', 'Memory (GiB)': 'r' }),
    ...(clusterRows.length ? [t.caption('table-cluster', 'The cluster of each Kubernetes run: version, CNI (detected from kube-system workloads, or given with --cni), the measurement image, and each node used (A: client and intra-host server; B: inter-host server).'), table(clusterRows)] : []),
    ...(clusterWarnings(runs) ? [clusterWarnings(runs)] : []),
    where(),
    `netperf was ${toolWords(runs, 'netperf')}, perf ${toolWords(runs, 'perf')}, and iptables ${toolWords(runs, iptables[0] === 'nft' ? 'iptables-nft' : 'iptables-legacy')}; every tool version is listed in ${appendixRef('appendix-provenance')}.`,
    `### ${n}.2 What was run`,
    t.caption('table-plan', 'The plan of each run: models, scenarios and tests, repetitions and their length, the iptables flavour used for policy chains, the number of rules in Calico\'s per-workload policy, the link between the two emulated nodes (a veth with its offloads on, so one packet may carry many frames, or NIC-like with them off), and profiling.'),
    table(planTable(runs), { 'Calico rules': 'r', Sessions: 'r' }),
    `Each test ran ${joinWords(reps.map(md))} (repetitions × seconds)${shortRuns ? `, fewer and shorter than the study's ${STUDY.reps} × ${STUDY.durationS} s, so confidence intervals are wider` : ', as in the study'}. Policy chains were written with iptables-${joinWords(iptables.map(md))}${iptables.includes('legacy') ? ' (the flavour of the study\'s kernel, traversed by ipt\\_do\\_table)' : ''}, and Calico-wp carried ${joinWords(rules.map((r) => md(r)))} per-workload rules.`,
    profiled.length
      ? `${count(profiled.length, 'run')} also profiled each model and scenario: one TCP\\_STREAM run under \`perf record -a -g\` and a second under \`perf stat -a\` counting cycles (or cpu-clock), context switches and the ${code('fib:fib_table_lookup')} tracepoint.${estimated ? ` This machine counts no hardware cycles (${h.virtualized ? 'it is virtualized' : 'no cycles event'}), so cycles are **estimated** as cpu-clock samples ÷ sampling frequency × the nominal clock (${formatNumber(h.cpuMHz, 0)} MHz); every CPP figure and table says so.` : ''} ${sectionRef('sec-cycles')} explains how cycles per packet (CPP) follow.`
      : `No run was profiled, so ${sectionRef('sec-cycles')} has no cycles per packet (collect with --profile).`,
    methodSubsection(ctx, `${n}.3`),
    `### ${n}.4 What is emulated`,
    `No CNI code runs: the testbed writes once, at set-up, the routes, neighbour and FDB entries, iptables chains and BPF maps a CNI daemon would maintain. ${appendixRef('appendix-models')} lists what each model emulates or substitutes, as the runs recorded it.`,
    `### ${n}.5 What was not measured here, and why`,
  ];
  if (gaps.length) {
    out.push(
      'A combination the kernel or the model cannot build is skipped, an item whose netperf, parse or datapath check failed is failed, and a raw file that no longer matches its checksum is set aside; none of them contributes a number. Most gaps are expected (a reference point has no pods to launch, a tunnel variant differs from its native model only between nodes); those that need attention are also listed at the top of the report.',
      t.caption('table-gaps', 'What gave no data, one row per reason: the models (and scenarios) and tests concerned, the number of items and the runs.'),
      table(gaps, { Items: 'r' }),
    );
  } else {
    out.push('Every planned item finished, and every raw file matches its recorded checksum.');
  }
  return out.join('\n\n');
}
