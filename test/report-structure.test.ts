// The report's navigation pieces, without data: table numbers in reading order (forward references allowed),
// expected gaps grouped by reason, findings tied to figures, and the contents built from the headings.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TableNumbers } from '../src/report/context.ts';
import { reasonKind } from '../src/report/setup.ts';
import { claimFigureIds } from '../src/report/findings.ts';
import { tableOfContents } from '../src/report/html.ts';

test('tables are numbered where their captions stand, so the main body may refer ahead to an appendix', () => {
  const t = new TableNumbers();
  const ref = t.ref('table-late');
  const early = t.caption('table-early', 'first');
  const late = t.caption('table-late', 'in the appendix');
  const md = t.resolve(`${ref} is below.\n\n${early}\n\n${late}\n`);
  assert.match(md, /^\[Table II\]\(#table-late\) is below\./);
  assert.match(md, /\*\*Table I\.\*\* first/);
  assert.match(md, /\*\*Table II\.\*\* in the appendix/);
  assert.throws(() => t.caption('table-early', 'again'), /captioned twice/);
  assert.throws(() => new TableNumbers().resolve(new TableNumbers().ref('nowhere')), /no caption/);
  const dropped = new TableNumbers();
  dropped.caption('table-x', 'x');
  assert.throws(() => dropped.resolve(dropped.ref('table-x')), /no caption in the document/);
});

test('skip reasons of several models share one row: the model is taken out, a named native model becomes words', () => {
  assert.equal(reasonKind('baseline has no inter-host path', 'baseline'), 'Has no inter-host path');
  assert.equal(
    reasonKind('calico-np-vxlan differs from its native variant only between hosts; its intra-host path is measured as calico-np', 'calico-np-vxlan'),
    reasonKind('calico-wp-ipip differs from its native variant only between hosts; its intra-host path is measured as calico-wp', 'calico-wp-ipip'),
  );
  assert.equal(reasonKind('calico-np-ipip attaches pods as calico-np does; its pod launches are measured there', 'calico-np-ipip'), 'Attaches pods as its native variant does; its pod launches are measured there');
  assert.equal(reasonKind('kernel lacks ipip (Error: Unknown device type.)', 'calico-np-ipip'), 'Kernel lacks ipip (Error: Unknown device type.)');
});

test("a claim's place in the study maps to this report's figures", () => {
  const known = new Set(['fig3a', 'fig3b', 'fig3c', 'fig3d', 'fig3e', 'fig3f', 'fig4', 'fig5', 'fig6', 'fig7', 'fig8']);
  assert.deepEqual(claimFigureIds('Fig. 3b–c', known), ['fig3b', 'fig3c']);
  assert.deepEqual(claimFigureIds('Figs. 4–5', known), ['fig4', 'fig5']);
  assert.deepEqual(claimFigureIds('Fig. 7a', known), ['fig7']);
  assert.deepEqual(claimFigureIds('§II; Fig. 8', known), ['fig8']);
  assert.deepEqual(claimFigureIds('Fig. 2', known), []);
});

test('the contents list every h2 and h3, linked; a heading without an anchor gets an id', () => {
  const { html, toc } = tableOfContents('<h2><a class="anchor" id="sec-setup"></a>3 Setup</h2>\n<h3>3.1 Host &amp; kernel</h3>\n<h3>3.1 Host &amp; kernel</h3>\n<h2>Appendix</h2>');
  assert.match(html, /<h3 id="h-3-1">3\.1 Host &amp; kernel<\/h3>\n<h3 id="h-3-1-">/);
  assert.match(toc, /<li><a href="#sec-setup">3 Setup<\/a><ol>\n<li><a href="#h-3-1">3\.1 Host &amp; kernel<\/a><\/li>/);
  assert.match(toc, /<a href="#h-appendix">Appendix<\/a>/);
  assert.equal(tableOfContents('<p>no headings</p>').toc, '');
});
