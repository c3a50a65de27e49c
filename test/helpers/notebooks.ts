// What the notebook tests share: Debian's Jupyter and its prerequisites, running a notebook headless, the shape
// of an executed notebook, and how to tell a drawn chart from an empty <svg>.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { FIGURE_CLASS } from '../../src/notebook/display.ts';

export const ROOT = resolve(import.meta.dirname, '..', '..');
export const NOTEBOOKS = join(ROOT, 'notebooks');
export const DATA = join(ROOT, 'data');
/** Debian's Jupyter: the python3 first on PATH may be another one, without Jupyter. */
export const JUPYTER = '/usr/bin/jupyter';
export const BIN = join(ROOT, 'node_modules', '.bin');
export const SETUP = 'run sudo bash scripts/setup.sh (Debian packages jupyter-notebook, jupyter-nbconvert, python3-nbclient, chromium; npm ci; the tslab kernel)';

export interface Output {
  output_type: string;
  name?: string;
  text?: string | string[];
  ename?: string;
  evalue?: string;
  data?: Record<string, unknown>;
  metadata?: { cnibench?: { figure: string; file?: string; runs?: string[] } };
}

export interface Cell {
  id?: string;
  cell_type: string;
  source: string | string[];
  execution_count?: number | null;
  outputs?: Output[];
}

export interface Notebook {
  cells: Cell[];
  metadata: { kernelspec?: { name?: string } };
}

export const text = (v: unknown) => (Array.isArray(v) ? v.join('') : String(v ?? ''));
export const codeCells = (nb: Notebook) => nb.cells.filter((c) => c.cell_type === 'code');

/** The environment Jupyter and its kernel get: tslab on PATH, no inherited data folder or test-runner context. */
export function jupyterEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env)) if (v !== undefined && !k.startsWith('NODE_TEST') && k !== 'CNIBENCH_DATA_DIR' && k !== 'NODE_OPTIONS') env[k] = v;
  return { ...env, PATH: `${BIN}:/usr/bin:/bin:${process.env.PATH ?? ''}`, PYDEVD_DISABLE_FILE_VALIDATION: '1', ...extra };
}

/** Jupyter, nbconvert and the tslab kernel are there; each missing one fails with the fix. */
export async function assertJupyter(): Promise<void> {
  assert.ok(existsSync(JUPYTER), `Jupyter is missing (${JUPYTER}): ${SETUP}.`);
  assert.ok(existsSync(join(BIN, 'tslab')), `tslab is missing (${join(BIN, 'tslab')}): run npm ci (or ${SETUP}).`);
  const specs = await execa(JUPYTER, ['kernelspec', 'list', '--json'], { reject: false, env: jupyterEnv() });
  assert.equal(specs.exitCode, 0, `"jupyter kernelspec list" failed: ${specs.stderr}\n${SETUP}.`);
  assert.ok(/"tslab"/.test(specs.stdout), `the tslab Jupyter kernel is not registered: ${SETUP}.`);
  const nbconvert = await execa(JUPYTER, ['nbconvert', '--version'], { reject: false, env: jupyterEnv() });
  assert.equal(nbconvert.exitCode, 0, `jupyter nbconvert is missing: ${SETUP}.`);
}

/** Executes notebooks/<name> headless into outDir (the committed file is never written); returns the executed notebook. */
export async function executeNotebook(name: string, outDir: string, opts: { dataDir?: string } = {}): Promise<{ nb: Notebook; path: string; seconds: number }> {
  await mkdir(outDir, { recursive: true });
  const t0 = performance.now();
  const r = await execa(JUPYTER, ['nbconvert', '--to', 'notebook', '--execute', '--allow-errors', '--ExecutePreprocessor.kernel_name=tslab',
    '--ExecutePreprocessor.timeout=240', '--output-dir', outDir, join(NOTEBOOKS, name)], {
    reject: false, cwd: NOTEBOOKS, env: jupyterEnv(opts.dataDir ? { CNIBENCH_DATA_DIR: opts.dataDir } : {}), extendEnv: false, timeout: 300_000,
  });
  const seconds = (performance.now() - t0) / 1000;
  assert.equal(r.exitCode, 0, `${name}: jupyter nbconvert --execute failed (exit ${r.exitCode}):\n${r.stderr.split('\n').slice(-15).join('\n')}`);
  const path = join(outDir, name);
  return { nb: JSON.parse(await readFile(path, 'utf8')) as Notebook, path, seconds };
}

/** Every error or stderr output of an executed notebook, named by cell (tslab reports errors on stderr). */
export function errorsOf(name: string, nb: Notebook): string[] {
  return codeCells(nb).flatMap((c, i) => (c.outputs ?? [])
    .filter((o) => o.output_type === 'error' || (o.output_type === 'stream' && o.name === 'stderr'))
    .map((o) => `${name}, code cell ${i + 1} (id ${c.id}): ${text(c.source).split('\n')[0]}\n→ ${(o.output_type === 'error' ? `${o.ename}: ${o.evalue}` : text(o.text)).slice(0, 1500)}`));
}

/**
 * The drawn marks of a Vega SVG: the `<path>`s with a non-empty `d` and the `<line>`s inside its data-mark groups
 * (`<g class="mark-rect role-mark …">` and the like: bars, lines, rules, symbols) — not axes, legends or the frame.
 * An SVG whose elements were stripped, or a chart of no data, has none.
 */
export function dataMarks(svg: string): number {
  let n = 0;
  for (const m of svg.matchAll(/<g class="mark-(?!group\b)[a-z]+ role-mark\b[^"]*"[^>]*>(.*?)<\/g>/gs)) {
    n += (m[1]!.match(/<path\b[^>]*\sd="[^"]+"/g) ?? []).length + (m[1]!.match(/<line\b/g) ?? []).length;
  }
  return n;
}

/** A chart's figure block (src/notebook/display.ts figureMarkdown) anywhere in HTML or Markdown: its figure id and SVG. */
export interface FigureBlock {
  figure: string;
  svg: string;
}

const FIGURE_BLOCK = new RegExp(`<div class="${FIGURE_CLASS}" data-figure="([^"]*)">(<svg\\b.*?</svg>)</div>`, 'gs');

export function figureBlocks(html: string): FigureBlock[] {
  return [...html.matchAll(FIGURE_BLOCK)].map((m) => ({ figure: unescapeHtml(m[1]!), svg: m[2]! }));
}

function unescapeHtml(s: string): string {
  return s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&amp;/g, '&');
}

/** Every chart an executed notebook showed, in order: its metadata and the SVG of its image/svg+xml representation. */
export function shownCharts(nb: Notebook): { cell: number; figure: string; svg: string; markdown: string }[] {
  return codeCells(nb).flatMap((c, i) => (c.outputs ?? [])
    .filter((o) => o.output_type === 'display_data' && o.metadata?.cnibench)
    .map((o) => ({ cell: i + 1, figure: o.metadata!.cnibench!.figure, svg: text(o.data?.['image/svg+xml']), markdown: text(o.data?.['text/markdown']) })));
}
