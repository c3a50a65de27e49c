// What every section of the document reads — the derived data, the drawn figures, the evaluated claims — and the
// numbering of sections and tables, so cross-references always match what they point at.
import type { Claim, ClaimResult } from '../catalog/claims.ts';
import type { DerivedTables } from '../analysis/derive.ts';
import type { ReportFigure } from './figures.ts';
import { roman } from './format.ts';
import { anchor, md } from './markdown.ts';

export type EvaluatedClaim = Claim & ClaimResult;

/** The document's sections in order; their numbers never depend on the data. */
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
  { id: 'sec-limits', title: 'Limits of this reproduction' },
] as const;

export type SectionId = (typeof SECTIONS)[number]['id'];

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

/** Tables are numbered in the order they are captioned; a reference to a table not yet captioned is a bug. */
export class TableNumbers {
  #ids: string[] = [];

  /** The caption line above a table: "**Table III.** text", with its anchor. */
  caption(id: string, text: string): string {
    if (this.#ids.includes(id)) throw new Error(`table "${id}" is captioned twice`);
    this.#ids.push(id);
    return `${anchor(id)}**Table ${roman(this.#ids.length)}.** ${text}`;
  }

  ref(id: string): string {
    const i = this.#ids.indexOf(id);
    if (i < 0) throw new Error(`reference to table "${id}" before its caption`);
    return `[Table ${roman(i + 1)}](#${id})`;
  }
}

export interface SectionContext {
  data: DerivedTables;
  figures: ReadonlyMap<string, ReportFigure>;
  findings: readonly EvaluatedClaim[];
  tables: TableNumbers;
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
