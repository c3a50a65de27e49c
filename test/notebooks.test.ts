// The notebooks, executed headless as a user would run them (jupyter nbconvert --execute with the tslab kernel) into
// a temporary folder: no cell may print an error, each ends with its last cell's output, every chart they show is
// the report's own figure for the same runs (its Vega-Lite spec draws that same SVG, and its Markdown form — what
// the classic Notebook and exported HTML show — holds that same SVG), the collect notebook
// collects a tiny run as root into a temporary data folder — and bad input (no runs, no launch timings, not root)
// ends in one line that says what to do, never a stack trace. A missing Jupyter or kernel fails, never skips.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { execa } from 'execa';
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg } from '../src/charts/index.ts';
import { buildReport } from '../src/report/build.ts';
import { loadManifest } from '../src/collect/manifest.ts';
import { NotebookStop, requireRoot } from '../src/notebook/guard.ts';
import { FIGURE_CLASS, VEGA_LITE_MIME, setDisplaySink, type DisplayMessage } from '../src/notebook/display.ts';
import { showFigurePanel } from '../src/notebook/figures.ts';
import { showTable } from '../src/notebook/tables.ts';
import { normalizeSvg } from './helpers/svg.ts';
import { DATA, JUPYTER, NOTEBOOKS, ROOT, type Notebook, assertJupyter, codeCells, errorsOf as errorsIn, figureBlocks, jupyterEnv, text } from './helpers/notebooks.ts';

const isRoot = process.getuid?.() === 0;
const NOBODY = '65534';

const NAMES = readdirSync(NOTEBOOKS).filter((f) => f.endsWith('.ipynb')).sort();

let tmp: string;

before(async () => {
  // Prerequisites: each missing one fails every test here, with the fix.
  await assertJupyter();
  tmp = await mkdtemp(join(tmpdir(), 'cnibench-notebooks-'));
});

after(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

interface Executed {
  name: string;
  nb: Notebook;
  seconds: number;
}

/** Runs one notebook headless into its own folder under tmp; the committed file is never written. */
async function execute(name: string, opts: { dataDir?: string; as?: string; label?: string } = {}): Promise<Executed> {
  const outDir = join(tmp, `${opts.label ?? 'run'}-${name.replace(/\.ipynb$/, '')}`);
  await mkdir(outDir, { recursive: true });
  const extra: Record<string, string> = opts.dataDir ? { CNIBENCH_DATA_DIR: opts.dataDir } : {};
  let argv = [JUPYTER, 'nbconvert', '--to', 'notebook', '--execute', '--allow-errors', '--ExecutePreprocessor.kernel_name=tslab',
    '--ExecutePreprocessor.timeout=240', '--output-dir', outDir, join(NOTEBOOKS, name)];
  if (opts.as) {
    // Jupyter needs a writable home and runtime folder; the output folder must be the user's to write.
    const home = join(outDir, 'home');
    await mkdir(home, { recursive: true });
    for (const d of [tmp, outDir, home]) await chmod(d, 0o777);
    Object.assign(extra, { HOME: home, JUPYTER_RUNTIME_DIR: join(home, 'runtime'), JUPYTER_DATA_DIR: join(home, 'data') });
    argv = ['setpriv', `--reuid=${opts.as}`, `--regid=${opts.as}`, '--clear-groups', ...argv];
  }
  const t0 = performance.now();
  const r = await execa(argv[0]!, argv.slice(1), { reject: false, cwd: NOTEBOOKS, env: jupyterEnv(extra), extendEnv: false, timeout: 300_000 });
  const seconds = (performance.now() - t0) / 1000;
  assert.equal(r.exitCode, 0, `${name}: jupyter nbconvert failed (exit ${r.exitCode}):\n${r.stderr.split('\n').slice(-15).join('\n')}`);
  return { name, nb: JSON.parse(await readFile(join(outDir, name), 'utf8')) as Notebook, seconds };
}

/** Every error or stderr output, named by notebook and cell (tslab reports errors and type errors on stderr). */
function errorsOf(e: Executed): string[] {
  return errorsIn(e.name, e.nb);
}

function assertRanClean(e: Executed): void {
  const errors = errorsOf(e);
  assert.deepEqual(errors, [], `${e.name} printed errors:\n${errors.join('\n\n')}`);
  const cells = codeCells(e.nb);
  // tslab cancels the cells queued after a failed one; a silent cancellation shows as a last cell without output.
  assert.ok((cells.at(-1)?.outputs ?? []).length > 0, `${e.name}: its last code cell produced no output (a cell before it was cancelled?)`);
}

/** The cell's stop message, asserting it is one cnibench line and nothing after it ran. */
function assertStopped(e: Executed, cellIndex: number, message: RegExp): void {
  const cells = codeCells(e.nb);
  const errors = errorsOf(e);
  assert.equal(errors.length, 1, `${e.name}: expected one stop, got:\n${errors.join('\n\n')}`);
  const stderr = (cells[cellIndex]?.outputs ?? []).filter((o) => o.name === 'stderr').map((o) => text(o.text)).join('');
  assert.match(stderr, message, `${e.name}, code cell ${cellIndex + 1}`);
  assert.match(stderr.trim(), /^cnibench: [^\n]+$/, `${e.name}: the stop must be one "cnibench: …" line, not a stack trace:\n${stderr}`);
  for (const later of cells.slice(cellIndex + 1)) assert.deepEqual(later.outputs ?? [], [], `${e.name}: cells after the stop must not run`);
}

/** Fresh reports, one per data folder and set of runs, built by the report pipeline (no PDF). */
const reports = new Map<string, Promise<string>>();
function reportFigures(dataDir: string, runs: readonly string[]): Promise<string> {
  const key = `${dataDir}\u0000${[...runs].sort().join(',')}`;
  if (!reports.has(key)) {
    const outDir = join(tmp, `report-${reports.size + 1}`);
    reports.set(key, buildReport({ dataDir, outDir, runIds: runs, pdf: false, log: () => {} }).then(() => join(outDir, 'figures')));
  }
  return reports.get(key)!;
}

/**
 * Every chart the notebook showed: an SVG, its Vega-Lite spec and its Markdown form (the same SVG inline) in one
 * output; report figures equal to the report's.
 */
async function assertFiguresAreTheReports(e: Executed, dataDir: string): Promise<number> {
  let reportFiguresShown = 0;
  for (const [i, c] of codeCells(e.nb).entries()) {
    for (const o of c.outputs ?? []) {
      const meta = o.metadata?.cnibench;
      if (o.output_type !== 'display_data' || !meta) continue;
      const where = `${e.name}, code cell ${i + 1}, ${meta.figure}`;
      const svg = text(o.data?.['image/svg+xml']);
      const spec = o.data?.[VEGA_LITE_MIME] as TopLevelSpec | undefined;
      assert.match(svg, /^<svg /, `${where}: no SVG in the output`);
      assert.ok(spec && typeof spec === 'object', `${where}: no ${VEGA_LITE_MIME} spec beside the SVG`);
      const blocks = figureBlocks(text(o.data?.['text/markdown']));
      assert.deepEqual(blocks, [{ figure: meta.figure, svg }], `${where}: the text/markdown form must be one ${FIGURE_CLASS} block holding the same SVG`);
      assert.equal(normalizeSvg(await renderSvg(spec)), normalizeSvg(svg), `${where}: the Vega-Lite spec does not draw the SVG shown beside it`);
      if (!meta.file) continue;
      assert.ok(meta.runs?.length, `${where}: a report figure must say which runs it was drawn from`);
      const file = join(await reportFigures(dataDir, meta.runs), meta.file);
      assert.ok(existsSync(file), `${where}: the report of ${meta.runs.join(', ')} has no ${meta.file}`);
      assert.equal(normalizeSvg(svg), normalizeSvg(await readFile(file, 'utf8')), `${where}: differs from the report's ${meta.file}`);
      reportFiguresShown++;
    }
  }
  return reportFiguresShown;
}

test('the notebooks are committed without outputs, for the tslab kernel', async () => {
  assert.ok(NAMES.length >= 5, `expected the five notebooks in ${NOTEBOOKS}, found: ${NAMES.join(', ')}`);
  for (const name of NAMES) {
    const nb = JSON.parse(await readFile(join(NOTEBOOKS, name), 'utf8')) as Notebook;
    assert.equal(nb.metadata.kernelspec?.name, 'tslab', `${name}: kernel`);
    for (const c of codeCells(nb)) {
      assert.deepEqual(c.outputs, [], `${name}, cell ${c.id}: outputs must be stripped before committing`);
      assert.equal(c.execution_count, null, `${name}, cell ${c.id}: execution count must be stripped before committing`);
    }
    assert.match(text(codeCells(nb)[0]?.source), /require\('\.\.\/src\/notebook\/kernel\.cjs'\)\.load\(\)/, `${name}: the first cell loads the helpers`);
  }
});

test('a stop prints as its message alone; collecting needs root', () => {
  const stop = new NotebookStop('do this next');
  assert.equal(inspect(stop), 'cnibench: do this next');
  assert.throws(() => requireRoot(1000), (err: unknown) => err instanceof NotebookStop && /needs root/.test(err.message) && /sudo npm run notebooks/.test(err.message));
  assert.doesNotThrow(() => requireRoot(0));
});

test('a chart is one message with SVG, Vega-Lite spec, the SVG inline in Markdown and text; a table is escaped HTML with a Markdown fallback', () => {
  const sent: DisplayMessage[] = [];
  const prev = setDisplaySink((m) => sent.push(m));
  try {
    const spec = { $schema: 'https://vega.github.io/schema/vega-lite/v5.json', name: 'fig3a', mark: 'bar', data: { values: [] } } as TopLevelSpec;
    showFigurePanel({ id: 'fig3a', label: 'Fig. 3a', title: 'T', caption: 'C', file: 'fig3a.svg', svg: '<svg><path d="M0,0h1"/></svg>', spec, runs: ['r1'] });
    showTable([{ model: '<script>alert(1)</script>', value: 1234.5678 }], { caption: 'A & B', digits: { value: 1 } });
  } finally {
    setDisplaySink(prev);
  }
  assert.deepEqual(Object.keys(sent[0]!.data).sort(), [VEGA_LITE_MIME, 'image/svg+xml', 'text/markdown', 'text/plain'].sort());
  assert.equal(sent[0]!.data['text/markdown'], `<div class="${FIGURE_CLASS}" data-figure="fig3a"><svg><path d="M0,0h1"/></svg></div>`,
    'the Markdown form is one raw HTML block with the SVG inline');
  assert.equal((sent[0]!.data[VEGA_LITE_MIME] as { name?: string }).name, 'fig3a', 'the spec travels as JSON, not as text');
  assert.deepEqual(sent[0]!.metadata, { cnibench: { figure: 'fig3a', file: 'fig3a.svg', runs: ['r1'] } });
  const html = String(sent[1]!.data['text/html']);
  assert.ok(!html.includes('<script>') && html.includes('&lt;script&gt;'), html);
  assert.match(html, /A &amp; B/);
  assert.match(html, />1,234\.6</);
  assert.match(String(sent[1]!.data['text/plain']), /\|1,234\.6\|/);
});

const timings: string[] = [];
after(() => {
  if (timings.length) process.stderr.write(`notebook run times: ${timings.join(', ')}\n`);
});

for (const name of NAMES.filter((n) => !n.startsWith('05-'))) {
  test(`${name} runs top to bottom without errors, and its figures are the report's`, async () => {
    const e = await execute(name);
    timings.push(`${name} ${e.seconds.toFixed(1)} s`);
    assertRanClean(e);
    const shown = await assertFiguresAreTheReports(e, DATA);
    assert.ok(shown > 0, `${name} shows none of the report's figures`);
  });
}

test('05-collect.ipynb collects a tiny run as root into a temporary data folder and shows its figures', async () => {
  if (!isRoot && process.env.CI === 'true') assert.fail('the collect notebook needs root, and CI runs as root: run the suite as root');
  const dataDir = join(tmp, 'collect-data');
  await mkdir(dataDir, { recursive: true });
  const before = await readdir(join(DATA, 'runs'));
  const e = await execute('05-collect.ipynb', { dataDir, label: 'collect' });
  timings.push(`05-collect.ipynb ${e.seconds.toFixed(1)} s`);
  if (!isRoot) {
    // A developer's machine without root: the notebook must say to start Jupyter as root.
    assertStopped(e, 0, /needs root.*sudo npm run notebooks/);
    return;
  }
  assertRanClean(e);
  const runs = await readdir(join(dataDir, 'runs'));
  assert.equal(runs.length, 1, `one run in ${dataDir}/runs, got ${runs.join(', ')}`);
  const m = await loadManifest(join(dataDir, 'runs', runs[0]!));
  assert.equal(m.status, 'complete');
  assert.ok(m.items.every((i) => i.status === 'ok'), `every item ok: ${m.items.map((i) => `${i.id} ${i.status} ${i.reason ?? ''}`).join('; ')}`);
  assert.deepEqual(await readdir(join(DATA, 'runs')), before, 'the notebook must not write into data/ when CNIBENCH_DATA_DIR is set');
  assert.ok((await assertFiguresAreTheReports(e, dataDir)) >= 2, '05-collect.ipynb shows the new run\'s datapath and Fig. 3 panels');
});

test('with no runs, the notebooks stop with what to do (quick start: collect; pod launch: collect --launch)', async () => {
  const empty = join(tmp, 'empty-data');
  await mkdir(empty, { recursive: true });
  assertStopped(await execute('01-quick-start.ipynb', { dataDir: empty, label: 'empty' }), 1, /there are no runs in .*sudo npx cnibench collect/);
  assertStopped(await execute('04-pod-launch.ipynb', { dataDir: empty, label: 'empty' }), 1, /holds pod-launch timings.*--launch/);
});

test('run by an ordinary user, the collect notebook says to start Jupyter as root', async (t) => {
  if (!isRoot) return t.skip('needs root to switch to user nobody (without root the collect test above checks this)');
  // The clone may sit where user nobody cannot read it; then the in-process check of requireRoot() above applies.
  const probe = await execa('setpriv', [`--reuid=${NOBODY}`, `--regid=${NOBODY}`, '--clear-groups', 'test', '-r', join(ROOT, 'src', 'notebook', 'index.ts')], { reject: false });
  if (probe.exitCode !== 0) return t.skip('the project is not readable by user nobody here');
  const e = await execute('05-collect.ipynb', { as: NOBODY, label: 'nobody' });
  assertStopped(e, 0, /needs root.*sudo npm run notebooks/);
});
