// Figures in notebooks: the SVG the server rendered and the Vega-Lite spec it came from, in one display_data (the
// SVG also inline in Markdown, which exported HTML keeps: see figureMarkdown).
import type { TopLevelSpec } from 'vega-lite';
import { figureName, renderSvg } from '../charts/index.ts';
import { VEGA_LITE_MIME, displayBundle, escapeHtml, figureMarkdown, showHtml } from './display.ts';
import { type NotebookFigure, type Study, figuresOf } from './study.ts';

/** Metadata that names the figure, so a reader (or a test) can match an output with the report's file. */
export interface FigureMetadata {
  cnibench: { figure: string; file?: string; runs?: string[] };
}

/**
 * Displays a chart in one message: the SVG (as `image/svg+xml`, and inline in `text/markdown`, the form the classic
 * Notebook and nbconvert's HTML show), the Vega-Lite spec (JupyterLab draws it) and a text line.
 */
export function showChart(svg: string, spec: TopLevelSpec, meta: FigureMetadata['cnibench'], text = figureName(spec)): void {
  displayBundle({
    'image/svg+xml': svg,
    [VEGA_LITE_MIME]: spec,
    'text/markdown': figureMarkdown(svg, meta.figure),
    'text/plain': text,
  }, { cnibench: meta });
}

export function showFigurePanel(fig: NotebookFigure): void {
  showChart(fig.svg, fig.spec, { figure: fig.id, file: fig.file, runs: fig.runs }, `${fig.label} — ${fig.title} [${fig.file}]`);
}

/** A report figure as the report has it: every panel, then its caption — or why these runs cannot draw it. */
export function showFigure(study: Study, id: string): void {
  const panels = figuresOf(study, id);
  const report = study.reportFigures.find((f) => f.id === id)!;
  if (!panels.length) {
    showHtml(`<p><strong>${escapeHtml(report.label)} — ${escapeHtml(report.title)}</strong>: not drawn — ${escapeHtml(report.missing ?? 'no data')}</p>`);
    return;
  }
  for (const p of panels) showFigurePanel(p);
  showHtml(`<p><em>${escapeHtml(report.label)} — ${escapeHtml(report.title)}.</em> ${escapeHtml(report.caption)}</p>`);
}

/** Renders any Vega-Lite spec (e.g. a library builder's, or a notebook's own view) on the server and displays it. */
export async function showSpec(spec: TopLevelSpec, id = figureName(spec)): Promise<void> {
  showChart(await renderSvg(spec), spec, { figure: id });
}
