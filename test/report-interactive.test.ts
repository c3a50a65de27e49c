// cnibench report --interactive: interactive.html beside the static page, every data figure's marks with a hover tip
// (an SVG <title>: n, mean, 95% CI, the repetitions) that agrees with the figure's CSV; still one file that fetches
// and runs nothing under the same CSP; the default build untouched by any of it (same index.html, same figures, no
// tips); the figure cache and the up-to-date check telling the two apart.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import Ajv from 'ajv';
import * as aq from 'arquero';
import type { TopLevelSpec } from 'vega-lite';
import { loadInputs } from '../src/report/inputs.ts';
import { deriveTables, type DerivedTables } from '../src/analysis/derive.ts';
import type { ServicePathRow } from '../src/analysis/servicePath.ts';
import { FIGURES, policyScaleSpec, renderSvg, serviceScaleSpec } from '../src/charts/index.ts';
import { loadRows, policySweepRows, scaleCycleRows } from './helpers/sweepRows.ts';
import { loadPoints, loadTimeSpec } from '../src/charts/fig11LoadTime.ts';
import { scaleCyclesSpec } from '../src/charts/fig12ScaleCycles.ts';
import { svgWithTitles, tipText } from '../src/charts/tips.ts';
import { buildReport, type BuildResult } from '../src/report/build.ts';
import { INTERACTIVE_FILE } from '../src/report/interactive.ts';
import { svgRenderer } from '../src/report/svgCache.ts';
import { inputsFingerprint, isUpToDate, recordBuild } from '../src/report/upToDate.ts';
import { CHROMIUM, launchChromium } from '../src/report/pdf.ts';
import { cli } from './helpers/cli.ts';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const chromiumSkip = existsSync(CHROMIUM) || process.env.CI === 'true' ? false : `no Chromium at ${CHROMIUM} (apt-get install chromium)`;

let tmp: string;
let cacheDir: string;
let tipped: BuildResult;
let plain: BuildResult;
let page: string;
const logs: Record<string, string[]> = { tipped: [], plain: [] };

before(async () => {
  tmp = await mkdtemp(join(tmpdir(), 'cnibench-interactive-'));
  cacheDir = join(tmp, 'cache');
  tipped = await buildReport({ dataDir: FIXTURES, outDir: join(tmp, 'tipped'), pdf: false, cacheDir, interactive: true, log: (l) => logs.tipped!.push(l) });
  plain = await buildReport({ dataDir: FIXTURES, outDir: join(tmp, 'plain'), pdf: false, cacheDir, log: (l) => logs.plain!.push(l) });
  page = await readFile(join(tmp, 'tipped', INTERACTIVE_FILE), 'utf8');
});

after(async () => {
  await rm(tmp, { recursive: true, force: true });
});

/** The HTML of one <figure> of a page. */
function figureHtml(html: string, id: string): string {
  const start = html.indexOf(`<figure id="${id}"`);
  assert.ok(start >= 0, `figure ${id} is in the page`);
  return html.slice(start, html.indexOf('</figure>', start));
}

/** The hover tips (SVG <title> text, entities decoded) of a figure's marks. */
function tips(figure: string): string[] {
  const decode = (s: string) => s.replace(/&#xA;/g, '\n').replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return [...figure.matchAll(/<(?:path|line|rect) class="tip"[^>]*><title>([^<]*)<\/title><\/(?:path|line|rect)>/g)].map((m) => decode(m[1]!));
}

const en = (v: number, digits: number) => v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

let derived: Promise<DerivedTables> | undefined;
/** The fixtures' derived tables, as the builds saw them. */
const fixtureTables = () => (derived ??= loadInputs(FIXTURES, []).then((i) => deriveTables(i.runs, { cacheDir: join(cacheDir, 'profiles') })));

/** The data figures of this build: those the registry has an interactive spec for and that were drawn. */
async function dataFigureIds(): Promise<string[]> {
  const d = await fixtureTables();
  return FIGURES.filter((f) => (!f.when || f.when(d)) && f.plan(d).specs.some((s) => s.interactive)).map((f) => f.id);
}

test('interactive.html is written beside the static page; index.html, the figures and the tables are the default build\'s, byte for byte', async () => {
  assert.equal(tipped.interactivePath, join(tmp, 'tipped', INTERACTIVE_FILE));
  assert.equal(plain.interactivePath, undefined);
  assert.ok(!existsSync(join(tmp, 'plain', INTERACTIVE_FILE)));
  assert.equal(tipped.html, plain.html, 'index.html does not depend on --interactive');
  assert.equal(await readFile(tipped.htmlPath, 'utf8'), await readFile(plain.htmlPath, 'utf8'));
  for (const dir of ['figures', 'tables']) {
    const files = (await readdir(join(tmp, 'plain', dir))).sort();
    assert.deepEqual((await readdir(join(tmp, 'tipped', dir))).sort(), files);
    for (const f of files) assert.ok((await readFile(join(tmp, 'tipped', dir, f))).equals(await readFile(join(tmp, 'plain', dir, f))), `${dir}/${f} is the static one`);
  }
  assert.deepEqual(logs.tipped, logs.plain, 'the same notices');
});

test('the default build carries no tips: no <title> in any figure, no tip class, no hover style', () => {
  assert.doesNotMatch(plain.html, /<svg[\s\S]*?<title>/, 'no SVG <title> in the static page');
  assert.doesNotMatch(plain.html, /class="tip"|interactive-note/);
  for (const id of ['fig3a', 'fig4', 'fig7']) assert.equal(tips(figureHtml(plain.html, id)).length, 0);
});

test('every data figure\'s marks carry a tip with n, mean, 95% CI and the repetitions; diagrams and flame graphs none', async () => {
  const ids = await dataFigureIds();
  // The fixtures have Fig. 3a–f, 4, 5, 6, 8 (netperf and profiles) and Fig. 7 (launches); no Service sweep (Fig. 9).
  assert.deepEqual(ids, ['fig3a', 'fig3b', 'fig3c', 'fig3d', 'fig3e', 'fig3f', 'fig4', 'fig5', 'fig6', 'fig8', 'fig7']);
  for (const id of ids) {
    const all = tips(figureHtml(page, id));
    assert.ok(all.length > 0, `${id} has tips`);
    for (const t of all) {
      assert.match(t, /^mean: /m, `${id}: a mean in\n${t}`);
      assert.match(t, /^95% CI: (?:[\d,.−-]+ – [\d,.−-]+|none)/m, `${id}: a CI in\n${t}`);
      assert.match(t, /^n = (?:1 (?:repetition|profile|launch)|\d+ (?:repetitions|profiles|launches))$/m, `${id}: n in\n${t}`);
      const n = Number(/^n = (\d+)/m.exec(t)![1]);
      const listed = /^(?:repetitions|profiles|launches): (.*(?:\n {4}.*)*)/m.exec(t);
      const range = /^range of the (\d+) \w+: /m.exec(t);
      assert.ok(listed || range, `${id}: the repetitions or their range in\n${t}`);
      if (listed) assert.equal(listed[1]!.split(/, |\n {4}/).length, n, `${id}: n values listed in\n${t}`);
      else assert.equal(Number(range![1]), n);
    }
    // Every mark that is labelled for assistive technology is a tipped one: no data mark without a tip.
    assert.doesNotMatch(figureHtml(page, id), /<(?:path|line|rect)\s[^>]*role="graphics-symbol"[^>]*\/>/, `${id}: an untipped data mark`);
  }
  for (const f of FIGURES.filter((x) => !ids.includes(x.id))) {
    if (!page.includes(`<figure id="${f.id}"`)) continue;
    const fig = figureHtml(page, f.id);
    assert.equal(tips(fig).length, 0, `${f.id} has no data points and no tips`);
    assert.equal(fig, figureHtml(plain.html, f.id), `${f.id} is drawn as in the static page`);
  }
});

test('the tips agree with the CSV behind the figure: one per bar and whisker of Fig. 3a, with its n, mean and CI', async () => {
  const rows = (aq.fromCSV((await readFile(join(tmp, 'tipped', 'tables', 'fig3a.csv'), 'utf8')).trimEnd()).objects() as { label: string; n: number; mean: number; ci95Low: number; ci95High: number; min: number; max: number }[]);
  const all = tips(figureHtml(page, 'fig3a'));
  assert.equal(all.length, 2 * rows.length, 'a bar and a whisker per model');
  for (const r of rows) {
    const mine = all.filter((t) => t.startsWith(`${r.label}\n`));
    assert.equal(mine.length, 2, r.label);
    const t = mine[0]!;
    // Throughput is drawn in Gbit/s once a bar reaches 1 Gbit/s, in Mbit/s below.
    const g = rows.some((x) => x.ci95High >= 1000);
    const [k, unit, d] = g ? [1e-3, 'Gbit/s', 2] : [1, 'Mbit/s', 0];
    assert.match(t, new RegExp(`^mean: ${en(r.mean * k, d)} ${unit}$`, 'm'), t);
    assert.match(t, new RegExp(`^95% CI: ${en(r.ci95Low * k, d)} – ${en(r.ci95High * k, d)} ${unit}$`, 'm'), t);
    assert.match(t, new RegExp(`^n = ${r.n} repetitions$`, 'm'), t);
    const values = /^repetitions: (.*(?:\n {4}.*)*)/m.exec(t)![1]!.split(/, |\n {4}/).map((v) => Number(v.replace(/,/g, '')));
    assert.equal(values.length, r.n);
    assert.ok(Math.abs(Math.min(...values) - r.min * k) <= 0.01 && Math.abs(Math.max(...values) - r.max * k) <= 0.01, 'the listed values span min–max');
  }
});

test('Fig. 7: a tip on each phase segment and on the CI whisker of each total; Figs. 4–5 each segment with the whole bar', () => {
  const fig7 = tips(figureHtml(page, 'fig7'));
  assert.ok(fig7.some((t) => /^Whole launch/m.test(t) && /^n = \d+ launches$/m.test(t)));
  assert.ok(fig7.some((t) => /^CNI ADD/m.test(t) && /^share of the launch: /m.test(t)));
  const fig4 = tips(figureHtml(page, 'fig4'));
  assert.ok(fig4.every((t) => /^whole bar: mean [\d,]+, 95% CI /m.test(t) && /^n = (?:1 profile|\d+ profiles)$/m.test(t)));
});

test('still one self-contained file: nothing to fetch, no script, the same CSP as index.html', () => {
  for (const html of [page, plain.html]) {
    assert.doesNotMatch(html, /<script|<link\b|<iframe|<object|<embed|<img\b/i, 'no script and nothing embedded');
    assert.doesNotMatch(html, /\ssrc\s*=/i, 'no src attribute anywhere');
    assert.doesNotMatch(html, /url\(\s*['"]?(?!#)/i, 'CSS and SVG url() only to ids in the page');
    assert.doesNotMatch(html, /@import/i);
    // http(s) only in links a reader may follow (citations), never on anything a browser loads.
    for (const m of html.matchAll(/<(\w+)\b[^>]*\s(?:xlink:)?href="https?:/gi)) assert.equal(m[1]!.toLowerCase(), 'a', `an http(s) reference on <${m[1]}>`);
    assert.doesNotMatch(html, /\son\w+\s*=/i, 'no event handlers');
  }
  const csp = (html: string) => /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)?.[1];
  assert.ok(csp(page));
  assert.equal(csp(page), csp(plain.html), 'the interactive page keeps the static page\'s policy');
  assert.match(csp(page)!, /default-src 'none'/);
  assert.doesNotMatch(csp(page)!, /script-src|connect-src|https?:/, 'no script, nothing to connect to');
  assert.match(page, /<title>[^<]* \(interactive\)<\/title>/);
  assert.match(page, /<p class="interactive-note">/);
});

test('headless Chromium: interactive.html requests nothing, logs no error (the CSP allows its style) and outlines the mark under the pointer', { skip: chromiumSkip }, async () => {
  const { browser, close } = await launchChromium();
  try {
    const tab = await browser.newPage();
    const url = pathToFileURL(tipped.interactivePath!).href;
    const requests: string[] = [];
    const errors: string[] = [];
    await tab.setRequestInterception(true);
    tab.on('request', (req) => {
      if (req.url() !== url) requests.push(req.url());
      void (req.url() === url ? req.continue() : req.abort());
    });
    tab.on('console', (msg) => { if (msg.type() === 'error') errors.push(msg.text()); });
    tab.on('pageerror', (err) => errors.push(String(err)));
    await tab.goto(url, { waitUntil: 'load' });
    assert.deepEqual(requests, []);
    assert.deepEqual(errors, []);
    const bar = await tab.$('#fig3a svg path.tip');
    assert.ok(bar);
    const stroke = () => bar.evaluate((e) => getComputedStyle(e).strokeWidth);
    const before = await stroke();
    await bar.hover();
    assert.notEqual(await stroke(), before, 'the hovered bar is outlined');
    assert.match(await bar.evaluate((e) => e.querySelector('title')!.textContent!), /\nn = \d+ repetitions\n/, 'the title is the browser\'s tooltip text');
  } finally {
    await close();
  }
});

test('a default build into a folder with an interactive.html removes it (it would describe other data)', async () => {
  const out = join(tmp, 'tipped');
  const log: string[] = [];
  await buildReport({ dataDir: FIXTURES, outDir: out, pdf: false, cacheDir, log: (l) => log.push(l) });
  assert.ok(!existsSync(join(out, INTERACTIVE_FILE)));
  assert.ok(log.some((l) => l.includes(`removed the earlier ${join(out, INTERACTIVE_FILE)}`)), log.join('\n'));
});

test('the figure cache keys static and interactive drawings apart', async () => {
  const dir = join(tmp, 'svg-cache');
  const spec = serviceScaleSpec(sweepRows(), { tips: true });
  const still = await (await svgRenderer(dir))(spec);
  const moving = await (await svgRenderer(dir, { interactive: true }))(spec);
  assert.doesNotMatch(still, /<title>/);
  assert.match(moving, /<title>/);
  assert.equal((await readdir(dir)).length, 2, 'two entries');
  // Hits come back as they were stored, each under its own key.
  assert.equal(await (await svgRenderer(dir, { interactive: true }))(spec), moving);
  assert.equal(await (await svgRenderer(dir))(spec), still);
});

test('--interactive is never "up to date" after a build without it, nor the reverse', async () => {
  const outDir = join(tmp, 'stamp');
  const stampCache = join(tmp, 'stamp-cache');
  const base = { dataDir: FIXTURES, runIds: [], pdf: false as const, chromium: CHROMIUM };
  const plainPrint = await inputsFingerprint(base);
  const tippedPrint = await inputsFingerprint({ ...base, interactive: true });
  assert.notEqual(plainPrint, tippedPrint);
  assert.equal(await inputsFingerprint({ ...base, interactive: false }), plainPrint, 'the default fingerprint is unchanged');
  await recordBuild(stampCache, outDir, plainPrint);
  assert.equal(await isUpToDate(stampCache, outDir, plainPrint), true);
  assert.equal(await isUpToDate(stampCache, outDir, tippedPrint), false);

  // The CLI, as a user runs it: plain build, then --interactive builds, then --interactive again is up to date.
  // The builds' figure and profile cache (warm), with stamps of their own (keyed by the output folder).
  const env = { CNIBENCH_CACHE_DIR: cacheDir };
  const out = join(tmp, 'cli');
  const report = (...extra: string[]) => cli(['report', '--data-dir', FIXTURES, '--out', out, '--no-pdf', ...extra], { env });
  assert.match((await report()).stdout, /built in/);
  const first = await report('--interactive');
  assert.match(first.stdout, /built in/, 'an interactive build after a plain one builds');
  assert.match(first.stdout, /interactive\.html \(the same page with hover tips/);
  assert.ok(existsSync(join(out, INTERACTIVE_FILE)));
  assert.match((await report('--interactive')).stdout, /is up to date/);
  assert.match((await report()).stdout, /built in/, 'and a plain one after it builds too (and removes interactive.html)');
  assert.ok(!existsSync(join(out, INTERACTIVE_FILE)));
});

test('--help of report documents --interactive', async () => {
  const help = await cli(['report', '--help']);
  assert.equal(help.exitCode, 0);
  assert.match(help.stdout, /--interactive\s+also write OUT\/interactive\.html/);
});

/** A synthetic sweep (as in spec-schema.test.ts): two models, their own Service datapaths, three sizes, two tests. */
function sweepRows(): ServicePathRow[] {
  return [['flannel', 'Flannel', 'iptables'], ['cilium', 'Cilium', 'ebpf']].flatMap(([model, label, proxy]) => [0, 1000, 10000].flatMap((services) => (['tcp_rr', 'tcp_crr'] as const).map((test) => ({
    run: 'r', model: model!, label: label!, scenario: 'intra', test, metric: 'transaction_rate' as const, unit: 'transactions/s', n: 5, mean: 10000 - services / 10, sd: 100,
    ci95Low: 9800 - services / 10, ci95High: 10200 - services / 10, median: 10000, q1: 9900, q3: 10100, min: 9700, max: 10300, proxy: proxy as 'iptables' | 'ebpf', services, target: 'service' as const,
  }))));
}

test('Fig. 9 (no sweep in the fixtures): every point, whisker and line has a tip; the points their n, mean, CI and range', async () => {
  const svg = svgWithTitles(await renderSvg(serviceScaleSpec(sweepRows(), { tips: true })));
  const all = tips(svg);
  // 2 models × 2 tests = 4 lines of 3 sizes: 4 lines, 12 drawn points (the line's), 12 whiskers, 12 hover targets.
  assert.equal(all.length, 4 + 12 + 12 + 12);
  const point = all.find((t) => t.startsWith('Flannel — kube-proxy, iptables\nIntra-host, TCP_RR, 1,000 other Services\n'));
  assert.ok(point, all.join('\n---\n'));
  assert.match(point, /^mean: 9,900 transactions\/s$/m);
  assert.match(point, /^95% CI: 9,700 – 10,100 transactions\/s$/m);
  assert.match(point, /^n = 5 rounds$/m);
  assert.match(point, /^range of the 5 rounds: 9,700 – 10,300 transactions\/s$/m);
  assert.ok(all.some((t) => /^mean transactions\/s \(95% CI\) by other Services:\n0: 10,000 \(9,800 – 10,200\), n = 5$/m.test(t)), 'a line says every size');
  // Without tips the spec is the static one.
  assert.doesNotMatch(JSON.stringify(serviceScaleSpec(sweepRows())), /"tip"|lineTip|description/);
});

test('tips: values listed up to 30, else their count and range; one value has no CI; labels become titles only on data marks', () => {
  const f = { unit: 'ms', digits: 1, of: 'launches', one: 'launch' };
  const few = tipText(['A'], { mean: 2, values: [1, 2, 3] }, f);
  assert.equal(few, 'A\nmean: 2.0 ms\n95% CI: -0.5 – 4.5 ms\nn = 3 launches\nlaunches: 1.0, 2.0, 3.0');
  const many = tipText(['A'], { mean: 20.5, values: Array.from({ length: 40 }, (_, i) => i + 1) }, f);
  assert.match(many, /^range of the 40 launches: 1\.0 – 40\.0 ms$/m);
  assert.doesNotMatch(many, /^launches:/m);
  assert.match(tipText(['A'], { mean: 5, values: [5] }, f), /^95% CI: none \(a single value\)\nn = 1 launch$/m);
  const svg = '<svg><g role="graphics-symbol" aria-label="axis"><path aria-label="x&#xA;&lt;y&gt;" role="graphics-symbol" d="M0"/><path class="background" aria-hidden="true" d="M1"/><text aria-label="t" role="graphics-symbol">t</text></g></svg>';
  assert.equal(svgWithTitles(svg), '<svg><g role="graphics-symbol" aria-label="axis"><path class="tip" role="graphics-symbol" d="M0"><title>x&#xA;&lt;y&gt;</title></path><path class="background" aria-hidden="true" d="M1"/><text aria-label="t" role="graphics-symbol">t</text></g></svg>');
});

test('every interactive spec is valid against the Vega-Lite JSON schema, and the static specs carry no tips', async () => {
  const require = createRequire(import.meta.url);
  const schema = JSON.parse(await readFile(require.resolve('vega-lite/build/vega-lite-schema.json'), 'utf8')) as object;
  const validate = new (Ajv as unknown as typeof Ajv.default)({ allErrors: false, strict: false, logger: false }).compile(schema);
  const d = await fixtureTables();
  const specs: [string, TopLevelSpec, TopLevelSpec][] = FIGURES.filter((f) => !f.when || f.when(d))
    .flatMap((f) => f.plan(d).specs.flatMap((s) => (s.interactive ? [[s.file, s.spec(), s.interactive()] as [string, TopLevelSpec, TopLevelSpec]] : [])));
  specs.push(['fig9.svg', serviceScaleSpec(sweepRows()), serviceScaleSpec(sweepRows(), { tips: true })]);
  specs.push(['fig10.svg', policyScaleSpec(policySweepRows()), policyScaleSpec(policySweepRows(), { tips: true })]);
  const loads = loadRows();
  specs.push(['fig11.svg', loadTimeSpec(loadPoints(loads.sync, loads.apply)), loadTimeSpec(loadPoints(loads.sync, loads.apply), { tips: true })]);
  specs.push(['fig12.svg', scaleCyclesSpec(scaleCycleRows()), scaleCyclesSpec(scaleCycleRows(), { tips: true })]);
  assert.equal(specs.length, 15);
  for (const [file, still, moving] of specs) {
    assert.ok(validate(JSON.parse(JSON.stringify(moving))), `${file}: ${JSON.stringify(validate.errors?.[0])}`);
    assert.doesNotMatch(JSON.stringify(still), /"tip"|"lineTip"/, `${file}: the static spec has no tips`);
    assert.match(JSON.stringify(moving), /"description":\{"field":"tip"/, `${file}: the interactive one has`);
  }
});
