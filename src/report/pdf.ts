// The PDF: the very HTML page printed by the system Chromium through puppeteer-core (never a downloaded browser),
// offline — any request other than the page itself is refused.
import { access, mkdtemp, rm } from 'node:fs/promises';
import { constants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { MSG } from './messages.ts';

export const CHROMIUM = '/usr/bin/chromium';

/** Flags for a quiet, sandbox-free headless run that never phones home. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];

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
    return await page.pdf({
      format: 'A4',
      printBackground: true,
      displayHeaderFooter: true,
      headerTemplate: '<span></span>',
      footerTemplate: '<div style="width:100%;font:8px sans-serif;color:#666;text-align:center"><span class="pageNumber"></span> / <span class="totalPages"></span></div>',
      margin: { top: '15mm', bottom: '17mm', left: '15mm', right: '15mm' },
    });
  } finally {
    await close();
  }
}
