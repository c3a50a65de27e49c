// What every section of the document reads — the derived data, the drawn figures, the evaluated claims — and the
// numbering of sections and tables, so cross-references always match what they point at.
import type { Claim, ClaimResult } from '../catalog/claims.ts';
import type { DerivedTables } from '../analysis/derive.ts';
import type { ReportFigure } from './figures.ts';
import { roman } from './format.ts';
import { anchor, md } from './markdown.ts';

export type EvaluatedClaim = Claim & ClaimResult;

/** The main body's sections in order; their numbers never depend on the data. */
const SECTIONS = [
  { id: 'sec-intro', title: 'Introduction' },
  { id: 'sec-cnis', title: 'The CNI plugins and their datapaths' },
  { id: 'sec-setup', title: 'Experimental setup' },
  { id: 'sec-intra', title: 'Intra-host performance' },
  { id: 'sec-inter', title: 'Inter-host performance' },
  { id: 'sec-cycles', title: 'Where the cycles go' },
  { id: 'sec-launch', title: 'Pod launch' },
  { id: 'sec-findings', title: 'Findings' },
  { id: 'sec-beyond', title: 'Beyond the study: the Service path' },
  { id: 'sec-policy-scale', title: 'Beyond the study: policy at scale' },
  { id: 'sec-limits', title: 'Limits of this reproduction' },
] as const;

/** The appendices in order, lettered A, B, …: what a reader looks up rather than reads through. */
const APPENDICES = [
  { id: 'appendix-models', title: 'The datapath models in detail' },
  { id: 'appendix-results', title: 'Full result tables and the evidence of each finding' },
  { id: 'appendix-flames', title: 'Flame graphs' },
  { id: 'appendix-stability', title: 'Stability of every configuration' },
  { id: 'appendix-provenance', title: 'Provenance' },
] as const;

export type SectionId = (typeof SECTIONS)[number]['id'];
export type AppendixId = (typeof APPENDICES)[number]['id'];

export function sectionNumber(id: SectionId): number {
  return SECTIONS.findIndex((s) => s.id === id) + 1;
}

/** "[§4](#sec-intra)". */
export function sectionRef(id: SectionId): string {
  return `[§${sectionNumber(id)}](#${id})`;
}

/** "## 4 Intra-host performance" with its anchor. */
export function sectionHeading(id: SectionId): string {
  const s = SECTIONS.find((x) => x.id === id)!;
  return `## ${anchor(id)}${sectionNumber(id)} ${s.title}`;
}

/** "B" for the second appendix. */
function appendixLetter(id: AppendixId): string {
  return String.fromCharCode(65 + APPENDICES.findIndex((a) => a.id === id));
}

/** "[Appendix B](#appendix-results)". */
export function appendixRef(id: AppendixId): string {
  return `[Appendix ${appendixLetter(id)}](#${id})`;
}

/** "## Appendix B. Full result tables …" with its anchor. */
export function appendixHeading(id: AppendixId): string {
  const a = APPENDICES.find((x) => x.id === id)!;
  return `## ${anchor(id)}Appendix ${appendixLetter(id)}. ${a.title}`;
}

/**
 * Tables are numbered in reading order, whichever section wrote them first: a caption and a reference are
 * placeholders until `resolve` numbers the captions as they appear in the finished document. So the main body may
 * refer forward to a table in an appendix; a reference to a table never captioned is a bug, and so is a second
 * caption with the same id.
 */
export class TableNumbers {
  #ids = new Set<string>();

  /** The caption line above a table: "**Table III.** text", with its anchor. */
  caption(id: string, text: string): string {
    if (this.#ids.has(id)) throw new Error(`table "${id}" is captioned twice`);
    this.#ids.add(id);
    return `${anchor(id)}**Table ${mark('tcap', id)}.** ${text}`;
  }

  ref(id: string): string {
    return `[Table ${mark('tref', id)}](#${id})`;
  }

  /** Whether a section has captioned this table (so far). */
  has(id: string): boolean {
    return this.#ids.has(id);
  }

  /** Numbers every caption of `markdown` in order of appearance and fills in the references to them. */
  resolve(markdown: string): string {
    const numbers = new Map<string, string>();
    for (const m of markdown.matchAll(MARKS)) if (m[1] === 'tcap') numbers.set(m[2]!, roman(numbers.size + 1));
    return markdown.replace(MARKS, (_, kind: string, id: string) => {
      const n = numbers.get(id);
      if (n === undefined) throw new Error(kind === 'tcap' ? `table "${id}" was captioned but not placed in the document` : `reference to table "${id}", which has no caption in the document`);
      return n;
    });
  }
}

/** Placeholders for table numbers, in the private-use delimiters markdown.ts strips from data (so data cannot forge one). */
const mark = (kind: 'tcap' | 'tref', id: string) => `\uE000${kind}:${id}\uE001`;
const MARKS = /\uE000(tcap|tref):([^\uE001]+)\uE001/g;

export interface SectionContext {
  data: DerivedTables;
  figures: ReadonlyMap<string, ReportFigure>;
  findings: readonly EvaluatedClaim[];
  tables: TableNumbers;
  /**
   * Blocks (a subheading, a captioned table) that sections hand to Appendix B instead of printing them in the main
   * body: the full tables behind the figures, in the order the sections wrote them.
   */
  resultsAppendix: string[];
}

/** "[Fig. 3a](#fig3a)"; a figure that could not be drawn is still referred to (its gap says why). */
export function figRef(ctx: SectionContext, id: string): string {
  const f = ctx.figures.get(id);
  if (!f) throw new Error(`reference to unknown figure "${id}"`);
  return `[${md(f.label)}](#${id})`;
}

/** "F3": a finding's number, in the order of the claims catalogue. */
export function findingLabel(ctx: SectionContext, claimId: string): string {
  const i = ctx.findings.findIndex((f) => f.id === claimId);
  if (i < 0) throw new Error(`reference to unknown claim "${claimId}"`);
  return `F${i + 1}`;
}

/** "[F3](#finding-…)". */
export function findingRef(ctx: SectionContext, claimId: string): string {
  return `[${findingLabel(ctx, claimId)}](#finding-${claimId})`;
}
