// The report's chart stage: every figure drawn from the derived tables (or why it cannot be), each with the CSV of the
// table behind it; SVG ids scoped per figure so several inline SVGs can share one HTML page.
import * as aq from 'arquero';
import type { TopLevelSpec } from 'vega-lite';
import type { Summary } from '../analysis/observations.ts';
import type { CppRow, PacketEventRow } from '../analysis/cpp.ts';
import { FIGURES, contextSwitchSpec, cppSpec, datapathSpec, fibSpec, fig3Panels, flameSpec, launchSpec, modelLabel, performanceSpec } from '../charts/index.ts';
import { foldedFileName } from './folded.ts';
import type { ModelDescription, Scenario } from '../testbed/model.ts';
import { MODELS } from '../testbed/models/index.ts';
import { errorMessage } from '../util/errors.ts';
import type { ReportData } from './derive.ts';
import { MSG } from './messages.ts';
import type { Notice } from './notices.ts';
import type { SvgRenderer } from './svgCache.ts';

/** One drawn SVG (a figure has one, Fig. 1 has one per model) and its file name under figures/. */
export interface FigurePanel {
  file: string;
  svg: string;
}

/** A CSV under tables/. */
export interface CsvFile {
  file: string;
  csv: string;
}

export interface ReportFigure {
  /** Anchor id in the page, e.g. fig3a. */
  id: string;
  /** "Fig. 3a". */
  label: string;
  title: string;
  caption: string;
  panels: FigurePanel[];
  table?: CsvFile;
  /** Why the figure is not drawn. */
  missing?: string;
}

type Row = Record<string, string | number | boolean>;

/** What one figure draws and from which rows, or why it cannot be drawn. */
interface FigurePlan {
  id: string;
  label: string;
  figureId: string;
  /** Built lazily, inside the caller's error handling. */
  specs: { file: string; spec: () => TopLevelSpec }[];
  rows: readonly object[];
  missing?: string;
}

function info(figureId: string): { title: string; caption: string } {
  const f = FIGURES.find((x) => x.id === figureId);
  if (!f) throw new Error(`no figure "${figureId}" in the chart stage's FIGURES list`);
  return { title: f.title.replace(/^Fig\. \w+ — /, ''), caption: f.caption };
}

/** Element ids (clip paths, gradients) made unique per figure, in order of appearance, with their references. */
export function scopeSvgIds(svg: string, prefix: string): string {
  const ids = new Map<string, string>();
  for (const m of svg.matchAll(/\bid="([^"]+)"/g)) if (!ids.has(m[1]!)) ids.set(m[1]!, `${prefix}-${ids.size + 1}`);
  if (!ids.size) return svg;
  return svg
    .replace(/\bid="([^"]+)"/g, (_, id: string) => `id="${ids.get(id)}"`)
    .replace(/url\(#([^)]+)\)/g, (all, id: string) => (ids.has(id) ? `url(#${ids.get(id)})` : all))
    .replace(/href="#([^"]+)"/g, (all, id: string) => (ids.has(id) ? `href="#${ids.get(id)}"` : all));
}

function datapathRows(models: readonly ModelDescription[], scenario: Scenario): Row[] {
  return models.filter((m) => m.scenarios.includes(scenario)).map((m) => ({
    model: m.id, label: m.label, cni: m.cni, scenario, attach: m.attach.kind,
    interHost: scenario === 'inter' ? (m.interHost?.kind ?? '') : '', policy: m.policy.kind, summary: m.summary, emulation: m.emulation.join(' | '),
  }));
}

function plans(d: ReportData): FigurePlan[] {
  const out: FigurePlan[] = [];
  // The models measured, or every model before there is data: a diagram of a model with no numbers is only catalogue.
  const measured = new Set(d.runs.flatMap((r) => r.manifest.plan.models));
  const shown = measured.size ? MODELS.filter((m) => measured.has(m.id)) : MODELS;
  for (const [letter, scenario] of [['a', 'intra'], ['b', 'inter']] as const) {
    const models = shown.filter((m) => m.scenarios.includes(scenario));
    out.push({
      id: `fig1${letter}`, label: `Fig. 1${letter}`, figureId: `fig1-gallery-${scenario}`,
      specs: models.map((m) => ({ file: `fig1-${m.id}-${scenario}.svg`, spec: () => datapathSpec(m, scenario) })),
      rows: datapathRows(models, scenario),
    });
  }
  for (const p of fig3Panels()) {
    const rows = d.summaries.filter((s: Summary) => s.scenario === p.scenario && s.test === p.test && s.metric === p.metric);
    out.push({
      id: p.id, label: `Fig. 3${p.panel}`, figureId: p.id,
      specs: rows.length ? [{ file: `${p.id}.svg`, spec: () => performanceSpec(d.summaries, { scenario: p.scenario, test: p.test, metric: p.metric }) }] : [],
      rows,
      missing: rows.length ? undefined : `no sound ${p.scenario}-host ${p.test} results in these runs.`,
    });
  }
  for (const [n, scenario] of [[4, 'intra'], [5, 'inter']] as const) {
    const rows = d.cpp.filter((r: CppRow) => r.scenario === scenario);
    out.push({
      id: `fig${n}`, label: `Fig. ${n}`, figureId: `fig${n}`,
      specs: rows.length ? [{ file: `fig${n}.svg`, spec: () => cppSpec(d.cpp, scenario) }] : [],
      rows,
      missing: rows.length ? undefined : `no usable ${scenario}-host profiles in these runs (collect with --profile).`,
    });
  }
  for (const [n, scenario] of [[1, 'intra'], [2, 'inter']] as const) {
    const mine = MODELS.flatMap((m) => d.folded.filter((f) => f.model === m.id && f.scenario === scenario));
    const words = scenario === 'intra' ? 'intra-host' : 'inter-host';
    out.push({
      id: `figC${n}`, label: `Fig. C${n}`, figureId: `flame-gallery-${scenario}`,
      specs: mine.map((f) => ({ file: `flame-${f.model}-${scenario}.svg`, spec: () => flameSpec(f.stacks, { name: `flame-${f.model}-${scenario}`, title: `${modelLabel(f.model)}, ${words}`, profiles: f.profiles }) })),
      rows: mine.map((f) => ({ model: f.model, scenario, profiles: f.profiles, stacks: f.stacks.size, samples: [...f.stacks.values()].reduce((a, b) => a + b, 0), file: foldedFileName(f) })),
      missing: mine.length ? undefined : `no usable ${scenario}-host profiles in these runs (collect with --profile).`,
    });
  }
  const inter = d.packetEvents.filter((r: PacketEventRow) => r.scenario === 'inter');
  const none = inter.length ? undefined : 'no usable inter-host profiles in these runs (collect with --profile).';
  out.push({ id: 'fig6', label: 'Fig. 6', figureId: 'fig6', specs: inter.length ? [{ file: 'fig6.svg', spec: () => fibSpec(d.packetEvents, 'inter') }] : [], rows: inter, missing: none });
  const local = d.launches.filter((s) => s.backend === 'local');
  out.push({
    id: 'fig7', label: 'Fig. 7', figureId: 'fig7',
    specs: local.length ? [{ file: 'fig7.svg', spec: () => launchSpec(d.launches, 'local') }] : [],
    rows: d.launchRows.filter((r) => r.backend === 'local'),
    missing: local.length ? undefined : 'no pod-launch timings from the local testbed in these runs (collect with --launch).',
  });
  // A cluster's launches get their own panel, only when some run has them (most reports come from the testbed alone).
  if (d.launches.some((s) => s.backend === 'k8s')) {
    out.push({ id: 'fig7-k8s', label: 'Fig. 7 (Kubernetes)', figureId: 'fig7-k8s', specs: [{ file: 'fig7-k8s.svg', spec: () => launchSpec(d.launches, 'k8s') }], rows: d.launchRows.filter((r) => r.backend === 'k8s') });
  }
  out.push({
    id: 'fig8', label: 'Fig. 8', figureId: 'fig6-context-switches-inter',
    specs: inter.length ? [{ file: 'fig8-context-switches-inter.svg', spec: () => contextSwitchSpec(d.packetEvents, 'inter') }] : [], rows: inter, missing: none,
  });
  return out;
}

/** Draws every figure; one that fails to draw becomes a notice and a visible gap, not a failed report. */
export async function drawFigures(d: ReportData, render: SvgRenderer): Promise<{ figures: ReportFigure[]; notices: Notice[] }> {
  const figures: ReportFigure[] = [];
  const notices: Notice[] = [];
  for (const p of plans(d)) {
    const { title, caption } = info(p.figureId);
    const table = p.rows.length ? { file: `${p.id}.csv`, csv: aq.from(p.rows as Row[]).toCSV() + '\n' } : undefined;
    const fig: ReportFigure = { id: p.id, label: p.label, title, caption, panels: [], ...(table ? { table } : {}), ...(p.missing ? { missing: p.missing } : {}) };
    try {
      for (const [i, s] of p.specs.entries()) fig.panels.push({ file: s.file, svg: scopeSvgIds(await render(s.spec()), `${p.id}-${i + 1}`) });
    } catch (err) {
      fig.panels = [];
      fig.missing = MSG.figureFailed(p.label, errorMessage(err));
      notices.push({ level: 'warning', text: fig.missing });
    }
    figures.push(fig);
  }
  return { figures, notices };
}
