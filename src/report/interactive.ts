// The interactive page (cnibench report --interactive): OUT/interactive.html, the same document as index.html but
// with every data figure (Fig. 3a–f, 4–9) drawn with a hover tip on each mark — n, the mean, its 95% CI and the
// repetitions behind it — as an SVG <title>, which browsers show natively on hover. No script: the page keeps
// index.html's Content-Security-Policy (default-src 'none', inline style only), so it fetches and runs nothing. A
// little inline CSS outlines the mark under the pointer. index.html, the figure files and the PDF stay the static
// report: this page sits beside them, and a build without --interactive removes it (it would describe older data).
import { readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { DerivedTables } from '../analysis/derive.ts';
import { FIGURES } from '../charts/index.ts';
import { TIP_CLASS } from '../charts/tips.ts';
import { errorMessage } from '../util/errors.ts';
import { writeFileAtomic } from '../util/atomic.ts';
import { scopeSvgIds, type ReportFigure } from './figures.ts';
import type { NoticeSink } from './notices.ts';
import type { SvgRenderer } from './svgCache.ts';

/** The interactive page's file name under the report folder. */
export const INTERACTIVE_FILE = 'interactive.html';

/**
 * The figures again, each data figure's panels drawn from its interactive spec (the registry's `interactive`, rendered
 * by a renderer that turns mark labels into <title>s); figures without data points (diagrams, flame graphs) and gaps
 * are the static ones. A panel that fails to draw with tips keeps its static drawing, and the log says so.
 */
export async function interactiveFigures(d: DerivedTables, figures: readonly ReportFigure[], render: SvgRenderer, log: NoticeSink): Promise<ReportFigure[]> {
  const out: ReportFigure[] = [];
  for (const f of figures) {
    const def = FIGURES.find((x) => x.id === f.id);
    const specs = f.panels.length && def ? def.plan(d).specs : [];
    if (!specs.some((s) => s.interactive)) {
      out.push(f);
      continue;
    }
    const panels = [];
    for (const [i, panel] of f.panels.entries()) {
      const s = specs[i];
      if (!s?.interactive || s.file !== panel.file) {
        panels.push(panel);
        continue;
      }
      try {
        panels.push({ file: panel.file, svg: scopeSvgIds(await render(s.interactive()), `${f.id}-${i + 1}`) });
      } catch (err) {
        log(`warning: ${f.label} is drawn without hover tips in ${INTERACTIVE_FILE}: ${errorMessage(err)}`);
        panels.push(panel);
      }
    }
    out.push({ ...f, panels });
  }
  return out;
}

/** The hover outline: the mark under the pointer; an invisible hover target (Fig. 9's points) shows as a ring. */
const CSS = [
  `svg .${TIP_CLASS}{cursor:help}`,
  `svg .${TIP_CLASS}:not([aria-roledescription="line mark"]):hover{stroke:#000000;stroke-width:1.5px;stroke-dasharray:none}`,
  `svg .${TIP_CLASS}[aria-roledescription="line mark"]:hover{stroke-width:3.5px}`,
  `svg .${TIP_CLASS}[opacity="0"]:hover{opacity:1;fill-opacity:0}`,
  '.interactive-note{border:1px solid #cccccc;background:#f6f6f6;padding:0.5em 0.8em;font-size:0.9em}',
].join('\n');

const NOTE = 'Interactive version of this report: rest the pointer on a bar, a segment, a point or a whisker of a data figure '
  + 'to see n, the mean, its 95% confidence interval and the repetitions behind it. The same report without the tips is '
  + '<a href="index.html">index.html</a> (the PDF is printed from it).';

/** The page renderHtml made from the interactive figures, with the hover CSS, " (interactive)" in its title and a note at the top. */
export function interactivePage(html: string): string {
  const head = html.indexOf('</head>');
  const body = /<body[^>]*>/.exec(html);
  const title = html.indexOf('</title>');
  if (head < 0 || !body || title < 0 || title > head) throw new Error('the report page has no <head>, <title> or <body> to add the interactive page\'s style and note to');
  const at = body.index + body[0].length;
  return html.slice(0, title) + ' (interactive)' + html.slice(title, head) + `<style>${CSS}</style>\n` + html.slice(head, at)
    + `\n<p class="interactive-note">${NOTE}</p>` + html.slice(at);
}

/**
 * Writes OUT/interactive.html (unless it already holds these bytes), or — for a build without --interactive — removes
 * one an earlier build left, which would not match this build's data. Returns the path written.
 */
export async function writeInteractive(outDir: string, html: string | undefined, log: NoticeSink): Promise<string | undefined> {
  const path = join(outDir, INTERACTIVE_FILE);
  if (html === undefined) {
    if (await rm(path).then(() => true, () => false)) log(`note: removed the earlier ${path}, which would not match this build (--interactive writes it)`);
    return undefined;
  }
  const old = await readFile(path).catch(() => undefined);
  if (!old || !old.equals(Buffer.from(html))) await writeFileAtomic(path, html);
  return path;
}
