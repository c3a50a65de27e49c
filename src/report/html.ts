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
  const checked = f.checkedBy?.length ? ` <span class="checked">Checked in ${f.checkedBy.map((c) => `<a href="#${escapeHtml(c.anchor)}">${escapeHtml(c.label)}</a>`).join(', ')}.</span>` : '';
  // Data charts of the main body; the diagrams (Fig. 1, Figs. A1–A2) and the flame galleries keep their size.
  const chart = f.panels.length === 1 && !f.id.startsWith('fig1') && f.section.startsWith('sec-');
  const cls = f.panels.length > 1 ? 'figure gallery' : chart ? 'figure chart' : 'figure';
  return `<figure id="${escapeHtml(f.id)}" class="${cls}">\n${body}\n<figcaption><span class="label">${escapeHtml(f.label)}.</span> ${escapeHtml(f.title)}. ${escapeHtml(f.caption)}${checked}${data}</figcaption>\n</figure>`;
}

/** A heading's text without markup, for the contents. */
function headingText(inner: string): string {
  return inner.replace(/<[^>]+>/g, '').replace(/\s+/g, ' ').trim();
}

/**
 * The contents: every section and subsection heading (h2, h3), linked. A heading without an anchor of its own (the
 * numbered subsections) gets an id from its number or words. On a wide screen the list stays beside the text as the
 * reader scrolls; printed, it is left out (the PDF carries it as its outline).
 */
export function tableOfContents(html: string): { html: string; toc: string } {
  const used = new Set<string>();
  const items: { level: number; id: string; text: string }[] = [];
  const out = html.replace(/<h([23])>([\s\S]*?)<\/h\1>/g, (all, level: string, inner: string) => {
    const text = headingText(inner);
    const own = /<a class="anchor" id="([^"]+)"><\/a>/.exec(inner)?.[1];
    let id = own ?? `h-${(/^(\d+(?:\.\d+)*)\s/.exec(text)?.[1] ?? text).toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')}`;
    if (!own) {
      while (used.has(id)) id += '-';
    }
    used.add(id);
    items.push({ level: Number(level), id, text });
    return own ? all : `<h${level} id="${escapeHtml(id)}">${inner}</h${level}>`;
  });
  if (!items.length) return { html, toc: '' };
  const lines: string[] = ['<nav class="toc" aria-label="Contents">', '<p class="toc-title">Contents</p>', '<ol>'];
  let open = false;
  for (const it of items) {
    // The text is markdown-it's output with its tags removed: already escaped.
    const link = `<a href="#${escapeHtml(it.id)}">${it.text}</a>`;
    if (it.level === 2) {
      if (open) lines.push('</ol></li>');
      lines.push(`<li>${link}<ol>`);
      open = true;
    } else {
      if (!open) { lines.push('<li><ol>'); open = true; }
      lines.push(`<li>${link}</li>`);
    }
  }
  if (open) lines.push('</ol></li>');
  lines.push('</ol>', '</nav>');
  return { html: out, toc: lines.join('\n').replace(/<ol><\/ol>/g, '') };
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
  const { html: withIds, toc } = tableOfContents(body);
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
    toc,
    '<main>',
    withIds.trimEnd(),
    '</main>',
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
