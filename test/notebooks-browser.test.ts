// The notebooks in a real browser, as a reader runs them: `npm run notebooks` on a free port, each notebook opened
// in headless Chromium, Cell → Run All through the page, and then what the classic Notebook shows: every chart as
// an inline SVG with its marks drawn (as many as the chart's own SVG has), every table as an HTML table, no error
// or stderr output, every cell run. 05-collect runs as root on a second server whose kernels write into a
// temporary data folder (CNIBENCH_DATA_DIR), as in test/notebooks.test.ts. The committed notebooks are never
// written: saving is switched off in each page, and the files are compared before and after. A missing Jupyter,
// kernel or Chromium fails, never skips.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'puppeteer-core';
import { DATA, NOTEBOOKS, assertJupyter } from './helpers/notebooks.ts';
import { type NotebookServer, type PageCell, closeNotebook, openNotebook, readCells, runAll, startChromium, startNotebooks } from './helpers/notebookBrowser.ts';

const isRoot = process.getuid?.() === 0;
const NAMES = readdirSync(NOTEBOOKS).filter((f) => f.endsWith('.ipynb')).sort();

let tmp: string;
let server: NotebookServer | undefined;
let collectServer: NotebookServer | undefined;
let chromium: { browser: Browser; close: () => Promise<void> } | undefined;
const committed = new Map<string, string>();

const timings: string[] = [];

const digest = async (file: string) => createHash('sha256').update(await readFile(file)).digest('hex');

before(async () => {
  await assertJupyter();
  tmp = await mkdtemp(join(tmpdir(), 'cnibench-notebooks-browser-'));
  for (const name of NAMES) committed.set(name, await digest(join(NOTEBOOKS, name)));
  chromium = await startChromium();
  server = await startNotebooks();
  if (isRoot) {
    await mkdir(join(tmp, 'collect-data'), { recursive: true });
    collectServer = await startNotebooks({ env: { CNIBENCH_DATA_DIR: join(tmp, 'collect-data') } });
  }
});

after(async () => {
  await chromium?.close();
  await server?.stop();
  await collectServer?.stop();
  if (tmp) await rm(tmp, { recursive: true, force: true });
  if (timings.length) process.stderr.write(`notebooks in the browser (Run All): ${timings.join(', ')}\n`);
});

/** Opens, runs and reads one notebook; the kernel is shut down whatever happens. */
async function runInBrowser(srv: NotebookServer, name: string): Promise<PageCell[]> {
  const page = await openNotebook(chromium!.browser, srv, name);
  try {
    const seconds = await runAll(page);
    timings.push(`${name} ${seconds.toFixed(1)} s`);
    return await readCells(page);
  } finally {
    await closeNotebook(page);
  }
}

/** What the page shows must be what a reader needs: every cell ran, no errors, charts drawn, tables as tables. */
function assertShownWell(name: string, cells: PageCell[]): { charts: number; tables: number } {
  const where = (c: PageCell) => `${name}, code cell ${c.index} (${c.source.split('\n')[0]})`;
  const problems: string[] = [];
  let charts = 0;
  let tables = 0;
  for (const c of cells) {
    if (typeof c.prompt !== 'number') problems.push(`${where(c)}: did not run (prompt ${JSON.stringify(c.prompt)})`);
    if (c.shownOutputs !== c.outputs.length) problems.push(`${where(c)}: ${c.outputs.length} outputs but ${c.shownOutputs} shown`);
    for (const o of c.outputs) {
      if (o.type === 'error' || /output_stderr|output_error/.test(o.shownAs)) problems.push(`${where(c)}: shows an error:\n${o.text}`);
      if (o.figure) {
        charts++;
        if (!o.shownAs.includes('output_markdown')) problems.push(`${where(c)}, ${o.figure}: shown as "${o.shownAs}", not as the Markdown form with the SVG inline`);
        if (!o.marksInData) problems.push(`${where(c)}, ${o.figure}: its SVG has no drawn marks`);
        if (o.marksShown !== o.marksInData) problems.push(`${where(c)}, ${o.figure}: ${o.marksShown} marks drawn on the page, ${o.marksInData} in its SVG`);
        if (o.svgBox[0] < 50 || o.svgBox[1] < 50) problems.push(`${where(c)}, ${o.figure}: the SVG takes ${o.svgBox.join(' × ')} px on the page`);
      }
      if (o.tableInData) {
        tables++;
        if (o.tableRowsShown < 2) problems.push(`${where(c)}: an HTML table shown with ${o.tableRowsShown} rows`);
      }
    }
  }
  const last = cells.at(-1);
  if (last && !last.outputs.length) problems.push(`${name}: its last code cell shows nothing (a cell before it was cancelled?)`);
  assert.deepEqual(problems, [], `${name} in the browser:\n${problems.join('\n\n')}`);
  return { charts, tables };
}

for (const name of NAMES.filter((n) => !n.startsWith('05-'))) {
  test(`${name}: Run All in the browser shows its charts as drawn SVG and its tables, without errors`, async () => {
    const cells = await runInBrowser(server!, name);
    const { charts, tables } = assertShownWell(name, cells);
    assert.ok(charts > 0, `${name} showed no chart in the browser`);
    assert.ok(tables > 0, `${name} showed no table in the browser`);
  });
}

test('05-collect.ipynb: Run All in the browser collects into a temporary data folder and shows its figures', async (t) => {
  if (!isRoot) {
    if (process.env.CI === 'true') assert.fail('the collect notebook needs root, and CI runs as root: run the suite as root');
    return t.skip('needs root (collecting builds network namespaces); test/notebooks.test.ts checks the message an ordinary user gets');
  }
  const before = await readdir(join(DATA, 'runs'));
  const cells = await runInBrowser(collectServer!, '05-collect.ipynb');
  const { charts } = assertShownWell('05-collect.ipynb', cells);
  assert.ok(charts >= 2, `05-collect.ipynb: expected the datapath and Fig. 3 panels, got ${charts} charts`);
  assert.equal((await readdir(join(tmp, 'collect-data', 'runs'))).length, 1, 'one run collected into the temporary data folder');
  assert.deepEqual(await readdir(join(DATA, 'runs')), before, 'the notebook must not write into data/ when CNIBENCH_DATA_DIR is set');
});

test('running notebooks in the browser leaves the committed notebooks as they were', async () => {
  for (const name of NAMES) assert.equal(await digest(join(NOTEBOOKS, name)), committed.get(name), `${name} was written while it ran in the browser`);
});
