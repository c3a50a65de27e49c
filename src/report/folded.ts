// The report's flame-graph data: one folded-stacks file per profiled model and scenario under reports/tables/,
// for flamegraph.pl, inferno, speedscope and the like (see src/tools/perf/folded.ts for the format).
import { foldedFileName, type FoldedProfile } from '../analysis/cpp.ts';
import { gzipSync } from 'node:zlib';
import { formatFolded } from '../tools/perf/index.ts';
import { type SectionContext, appendixHeading, figRef } from './context.ts';
import { code, figurePlaceholder } from './markdown.ts';

/**
 * Gzipped, as the raw perf scripts are: the stacks of five profiles run to 1–2 MB of text per model and scenario
 * (deep softirq chains), about a tenth of that compressed. `zcat F | flamegraph.pl > F.svg`, or gunzip for
 * speedscope. Node writes no time stamp into the gzip header, so a rebuild of the same data gives the same bytes.
 */
export function foldedFiles(folded: readonly FoldedProfile[]): { file: string; csv: Buffer }[] {
  return folded.map((f) => ({ file: foldedFileName(f), csv: gzipSync(formatFolded(f.stacks), { level: 9 }) }));
}

/** The appendix of flame graphs, and where their data is. */
export function flameAppendix(ctx: SectionContext): string {
  const out = [appendixHeading('appendix-flames')];
  if (!ctx.data.folded.length) return [...out, 'No run has a usable profile, so there are no flame graphs (collect with `--profile`).'].join('\n\n');
  out.push(
    `Figs. C1–C2 show, for each profiled model and scenario, where the busy samples of all its profiles went (the same attribution as ${figRef(ctx, 'fig4')} and ${figRef(ctx, 'fig5')}). The same samples, every frame kept, are in ${ctx.data.folded.length} folded-stack files (${code('tables/folded-<model>-<scenario>.folded.gz')}): one line per distinct stack, ${code('[component];process;root frame;…;leaf frame count')}, the format flamegraph.pl, inferno and speedscope read once unzipped (${code('zcat F | flamegraph.pl > F.svg')}).`,
    figurePlaceholder('figC1'),
    figurePlaceholder('figC2'),
  );
  return out.join('\n\n');
}
