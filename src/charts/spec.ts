// Names for the pieces of a Vega-Lite spec the builders assemble (vega-lite exports only the top-level type).
import type { TopLevelSpec } from 'vega-lite';

/** A top-level layered spec. */
export type LayeredSpec = Extract<TopLevelSpec, { layer: unknown }>;
/** One layer of a layered spec. */
export type Layer = LayeredSpec['layer'][number];
/** A top-level vertical concatenation. */
export type VConcatSpec = Extract<TopLevelSpec, { vconcat: unknown }>;
/** A spec that can sit inside a concatenation. */
export type ConcatItem = VConcatSpec['vconcat'][number];
/** Vega-Lite's title parameter (text plus subtitle and styling). */
export type TitleParams = Exclude<NonNullable<TopLevelSpec['title']>, string | string[]>;

/** A figure title: the text, plus subtitle lines (notes on what is drawn and how it was obtained). */
export function title(text: string, subtitle: readonly string[] = []): TitleParams {
  return subtitle.length ? { text, subtitle: [...subtitle] } : { text };
}

/** Characters per subtitle line that stay within a bar chart's width at the subtitle font size. */
export const NOTE_WIDTH = 96;

/** Breaks prose into lines of at most `width` characters, since Vega-Lite titles and text marks do not wrap. */
export function wrap(text: string, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines;
}
