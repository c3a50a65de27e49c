// The report's render stage: markdown-it (raw HTML off, so nothing from the data becomes markup) to one
// self-contained page with inline CSS and inline SVG figures; a CSP forbids fetching or running anything.
import MarkdownIt from 'markdown-it';
import { CSS } from './css.ts';
import type { ReportDocument } from './document.ts';
import type { ReportFigure } from './figures.ts';
import { FIGURE_PLACEHOLDER, anchorPattern } from './markdown.ts';

const MARKDOWN = new MarkdownIt({ html: false, linkify: false, typographer: false });

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

function figureHtml(f: ReportFigure): string {
  const body = f.panels.length
    ? f.panels.map((p) => `<div class="panel">${p.svg}</div>`).join('\n')
    : `<div class="gap">Not drawn: ${escapeHtml(f.missing ?? 'no data')}</div>`;
  const data = f.table ? ` <span class="data">Data: <a href="tables/${escapeHtml(f.table.file)}">tables/${escapeHtml(f.table.file)}</a>.</span>` : '';
  const cls = f.panels.length > 1 ? 'figure gallery' : 'figure';
  return `<figure id="${escapeHtml(f.id)}" class="${cls}">\n${body}\n<figcaption><span class="label">${escapeHtml(f.label)}.</span> ${escapeHtml(f.title)}. ${escapeHtml(f.caption)}${data}</figcaption>\n</figure>`;
}

export function renderHtml(doc: ReportDocument, figures: readonly ReportFigure[]): string {
  const byId = new Map(figures.map((f) => [f.id, f]));
  const body = MARKDOWN.render(doc.markdown)
    .replace(FIGURE_PLACEHOLDER, (_, id: string) => {
      const f = byId.get(id);
      if (!f) throw new Error(`the document places figure "${id}", which was not drawn`);
      return figureHtml(f);
    })
    // A table's caption paragraph gets a class, so print keeps it on the page of its table.
    .replace(new RegExp(`<p>(?=${anchorPattern('table-').source})`, 'g'), '<p class="caption">')
    .replace(anchorPattern(), (_, id: string) => `<a class="anchor" id="${escapeHtml(id)}"></a>`);
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(doc.title)}</title>`,
    `<style>${CSS}</style>`,
    '</head>',
    '<body>',
    body.trimEnd(),
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
