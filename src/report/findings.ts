// Section "Findings": every claim of the study in src/catalog/claims.ts tested against the derived data — reproduced,
// contradicted, inconclusive or not measurable — with the effect that decided it, its confidence interval, the raw
// and the catalogue-adjusted p-value, and the number of units behind it. Also exported as tables/findings.csv.
import * as aq from 'arquero';
import { CLAIMS, TOLERANCE, evaluateClaims, type ClaimTables } from '../catalog/claims.ts';
import { VERDICTS, type Verdict } from '../catalog/verdict.ts';
import { ALPHA, POWER } from '../analysis/inference.ts';
import { type EvaluatedClaim, type SectionContext, findingLabel, sectionHeading } from './context.ts';
import type { CsvFile } from './figures.ts';
import { count } from './format.ts';
import { anchor, md, mdCell, table } from './markdown.ts';

export function evaluateFindings(t: ClaimTables): EvaluatedClaim[] {
  return evaluateClaims(t);
}

export function verdictCounts(findings: readonly EvaluatedClaim[]): Record<Verdict, number> {
  const out = Object.fromEntries(VERDICTS.map((v) => [v, 0])) as Record<Verdict, number>;
  for (const f of findings) out[f.verdict]++;
  return out;
}

const VERDICT_WORDS: Record<Verdict, string> = { reproduced: 'Reproduced', contradicted: 'Contradicted', inconclusive: 'Inconclusive', 'not measurable': 'Not measurable here' };

/** The numbers a finding is reported with: the decisive part's effect and the p-values of the verdict's direction. */
function findingNumbers(f: EvaluatedClaim): { effect?: number; ciLow?: number; ciHigh?: number; p?: number; q?: number; n?: number; what?: string } {
  const d = f.decisive;
  if (!d) return {};
  const against = f.verdict === 'contradicted';
  return { effect: d.result.ratio, ciLow: d.result.ciLow, ciHigh: d.result.ciHigh, p: against ? d.pAgainst : d.pFor, q: against ? f.qAgainst : f.qFor, n: d.result.n, what: d.what };
}

const num = (v: number | undefined, digits = 3) => (v === undefined || !Number.isFinite(v) ? '–' : v < 0.001 && digits === 3 && v > 0 ? '< 0.001' : v.toFixed(digits));

export function findingsCsv(findings: readonly EvaluatedClaim[]): CsvFile {
  const rows = findings.map((f) => {
    const x = findingNumbers(f);
    return {
      id: f.id, claim: f.claim, figure: f.figure, verdict: f.verdict,
      effect: x.effect ?? '', ci_low: x.ciLow ?? '', ci_high: x.ciHigh ?? '', p: x.p ?? '', p_adjusted: x.q ?? '', n: x.n ?? '', reason: f.reason,
    };
  });
  return { file: 'findings.csv', csv: aq.from(rows).toCSV() + '\n' };
}

export function findingsSection(ctx: SectionContext): string {
  const f = ctx.findings;
  const n = verdictCounts(f);
  const summary = f.map((c) => {
    const x = findingNumbers(c);
    return {
      '#': `[${findingLabel(ctx, c.id)}](#finding-${c.id})`,
      'The study\'s claim': mdCell(c.claim),
      Where: mdCell(c.figure),
      Verdict: `**${VERDICT_WORDS[c.verdict]}**`,
      'Effect (95% CI)': x.effect === undefined ? '–' : `×${num(x.effect)} (${num(x.ciLow)}–${num(x.ciHigh)})`,
      p: num(x.p),
      q: num(x.q),
      n: x.n === undefined ? '–' : String(x.n),
    };
  });
  const details = f.map((c) => [
    `${anchor(`finding-${c.id}`)}**${findingLabel(ctx, c.id)}. ${VERDICT_WORDS[c.verdict]}** — ${md(c.claim)} (${md(c.figure)})`,
    `*Criterion:* ${md(c.criterion)} *Why:* ${md(c.reason)}. *Data:* ${md(c.evidence)}`,
  ].join('  \n'));
  return [
    sectionHeading('sec-findings'),
    `The study's claims are kept as data, each with a test over the units this report derives (\`src/catalog/claims.ts\`), and are checked afresh on every build. A claim is made of parts. An *ordering* ("A beats B") is a one-sided t-test on the log ratio of A to B — paired by round when both were measured in the same rounds of an interleaved run, Welch's test otherwise; a run is one unit when several are pooled, and a profile is one unit for cycles per packet. A *magnitude* ("about 900 cycles") is an equivalence test (two one-sided tests) of value ÷ the study's value against a band of ×1/${TOLERANCE} to ×${TOLERANCE}, wide enough for a different CPU generation, a virtual machine and cycles estimated from cpu-clock, narrow enough to tell 250 from 900.`,
    `A claim is **reproduced** when every part holds (its p is the largest part's), **contradicted** when some part's reverse holds (Holm-corrected within the claim), and **inconclusive** otherwise — then the reason says how many rounds would tell a difference of the observed size with ${Math.round(POWER * 100)}% power. Across the catalogue the false discovery rate is held at ${ALPHA} by Benjamini–Hochberg over every claim's two p-values; the table shows the raw p and the adjusted q of the verdict's direction, the decisive part's effect as a ratio oriented so that above 1 means the claim's direction, and its number of units (n). **Not measurable here** means the data it needs is missing from the runs or cannot exist on this testbed — it is never a guess. Only the configurations the study measured are judged; other models appear in the data for context.`,
    `Of ${count(CLAIMS.length, 'claim')}, ${n.reproduced} ${n.reproduced === 1 ? 'was' : 'were'} reproduced, ${n.contradicted} contradicted, ${n.inconclusive} inconclusive, and ${n['not measurable']} could not be measured here.`,
    ctx.tables.caption('table-findings', 'The study\'s claims and their verdicts on these runs (also tables/findings.csv); the reason and the data for each follow the table.'),
    table(summary, { p: 'r', q: 'r', n: 'r' }),
    ...details,
  ].join('\n\n');
}
