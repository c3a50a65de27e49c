// The report's one stylesheet, inlined: a paper-like page on screen and A4 in print, no web fonts (installed ones only).
export const CSS = `
:root { --ink: #222; --muted: #666; --rule: #c8c8c8; --accent: #0072B2; --warn: #D55E00; }
html { font: 10.5pt/1.45 'Liberation Serif', 'DejaVu Serif', serif; color: var(--ink); background: #fff; }
body { max-width: 182mm; margin: 0 auto; padding: 10mm 6mm 16mm; }
h1, h2, h3 { font-family: 'Liberation Sans', 'DejaVu Sans', sans-serif; line-height: 1.2; break-after: avoid; }
h1 { font-size: 19pt; text-align: center; margin: 0 0 6pt; }
h1 + p { text-align: center; margin: 0 0 4pt; }
h1 + p + p { text-align: center; color: var(--muted); font-size: 9pt; margin: 0 0 12pt; }
h2 { font-size: 13pt; margin: 18pt 0 6pt; border-bottom: 1px solid var(--rule); padding-bottom: 2pt; }
h3 { font-size: 11pt; margin: 12pt 0 4pt; }
p { margin: 0 0 7pt; text-align: justify; hyphens: auto; }
a { color: var(--accent); text-decoration: none; }
code { font: 0.86em 'DejaVu Sans Mono', 'Liberation Mono', monospace; overflow-wrap: anywhere; }
ul { margin: 0 0 8pt; padding-left: 16pt; }
li { margin: 0 0 2pt; }
blockquote { margin: 10pt 0 12pt; padding: 6pt 10pt; border-left: 4px solid var(--warn); background: #FFF4EC; font-size: 9pt; break-inside: avoid-page; }
blockquote p { margin: 0 0 4pt; text-align: left; }
table { border-collapse: collapse; width: 100%; margin: 2pt 0 12pt; font: 8pt/1.3 'Liberation Sans', 'DejaVu Sans', sans-serif; }
th, td { padding: 2pt 4pt; border-bottom: 0.6pt solid var(--rule); vertical-align: top; text-align: left; }
th { border-top: 1.2pt solid var(--ink); border-bottom: 0.9pt solid var(--ink); font-weight: bold; }
tr { break-inside: avoid; }
p.caption { break-after: avoid; margin-top: 10pt; }
.anchor { position: relative; top: -4pt; }
figure { margin: 10pt 0 14pt; break-inside: avoid; }
figure.gallery { break-inside: auto; }
figure .panel { break-inside: avoid; margin: 0 0 8pt; }
figure svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
figcaption { font-size: 9pt; margin-top: 4pt; text-align: left; }
figcaption .label { font-weight: bold; }
figcaption .data { color: var(--muted); }
.gap { border: 1px dashed var(--rule); color: var(--muted); padding: 14pt; text-align: center; font-style: italic; }
figcaption .checked { color: var(--muted); }
blockquote ul { margin-bottom: 2pt; }
nav.toc { font: 9pt/1.35 'Liberation Sans', 'DejaVu Sans', sans-serif; }
nav.toc .toc-title { font-weight: bold; margin: 0 0 4pt; text-align: left; }
nav.toc ol { list-style: none; margin: 0; padding: 0; }
nav.toc ol ol { padding-left: 10pt; margin: 1pt 0 3pt; font-size: 8.5pt; }
nav.toc li { margin: 0 0 1.5pt; }
nav.toc a { color: var(--ink); }
nav.toc a:hover { color: var(--accent); }
/* Wide screens: the contents stay in a column beside the text while the reader scrolls. */
@media screen and (min-width: 1120px) {
  nav.toc { position: fixed; top: 0; left: 0; bottom: 0; width: 250px; overflow-y: auto; padding: 14px 14px 20px 16px; border-right: 1px solid var(--rule); background: #FAFAFA; box-sizing: border-box; }
  main { margin-left: max(0px, calc(250px - (100vw - 182mm) / 2 + 12px)); }
}
/* Narrow screens: the contents open above the text. */
@media screen and (max-width: 1119px) {
  nav.toc { max-width: 182mm; margin: 0 auto; padding: 8px 6mm; border-bottom: 1px solid var(--rule); }
}
@page { size: A4; }
@media print {
  body { max-width: none; padding: 0; }
  a { color: inherit; }
  a[href^="http"]::after { content: " <" attr(href) ">"; font-size: 0.85em; overflow-wrap: anywhere; }
  h2 { break-before: auto; }
  nav.toc { display: none; }
  /* Data charts a little smaller on paper (labels stay at about 7 pt), so a page holds two or three with their text. */
  figure.chart svg { max-width: 68%; }
}
`;
