// Tables for notebooks: Arquero tables (or plain rows) as escaped HTML, with a caption, chosen columns and digits,
// and a Markdown text fallback; plus the few row shapes notebooks show (runs, notices, Table I, findings).
import * as aq from 'arquero';
import { CNI_CATALOG } from '../catalog/cnis.ts';
import type { EvaluatedClaim } from '../report/context.ts';
import type { LoadedRun } from '../analysis/loadRun.ts';
import type { CollectPlan } from '../collect/plan.ts';
import { noticeLine, type Notice } from '../report/notices.ts';
import { displayBundle, escapeHtml, showHtml } from './display.ts';
import { tableOf } from '../util/table.ts';

type Rows = aq.ColumnTable | readonly object[];

export interface TableOptions {
  caption?: string;
  /** Columns to show, in order (default: all). */
  columns?: readonly string[];
  /** Fraction digits per numeric column. */
  digits?: Readonly<Record<string, number>>;
  /** Other numeric columns: as many fraction digits as their values have, at most this many (default 3). */
  maxDigits?: number;
  /** Rows to show (default 50); the caption says how many were left out. */
  limit?: number;
}

function asTable(data: Rows): aq.ColumnTable {
  return Array.isArray(data) ? tableOf(data as object[]) : (data as aq.ColumnTable);
}

/** Fraction digits of a number as JavaScript prints it (0 for integers). */
function fractionDigits(v: number): number {
  const s = String(v);
  const dot = s.indexOf('.');
  if (dot < 0) return 0;
  const e = s.indexOf('e');
  return (e > 0 ? e : s.length) - dot - 1;
}

/** Numbers with thousands separators and a fixed number of digits per column (the column's own, at most maxDigits). */
function columnFormats(t: aq.ColumnTable, opts: TableOptions): Record<string, (v: unknown) => string> {
  const formats: Record<string, (v: unknown) => string> = {};
  for (const name of opts.columns ?? t.columnNames()) {
    const nums = (t.array(name) as unknown[]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
    if (!nums.length) continue;
    const digits = opts.digits?.[name] ?? Math.min(opts.maxDigits ?? 3, Math.max(...nums.map(fractionDigits)));
    formats[name] = (v) => (typeof v === 'number' && Number.isFinite(v)
      ? v.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits })
      : v == null ? '' : String(v));
  }
  return formats;
}

function formatOptions(t: aq.ColumnTable, opts: TableOptions) {
  return { limit: opts.limit ?? 50, format: columnFormats(t, opts), ...(opts.columns ? { columns: [...opts.columns] } : {}) };
}

function note(t: aq.ColumnTable, opts: TableOptions): string {
  const shown = Math.min(t.numRows(), opts.limit ?? 50);
  const more = t.numRows() > shown ? ` (first ${shown} of ${t.numRows()} rows)` : '';
  return `${opts.caption ?? ''}${more}`.trim();
}

/** An HTML table (values escaped by Arquero), captioned. */
export function htmlTable(data: Rows, opts: TableOptions = {}): string {
  const t = asTable(data);
  const caption = note(t, opts);
  const head = caption ? `<p><strong>${escapeHtml(caption)}</strong></p>\n` : '';
  if (t.numRows() === 0) return `${head}<p><em>(no rows)</em></p>`;
  return `${head}${t.toHTML(formatOptions(t, opts))}`;
}

/** The same table as Markdown, the plain-text fallback. */
function textTable(data: Rows, opts: TableOptions = {}): string {
  const t = asTable(data);
  const caption = note(t, opts);
  const body = t.numRows() === 0 ? '(no rows)' : t.toMarkdown(formatOptions(t, opts));
  return caption ? `${caption}\n\n${body}` : body;
}

export function showTable(data: Rows, opts: TableOptions = {}): void {
  displayBundle({ 'text/html': htmlTable(data, opts), 'text/plain': textTable(data, opts) });
}

/** What changed for each CNI since the study, with where to check. */
export function sinceStudyRows(): Record<string, string>[] {
  return CNI_CATALOG.flatMap((c) => c.since.map((s) => ({ CNI: c.name, 'Since the study': s.note, Source: s.source })));
}

/** What a plan collects, in words: "tcp_stream, tcp_rr × 10 reps of 5 s, intra + inter; profiles …; 30 pod launches". */
function planWords(p: CollectPlan): string {
  const parts: string[] = [];
  if (p.tests.length) parts.push(`${p.tests.join(', ')}: ${p.reps} × ${p.durationS} s, ${p.scenarios.join(' + ')}`);
  if (p.profile) parts.push(`profiles ${p.profile.durationS} s at ${p.profile.freqHz} Hz`);
  if (p.launch) parts.push(`${p.launch.count} pod launches per model`);
  if (p.policyRules) parts.push(`${p.policyRules.sweep?.join(', ') ?? p.policyRules.rules} policy rules added`);
  if (p.proxy) parts.push(`Service datapath ${(p.proxy.modes ?? [p.proxy.mode]).join(' and ')}, ${p.proxy.sweep?.join(', ') ?? p.proxy.services} other Services${p.target === 'service' ? ', tests through a Service' : ''}`);
  return parts.join('; ') || 'nothing';
}

/** One line per run: what was collected, on what, and how it ended. */
export function runRows(runs: readonly LoadedRun[]): Record<string, string | number>[] {
  return runs.map((r) => {
    const m = r.manifest;
    const count = (s: string) => m.items.filter((i) => i.status === s).length;
    return {
      run: r.runId,
      status: m.status,
      host: `${m.host.cpuModel}, ${m.host.cores} cores, ${Math.round(m.host.cpuMHz)} MHz, kernel ${m.host.kernel}${m.host.virtualized ? ' (VM)' : ''}`,
      backend: m.backend,
      models: m.plan.models.length,
      plan: planWords(m.plan),
      items: `ok ${count('ok')}, failed ${count('failed')}, skipped ${count('skipped')}, pending ${count('pending')}`,
      'damaged raw files': r.badFiles.size,
    };
  });
}

/** The findings table: each of the study's claims, its verdict on these runs, why, and the data. */
export function findingRows(findings: readonly EvaluatedClaim[]): Record<string, string>[] {
  return findings.map((f, i) => ({ '#': `F${i + 1}`, Claim: f.claim, Where: f.figure, Verdict: f.verdict, Why: f.reason, Data: f.evidence }));
}

/** Notices about the runs (what `cnibench report` prints on stderr), as a list; "none" when everything was sound. */
export function showNotices(study: { notices: readonly Notice[] }): void {
  showHtml(study.notices.length
    ? `<p><strong>Notices</strong> (as the report prints them):</p><ul>${study.notices.map((n) => `<li>${escapeHtml(noticeLine(n))}</li>`).join('')}</ul>`
    : '<p><strong>Notices:</strong> none — every raw file matches its checksum and every item finished.</p>');
}
