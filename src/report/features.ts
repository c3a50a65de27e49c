// Section "The CNI plugins and their datapaths": Table I (the study's feature comparison, restated, with what has
// changed since and where to check), the datapath models standing for each CNI, and the compact Fig. 1; Appendix A
// holds Table II and each model's full diagram.
import { CNI_CATALOG, tableIRows } from '../catalog/cnis.ts';
import type { ModelDescription } from '../testbed/model.ts';
import { MODELS } from '../testbed/models/index.ts';
import { interHostKind } from '../testbed/kinds/interHost/index.ts';
import { attachKind } from '../testbed/kinds/attach/index.ts';
import { policyKind } from '../testbed/kinds/policy/index.ts';
import { type SectionContext, appendixHeading, appendixRef, figRef, sectionHeading } from './context.ts';
import { figurePlaceholder, link, md, mdCell, table } from './markdown.ts';

function intraWords(m: ModelDescription): string {
  return attachKind(m.attach).words(m.attach, m);
}

function interWords(m: ModelDescription): string {
  const h = m.interHost;
  if (!h || !m.scenarios.includes('inter')) return '—';
  return interHostKind(h).words(h, m);
}

function policyWords(m: ModelDescription): string {
  return policyKind(m.policy).words(m.policy, m);
}

export function featuresSection(ctx: SectionContext): string {
  const t = ctx.tables;
  const features = tableIRows().map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, mdCell(v)])));
  const since = CNI_CATALOG.flatMap((c) => c.since.map((s) => `- **${md(c.name)}.** ${md(s.note)} (${link('source', s.source)})`));
  return [
    sectionHeading('sec-cnis'),
    'The study sorts CNI plugins by the layer their datapath works at and by how they cross hosts: an L3 design routes every packet in the host, a hybrid design bridges packets between pods of one node and routes between nodes, and either can carry inter-node traffic natively ("underlay") or inside a tunnel ("overlay"). The table restates its qualitative comparison; the list under it records what has changed since, each with a source.',
    t.caption('table-features', 'Features of the five CNI plugins as the study compared them, the datapath models of this project that stand for each, and the policy those models install.'),
    table(features),
    '**Since the study.**',
    since.join('\n'),
    `Each CNI is represented here by one or more *datapath models*: descriptions from which the testbed builds namespaces, links, routes, iptables chains and BPF programs, and from which the diagrams are drawn. ${figRef(ctx, 'fig1a')} and ${figRef(ctx, 'fig1b')} show every model's path side by side, one row per model; ${appendixRef('appendix-models')} describes each model (${t.ref('table-models')}) and draws its devices, addresses, routes and chains in full. Two reference points that are not CNIs bound the results: a bare veth pair between two pods (Baseline) and the node's own network (Host).`,
    figurePlaceholder('fig1a'),
    figurePlaceholder('fig1b'),
  ].join('\n\n');
}

/** Appendix A: what each model builds and emulates (Table II, the runs' own emulation notes) and its full diagrams. */
export function modelsAppendix(ctx: SectionContext, emulationNotes: string): string {
  const t = ctx.tables;
  const models = MODELS.map((m) => ({
    Model: `${mdCell(m.label)} (\`${m.id}\`)`,
    'Within a node': mdCell(intraWords(m)),
    'Between nodes': mdCell(interWords(m)),
    Policy: mdCell(policyWords(m)),
    'Emulated or substituted': m.emulation.length ? mdCell(m.emulation.join(' ')) : '—',
  }));
  return [
    appendixHeading('appendix-models'),
    t.caption('table-models', 'The datapath models, what each builds, and what in it is emulated rather than the real CNI\'s code.'),
    table(models),
    ...(emulationNotes ? ['What each model emulated or substituted in the runs of this report, as their manifests recorded it:', emulationNotes] : []),
    `${figRef(ctx, 'figA1')} and ${figRef(ctx, 'figA2')} draw each model's nodes in full: the devices a packet crosses (colours as the components of ${figRef(ctx, 'fig4')}), their addresses and routes, and the iptables chains or BPF programs on the way.`,
    figurePlaceholder('figA1'),
    figurePlaceholder('figA2'),
  ].join('\n\n');
}
