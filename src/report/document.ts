// The report as one markdown document, in our own words: title, notices, a generated abstract, numbered sections
// in the study's order, the findings and a provenance appendix. Figures are placeholders the HTML stage fills.
import type { Notice } from './notices.ts';
import { abstract } from './abstract.ts';
import { type SectionContext, figRef, sectionHeading, sectionRef } from './context.ts';
import { cyclesSection } from './cycles.ts';
import { featuresSection } from './features.ts';
import { findingsSection } from './findings.ts';
import { formatDate, joinWords } from './format.ts';
import { launchSection } from './launch.ts';
import { limitsSection } from './limits.ts';
import { code, md } from './markdown.ts';
import { intraSection, interSection } from './performance.ts';
import { type BuildVersions, type RunDigest, provenanceAppendix } from './provenance.ts';
import { setupSection } from './setup.ts';
import { servicePathSection } from './servicePath.ts';
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

function noticesBlock(notices: readonly Notice[]): string {
  if (!notices.length) return '';
  const ordered = [...notices.filter((n) => n.level === 'warning'), ...notices.filter((n) => n.level === 'info')];
  return [
    '> **Notes on the input.** The report was built from what is sound; the following was left out or needs attention.',
    '>',
    ...ordered.map((n) => `> - ${n.level === 'warning' ? '**Warning:**' : 'Note:'} ${md(n.text)}`),
  ].join('\n');
}

function introSection(ctx: SectionContext): string {
  return [
    sectionHeading('sec-intro'),
    'Kubernetes leaves pod networking to a Container Network Interface (CNI) plugin, and the plugins differ in more than features: some switch packets between pods in a Linux bridge, some route them in the host\'s IP stack, some redirect them with eBPF; some wrap traffic between nodes in a tunnel, others route it natively; some filter it through long iptables chains. Qi, Kulkarni and Ramakrishnan compared five popular plugins — Flannel, Weave, Cilium, Calico and Kube-router — first by design and then by measurement on two bare-metal nodes: netperf throughput and latency, CPU cycles per packet split by kernel component, and pod start-up time.',
    `This report repeats their measurements on a local testbed that needs no cluster: each plugin's datapath is rebuilt in network namespaces from the kernel features the plugin uses, and every number below is computed from the raw tool output of the runs named in ${sectionRef('sec-setup')}. ${sectionRef('sec-cnis')} restates the study's comparison of the plugins and shows the datapath models; ${sectionRef('sec-setup')} describes the runs; ${sectionRef('sec-intra')}–${sectionRef('sec-cycles')} give the results; ${sectionRef('sec-launch')} covers pod launch; ${sectionRef('sec-findings')} checks each of the study's claims against the data; ${sectionRef('sec-beyond')} goes beyond the study to traffic through a Service, and ${sectionRef('sec-limits')} says what limits the comparison.`,
    `Figures keep the study's numbers so the two can be read side by side (${figRef(ctx, 'fig3a')} here is the study's Fig. 3a). The study's Fig. 2, a diagram of iptables hook points, has no counterpart; ${figRef(ctx, 'fig8')}, context switches per packet, is not in the study.`,
  ].join('\n\n');
}

export function writeDocument(input: DocumentInput): ReportDocument {
  const { ctx } = input;
  const date = dataDate(ctx);
  const runs = ctx.data.runs.map((r) => code(r.runId));
  const byline = `cnibench report · ${date ? `data of ${md(formatDate(date))}` : 'no data yet'} · ${runs.length ? `${runs.length === 1 ? 'run' : 'runs'} ${joinWords(runs)}` : 'no runs'}`;
  // Sections are written in reading order, so tables are numbered as they appear.
  const body = [
    `# ${md(TITLE)}`,
    `*${md(SUBTITLE)}*`,
    byline,
    noticesBlock(input.notices),
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
    limitsSection(ctx),
    provenanceAppendix(ctx, input.digests, input.versions),
    stabilityAppendix(ctx),
    flameAppendix(ctx),
  ];
  return { title: TITLE, ...(date ? { date } : {}), markdown: body.filter(Boolean).join('\n\n') + '\n' };
}
