// Section "Findings": every claim of the study in src/catalog/claims.ts tested against the derived data — reproduced,
// contradicted, inconclusive or not measurable — with the effect that decided it, its confidence interval, the raw
// and the catalogue-adjusted p-value, and the number of units behind it. Also exported as tables/findings.csv.
import { CLAIMS, TOLERANCE, evaluateClaims, type ClaimTables } from '../catalog/claims.ts';
import { VERDICTS, type Verdict } from '../catalog/verdict.ts';
import { ALPHA, POWER } from '../analysis/inference.ts';
import { type EvaluatedClaim, type SectionContext, appendixRef, findingLabel, sectionHeading } from './context.ts';
import type { CsvFile } from './figures.ts';
import { count } from './format.ts';
import { anchor, md, mdCell, table } from './markdown.ts';
import { tableOf } from '../util/table.ts';

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
  return { file: 'findings.csv', csv: tableOf(rows).toCSV() + '\n' };
}

/**
 * Our figures a claim's "where" in the study names, when this report has them: "Fig. 3b–c" → fig3b, fig3c;
 * "Figs. 4–5" → fig4, fig5; "Fig. 7a" → fig7 when there is no fig7a; "§II; Fig. 8" → fig8.
 */
export function claimFigureIds(where: string, known: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (const m of where.matchAll(/Figs?\.\s*(\d+)([a-f])?(?:\s*[–-]\s*(\d+)?([a-f])?)?/g)) {
    const [, n1, l1, n2, l2] = m;
    const ids: string[] = [];
    if (n2 && !l2) for (let n = Number(n1); n <= Number(n2); n++) ids.push(`fig${n}`);
    else if (l1 && l2) for (let c = l1.charCodeAt(0); c <= l2.charCodeAt(0); c++) ids.push(`fig${n1}${String.fromCharCode(c)}`);
    else ids.push(`fig${n1}${l1 ?? ''}`);
    for (const id of ids) {
      const hit = known.has(id) ? id : known.has(id.replace(/[a-f]$/, '')) ? id.replace(/[a-f]$/, '') : undefined;
      if (hit && !out.includes(hit)) out.push(hit);
    }
  }
  return out;
}

/** For each figure, the findings that check it (label and anchor), so its caption can link back to them. */
export function findingsByFigure(findings: readonly EvaluatedClaim[], figureIds: ReadonlySet<string>): Map<string, { label: string; anchor: string }[]> {
  const out = new Map<string, { label: string; anchor: string }[]>();
  findings.forEach((c, i) => {
    for (const id of claimFigureIds(c.figure, figureIds)) out.set(id, [...(out.get(id) ?? []), { label: `F${i + 1}`, anchor: `finding-${c.id}` }]);
  });
  return out;
}

export function findingsSection(ctx: SectionContext): string {
  const f = ctx.findings;
  const n = verdictCounts(f);
  const known = new Set(ctx.figures.keys());
  const summary = f.map((c) => {
    const x = findingNumbers(c);
    const figs = claimFigureIds(c.figure, known);
    return {
      '#': `${anchor(`finding-${c.id}`)}[${findingLabel(ctx, c.id)}](#finding-${c.id}-evidence)`,
      'The study\'s claim': mdCell(c.claim),
      Where: `${mdCell(c.figure)}${figs.length ? ` → ${figs.map((id) => `[${mdCell(ctx.figures.get(id)!.label)}](#${id})`).join(', ')}` : ''}`,
      Verdict: `**${VERDICT_WORDS[c.verdict]}**`,
      'Effect (95% CI)': x.effect === undefined ? '–' : `×${num(x.effect)} (${num(x.ciLow)}–${num(x.ciHigh)})`,
      q: num(x.q),
      n: x.n === undefined ? '–' : String(x.n),
    };
  });
  return [
    sectionHeading('sec-findings'),
    `The study's claims are kept as data, each with a test over the units this report derives (\`src/catalog/claims.ts\`), and are checked afresh on every build. An *ordering* ("A beats B") is a one-sided t-test on the log ratio of A to B — paired by round when both were measured in the same rounds of an interleaved run, Welch's test otherwise. A *magnitude* ("about 900 cycles") is an equivalence test of value ÷ the study's value against a band of ×1/${TOLERANCE} to ×${TOLERANCE}, wide enough for a different CPU, a virtual machine and estimated cycles, narrow enough to tell 250 from 900. A claim is **reproduced** when every part holds, **contradicted** when some part's reverse holds, and **inconclusive** otherwise; **not measurable here** means the data it needs is missing or cannot exist on this testbed — never a guess. Across the catalogue the false discovery rate is held at ${ALPHA} (Benjamini–Hochberg); q is the adjusted p of the verdict's direction, the effect a ratio oriented so that above 1 means the claim's direction, n its number of units. An inconclusive claim's evidence says how many rounds would tell a difference of the observed size with ${Math.round(POWER * 100)}% power.`,
    `Of ${count(CLAIMS.length, 'claim')}, ${n.reproduced} ${n.reproduced === 1 ? 'was' : 'were'} reproduced, ${n.contradicted} contradicted, ${n.inconclusive} inconclusive, and ${n['not measurable']} could not be measured here. Each number in the first column leads to the claim's criterion, reasoning and data in ${appendixRef('appendix-results')}; "Where" names the study's figure and ours.`,
    ctx.tables.caption('table-findings', 'The study\'s claims and their verdicts on these runs (also tables/findings.csv).'),
    table(summary, { q: 'r', n: 'r' }),
  ].join('\n\n');
}

/** The evidence of every finding, for the results appendix: criterion, why, the data, and the raw p. */
export function findingsEvidence(ctx: SectionContext): string {
  const details = ctx.findings.map((c) => {
    const x = findingNumbers(c);
    return [
      // The space keeps ** opening the bold: right after the anchor and before a link, CommonMark would not open it.
      `${anchor(`finding-${c.id}-evidence`)} **[${findingLabel(ctx, c.id)}](#finding-${c.id}). ${VERDICT_WORDS[c.verdict]}** — ${md(c.claim)} (${md(c.figure)})`,
      `*Criterion:* ${md(c.criterion)} *Why:* ${md(c.reason)}.${x.p === undefined ? '' : ` *p* = ${num(x.p)}, *q* = ${num(x.q)}.`} *Data:* ${md(c.evidence)}`,
    ].join('  \n');
  });
  return ['### The evidence of each finding', ...details].join('\n\n');
}
