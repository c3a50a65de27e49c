// The machine conditions of a run's netperf items, read from each item's raw .conditions.json: one row per item with
// its steal, how busy each CPU was, halts, drops, retransmissions, UDP errors and flags. Runs made before
// conditions were recorded have none; callers say "conditions not recorded" for them.
import { type ItemConditions, conditionFlags, stealPct } from '../collect/conditions.ts';
import { parseConditions } from '../collect/rawSchemas.ts';
import { busyTicks, totalTicks } from '../tools/proc/stat.ts';
import { type LoadedRun, rawText, soundItems } from './loadRun.ts';
import { pointOf, type SweepPoint } from '../collect/schedule.ts';

/** One netperf item's conditions; in a sweep or a comparison of Service implementations, its point (SweepPoint). */
export interface ConditionRow extends SweepPoint {
  run: string;
  item: string;
  model: string;
  scenario: string;
  test: string;
  rep: number;
  placement: string;
  idle: string;
  stealPct: number;
  /** Busy share of each CPU, "cpu0" → %. */
  busyPct: Record<string, number>;
  halts: number;
  /** Context switches per second on all CPUs (undefined where the run did not record them). */
  switchesPerS?: number;
  drops: number;
  tcpRetrans: number;
  udpErrors: number;
  /** The machine-speed probe's time around the item, mean of before and after (absent where not recorded). */
  speedProbeMs?: number;
  flags: string[];
}

/** Whether a run recorded per-item conditions at all. */
export function hasConditions(run: LoadedRun): boolean {
  return soundItems(run, 'netperf').some((i) => i.files.some((f) => f.endsWith('.conditions.json')));
}

export function conditionRow(run: string, item: { id: string; model: string; scenario: string; test: string; rep: number } & SweepPoint, c: ItemConditions): ConditionRow {
  const busyPct: Record<string, number> = {};
  for (const [cpu, t] of Object.entries(c.cpuTicks)) {
    if (cpu !== 'cpu') busyPct[cpu] = totalTicks(t) > 0 ? (100 * busyTicks(t)) / totalTicks(t) : 0;
  }
  const sum = (k: 'Tcp:RetransSegs' | 'Udp:InErrors' | 'Udp:RcvbufErrors' | 'Udp:SndbufErrors') => Object.values(c.snmp).reduce((s, v) => s + (v[k] ?? 0), 0);
  return {
    run, item: item.id, model: item.model, scenario: item.scenario, test: item.test, rep: item.rep, placement: c.placement, idle: c.idle,
    ...pointOf(item),
    stealPct: stealPct(c),
    busyPct,
    halts: Object.values(c.halts).reduce((a, b) => a + b, 0),
    ...(c.contextSwitches !== undefined && c.wallMs > 0 ? { switchesPerS: c.contextSwitches / (c.wallMs / 1000) } : {}),
    drops: c.softnet.dropped + c.linkDrops.reduce((s, l) => s + l.rx + l.tx, 0),
    tcpRetrans: sum('Tcp:RetransSegs'),
    udpErrors: sum('Udp:InErrors') + sum('Udp:RcvbufErrors') + sum('Udp:SndbufErrors'),
    ...(c.speedProbeMs ? { speedProbeMs: (c.speedProbeMs.before + c.speedProbeMs.after) / 2 } : {}),
    flags: conditionFlags(c),
  };
}

export async function conditionsOfRun(run: LoadedRun): Promise<ConditionRow[]> {
  const rows: ConditionRow[] = [];
  for (const item of soundItems(run, 'netperf')) {
    const rel = item.files.find((f) => f.endsWith('.conditions.json'));
    if (!rel) continue;
    const c = parseConditions(await rawText(run, rel), `${run.runId}/${rel}`);
    rows.push(conditionRow(run.runId, item, c));
  }
  return rows;
}
