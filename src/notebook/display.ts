// Rich output for tslab notebooks: one display_data message carrying several representations of the same thing.
// A chart goes out as its server-rendered SVG — as `image/svg+xml` and again inline in Markdown (figureMarkdown
// below) — together with its Vega-Lite spec; a table as HTML with a plain-text fallback.
//
// tslab's public `display` sends one MIME type per message, so the bundle goes through the function tslab itself
// uses for that, the running kernel's `lastWriteDisplayData` (found in the module cache, whichever tslab started it).
import { createRequire } from 'node:module';

export const VEGA_LITE_MIME = 'application/vnd.vegalite.v5+json';

/** The class of the element that holds a chart's SVG in its Markdown representation. */
export const FIGURE_CLASS = 'cnibench-figure';

/**
 * A chart's SVG as Markdown: a single raw-HTML block, `<div class="cnibench-figure" data-figure="…"><svg …>…</svg></div>`.
 *
 * Why the chart needs this besides `image/svg+xml`: Debian's nbconvert 6.5 passes `image/svg+xml` outputs through
 * lxml's HTML cleaner, which drops every element inside `<svg>`, so `jupyter nbconvert --to html` exported blank
 * figures (jupyter/nbconvert#1849, #1894). Markdown outputs are not cleaned unless sanitizing is asked for
 * (`--HTMLExporter.sanitize_html=True`, as nbviewer does), and both nbconvert and the classic Notebook prefer
 * `text/markdown` to `image/svg+xml`; each renders a raw `<div>` block as it is, so the page gets the SVG inline,
 * byte for byte. JupyterLab ranks the Vega-Lite renderer above Markdown, so there the spec is still drawn live.
 * (`text/html` would do for nbconvert and the Notebook too, but JupyterLab ranks HTML above Vega-Lite.)
 *
 * The block must stay one block: an XML declaration is dropped and blank lines are closed up (Markdown would end
 * the block at a blank line); Vega's SVG is one line anyway.
 */
export function figureMarkdown(svg: string, figure: string): string {
  const inline = svg.trim().replace(/^<\?xml[^>]*\?>\s*/, '').replace(/\n\s*\n/g, '\n');
  return `<div class="${FIGURE_CLASS}" data-figure="${escapeHtml(figure)}">${inline}</div>`;
}

/** A Jupyter MIME bundle: text for text types, a JSON value for JSON types (e.g. the Vega-Lite spec). */
export type MimeBundle = Record<string, string | object>;

export interface DisplayMessage {
  data: MimeBundle;
  metadata: Record<string, unknown>;
}

/** Where display messages go: the kernel, or anything a test provides. */
export type DisplaySink = (msg: DisplayMessage) => void;

type WriteDisplayData = (content: DisplayMessage & { transient: Record<string, unknown> }, update: boolean) => void;

/** The running tslab kernel's display channel; undefined outside a kernel (or before its first execution). */
function kernelWriter(): WriteDisplayData | undefined {
  const cache = createRequire(import.meta.url).cache;
  for (const [file, mod] of Object.entries(cache)) {
    if (!/[\\/]tslab[\\/]dist[\\/]jupyter\.js$/.test(file)) continue;
    const write = (mod?.exports as { lastWriteDisplayData?: WriteDisplayData | null } | undefined)?.lastWriteDisplayData;
    if (typeof write === 'function') return write;
  }
  return undefined;
}

let sink: DisplaySink | undefined;

/** Sends displays to `next` instead of the kernel (tests); returns the previous sink. */
export function setDisplaySink(next: DisplaySink | undefined): DisplaySink | undefined {
  const prev = sink;
  sink = next;
  return prev;
}

export function displayBundle(data: MimeBundle, metadata: Record<string, unknown> = {}): void {
  if (sink) return sink({ data, metadata });
  const write = kernelWriter();
  if (!write) {
    throw new Error('no Jupyter kernel to display in: these helpers display through a running tslab kernel (open the notebooks with "npm run notebooks").');
  }
  write({ data, metadata, transient: {} }, false);
}

export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** Rough plain text of an HTML fragment, for the text/plain fallback. */
function htmlText(html: string): string {
  return html
    .replace(/<li>/g, '- ')
    .replace(/<\/(p|li|ul|tr|h\d)>|<br\s*\/?>/g, '\n')
    .replace(/<[^>]+>/g, '')
    .replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&')
    .trim();
}

export function showHtml(html: string, text = htmlText(html)): void {
  displayBundle({ 'text/html': html, 'text/plain': text });
}

export function showMarkdown(markdown: string): void {
  displayBundle({ 'text/markdown': markdown, 'text/plain': markdown });
}
