// Every notice and error text the report stage can raise, in one place so they read alike (in the report and on stderr).

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export const MSG = {
  noData: (runsDir: string) => `No runs in ${runsDir}: there is nothing to report yet. Collect one with "sudo npx cnibench collect" (add --profile for cycles per packet), then run "npm run report" again.`,
  notARun: (dir: string, why: string) => `${dir} was left out: ${why}`,
  unknownRun: (id: string, runsDir: string) => `no run "${id}" in ${runsDir} (ls ${runsDir} lists the runs).`,
  unfinished: (run: string, status: string, pending: number) =>
    `Run ${run} is ${status === 'running' ? 'still marked running (collecting now, or it crashed)' : status === 'interrupted' ? 'interrupted' : `marked ${status}`}: ${plural(pending, 'item')} never finished; the report uses the items that did${status === 'interrupted' ? ` (finish it with "cnibench collect --resume ${run}")` : ''}.`,
  badFile: (run: string, file: string, why: string) => `Run ${run}: raw file ${file} ${why}; the item it belongs to is left out.`,
  failed: (run: string, what: string, n: number, reason: string) => `Run ${run}: ${what} failed (${plural(n, 'item')}): ${reason}`,
  skipped: (run: string, what: string, n: number, reason: string) => `Run ${run}: ${what} skipped (${plural(n, 'item')}): ${reason}`,
  noChromium: (path: string) => `no PDF: Chromium was not found at ${path} (install the Debian package chromium, or pass --no-pdf).`,
  pdfFailed: (detail: string) => `no PDF: Chromium could not print the report: ${detail}`,
  figureFailed: (id: string, detail: string) => `Figure ${id} could not be drawn: ${detail}`,
} as const;
