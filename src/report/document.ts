// The report as one markdown document, in our own words: title, notices, a generated abstract, numbered sections
// in the study's order and the findings (the main body), then appendices: the models in detail, the full tables and
// the evidence of the findings, flame graphs, stability and provenance. Figures are placeholders the HTML stage fills.
import type { Notice } from './notices.ts';
import { abstract } from './abstract.ts';
import { type SectionContext, appendixHeading, appendixRef, figRef, sectionHeading, sectionRef } from './context.ts';
import { cyclesSection } from './cycles.ts';
import { featuresSection, modelsAppendix } from './features.ts';
import { findingsEvidence, findingsSection } from './findings.ts';
import { count, formatDate, joinWords } from './format.ts';
import { launchSection } from './launch.ts';
import { limitsSection } from './limits.ts';
import { code, md } from './markdown.ts';
import { intraSection, interSection } from './performance.ts';
import { type BuildVersions, type RunDigest, provenanceAppendix } from './provenance.ts';
import { emulationList, setupSection } from './setup.ts';
import { servicePathSection } from './servicePath.ts';
import { policyScaleSection } from './policyScale.ts';
import { stabilityAppendix } from './method.ts';
import { flameAppendix } from './folded.ts';

export const TITLE = 'CNI Datapaths on a Local Testbed';
const SUBTITLE = 'A reproduction of Qi, Kulkarni and Ramakrishnan, "Understanding Container Network Interface Plugins: Design Considerations and Performance" (IEEE LANMAN 2020)';

export interface ReportDocument {
  title: string;
  /** The newest run's last update, the report's date (never the build's clock). */
  date?: string;
  markdown: string;
}

export interface DocumentInput {
  ctx: SectionContext;
  notices: readonly Notice[];
  digests: readonly RunDigest[];
  versions: BuildVersions;
}

/** The newest moment any run was written: the report's date. */
function dataDate(ctx: SectionContext): string | undefined {
  const stamps = ctx.data.runs.map((r) => r.manifest.updatedAt).filter((s) => !Number.isNaN(Date.parse(s)));
  return stamps.sort().at(-1);
}

/**
 * The box at the top: only what needs the reader's attention (damaged or changed files, failed items, unfinished
 * runs, a figure that failed to draw). Expected gaps (a reference point has no pods to launch, the kernel lacks a
 * tunnel) are not alarms: they are one table in the setup section, which the box points to.
 */
function noticesBlock(ctx: SectionContext, notices: readonly Notice[]): string {
  const warnings = notices.filter((n) => n.level === 'warning').map((n) => md(n.text));
  // A run whose machine moved while it measured: the reader should know before reading its numbers.
  for (const s of ctx.data.stability) {
    const unstable = s.rows.filter((r) => !r.stable && r.n >= 2).length;
    const flagged = s.conditions.filter((c) => c.flags.length).length;
    const parts = [
      unstable ? `${count(unstable, 'configuration')} of ${s.share.total} spread more than the stability bar` : '',
      s.setAside.length ? `${count(s.setAside.length, 'item was', 'items were')} set aside as measured in a whole-machine disturbance` : '',
      flagged ? `${count(flagged, 'item was', 'items were')} flagged for a machine condition` : '',
    ].filter(Boolean);
    if (parts.length) warnings.push(`Run ${code(s.run.runId)}: ${joinWords(parts)} (${ctx.tables.ref('table-method')}; details in ${appendixRef('appendix-stability')}).`);
  }
  if (!warnings.length) return '';
  return [
    '> **Needs attention.** The report was built from what is sound; the following was left out or is doubtful.',
    '>',
    ...warnings.map((w) => `> - ${w}`),
    // Written after the sections, so it knows whether §3.5 has a table of gaps.
    ...(ctx.tables.has('table-gaps') ? ['>', `> Every gap, expected or not, is in ${ctx.tables.ref('table-gaps')} (${sectionRef('sec-setup')}).`] : []),
  ].join('\n');
}

/** Appendix B: the full tables the sections handed over, then the evidence of every finding. */
function resultsAppendix(ctx: SectionContext): string {
  return [
    appendixHeading('appendix-results'),
    'The tables behind the figures of the main body, in the order of its sections, each with every mean and its 95% confidence interval; every number is also in the CSV files under reports/tables/.',
    ...ctx.resultsAppendix,
    findingsEvidence(ctx),
  ].join('\n\n');
}

function introSection(ctx: SectionContext): string {
  return [
    sectionHeading('sec-intro'),
    'Kubernetes leaves pod networking to a Container Network Interface (CNI) plugin, and the plugins differ in more than features: some switch packets between pods in a Linux bridge, some route them in the host\'s IP stack, some redirect them with eBPF; some wrap traffic between nodes in a tunnel, others route it natively; some filter it through long iptables chains. Qi, Kulkarni and Ramakrishnan compared five popular plugins — Flannel, Weave, Cilium, Calico and Kube-router — first by design and then by measurement on two bare-metal nodes: netperf throughput and latency, CPU cycles per packet split by kernel component, and pod start-up time.',
    `This report repeats their measurements on a local testbed that needs no cluster: each plugin's datapath is rebuilt in network namespaces from the kernel features the plugin uses, and every number below is computed from the raw tool output of the runs named in ${sectionRef('sec-setup')}. ${sectionRef('sec-cnis')} restates the study's comparison of the plugins and shows the datapath models; ${sectionRef('sec-setup')} describes the runs; ${sectionRef('sec-intra')}–${sectionRef('sec-cycles')} give the results; ${sectionRef('sec-launch')} covers pod launch; ${sectionRef('sec-findings')} checks each of the study's claims against the data; ${sectionRef('sec-beyond')} and ${sectionRef('sec-policy-scale')} go beyond the study to traffic through a Service and to policies of growing size, and ${sectionRef('sec-limits')} says what limits the comparison. The appendices hold what a reader looks up rather than reads through: each model's full diagram (${appendixRef('appendix-models')}), the full tables and the evidence of every finding (${appendixRef('appendix-results')}), flame graphs (${appendixRef('appendix-flames')}), the stability of every configuration (${appendixRef('appendix-stability')}) and the provenance of every raw file (${appendixRef('appendix-provenance')}).`,
    `Figures keep the study's numbers so the two can be read side by side (${figRef(ctx, 'fig3a')} here is the study's Fig. 3a). The study's Fig. 2, a diagram of iptables hook points, has no counterpart; ${figRef(ctx, 'fig8')}, context switches per packet, is not in the study.`,
  ].join('\n\n');
}

export function writeDocument(input: DocumentInput): ReportDocument {
  const { ctx } = input;
  const date = dataDate(ctx);
  const runs = ctx.data.runs.map((r) => code(r.runId));
  const byline = `cnibench report · ${date ? `data of ${md(formatDate(date))}` : 'no data yet'} · ${runs.length ? `${runs.length === 1 ? 'run' : 'runs'} ${joinWords(runs)}` : 'no runs'}`;
  // Sections are written in reading order; tables are numbered once the whole document stands (TableNumbers.resolve).
  const main = [
    `**Abstract.** ${abstract(ctx)}`,
    introSection(ctx),
    featuresSection(ctx),
    setupSection(ctx),
    intraSection(ctx),
    interSection(ctx),
    cyclesSection(ctx),
    launchSection(ctx),
    findingsSection(ctx),
    servicePathSection(ctx),
    policyScaleSection(ctx),
    limitsSection(ctx),
  ];
  const appendices = [
    modelsAppendix(ctx, emulationList(ctx.data.runs)),
    resultsAppendix(ctx),
    flameAppendix(ctx),
    stabilityAppendix(ctx),
    provenanceAppendix(ctx, input.digests, input.versions),
  ];
  const body = [`# ${md(TITLE)}`, `*${md(SUBTITLE)}*`, byline, noticesBlock(ctx, input.notices), ...main, ...appendices];
  return { title: TITLE, ...(date ? { date } : {}), markdown: ctx.tables.resolve(body.filter(Boolean).join('\n\n') + '\n') };
}
