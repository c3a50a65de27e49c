// Vega-Lite spec → SVG text on the server: compile (warnings count as errors), parse, render headless, offline.
import * as vega from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';
import { MSG } from './messages.ts';
import { textWidth } from './textWidth.ts';

/** The part of a Vega text item that sizes it. */
interface TextItem {
  text?: unknown;
  fontSize?: number;
  fontWeight?: string | number;
  limit?: number;
}

/** vega's (untyped) text-measuring hook; replacing `width` is the supported way to measure without a canvas. */
interface TextMetrics {
  width: (item: TextItem, text?: unknown) => number;
}

function measure(item: TextItem, text?: unknown): number {
  const raw = text ?? item.text;
  const s = (Array.isArray(raw) ? raw.join(' ') : raw == null ? '' : String(raw)).trim();
  const size = item.fontSize ?? 11;
  const bold = item.fontWeight === 'bold' || (typeof item.fontWeight === 'number' && item.fontWeight >= 600);
  const w = textWidth(s, size, bold);
  // Vega truncates to `limit` with an ellipsis; the truncated text is at most that wide.
  return item.limit && item.limit > 0 ? Math.min(w, item.limit) : w;
}

(vega as unknown as { textMetrics: TextMetrics }).textMetrics.width = measure;

/** Collects Vega-Lite's warnings: a spec it silently "fixes" is a spec that does not say what we meant. */
class CollectingLogger {
  readonly warnings: string[] = [];
  #level = 2;
  level(): number;
  level(_: number): this;
  level(l?: number): number | this {
    if (l === undefined) return this.#level;
    this.#level = l;
    return this;
  }
  error(...args: readonly unknown[]): this {
    this.warnings.push(args.map(String).join(' '));
    return this;
  }
  warn(...args: readonly unknown[]): this {
    this.warnings.push(args.map(String).join(' '));
    return this;
  }
  info(): this {
    return this;
  }
  debug(): this {
    return this;
  }
}

/** The figure's name for messages: its `name`, else its title. */
export function figureName(spec: TopLevelSpec): string {
  if (spec.name) return spec.name;
  const t = spec.title;
  if (typeof t === 'string') return t;
  if (Array.isArray(t)) return t.join(' ');
  if (t && typeof t === 'object' && 'text' in t) return Array.isArray(t.text) ? t.text.join(' ') : String(t.text);
  return 'untitled figure';
}

/** Compiles a Vega-Lite spec to Vega, throwing (with the figure's name) on errors and on any warning. */
export function compileSpec(spec: TopLevelSpec): vega.Spec {
  const name = figureName(spec);
  const logger = new CollectingLogger();
  let out: vega.Spec;
  try {
    out = compile(spec, { logger }).spec as vega.Spec;
  } catch (err) {
    throw new Error(MSG.compile(name, err instanceof Error ? err.message : String(err)));
  }
  if (logger.warnings.length) throw new Error(MSG.warnings(name, logger.warnings.join('; ')));
  return out;
}

/** A loader that refuses everything: figures carry their data inline, and the report must build offline. */
function offlineLoader(): vega.Loader {
  const refuse = (uri: string) => Promise.reject(new Error(MSG.noLoader(uri)));
  return { load: refuse, sanitize: refuse, http: refuse, file: refuse };
}

/** Renders a spec to a standalone SVG document (deterministic: no ids from clocks or randomness). */
export async function renderSvg(spec: TopLevelSpec): Promise<string> {
  const vgSpec = compileSpec(spec);
  const name = figureName(spec);
  // Vega only warns when a load fails and then draws an empty chart; a figure without its data must not pass.
  const remote = (vgSpec.data ?? []).find((d) => 'url' in d);
  if (remote && 'url' in remote) throw new Error(MSG.render(name, MSG.noLoader(JSON.stringify(remote.url))));
  let view: vega.View | undefined;
  try {
    view = new vega.View(vega.parse(vgSpec), { renderer: 'none', loader: offlineLoader(), logLevel: vega.Warn });
    return await view.toSVG();
  } catch (err) {
    throw new Error(MSG.render(name, err instanceof Error ? err.message : String(err)));
  } finally {
    view?.finalize();
  }
}
