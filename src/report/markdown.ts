// Writing markdown safely from data: every string from a run is escaped before it reaches markdown-it, tables go
// through Arquero's toMarkdown, and figures are placeholders the HTML stage replaces.
import { tableOf } from '../util/table.ts';

/** Private-use characters that delimit placeholders; stripped from data so a manifest cannot forge one. */
const OPEN = '\uE000';
const CLOSE = '\uE001';
const SENTINELS = /[\uE000\uE001]/g;

/** Collapses whitespace (a newline from data must not start a block) and removes placeholder delimiters. */
function flatten(s: string): string {
  return String(s).replace(SENTINELS, '').replace(/\s+/g, ' ').trim();
}

/** Data text as literal markdown inline text: every punctuation markdown could read as syntax is backslash-escaped. */
export function md(s: string | number): string {
  // "1." or "1)" leading a line would start a list.
  return flatten(String(s)).replace(/[\\`*_{}[\]()<>#+!|~&=-]/g, (c) => `\\${c}`).replace(/^(\d+)([.)])/, '$1\\$2');
}

/** As md() for a table cell: toMarkdown escapes the pipe itself. */
export function mdCell(s: string | number): string {
  return flatten(String(s)).replace(/[\\`*_{}[\]()<>#+!~&=-]/g, (c) => `\\${c}`);
}

/** Inline code from data: backticks cannot be escaped inside a code span, so a longer fence is used. */
export function code(s: string): string {
  const text = flatten(s);
  const run = Math.max(0, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(run + 1);
  return `${fence}${run ? ' ' : ''}${text}${run ? ' ' : ''}${fence}`;
}

/** A link to a known address (from our catalog, never from run data). */
export function link(text: string, url: string): string {
  return `[${md(text)}](<${url.replace(/[<>\s]/g, encodeURIComponent)}>)`;
}

export type Align = 'l' | 'c' | 'r';

/** A GFM table from rows of already-escaped cells (use mdCell for data), via Arquero. */
export function table(rows: readonly Record<string, string>[], align: Record<string, Align> = {}): string {
  if (!rows.length) return '';
  return tableOf(rows).toMarkdown({ align });
}

/** A paragraph the HTML stage replaces with a figure. */
export function figurePlaceholder(id: string): string {
  return `${OPEN}figure:${flatten(id)}${CLOSE}`;
}

/** An inline anchor (an empty element with this id) the HTML stage puts in place, for cross-references. */
export function anchor(id: string): string {
  return `${OPEN}anchor:${flatten(id)}${CLOSE}`;
}

/** Anchor placeholders in rendered HTML, optionally only those whose id starts with `prefix`. */
export function anchorPattern(prefix = ''): RegExp {
  return new RegExp(`${OPEN}anchor:(${prefix}[^${CLOSE}]*)${CLOSE}`, 'g');
}

/** Finds the placeholders in rendered HTML (each alone in its paragraph). */
export const FIGURE_PLACEHOLDER = new RegExp(`<p>${OPEN}figure:([^${CLOSE}]+)${CLOSE}</p>`, 'g');
