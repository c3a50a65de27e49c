// Rendered figures cached under .cache/report/, keyed by the spec and the code that draws it (never by prose), so a
// rebuild with unchanged data skips Vega; written atomically, and any unreadable entry is simply rendered again.
import { createHash } from 'node:crypto';
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import type { TopLevelSpec } from 'vega-lite';
import { renderSvg } from '../charts/index.ts';
import { svgWithTitles } from '../charts/tips.ts';
import { writeFileAtomic } from '../util/atomic.ts';
import { projectPath } from '../util/projectRoot.ts';

export type SvgRenderer = (spec: TopLevelSpec) => Promise<string>;

const CHARTS_DIR = projectPath('src', 'charts');

/** The charts' sources and the Vega versions: any change to how a spec becomes SVG changes every key. */
async function rendererVersion(): Promise<string> {
  const hash = createHash('sha256');
  const require = createRequire(import.meta.url);
  for (const pkg of ['vega/package.json', 'vega-lite/package.json']) {
    hash.update(`${pkg}:${(require(pkg) as { version: string }).version}\n`);
  }
  for (const f of (await readdir(CHARTS_DIR)).filter((n) => n.endsWith('.ts')).sort()) {
    hash.update(`${f}\n`).update(await readFile(join(CHARTS_DIR, f)));
  }
  return hash.digest('hex');
}

/**
 * renderSvg, or renderSvg through a cache in `dir`. `interactive`: each data mark's label also becomes an SVG <title>
 * (the interactive page's hover tips), cached under keys of their own.
 */
export async function svgRenderer(dir?: string, opts: { interactive?: boolean } = {}): Promise<SvgRenderer> {
  const draw: SvgRenderer = opts.interactive ? async (spec) => svgWithTitles(await renderSvg(spec)) : renderSvg;
  if (!dir) return draw;
  const version = await rendererVersion();
  return async (spec) => {
    const key = createHash('sha256').update(version).update(opts.interactive ? 'interactive\0' : '').update(JSON.stringify(spec)).digest('hex');
    const file = join(dir, `${key}.svg`);
    const hit = await readFile(file, 'utf8').catch(() => undefined);
    if (hit !== undefined) return hit;
    const svg = await draw(spec);
    await writeFileAtomic(file, svg);
    return svg;
  };
}
