// From tests to a verdict. A claim is made of parts — orderings ("A beats B") and magnitudes ("about 900 cycles") —
// each a one-sided test. The claim holds when every part holds (intersection–union: its p is the largest part's);
// it is contradicted when some part's reverse holds (Holm over the parts). Across the catalogue, the false discovery
// rate is controlled with Benjamini–Hochberg over every claim's two p-values. What neither reaches is inconclusive,
// with how many repetitions would tell a difference of the observed size.
import { ALPHA, type Equivalence, type TestResult, benjaminiHochberg, holm } from '../analysis/inference.ts';

export type Verdict = 'reproduced' | 'contradicted' | 'inconclusive' | 'not measurable';
export const VERDICTS: readonly Verdict[] = ['reproduced', 'contradicted', 'inconclusive', 'not measurable'];

/** One tested statement within a claim. */
export interface Part {
  /** "Cilium over Calico-np, TCP_STREAM intra-host", "Flannel bridge CPP / 250". */
  what: string;
  kind: 'order' | 'magnitude';
  result: TestResult | Equivalence;
  /** p of the part as the study states it, and of its reverse (the opposite order, or outside the band). */
  pFor: number;
  pAgainst: number;
}

export interface ClaimResult {
  verdict: Verdict;
  /** What the data says, with the numbers (or why there are none). */
  evidence: string;
  /** One line: why this verdict. */
  reason: string;
  parts?: Part[];
  /** The claim's p-values (for: intersection–union over its parts; against: Holm-adjusted minimum). */
  pFor?: number;
  pAgainst?: number;
  /** The same after Benjamini–Hochberg across the catalogue. */
  qFor?: number;
  qAgainst?: number;
  /** The part that decides: the weakest for "reproduced" or "inconclusive", the strongest reversal for "contradicted". */
  decisive?: Part;
}

export function orderPart(what: string, result: TestResult): Part {
  return { what, kind: 'order', result, pFor: result.p, pAgainst: result.pReverse };
}

export function magnitudePart(what: string, result: Equivalence): Part {
  return { what, kind: 'magnitude', result, pFor: result.pWithin, pAgainst: result.pOutside };
}

export function notMeasurable(evidence: string): ClaimResult {
  return { verdict: 'not measurable', evidence, reason: evidence };
}

/** A claim's own p-values from its parts; the verdict is settled across the catalogue by `settleVerdicts`. */
export function judge(parts: readonly Part[], evidence: string): ClaimResult {
  const testable = parts.filter((p) => Number.isFinite(p.pFor) && Number.isFinite(p.pAgainst));
  if (!testable.length || testable.length < parts.length) {
    const few = parts.find((p) => !Number.isFinite(p.pFor));
    return notMeasurable(`${evidence} ${few ? `Too few repetitions to test ${few.what} (n = ${few.result.n}).` : ''}`.trim());
  }
  const pFor = Math.max(...testable.map((p) => p.pFor));
  const adjusted = holm(testable.map((p) => p.pAgainst));
  const pAgainst = Math.min(...adjusted);
  return { verdict: 'inconclusive', evidence, reason: '', parts: [...testable], pFor, pAgainst };
}

const fmtP = (p: number) => (p < 0.001 ? '< 0.001' : p.toFixed(3));
const fmtRatio = (x: number) => (Number.isFinite(x) ? x.toFixed(x >= 10 ? 1 : 3) : '–');

/** "×1.042 (95% CI 1.010–1.075)". */
function effectText(r: TestResult): string {
  return `×${fmtRatio(r.ratio)} (95% CI ${fmtRatio(r.ciLow)}–${fmtRatio(r.ciHigh)})`;
}

function weakest(parts: readonly Part[]): Part {
  return parts.reduce((a, b) => (b.pFor > a.pFor ? b : a));
}

function strongestReversal(parts: readonly Part[]): Part {
  return parts.reduce((a, b) => (b.pAgainst < a.pAgainst ? b : a));
}

function neededWords(part: Part): string {
  if (part.kind === 'magnitude') {
    const e = part.result as Equivalence;
    return `its CI straddles the edge of the band ×${fmtRatio(1 / e.tolerance)}–×${fmtRatio(e.tolerance)}; more ${part.result.design === 'one-sample' ? 'profiles' : 'repetitions'} would narrow it`;
  }
  const n = part.result.neededN;
  if (!Number.isFinite(n)) return 'no difference was seen at all';
  return `about ${n} ${part.result.design === 'paired by round' ? 'rounds' : 'repetitions per model'} would tell a difference of this size (80% power)`;
}

/**
 * The catalogue's verdicts: Benjamini–Hochberg over every measurable claim's p(for) and p(against) together, then
 * reproduced if q(for) < ALPHA, contradicted if q(against) < ALPHA, inconclusive otherwise.
 */
export function settleVerdicts<T extends ClaimResult>(results: readonly T[]): T[] {
  const measurable = results.filter((r) => r.verdict !== 'not measurable' && r.pFor !== undefined);
  const q = benjaminiHochberg(measurable.flatMap((r) => [r.pFor!, r.pAgainst!]));
  return results.map((r) => {
    const k = measurable.indexOf(r);
    if (k < 0) return r;
    const qFor = q[2 * k]!;
    const qAgainst = q[2 * k + 1]!;
    const parts = r.parts!;
    let verdict: Verdict;
    let decisive: Part;
    let reason: string;
    if (qFor < ALPHA) {
      verdict = 'reproduced';
      decisive = weakest(parts);
      reason = `${parts.length > 1 ? `all ${parts.length} parts hold; the weakest, ` : ''}${decisive.what} ${effectText(decisive.result)}, p = ${fmtP(decisive.pFor)}, q = ${fmtP(qFor)}`;
    } else if (qAgainst < ALPHA) {
      verdict = 'contradicted';
      decisive = strongestReversal(parts);
      reason = `${decisive.kind === 'order' ? 'the reverse holds' : 'outside the study\'s band'}: ${decisive.what} ${effectText(decisive.result)}, p = ${fmtP(decisive.pAgainst)}, q = ${fmtP(qAgainst)}`;
    } else {
      verdict = 'inconclusive';
      decisive = weakest(parts);
      reason = `${decisive.what} ${effectText(decisive.result)}, p = ${fmtP(decisive.pFor)} (q = ${fmtP(qFor)}): ${neededWords(decisive)}`;
    }
    return { ...r, verdict, decisive, reason, qFor, qAgainst };
  });
}
