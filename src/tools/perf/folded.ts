// Folded stacks: the text format flame-graph tools read (Brendan Gregg's stackcollapse output, also read by
// speedscope and inferno): one line per distinct stack, frames from the root to the leaf separated by ';', a space,
// and the number of samples. cnibench puts the sample's component first, as a pseudo-frame `[component]`, then the
// process name, so a flame graph of the file is partitioned by component before the call path — the colours of
// Figs. 4–5 — and any tool can still zoom into the frames.
import type { Component, PerfSample } from './types.ts';

/** Frames kept per stack, the leaf-most ones: deeper chains are rare and their root frames say little. */
const MAX_FOLDED_DEPTH = 64;

const SEPARATORS = /[;\s]/;

/** Folded-stack frames must not contain the separators (rare: most symbols have none, so test before replacing). */
function clean(frame: string): string {
  return SEPARATORS.test(frame) ? frame.replace(/[;\s]+/g, '_') : frame;
}

/** The folded key of one sample: `[component];comm;root;…;leaf`. */
export function foldedKey(sample: PerfSample, component: Component): string {
  let key = `[${component}];${clean(sample.comm || '?')}`;
  for (let i = Math.min(sample.frames.length, MAX_FOLDED_DEPTH) - 1; i >= 0; i--) key += `;${clean(sample.frames[i]!)}`;
  return key;
}

/** Adds up samples into folded stacks. */
export class FoldedStacks {
  private readonly counts = new Map<string, number>();

  add(sample: PerfSample, component: Component): void {
    const key = foldedKey(sample, component);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  toRecord(): Record<string, number> {
    return Object.fromEntries(this.counts);
  }
}

/** Several folded records added together (the profiles of one model and scenario). */
export function mergeFolded(records: readonly Record<string, number>[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const r of records) for (const [k, n] of Object.entries(r)) out.set(k, (out.get(k) ?? 0) + n);
  return out;
}

/** The folded text: stacks sorted (so the file is the same for the same samples), `stack count` per line. */
export function formatFolded(stacks: ReadonlyMap<string, number>): string {
  return [...stacks].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, n]) => `${k} ${n}\n`).join('');
}

/** Reads folded text back (for tests and notebooks): `stack count` lines; blank lines are skipped. */
export function parseFolded(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const [i, line] of text.split('\n').entries()) {
    if (!line.trim()) continue;
    const m = /^(.*) (\d+)$/.exec(line);
    if (!m) throw new Error(`folded stacks, line ${i + 1}: expected "frame;frame;… count", got "${line.slice(0, 80)}"`);
    out.set(m[1]!, (out.get(m[1]!) ?? 0) + Number(m[2]));
  }
  return out;
}
