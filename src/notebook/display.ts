// Rich output for tslab notebooks: one display_data message carrying several representations of the same thing —
// a chart as server-rendered SVG *and* its Vega-Lite spec (JupyterLab draws the spec natively, classic Notebook
// and nbconvert show the SVG), a table as HTML with a plain-text fallback.
//
// tslab's public `display` sends one MIME type per message, so the bundle goes through the function tslab itself
// uses for that, the running kernel's `lastWriteDisplayData` (found in the module cache, whichever tslab started it).
import { createRequire } from 'node:module';

export const VEGA_LITE_MIME = 'application/vnd.vegalite.v5+json';

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
