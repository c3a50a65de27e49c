// The report's chart stage: every figure of the registry (src/charts/figures.ts) drawn from the derived tables (or
// why it cannot be), each with the CSV of the table behind it; SVG ids scoped per figure so several inline SVGs can
// share one HTML page.
import type { DerivedTables } from '../analysis/derive.ts';
import { FIGURES, type FigureSection } from '../charts/index.ts';
import { errorMessage } from '../util/errors.ts';
import { MSG } from './messages.ts';
import type { Notice } from './notices.ts';
import type { SvgRenderer } from './svgCache.ts';
import { tableOf } from '../util/table.ts';

/** One drawn SVG (a figure has one, Fig. 1 has one per model) and its file name under figures/. */
export interface FigurePanel {
  file: string;
  svg: string;
}

/** A CSV under tables/. */
export interface CsvFile {
  file: string;
  csv: string;
}

export interface ReportFigure {
  /** Anchor id in the page, e.g. fig3a. */
  id: string;
  /** "Fig. 3a". */
  label: string;
  title: string;
  caption: string;
  /** The report section it is placed in. */
  section: FigureSection;
  panels: FigurePanel[];
  table?: CsvFile;
  /** Why the figure is not drawn. */
  missing?: string;
  /** The findings that check this figure, linked from its caption (set once the claims are evaluated). */
  checkedBy?: { label: string; anchor: string }[];
}

/** Element ids (clip paths, gradients) made unique per figure, in order of appearance, with their references. */
export function scopeSvgIds(svg: string, prefix: string): string {
  const ids = new Map<string, string>();
  for (const m of svg.matchAll(/\bid="([^"]+)"/g)) if (!ids.has(m[1]!)) ids.set(m[1]!, `${prefix}-${ids.size + 1}`);
  if (!ids.size) return svg;
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${ids.get(id)}"`)
    .replace(/url\(#([^)]+)\)/g, (all, id: string) => (ids.has(id) ? `url(#${ids.get(id)})` : all))
    .replace(/href="#([^"]+)"/g, (all, id: string) => (ids.has(id) ? `href="#${ids.get(id)}"` : all));
}

/** Draws every figure; one that fails to draw becomes a notice and a visible gap, not a failed report. */
export async function drawFigures(d: DerivedTables, render: SvgRenderer): Promise<{ figures: ReportFigure[]; notices: Notice[] }> {
  const figures: ReportFigure[] = [];
  const notices: Notice[] = [];
  for (const def of FIGURES) {
    if (def.when && !def.when(d)) continue;
    const { id, label, title, caption, section } = def;
    const p = def.plan(d);
    const table = p.rows.length ? { file: `${id}.csv`, csv: tableOf(p.rows).toCSV() + '\n' } : undefined;
    const fig: ReportFigure = { id, label, title, caption, section, panels: [], ...(table ? { table } : {}), ...(p.missing ? { missing: p.missing } : {}) };
    try {
      for (const [i, s] of p.specs.entries()) fig.panels.push({ file: s.file, svg: scopeSvgIds(await render(s.spec()), `${id}-${i + 1}`) });
    } catch (err) {
      fig.panels = [];
      fig.missing = MSG.figureFailed(label, errorMessage(err));
      notices.push({ level: 'warning', text: fig.missing });
    }
    figures.push(fig);
  }
  return { figures, notices };
}
