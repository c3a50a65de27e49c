// The report built from the fixture run: numbers equal those recomputed from the raw files, the same bytes twice,
// offline and fully drawn in headless Chromium, a real PDF — and bad input (no data, a tampered file, hostile
// strings in a manifest, an unfinished run) noted in the page and on stderr, never trusted and never executed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { cp, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { execa } from 'execa';
import { attributeProfile, readPerfScript } from '../src/tools/perf/index.ts';
import { CLAIMS } from '../src/catalog/claims.ts';
import { FIGURES } from '../src/charts/index.ts';
import { buildReport, type BuildResult } from '../src/report/build.ts';
import { TITLE } from '../src/report/document.ts';
import { CHROMIUM, launchChromium, stampPdfDate } from '../src/report/pdf.ts';
import { runReport } from '../src/cli/report.ts';
import { cli } from './helpers/cli.ts';
import type { RunManifest } from '../src/collect/manifest.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
/** The netperf + profile fixture run, and a launch-only one (see fixtures/runs/README.md). */
const RUN = '20261126-120831-e600';
const LAUNCH_RUN = '20261126-133645-ee50';
const RAW = join(FIXTURES, 'runs', RUN, 'raw');
const HAVE_CHROMIUM = existsSync(CHROMIUM);
const chromiumSkip = HAVE_CHROMIUM || process.env.CI === 'true' ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium)`;

let tmp: string;
let cacheDir: string;
let main: BuildResult;
let mainLog: string[];

/** A build into a fresh folder under tmp, its stderr lines captured. */
async function build(name: string, dataDir: string, pdf = false): Promise<{ result: BuildResult; log: string[] }> {
  const log: string[] = [];
  const result = await buildReport({ dataDir, outDir: join(tmp, name), pdf, cacheDir, log: (l) => log.push(l) });
  return { result, log };
}

/** A copy of the fixture run that a test may damage. */
async function copyFixture(name: string): Promise<{ dataDir: string; runDir: string }> {
  const dataDir = join(tmp, `data-${name}`);
  await cp(join(FIXTURES, 'runs', RUN), join(dataDir, 'runs', RUN), { recursive: true });
  return { dataDir, runDir: join(dataDir, 'runs', RUN) };
}

const en = (v: number, digits: number) => v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / xs.length;

/** One netperf key from every repetition of a test, read straight from the raw files. */
async function rawValues(model: string, scenario: string, testName: string, key: string, root = RAW): Promise<number[]> {
  const dir = join(root, model, scenario, testName);
  const files = (await readdir(dir)).filter((f) => f.endsWith('.netperf.txt')).sort();
  return Promise.all(files.map(async (f) => Number((await readFile(join(dir, f), 'utf8')).match(new RegExp(`^${key}=(.+)$`, 'm'))![1])));
}

/** The cells of the HTML table row whose first cell is `label`, in the table following `caption`. */
function row(html: string, caption: RegExp, label: string): string[] {
  const start = html.search(caption);
  assert.ok(start >= 0, `no table captioned ${caption}`);
  const tableHtml = html.slice(start, html.indexOf('</table>', start));
  const tr = [...tableHtml.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => [...m[1]!.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].map((c) => c[1]!.replace(/<[^>]+>/g, '')));
  const found = tr.find((cells) => cells[0] === label);
  assert.ok(found, `no row "${label}" in the table captioned ${caption}`);
  return found;
}

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'cnibench-report-'));
  cacheDir = join(tmp, 'cache');
  ({ result: main, log: mainLog } = await build('main', FIXTURES, HAVE_CHROMIUM));
});

after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

test('Fig. 3 means in the report equal the means of the raw netperf output', async () => {
  const tput = mean(await rawValues('cilium', 'intra', 'tcp_stream', 'THROUGHPUT'));
  const cells = row(main.html, /Table [IVX]+\.<\/strong> Intra-host netperf results/, 'Cilium');
  assert.match(cells[1]!, new RegExp(`^${en(tput, 1)} \\(`), 'intra-host TCP throughput of Cilium');
  const udp = mean(await rawValues('calico-wp', 'intra', 'udp_rr', 'MEAN_LATENCY'));
  assert.match(row(main.html, /Intra-host netperf results/, 'Calico-wp')[3]!, new RegExp(`^${en(udp, 2)} \\(`), 'intra-host UDP_RR latency of Calico-wp');
  const inter = mean(await rawValues('flannel', 'inter', 'tcp_stream', 'THROUGHPUT'));
  assert.match(row(main.html, /Inter-host netperf results/, 'Flannel')[1]!, new RegExp(`^${en(inter, 1)} \\(`));
  // The figure's table is exported with full precision.
  const csv = await readFile(join(tmp, 'main', 'tables', 'fig3a.csv'), 'utf8');
  const line = csv.split('\n').find((l) => l.startsWith('cilium,'))!;
  assert.ok(Math.abs(Number(line.split(',')[7]) - tput) < 1e-9, `fig3a.csv mean of cilium: ${line}`);
});

test('a CPP total and a FIB count in the report equal Eq. III.1 and perf stat applied to the raw files', async () => {
  const run = JSON.parse(await readFile(join(FIXTURES, 'runs', RUN, 'manifest.json'), 'utf8')) as RunManifest;
  const item = run.items.find((i) => i.kind === 'profile' && i.model === 'cilium' && i.scenario === 'intra')!;
  const a = await attributeProfile(readPerfScript(join(RAW, 'cilium', 'intra', 'profile', 'record.perf-script.txt.gz')));
  const c = JSON.parse(await readFile(join(RAW, 'cilium', 'intra', 'profile', 'record.counters.json'), 'utf8')) as { rxBytes: number; rxPackets: number; serverMtu: number };
  const cycles = ((a.samples - a.idleSamples - a.foreignSamples) / item.profile!.freqHz) * run.host.cpuMHz * 1e6;
  const cells = row(main.html, /CPU cycles per packet, intra-host/, 'Cilium *');
  assert.equal(cells[1], en(cycles / (c.rxBytes / (c.serverMtu + 14)), 0), 'total CPP of Cilium, intra-host, per wire frame');
  assert.equal(cells[2], '', 'no confidence interval from a single profile');
  assert.equal(cells[3], en(cycles / c.rxPackets, 0), 'per skb, as the receiving interface counted them');
  assert.equal(cells[4], en(cycles / (c.rxBytes / 1024), 0), 'per KB received');

  const stat = await readFile(join(RAW, 'kube-router', 'inter', 'profile', 'stat.perf-stat.csv'), 'utf8');
  const fib = Number(stat.split('\n').find((l) => l.includes(',fib:fib_table_lookup,'))!.split(',')[0]);
  const sc = JSON.parse(await readFile(join(RAW, 'kube-router', 'inter', 'profile', 'stat.counters.json'), 'utf8')) as { rxBytes: number; serverMtu: number };
  const per100k = (fib / (sc.rxBytes / (sc.serverMtu + 14))) * 1e5;
  // The events table lists intra rows first; Kube-router's inter-host row is the one whose second cell says so.
  const interRow = [...main.html.matchAll(/<tr>\s*<td[^>]*>Kube-router<\/td>\s*<td[^>]*>inter<\/td>\s*<td[^>]*>([^<]+)<\/td>/g)].map((m) => m[1]);
  assert.deepEqual(interRow, [en(per100k, 0)], 'FIB lookups per 100,000 packets, Kube-router inter-host');
  assert.match(main.html, new RegExp(`Kube-router ${en(per100k, 0)}`), 'the FIB finding quotes the same number');
});

test('pod-launch means in the report equal the raw launch records; a model without launches is not in the table', async () => {
  const dir = join(FIXTURES, 'runs', LAUNCH_RUN, 'raw', 'calico-wp', 'launch');
  const recs = await Promise.all((await readdir(dir)).map(async (f) => JSON.parse(await readFile(join(dir, f), 'utf8')) as { totalMs: number; phases: { phase: string; ms: number }[] }));
  const cells = row(main.html, /Pod launches on the local testbed/, 'Calico-wp');
  assert.equal(cells[1], String(recs.length));
  assert.match(cells[2]!, new RegExp(`^${en(mean(recs.map((r) => r.totalMs)), 1)} \\(`), 'mean launch time of Calico-wp');
  const policy = mean(recs.map((r) => r.phases.find((p) => p.phase === 'policy')!.ms));
  assert.match(cells[4]!, new RegExp(`policy ${en(policy, 1)}`), 'mean policy re-sync of Calico-wp');
  assert.throws(() => row(main.html, /Pod launches on the local testbed/, 'Baseline'), /no row "Baseline"/);
});

test('the report has its parts: numbered sections, figures with captions, Table I, findings for every claim, provenance', async () => {
  const h = main.html;
  for (const s of ['1 Introduction', '2 The CNI plugins and their datapaths', '3 Experimental setup', '4 Intra-host performance', '5 Inter-host performance', '6 Where the cycles go', '7 Pod launch', '8 Findings', 'Appendix A. The datapath models in detail', 'Appendix B. Full result tables and the evidence of each finding', 'Appendix E. Provenance']) {
    assert.match(h, new RegExp(`<h2><a class="anchor" id="[^"]+"></a>${s.replace('.', '\\.')}</h2>`), s);
  }
  for (const id of ['fig1a', 'fig1b', 'figA1', 'figA2', 'fig3a', 'fig3b', 'fig3c', 'fig3d', 'fig3e', 'fig3f', 'fig4', 'fig5', 'fig6', 'fig7', 'fig8']) {
    assert.match(h, new RegExp(`<figure id="${id}"[^>]*>[\\s\\S]*?<svg[\\s\\S]*?<figcaption><span class="label">Fig\\. \\w+\\.</span>`), `figure ${id} is drawn with a caption`);
  }
  // Each figure sits in the section its registry entry names (the last section heading before it).
  for (const f of FIGURES.filter((x) => h.includes(`<figure id="${x.id}"`))) {
    const before = h.slice(0, h.indexOf(`<figure id="${f.id}"`));
    const sections = [...before.matchAll(/<h2><a class="anchor" id="([^"]+)"><\/a>/g)].map((m) => m[1]);
    assert.equal(sections.at(-1), f.section, `${f.id} is placed in ${f.section}`);
  }
  assert.match(h, /<strong>Table I\.<\/strong> Features of the five CNI plugins/);
  assert.match(h, /href="#fig3a">Fig\. 3a<\/a>/, 'cross-references link to figures');
  assert.equal([...h.matchAll(/<a class="anchor" id="finding-[^"]*"/g)].filter((m) => !m[0].endsWith('-evidence"')).length, CLAIMS.length, 'one finding per claim');
  assert.equal([...h.matchAll(/<a class="anchor" id="finding-[^"]*-evidence"/g)].length, CLAIMS.length, 'the evidence of every claim');
  assert.match(h, /<strong><a href="#finding-[^"]+">F\d+<\/a>\. Not measurable here<\/strong> — Weave pays/, 'the OVS claim cannot be measured without openvswitch');
  // A finding links to its figure, and the figure back to the finding.
  assert.match(h, /<td[^>]*><a class="anchor" id="finding-intra-cilium-throughput"><\/a><a href="#finding-intra-cilium-throughput-evidence">F\d+<\/a><\/td>\s*<td[^>]*>[^<]*<\/td>\s*<td[^>]*>Fig\. 3a → <a href="#fig3a">Fig\. 3a<\/a><\/td>/);
  assert.match(h, /<figure id="fig3a"[\s\S]*?<span class="checked">Checked in <a href="#finding-intra-cilium-throughput">F\d+<\/a>/);
  // The contents: every section and appendix heading, linked, and hidden in print.
  const toc = /<nav class="toc"[\s\S]*?<\/nav>/.exec(h)?.[0] ?? '';
  for (const m of h.matchAll(/<h2><a class="anchor" id="([^"]+)"><\/a>/g)) assert.match(toc, new RegExp(`href="#${m[1]}"`), `contents link to ${m[1]}`);
  assert.match(toc, /href="#h-3-1">3\.1 Host<\/a>/, 'subsections get an id and a line');
  assert.match(h, /@media print \{[^}]*\{[\s\S]*?nav\.toc \{ display: none; \}/);
  // Tables are numbered in reading order: the appendix's come after every table of the main body.
  const captions = [...h.matchAll(/<strong>Table ([IVXL]+)\.<\/strong>/g)].map((m) => m[1]!);
  const roman = (r: string) => [...r].reduce((acc, c, i, a) => { const v = { I: 1, V: 5, X: 10, L: 50 }[c as 'I']!; const next = { I: 1, V: 5, X: 10, L: 50 }[a[i + 1] as 'I'] ?? 0; return acc + (v < next ? -v : v); }, 0);
  assert.deepEqual(captions.map(roman), captions.map((_, i) => i + 1), 'captions numbered I, II, … in order');
  assert.ok(h.indexOf('id="table-intra"') > h.indexOf('id="appendix-results"'), 'the full netperf table is in the appendix');
  // Expected gaps are a table in §3.5, not alarms at the top.
  const box = /<blockquote>[\s\S]*?<\/blockquote>/.exec(h)?.[0] ?? '';
  assert.doesNotMatch(box, /skipped|has no inter-host path|launches no pods/, 'expected gaps are not in the box at the top');
  assert.match(h, /<td[^>]*>Has no inter-host path<\/td>\s*<td[^>]*>Baseline \(veth\) inter \(tcp_stream, tcp_rr, udp_rr, profile\)<\/td>/);
  assert.match(h, /<figure id="fig7"[^>]*>[\s\S]*?<svg[\s\S]*?Fig\. 7 — Pod launch time by phase, local testbed/, 'Fig. 7 drawn from the launch run');
  assert.match(h, /data of 26 November 2026/, 'the date is the data\'s, not the clock\'s');
  assert.match(h, /cycles are <strong>estimated<\/strong>/);
  const sha = (await readFile(join(tmp, 'main', 'tables', `raw-files-${RUN}.csv`), 'utf8')).split('\n').filter(Boolean);
  const manifest = JSON.parse(await readFile(join(FIXTURES, 'runs', RUN, 'manifest.json'), 'utf8')) as RunManifest;
  assert.equal(sha.length - 1, Object.keys(manifest.files).length, 'every raw file\'s checksum is exported');
  for (const f of main.figurePaths) assert.ok(existsSync(f), f);
  assert.ok(main.tablePaths.some((p) => p.endsWith('fig6.csv')));
  assert.deepEqual(mainLog, [
    'info: Run 20261126-120831-e600: baseline inter-host (tcp_stream, tcp_rr, udp_rr, profile) skipped (10 items): baseline has no inter-host path',
    'info: Run 20261126-133645-ee50: baseline (launch) skipped (3 items): baseline is a reference point, not a CNI: it launches no pods',
  ]);
});

test('same data and code give byte-identical HTML, with and without the figure cache', async () => {
  const log: string[] = [];
  const plain = await buildReport({ dataDir: FIXTURES, outDir: join(tmp, 'again'), pdf: false, log: (l) => log.push(l) });
  const cached = await build('cached', FIXTURES);
  assert.ok(plain.html === main.html, 'a second build without cache differs');
  assert.ok(cached.result.html === main.html, 'a build from the cache differs');
  assert.deepEqual(await readFile(join(tmp, 'again', 'index.html')), await readFile(join(tmp, 'main', 'index.html')));
  assert.doesNotMatch(main.html, /<script/, 'no scripts');
});

test('headless Chromium: nothing fetched, every figure drawn, no console errors', { skip: chromiumSkip }, async () => {
  const { browser, close } = await launchChromium();
  try {
    const page = await browser.newPage();
    const url = pathToFileURL(main.htmlPath).href;
    const requests: string[] = [];
    const errors: string[] = [];
    await page.setRequestInterception(true);
    page.on('request', (req) => {
      if (req.url() !== url) requests.push(req.url());
      void (req.url() === url ? req.continue() : req.abort());
    });
    page.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
    page.on('pageerror', (err) => errors.push(String(err)));
    await page.goto(url, { waitUntil: 'load' });
    const drawn = await page.$$eval('figure svg', (els) => els.filter((e) => { const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0; }).length);
    const figures = await page.$$eval('figure', (els) => els.length);
    assert.deepEqual(requests, [], 'the page requested something other than itself');
    assert.deepEqual(errors, []);
    assert.equal(drawn, main.figurePaths.length, 'every figure panel renders with a non-zero size');
    // Figs. 1a–b, 3a–f, 4, 5, 6, 7, 8, the full diagrams A1–A2 and the flame graphs C1–C2.
    assert.equal(figures, 17);
  } finally {
    await close();
  }
});

test('the committed reports/ is a fresh build of the committed data/ (same files, same bytes)', { skip: chromiumSkip, timeout: 300_000 }, async () => {
  const root = join(import.meta.dirname, '..');
  const { result } = await build('committed', join(root, 'data'), true);
  const files = async (dir: string) => (await readdir(dir, { recursive: true, withFileTypes: true })).filter((e) => e.isFile()).map((e) => relative(dir, join(e.parentPath, e.name))).sort();
  const fresh = join(tmp, 'committed');
  const committed = join(root, 'reports');
  // reports/README.md is written by hand (what the folder holds), interactive.html made on demand and not committed;
  // everything else is the build's.
  assert.deepEqual((await files(committed)).filter((f) => f !== 'README.md' && f !== 'interactive.html'), await files(fresh), 'the same files (rebuild with: npm run report, then commit reports/)');
  const differ: string[] = [];
  for (const f of await files(fresh)) if (!(await readFile(join(fresh, f))).equals(await readFile(join(committed, f)))) differ.push(f);
  assert.deepEqual(differ, [], 'reports/ differs from a fresh build of data/: run npm run report and commit reports/');
  assert.ok(result.pdfPath);
});

test('the PDF carries the report\'s date, not the build\'s clock: the same data gives the same bytes', () => {
  const made = (when: string) => Buffer.from(`%PDF-1.4\n1 0 obj\n<</Title (x)\n/CreationDate (D:${when}+00'00')\n/ModDate (D:${when}+00'00')>>\nendobj\n`, 'latin1');
  const a = stampPdfDate(made('20261130153741'), '2026-11-30T13:24:53.120Z');
  const b = stampPdfDate(made('20261201090000'), '2026-11-30T13:24:53.120Z');
  assert.deepEqual(a, b);
  assert.equal(a.length, made('20261130153741').length, 'offsets of the cross-reference table stay valid');
  assert.match(a.toString('latin1'), /\/CreationDate \(D:20261130132453\+00'00'\)\n\/ModDate \(D:20261130132453\+00'00'\)/);
  // No date to use (no runs): the PDF is left as Chromium wrote it.
  assert.deepEqual(stampPdfDate(made('20261130153741'), undefined), made('20261130153741'));
});

test('the PDF has pages, the title and the findings', { skip: chromiumSkip }, async () => {
  assert.ok(main.pdfPath && existsSync(main.pdfPath));
  const info = await execa('pdfinfo', [main.pdfPath]);
  const pages = Number(info.stdout.match(/^Pages:\s+(\d+)/m)![1]);
  assert.ok(pages >= 2, `${pages} pages`);
  assert.match(info.stdout, /Page size:\s+595\.\d+ x 841\.\d+ pts \(A4\)/);
  const text = (await execa('pdftotext', [main.pdfPath, '-'])).stdout.replace(/\s+/g, ' ');
  assert.ok(text.includes(TITLE), 'title in the PDF');
  assert.match(text, /\b8 Findings\b/);
  assert.match(text, /Fig\. 3a\./);
});

test('an empty data directory gives a report that says there is no data and how to collect', async () => {
  const empty = join(tmp, 'empty-data');
  // A folder that is not a run (no readable manifest) is noted, not fatal.
  await mkdir(join(empty, 'runs', 'half-copied'), { recursive: true });
  await writeFile(join(empty, 'runs', 'half-copied', 'manifest.json'), '{"schema": "cnibench.run/1", ');
  const { result, log } = await build('empty', empty);
  assert.match(result.html, /No runs in [^<]*runs: there is nothing to report yet\. Collect one with &quot;sudo npx cnibench collect&quot;/);
  assert.match(result.html, /half-copied was left out: [^<]*manifest\.json is not valid JSON/);
  assert.match(result.html, /This report has no measurements yet/);
  assert.equal(log.length, 2, log.join('\n'));
  assert.match(log[0]!, /^warning: .*half-copied was left out/);
  assert.match(log[1]!, /^warning: No runs in /);
  assert.ok(result.findings.every((f) => f.verdict === 'not measurable'), 'no verdict without data');
  assert.match(result.html, /<figure id="fig3a" class="figure">\s*<div class="gap">Not drawn: no sound intra-host tcp_stream results/);
  assert.match(result.html, /<figure id="fig1a"[\s\S]*?<svg/, 'Fig. 1 needs no data');
});

test('a tampered raw file is noted and its value never shown; the rest of the run is used', async () => {
  const { dataDir, runDir } = await copyFixture('tampered');
  const rel = 'raw/cilium/intra/tcp_stream/rep-001.netperf.txt';
  const text = await readFile(join(runDir, rel), 'utf8');
  await writeFile(join(runDir, rel), text.replace(/^THROUGHPUT=.*$/m, 'THROUGHPUT=987654.32'));
  const { result, log } = await build('tampered', dataDir);
  assert.match(result.html, new RegExp(`raw file ${rel.replace(/[./]/g, '\\$&')} changed since collection \\(checksum mismatch\\)`));
  assert.ok(log.some((l) => l.startsWith('warning: ') && l.includes(rel) && l.includes('checksum mismatch')), log.join('\n'));
  assert.doesNotMatch(result.html, /987[,.]?654/);
  assert.doesNotMatch(await readFile(join(tmp, 'tampered', 'tables', 'fig3a.csv'), 'utf8'), /987654/);
  const rest = mean((await rawValues('cilium', 'intra', 'tcp_stream', 'THROUGHPUT', join(runDir, 'raw'))).filter((v) => v !== 987654.32));
  assert.match(row(result.html, /Intra-host netperf results/, 'Cilium')[1]!, new RegExp(`^${en(rest, 1)} \\(`), 'mean of the two sound repetitions');
  assert.equal(row(result.html, /Intra-host netperf results/, 'Cilium')[4], '2–3', 'two throughput repetitions left, three of each RR test');
});

test('hostile strings in a manifest are escaped; failed, skipped and unfinished items are noted', async () => {
  const { dataDir, runDir } = await copyFixture('hostile');
  const path = join(runDir, 'manifest.json');
  const m = JSON.parse(await readFile(path, 'utf8')) as RunManifest;
  const evil = '<script>alert(1)</script>';
  m.emulation.cilium = [...(m.emulation.cilium ?? []), `${evil} | *x* [y](javascript:alert(2))`];
  const failed = m.items.find((i) => i.model === 'kube-router' && i.scenario === 'inter' && i.test === 'udp_rr')!;
  Object.assign(failed, { status: 'failed', reason: `netserver unreachable ${evil}` });
  const pending = m.items.find((i) => i.model === 'calico-wp' && i.scenario === 'inter' && i.kind === 'profile')!;
  Object.assign(pending, { status: 'pending' });
  m.status = 'interrupted';
  await writeFile(path, JSON.stringify(m, null, 2));
  const { result, log } = await build('hostile', dataDir);
  const h = result.html;
  assert.doesNotMatch(h, /<script/i);
  assert.doesNotMatch(h, /href="javascript:/);
  assert.match(h, /&lt;script&gt;alert\(1\)&lt;\/script&gt; \| \*x\* \[y\]\(javascript:alert\(2\)\)/, 'the emulation note is shown literally');
  assert.match(h, /kube-router inter-host \(udp_rr\) failed \(1 item\): netserver unreachable &lt;script&gt;/);
  assert.match(h, /Run 20261126-120831-e600 is interrupted: 1 item never finished/);
  assert.ok(log.some((l) => l === `warning: Run ${RUN}: kube-router inter-host (udp_rr) failed (1 item): netserver unreachable ${evil}`), log.join('\n'));
  assert.ok(log.some((l) => l.startsWith(`warning: Run ${RUN} is interrupted`)));
  assert.equal(row(h, /Inter-host netperf results/, 'Kube-router')[4], '2–3', 'the failed repetition is left out');
  assert.doesNotMatch(await readFile(join(tmp, 'hostile', 'tables', 'fig5.csv'), 'utf8'), /calico-wp,inter/, 'the unfinished profile is not used');
});

test('cnibench report refuses an unknown run id', async () => {
  await assert.rejects(runReport(['--run', 'no-such-run', '--data-dir', FIXTURES, '--no-pdf', '--out', join(tmp, 'cli')]), /no run "no-such-run"/);
  await assert.rejects(runReport(['--pdf', '--no-pdf']), /contradict/);
});

test('a run made before conditions were recorded still loads: its method is stated and its conditions are "not recorded"', async () => {
  assert.match(main.html, /Method and machine conditions/);
  assert.match(main.html, /made before the method was controlled/);
  assert.match(main.html, /Machine conditions were not recorded for this run/);
  assert.match(main.html, /Appendix D\. Stability of every configuration/);
  const summary = await cli(['summary', RUN, '--data-dir', FIXTURES]);
  assert.equal(summary.exitCode, 0, summary.stderr);
  assert.match(summary.stdout, /conditions not recorded/);
  assert.match(summary.stdout, /fixed count \(\d+ repetitions\)/);
});

test('a rebuild whose HTML did not change keeps the PDF it printed (same bytes, not printed again)', { skip: chromiumSkip }, async () => {
  const before = await readFile(main.pdfPath!);
  // The PDF has an outline (bookmarks) of the headings, titled as the sections are.
  assert.match(before.toString('latin1'), /\/Outlines \d+ 0 R/, 'the PDF has an outline');
  const again = await build('main', FIXTURES, true);
  assert.equal(again.result.pdfReused, true);
  assert.ok(again.result.timings.pdf < 1000, `${again.result.timings.pdf} ms for a PDF that needed no printing`);
  assert.deepEqual(await readFile(main.pdfPath!), before);
  // A PDF that is not the one printed from this HTML (edited, or another build's) is printed again.
  await writeFile(main.pdfPath!, Buffer.concat([before, Buffer.from('\n% edited\n')]));
  const edited = await build('main', FIXTURES, true);
  assert.equal(edited.result.pdfReused, false);
  assert.deepEqual(await readFile(main.pdfPath!), before, 'the same data prints the same bytes');
});

test('cnibench report stops at once when nothing it reads or wrote changed, and rebuilds when something did', async () => {
  const { dataDir, runDir } = await copyFixture('uptodate');
  const out = join(tmp, 'uptodate-out');
  const report = () => cli(['report', '--data-dir', dataDir, '--out', out, '--no-pdf']);
  const first = await report();
  assert.equal(first.exitCode, 0, first.stderr);
  assert.match(first.stdout, /built in \d+ ms/);
  const second = await report();
  assert.equal(second.exitCode, 0, second.stderr);
  assert.match(second.stdout, /is up to date: no file under .*runs, no source and no output changed since it was built \(--force rebuilds it anyway\)/);
  // A raw file touched, an output removed, or --force: a real build each time.
  const raw = join(runDir, 'manifest.json');
  await writeFile(raw, await readFile(raw));
  assert.match((await report()).stdout, /built in \d+ ms/, 'an input changed');
  await rm(join(out, 'figures', 'fig4.svg'));
  assert.match((await report()).stdout, /built in \d+ ms/, 'an output went missing');
  assert.ok(existsSync(join(out, 'figures', 'fig4.svg')), 'and is written again');
  assert.match((await report()).stdout, /is up to date/);
  assert.match((await cli(['report', '--data-dir', dataDir, '--out', out, '--no-pdf', '--force'])).stdout, /built in \d+ ms/);
});
