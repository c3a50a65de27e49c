// The notebooks as a reader meets them: `npm run notebooks` (scripts/notebooks.sh) started on a free port, each
// notebook opened in headless Chromium (the system one, as the report's PDF uses), every cell run through the page
// (the classic Notebook's own "Run All"), and what the page then shows read back from the DOM.
// Used by test/notebooks-browser.test.ts and scripts/screenshots.ts.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, rmdir } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import type { Browser, Page } from 'puppeteer-core';
import { ChromiumMissingError, launchChromium } from '../../src/report/pdf.ts';
import { FIGURE_CLASS } from '../../src/notebook/display.ts';
import { NOTEBOOKS, ROOT, SETUP, jupyterEnv } from './notebooks.ts';

/** A free TCP port on 127.0.0.1 (Jupyter moves on to the next one by itself should it be taken meanwhile). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (addr && typeof addr === 'object' ? resolvePort(addr.port) : reject(new Error('no port'))));
    });
  });
}

export interface NotebookServer {
  /** http://127.0.0.1:PORT */
  origin: string;
  token: string;
  /** The process started (npm), leader of its own process group: Jupyter runs in that group. */
  pid: number;
  /** What the script and Jupyter printed on stderr so far. */
  log: () => string;
  /**
   * SIGTERM to the group started here (Jupyter then shuts its kernels down), SIGKILL if it has not ended in 20 s;
   * then removes the empty notebooks/.ipynb_checkpoints Jupyter makes when it opens a notebook, if it was not there.
   */
  stop: () => Promise<void>;
}

/** Starts `npm run notebooks` on a free port; resolves once Jupyter has printed its URL with the token. */
export async function startNotebooks(opts: { env?: Record<string, string>; timeoutMs?: number } = {}): Promise<NotebookServer> {
  const port = await freePort();
  const child: ChildProcess = spawn('npm', ['run', '--silent', 'notebooks'], {
    cwd: ROOT,
    env: jupyterEnv({ PORT: String(port), HOST: '127.0.0.1', ...opts.env }),
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let log = '';
  child.stdout!.on('data', (d: Buffer) => { log += d.toString(); });
  child.stderr!.on('data', (d: Buffer) => { log += d.toString(); });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const pid = child.pid!;
  const checkpoints = join(NOTEBOOKS, '.ipynb_checkpoints');
  const hadCheckpoints = existsSync(checkpoints);
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      let signalled = true;
      try { process.kill(-pid, 'SIGTERM'); } catch { signalled = false; }
      if (signalled) {
        const timer = setTimeout(() => { try { process.kill(-pid, 'SIGKILL'); } catch { /* already gone */ } }, 20_000);
        await exited;
        clearTimeout(timer);
      }
    }
    if (!hadCheckpoints && existsSync(checkpoints) && !(await readdir(checkpoints)).length) await rmdir(checkpoints).catch(() => undefined);
  };
  const deadline = Date.now() + (opts.timeoutMs ?? 60_000);
  for (;;) {
    const m = /http:\/\/127\.0\.0\.1:(\d+)\/\?token=([0-9a-f]+)/.exec(log);
    if (m) return { origin: `http://127.0.0.1:${m[1]}`, token: m[2]!, pid, log: () => log, stop };
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`npm run notebooks ended (exit ${child.exitCode ?? child.signalCode}) before Jupyter printed its URL:\n${log.trim()}\n${SETUP}.`);
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`npm run notebooks printed no URL within ${(opts.timeoutMs ?? 60_000) / 1000} s:\n${log.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The system Chromium (src/report/pdf.ts), or a failure that says how to install it. */
export async function startChromium(): Promise<{ browser: Browser; close: () => Promise<void> }> {
  try {
    return await launchChromium();
  } catch (err) {
    if (err instanceof ChromiumMissingError) throw new Error(`${err.message}\n${SETUP}.`);
    throw err;
  }
}

declare global {
  // The classic Notebook's page object, as far as these helpers use it.
  var Jupyter: any;
}

/**
 * Opens a notebook of the server in a new page (1280×900; requests beyond the server refused) and waits for its
 * kernel. Saving is switched off in the page, so running cells there never writes outputs into notebooks/.
 */
export async function openNotebook(browser: Browser, server: NotebookServer, name: string, timeoutMs = 60_000): Promise<Page> {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 900 });
  // tsx compiles these helpers with esbuild's keepNames, which wraps named functions in __name(): the page needs it too.
  await page.evaluateOnNewDocument('globalThis.__name = (fn) => fn;');
  await page.setRequestInterception(true);
  page.on('request', (req) => (req.url().startsWith(`${server.origin}/`) || req.url().startsWith('data:') ? req.continue() : req.abort()));
  await page.goto(`${server.origin}/notebooks/${encodeURIComponent(name)}?token=${server.token}`, { waitUntil: 'load', timeout: timeoutMs });
  try {
    await page.waitForFunction(() => Boolean(globalThis.Jupyter?.notebook?._fully_loaded), { timeout: timeoutMs });
  } catch (err) {
    throw new Error(`${name} did not load as a classic Notebook page (Debian's jupyter-notebook 6, which npm run notebooks starts when JupyterLab is not installed): ${err instanceof Error ? err.message : String(err)}\nJupyter said:\n${server.log().trim()}`);
  }
  await page.evaluate(() => {
    const nb = globalThis.Jupyter.notebook;
    nb.set_autosave_interval(0);
    nb.save_notebook = () => Promise.resolve();
    nb.save_checkpoint = () => undefined;
  });
  await page.waitForFunction(() => {
    const k = globalThis.Jupyter.notebook.kernel;
    return Boolean(k && k.is_connected() && k.info_reply?.protocol_version);
  }, { timeout: timeoutMs, polling: 200 });
  return page;
}

/** Cell → Run All, then waits until no cell is queued or running and the kernel is idle (twice in a row). */
export async function runAll(page: Page, timeoutMs = 300_000): Promise<number> {
  const t0 = performance.now();
  await page.evaluate(() => globalThis.Jupyter.notebook.execute_all_cells());
  const settled = () => page.evaluate(() => document.querySelectorAll('.cell.running').length === 0
    && Boolean(document.querySelector('#kernel_indicator_icon.kernel_idle_icon')));
  const deadline = Date.now() + timeoutMs;
  let calm = 0;
  while (calm < 2) {
    if (Date.now() > deadline) throw new Error(`cells still running after ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
    calm = (await settled()) ? calm + 1 : 0;
  }
  return (performance.now() - t0) / 1000;
}

/** One output of a code cell as the page holds it (model) and shows it (DOM). */
export interface PageOutput {
  type: string;
  mimes: string[];
  figure?: string;
  /** The element classes of the shown output (output_markdown, output_html, output_svg, output_stderr, …). */
  shownAs: string;
  /** Drawn data marks in the SVG shown, and in the SVG the output carries (parsed apart from the page). */
  marksShown: number;
  marksInData: number;
  /** Width × height the shown SVG takes on the page. */
  svgBox: [number, number];
  /** HTML tables: whether the output carries one, and rows shown. */
  tableInData: boolean;
  tableRowsShown: number;
  text: string;
}

export interface PageCell {
  index: number;
  source: string;
  prompt: number | string | null;
  outputs: PageOutput[];
  shownOutputs: number;
}

/** Every code cell of the open notebook: its prompt number, its outputs in the model and how each is shown. */
export function readCells(page: Page): Promise<PageCell[]> {
  return page.evaluate((figureClass: string) => {
    const MARKS = 'g.role-mark:not(.mark-group) > path, g.role-mark:not(.mark-group) > line';
    const marks = (root: ParentNode) => [...root.querySelectorAll(MARKS)].filter((el) => el.tagName.toLowerCase() === 'line' || (el.getAttribute('d') ?? '').trim() !== '').length;
    const cells = globalThis.Jupyter.notebook.get_cells().filter((c: any) => c.cell_type === 'code');
    return cells.map((c: any, index: number) => {
      const areas = [...c.output_area.element[0].querySelectorAll(':scope > .output_area')] as HTMLElement[];
      const outputs = (c.output_area.outputs as any[]).map((o, i) => {
        const el = areas[i];
        const sub = el?.querySelector('.output_subarea');
        const svg = el?.querySelector(`.${figureClass} svg`) ?? el?.querySelector('svg');
        const box = svg?.getBoundingClientRect();
        const data = o.data ?? {};
        const source = typeof data['image/svg+xml'] === 'string' ? new DOMParser().parseFromString(data['image/svg+xml'], 'image/svg+xml') : undefined;
        return {
          type: o.output_type,
          mimes: Object.keys(data),
          figure: o.metadata?.cnibench?.figure,
          shownAs: sub ? sub.className : '',
          marksShown: svg ? marks(svg) : 0,
          marksInData: source ? marks(source) : 0,
          svgBox: box ? [Math.round(box.width), Math.round(box.height)] : [0, 0],
          tableInData: typeof data['text/html'] === 'string' && data['text/html'].includes('<table'),
          tableRowsShown: el ? el.querySelectorAll('table tr').length : 0,
          text: (sub?.textContent ?? '').slice(0, 2000),
        };
      });
      return { index: index + 1, source: c.get_text(), prompt: c.input_prompt_number ?? null, outputs, shownOutputs: areas.length };
    });
  }, FIGURE_CLASS) as Promise<PageCell[]>;
}

/** Ends the notebook's kernel (the page's session) and closes the page. */
export async function closeNotebook(page: Page): Promise<void> {
  await page.evaluate(() => new Promise<void>((done) => {
    const session = globalThis.Jupyter.notebook.session;
    if (!session) return done();
    session.delete(() => done(), () => done());
    setTimeout(done, 5000);
  })).catch(() => undefined);
  await page.close().catch(() => undefined);
}
