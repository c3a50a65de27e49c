// `cnibench cpp [RUN…]`: the CPU-cycles-per-packet breakdown, FIB lookups and context switches of profiled runs,
// and cycles per transaction of request/response profiles.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { HELP } from './help.ts';
import { DEFAULT_DATA_DIR, parseOptions } from './options.ts';
import { UsageError } from '../util/errors.ts';
import { type LoadedRun, listRuns, loadRun, soundItems } from '../analysis/loadRun.ts';
import { type CpuSplitRow, cppTables, cpuSplitOfItem } from '../analysis/cpp.ts';
import * as aq from 'arquero';
import { foldedFiles } from '../report/folded.ts';

export async function runCpp(args: string[]): Promise<number> {
  const { values, positionals } = parseOptions('cpp', args, { 'data-dir': { type: 'string' }, csv: { type: 'string' }, 'by-cpu': { type: 'boolean' } }, true);
  if (values.help) { process.stdout.write(HELP.cpp + '\n'); return 0; }
  const dataDir = resolve(values['data-dir'] ?? DEFAULT_DATA_DIR);
  let ids = positionals;
  if (ids.length === 0) {
    const all = await listRuns(dataDir);
    if (!all.length) throw new UsageError(`no runs in ${join(dataDir, 'runs')}: collect one with cnibench collect --profile.`);
    ids = [all[all.length - 1]!];
  }
  const runs = [];
  for (const id of ids) runs.push(await loadRun(dataDir, id));
  if (values['by-cpu']) return printCpuSplit(runs);
  const { cpp, transactions, packetEvents, folded, problems } = await cppTables(runs);
  for (const p of problems) process.stderr.write(`not used: ${p.item}: ${p.reason}\n`);
  if (cpp.numRows() === 0 && transactions.numRows() === 0) throw new UsageError(`no usable profiles in ${ids.join(', ')}: collect with --profile.`);
  if (cpp.numRows()) process.stdout.write(streamTable(cpp, packetEvents).toMarkdown() + '\n');
  if (transactions.numRows()) {
    const perTransaction = transactions
      .derive({ cppPerTransaction: aq.escape((d: { cppPerTransaction: number }) => Math.round(d.cppPerTransaction)), totalPerTransaction: aq.escape((d: { totalPerTransaction: number }) => Math.round(d.totalPerTransaction)) })
      .groupby('run', 'item', 'model', 'scenario', 'test', 'totalPerTransaction', 'cycles')
      .pivot('component', 'cppPerTransaction');
    process.stdout.write(`${cpp.numRows() ? '\n' : ''}Cycles per transaction (request/response profiles):\n\n${perTransaction.toMarkdown()}\n`);
  }
  if (values.csv) {
    await mkdir(values.csv, { recursive: true });
    await writeFile(join(values.csv, 'cpp.csv'), cpp.toCSV() + '\n');
    await writeFile(join(values.csv, 'packet-events.csv'), packetEvents.toCSV() + '\n');
    if (transactions.numRows()) await writeFile(join(values.csv, 'cpp-transactions.csv'), transactions.toCSV() + '\n');
    for (const f of foldedFiles(folded)) await writeFile(join(values.csv, f.file), f.csv);
    process.stderr.write(`wrote ${join(values.csv, 'cpp.csv')}, packet-events.csv${transactions.numRows() ? ', cpp-transactions.csv' : ''} and ${folded.length} gzipped folded-stack files (flame graphs)\n`);
  }
  return 0;
}

/** One row per stream profile: cycles per frame by component, FIB lookups and context switches per packet. */
function streamTable(cpp: aq.ColumnTable, packetEvents: aq.ColumnTable): aq.ColumnTable {
  return cpp
    .derive({ cpp: aq.escape((d: { cpp: number }) => Math.round(d.cpp)) })
    .groupby('run', 'item', 'model', 'scenario', 'totalCpp', 'cycles')
    .pivot('component', 'cpp')
    .derive({ totalCpp: aq.escape((d: { totalCpp: number }) => Math.round(d.totalCpp)) })
    .join_left(packetEvents.select('run', 'item', 'fibPer100k', 'contextSwitchesPerPacket'), [['run', 'item'], ['run', 'item']])
    .derive({
      fibPer100k: aq.escape((d: { fibPer100k: number }) => Math.round(d.fibPer100k)),
      contextSwitchesPerPacket: aq.escape((d: { contextSwitchesPerPacket: number }) => Number(d.contextSwitchesPerPacket.toFixed(3))),
    });
}

/** `--by-cpu`: per profile and CPU, which end was pinned there and what share of each group of samples ran on it. */
async function printCpuSplit(runs: LoadedRun[]): Promise<number> {
  const rows: CpuSplitRow[] = [];
  for (const run of runs) for (const item of soundItems(run, 'profile')) rows.push(...await cpuSplitOfItem(run, item));
  if (!rows.length) throw new UsageError('no usable profiles with CPU fields in these runs: collect with --profile.');
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  process.stdout.write([
    '| profile | placement | cpu | pinned there | busy | study\'s components | rest of kernel | user |',
    '|:-|:-|:-|:-|-:|-:|-:|-:|',
    ...rows.map((r) => `| ${r.item} | ${r.placement} | ${r.cpu} | ${r.ends || '—'} | ${pct(r.busy)} | ${pct(r.datapath)} | ${pct(r.restOfKernel)} | ${pct(r.user)} |`),
  ].join('\n') + '\n');
  return 0;
}
