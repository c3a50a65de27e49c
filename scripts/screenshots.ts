// Screenshots for the README (npm run screenshots; needs Jupyter with the tslab kernel and Chromium, as the tests):
//   docs/notebook.png            03-overhead-breakdown run in the classic Notebook (npm run notebooks), at Figs. 4–5
//   docs/report-first-page.png   the first screen of reports/index.html, opened offline from file://
// Both at 1280×900 in the system Chromium (headless). Neither the notebook nor the report is written.
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser } from 'puppeteer-core';
import { closeNotebook, openNotebook, runAll, startChromium, startNotebooks } from '../test/helpers/notebookBrowser.ts';
import { ROOT } from '../test/helpers/notebooks.ts';

const DOCS = join(ROOT, 'docs');
const VIEWPORT = { width: 1280, height: 900 };

async function notebookShot(browser: Browser, out: string): Promise<void> {
  const server = await startNotebooks();
  try {
    const page = await openNotebook(browser, server, '03-overhead-breakdown.ipynb');
    try {
      const seconds = await runAll(page);
      process.stderr.write(`screenshots: 03-overhead-breakdown ran in ${seconds.toFixed(1)} s\n`);
      // The heading of Figs. 4 and 5 at the top of the window, Fig. 4 under it; the cell cursor out of sight.
      const found = await page.evaluate(() => {
        const nb = globalThis.Jupyter.notebook;
        const cells = nb.get_cells();
        const at = cells.findIndex((c: any) => c.cell_type === 'markdown' && /^##\s+Figs?\. 4/m.test(c.get_text()));
        if (at < 0) return false;
        // As a reader's page looks once saved: no "unsaved changes", outputs trusted, no cell framed as selected.
        nb.set_dirty(false);
        nb.trusted = true;
        nb.events.trigger('trust_changed.Notebook', { value: true });
        nb.select(nb.ncells() - 1);
        nb.command_mode();
        (document.activeElement as HTMLElement | null)?.blur();
        cells[at].element[0].scrollIntoView({ block: 'start' });
        return true;
      });
      if (!found) throw new Error('03-overhead-breakdown has no "## Figs. 4 …" heading to show');
      await new Promise((r) => setTimeout(r, 500));
      await page.screenshot({ path: out });
    } finally {
      await closeNotebook(page);
    }
  } finally {
    await server.stop();
  }
}

async function reportShot(browser: Browser, out: string): Promise<void> {
  const html = join(ROOT, 'reports', 'index.html');
  if (!existsSync(html)) throw new Error(`${html} is missing: build the report first (npm run report)`);
  const url = pathToFileURL(html).href;
  const page = await browser.newPage();
  try {
    await page.setViewport(VIEWPORT);
    // Offline, as the PDF is printed: the page itself and nothing else.
    await page.setRequestInterception(true);
    page.on('request', (req) => (req.url() === url || req.url().startsWith('data:') ? req.continue() : req.abort()));
    await page.goto(url, { waitUntil: 'load' });
    await page.screenshot({ path: out });
  } finally {
    await page.close();
  }
}

await mkdir(DOCS, { recursive: true });
const { browser, close } = await startChromium();
try {
  await notebookShot(browser, join(DOCS, 'notebook.png'));
  await reportShot(browser, join(DOCS, 'report-first-page.png'));
  process.stderr.write(`screenshots: wrote ${join('docs', 'notebook.png')} and ${join('docs', 'report-first-page.png')}\n`);
} finally {
  await close();
}
