// Exported notebooks show their figures: each notebook executed headless into a temporary folder, then exported
// with Debian's `jupyter nbconvert --to html`, and the page checked for every chart the notebook showed — the same
// SVG, byte for byte, inline in the page with its marks drawn (not an <svg> emptied by nbconvert's HTML cleaner,
// which is what `image/svg+xml` outputs became) — and for every table. `--to webpdf` is tried too: it needs
// pyppeteer, which Debian does not package; while it is missing, the README must say so.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { FIGURE_CLASS } from '../src/notebook/display.ts';
import {
  JUPYTER, NOTEBOOKS, ROOT, type Notebook, assertJupyter, codeCells, dataMarks, errorsOf, executeNotebook, figureBlocks, jupyterEnv, shownCharts, text,
} from './helpers/notebooks.ts';

const isRoot = process.getuid?.() === 0;
const NAMES = readdirSync(NOTEBOOKS).filter((f) => f.endsWith('.ipynb')).sort();

let tmp: string;
const executed = new Map<string, string>();
const timings: string[] = [];

before(async () => {
  await assertJupyter();
  tmp = await mkdtemp(join(tmpdir(), 'cnibench-notebooks-export-'));
});

after(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
  if (timings.length) process.stderr.write(`notebooks executed and exported: ${timings.join(', ')}\n`);
});

/** `jupyter nbconvert --to <format>` of an executed notebook, into its own folder. */
function nbconvert(format: string, notebook: string, outDir: string) {
  return execa(JUPYTER, ['nbconvert', '--to', format, '--output-dir', outDir, notebook], {
    reject: false, cwd: outDir, env: jupyterEnv(), extendEnv: false, timeout: 120_000,
  });
}

/** Executes the notebook, exports it to HTML, and checks the page against what the notebook showed. */
async function exportAndCheck(name: string, opts: { dataDir?: string } = {}): Promise<{ charts: number; html: string }> {
  const dir = join(tmp, name.replace(/\.ipynb$/, ''));
  const t0 = performance.now();
  const { nb, path } = await executeNotebook(name, dir, opts);
  executed.set(name, path);
  assert.deepEqual(errorsOf(name, nb), [], `${name} printed errors when executed`);
  const r = await nbconvert('html', path, dir);
  assert.equal(r.exitCode, 0, `${name}: jupyter nbconvert --to html failed:\n${r.stderr.split('\n').slice(-15).join('\n')}`);
  const html = await readFile(join(dir, name.replace(/\.ipynb$/, '.html')), 'utf8');
  timings.push(`${name} ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  return { charts: assertExportedWell(name, nb, html), html };
}

function assertExportedWell(name: string, nb: Notebook, html: string): number {
  const charts = shownCharts(nb);
  const blocks = figureBlocks(html);
  assert.deepEqual(blocks.map((b) => b.figure), charts.map((c) => c.figure),
    `${name}: the exported page must hold every chart the notebook showed, in order, each as a ${FIGURE_CLASS} block`);
  for (const [i, c] of charts.entries()) {
    const where = `${name}, code cell ${c.cell}, ${c.figure}`;
    assert.ok(blocks[i]!.svg === c.svg, `${where}: the SVG in the exported page differs from the one the notebook showed`);
    assert.ok(dataMarks(blocks[i]!.svg) > 0, `${where}: no drawn marks in the exported SVG`);
  }
  // nbconvert fell back to image/svg+xml nowhere: that is the form its cleaner empties.
  assert.doesNotMatch(html, /data-mime-type="image\/svg\+xml"/, `${name}: a chart was exported from image/svg+xml, whose elements nbconvert strips`);
  // Every table output is in the page as the notebook showed it.
  const tables = codeCells(nb).flatMap((c) => (c.outputs ?? []).map((o) => text(o.data?.['text/html'])).filter((h) => h.includes('<table')));
  for (const t of tables) assert.ok(html.includes(t), `${name}: a table is missing from the exported page:\n${t.slice(0, 300)}`);
  return charts.length;
}

describe('notebooks exported to HTML', { concurrency: 2 }, () => {
  for (const name of NAMES.filter((n) => !n.startsWith('05-'))) {
    test(`${name}: exported with nbconvert --to html, every chart is drawn in the page`, async () => {
      const { charts } = await exportAndCheck(name);
      assert.ok(charts > 0, `${name} showed no chart`);
    });
  }
});

test('05-collect.ipynb: exported with nbconvert --to html after collecting into a temporary data folder, its charts are drawn', async (t) => {
  if (!isRoot) {
    if (process.env.CI === 'true') assert.fail('the collect notebook needs root, and CI runs as root: run the suite as root');
    return t.skip('needs root (collecting builds network namespaces)');
  }
  const dataDir = join(tmp, 'collect-data');
  await mkdir(dataDir, { recursive: true });
  const { charts } = await exportAndCheck('05-collect.ipynb', { dataDir });
  assert.ok(charts >= 2, `05-collect.ipynb: expected the datapath and Fig. 3 panels in the page, got ${charts}`);
});

test('nbconvert --to webpdf: works, or the README says plainly that it is not available', async () => {
  const name = '04-pod-launch.ipynb';
  const dir = join(tmp, 'webpdf');
  await mkdir(dir, { recursive: true });
  const notebook = executed.get(name) ?? (await executeNotebook(name, dir)).path;
  const r = await nbconvert('webpdf', notebook, dir);
  if (r.exitCode === 0) {
    const pdf = join(dir, name.replace(/\.ipynb$/, '.pdf'));
    assert.ok((await stat(pdf)).size > 10_000, `nbconvert --to webpdf wrote no real PDF (${pdf})`);
    return;
  }
  assert.match(r.stderr, /Pyppeteer is not installed|playwright/i, `nbconvert --to webpdf failed for another reason than a missing pyppeteer:\n${r.stderr.slice(-2000) || r.message}`);
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('\n## Notebooks'), readme.indexOf('\n## ', readme.indexOf('\n## Notebooks') + 5));
  assert.match(section, /--to webpdf[^\n]*\n?[^\n]*not available/i, 'nbconvert --to webpdf does not work here (no pyppeteer): the README\'s Notebooks section must say so');
});
