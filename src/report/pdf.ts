// The PDF: the very HTML page printed by the system Chromium through puppeteer-core (never a downloaded browser),
// offline — any request other than the page itself is refused.
import { access, mkdtemp, rm } from 'node:fs/promises';
import { constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { MSG } from './messages.ts';

export { CHROMIUM } from './chromiumPath.ts';
import { CHROMIUM } from './chromiumPath.ts';

/** Flags for a quiet, sandbox-free headless run that never phones home. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

/** Chromium is not there: the caller decides whether that is fatal (asked for --pdf) or a note. */
export class ChromiumMissingError extends Error {
  override name = 'ChromiumMissingError';
}

/** Starts the system Chromium with a fresh profile; `close` also removes the profile. */
export async function launchChromium(executablePath = CHROMIUM): Promise<{ browser: Browser; close: () => Promise<void> }> {
  try {
    await access(executablePath, constants.X_OK);
  } catch {
    throw new ChromiumMissingError(MSG.noChromium(executablePath));
  }
  const userDataDir = await mkdtemp(join(tmpdir(), 'cnibench-chromium-'));
  try {
    const browser = await puppeteer.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, userDataDir });
    return {
      browser,
      close: async () => {
        await browser.close().catch(() => undefined);
        await rm(userDataDir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await rm(userDataDir, { recursive: true, force: true });
    throw err;
  }
}

/** Prints `htmlPath` to PDF bytes: A4, backgrounds, page numbers in the footer. */
export async function printPdf(htmlPath: string, executablePath = CHROMIUM): Promise<Uint8Array> {
  const { browser, close } = await launchChromium(executablePath);
  try {
    const page = await browser.newPage();
    const url = pathToFileURL(htmlPath).href;
    await page.setRequestInterception(true);
    page.on('request', (req) => (req.url() === url ? req.continue() : req.abort()));
    await page.goto(url, { waitUntil: 'load' });
    // Links to files beside the page (the CSVs of the figures) would become absolute file:// URIs of this machine's
    // folder: useless once the PDF is moved, and they make two checkouts' PDFs differ. The PDF keeps the links
    // within the document (#fig4…) and to the web; the file names stay readable as text.
    await page.evaluate(() => {
      for (const a of document.querySelectorAll('a[href]')) {
        const href = a.getAttribute('href') ?? '';
        if (!href.startsWith('#') && !/^https?:/.test(href)) a.removeAttribute('href');
      }
      // Vega labels every mark of a chart for assistive technology (role, aria-label: 9,446 of them in the reference
      // report). A tagged PDF turns each into a structure element: 5.4 MB instead of 3.1 MB, and a third of the print
      // time. In the PDF a chart is one image, named by its figure's caption; the HTML keeps every mark's label.
      for (const svg of document.querySelectorAll('svg')) {
        for (const el of svg.querySelectorAll('[role], [aria-label], [aria-roledescription]')) {
          for (const name of ['role', 'aria-label', 'aria-roledescription']) el.removeAttribute(name);
        }
        svg.removeAttribute('aria-roledescription');
        const caption = svg.closest('figure')?.querySelector('figcaption')?.textContent?.trim();
        // A chart outside a figure has no name to give: it is left out of the tag tree rather than left unnamed.
        if (caption) {
          svg.setAttribute('role', 'img');
          svg.setAttribute('aria-label', caption);
        } else svg.setAttribute('aria-hidden', 'true');
      }
    });
    return await page.pdf({
      format: 'A4',
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate: '<div style="width:100%;font:8px sans-serif;color:#666;text-align:center"><span class="pageNumber"></span> / <span class="totalPages"></span></div>',
      margin: { top: '15mm', bottom: '17mm', left: '15mm', right: '15mm' },
      // Bookmarks from the headings, so a PDF reader shows the contents beside the pages (needs a tagged PDF).
      outline: true,
      tagged: true,
    });
  } finally {
    await close();
  }
}

/**
 * Chromium stamps the PDF with the clock of the build (`/CreationDate`, `/ModDate`), so two builds of the same data
 * would differ. Both are set to the report's own date (its newest run's), as the HTML is: same data, same bytes.
 * The stamps keep their length, so the cross-reference offsets stay valid.
 */
export function stampPdfDate(pdf: Buffer, isoDate: string | undefined): Buffer {
  const d = isoDate ? new Date(isoDate) : undefined;
  if (!d || Number.isNaN(d.getTime())) return pdf;
  const pad = (n: number) => String(n).padStart(2, '0');
  const stamp = `D:${d.getUTCFullYear()}${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}+00'00'`;
  const text = pdf.toString('latin1').replace(/\/(CreationDate|ModDate) \(D:\d{14}[+\-Z][^)]*\)/g, (all, key: string) => {
    const next = `/${key} (${stamp})`;
    return next.length === all.length ? next : all;
  });
  return Buffer.from(text, 'latin1');
}
