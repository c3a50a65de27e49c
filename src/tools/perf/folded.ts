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

/** A node of the stack trie: the samples that end here, and the next frames. */
interface StackNode {
  count: number;
  next: Map<string, StackNode> | undefined;
}

/**
 * Adds up samples into folded stacks. Samples are counted in a trie keyed by frame (component, process, then the
 * frames from the root), so adding a sample is one map lookup per frame on strings perf's reader already shares;
 * the `a;b;c` keys are built once per distinct stack, at the end.
 */
export class FoldedStacks {
  private readonly root: StackNode = { count: 0, next: undefined };

  private static child(node: StackNode, frame: string): StackNode {
    const next = (node.next ??= new Map());
    let c = next.get(frame);
    if (!c) next.set(frame, (c = { count: 0, next: undefined }));
    return c;
  }

  add(sample: PerfSample, component: Component): void {
    let node = FoldedStacks.child(FoldedStacks.child(this.root, `[${component}]`), sample.comm || '?');
    for (let i = Math.min(sample.frames.length, MAX_FOLDED_DEPTH) - 1; i >= 0; i--) node = FoldedStacks.child(node, sample.frames[i]!);
    node.count++;
  }

  toRecord(): Record<string, number> {
    // Distinct raw frames may clean to the same text, so equal keys are added together.
    const out = new Map<string, number>();
    const walk = (node: StackNode, key: string) => {
      if (node.count) out.set(key, (out.get(key) ?? 0) + node.count);
      if (node.next) for (const [frame, c] of node.next) walk(c, key === '' ? frame : `${key};${clean(frame)}`);
    };
    walk(this.root, '');
    return Object.fromEntries(out);
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
