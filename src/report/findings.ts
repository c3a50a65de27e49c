// Section "Findings": every claim of the study in src/catalog/claims.ts tested against the derived tables —
// reproduced, not reproduced, or not measurable here — with the numbers that decided it.
import { CLAIMS, TOLERANCE, evaluateClaims, type ClaimTables, type Verdict } from '../catalog/claims.ts';
import { type EvaluatedClaim, type SectionContext, findingLabel, sectionHeading } from './context.ts';
import { count } from './format.ts';
import { anchor, md, mdCell, table } from './markdown.ts';

export function evaluateFindings(t: ClaimTables): EvaluatedClaim[] {
  return evaluateClaims(t);
}

export function verdictCounts(findings: readonly EvaluatedClaim[]): Record<Verdict, number> {
  const out = { reproduced: 0, 'not reproduced': 0, 'not measurable here': 0 } as Record<Verdict, number>;
  for (const f of findings) out[f.verdict]++;
  return out;
}

const VERDICT_WORDS: Record<Verdict, string> = { reproduced: 'Reproduced', 'not reproduced': 'Not reproduced', 'not measurable here': 'Not measurable here' };

export function findingsSection(ctx: SectionContext): string {
  const f = ctx.findings;
  const n = verdictCounts(f);
  const summary = f.map((c) => ({
    '#': `[${findingLabel(ctx, c.id)}](#finding-${c.id})`,
    'The study\'s claim': mdCell(c.claim),
    Where: mdCell(c.figure),
    Verdict: `**${VERDICT_WORDS[c.verdict]}**`,
  }));
  const details = f.map((c) => [
    `${anchor(`finding-${c.id}`)}**${findingLabel(ctx, c.id)}. ${VERDICT_WORDS[c.verdict]}** — ${md(c.claim)} (${md(c.figure)})`,
    `*Criterion:* ${md(c.criterion)} *Evidence:* ${md(c.evidence)}`,
  ].join('  \n'));
  return [
    sectionHeading('sec-findings'),
    `The study's claims are kept as data, each with a test over the tables this report derives (\`src/catalog/claims.ts\`), and are checked afresh on every build. *Reproduced* means the stated criterion holds on these runs; *not reproduced* means it does not; *not measurable here* means the data it needs is missing from the runs or cannot exist on this testbed — it is never a guess. Where the study gives a magnitude ("about 900 cycles"), a value within a factor of ${TOLERANCE} either way counts as matching, to allow for a different CPU, a virtual machine and estimated cycles. Only the configurations the study measured are judged; other models appear in the evidence for context.`,
    `Of ${count(CLAIMS.length, 'claim')}, ${n.reproduced} ${n.reproduced === 1 ? 'was' : 'were'} reproduced, ${n['not reproduced']} ${n['not reproduced'] === 1 ? 'was' : 'were'} not, and ${n['not measurable here']} could not be measured here.`,
    ctx.tables.caption('table-findings', 'The study\'s claims and their verdicts on these runs; the evidence for each follows the table.'),
    table(summary),
    ...details,
  ].join('\n\n');
}
