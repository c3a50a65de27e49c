// Where a local run's time went: netperf's measurement windows against the wall time of its sessions, and the rest
// split into what the method asks for (warm-ups, netperf's own start and end — TCP_CRR's server waits out 4 s past its
// window — and each item's counters, conditions and Service checks) and what the testbeds cost (their bring-ups).
// Read from what the run recorded: the sessions, the items' start and end, netperf's elapsed time in each
// `.datapath.json`, each warm-up's start and each testbed's timed build steps. Nothing is re-measured.
import { parseItemDatapath } from '../collect/rawSchemas.ts';
import { type LoadedRun, rawText, soundItems, testbedsOfRun } from './loadRun.ts';

export interface RunTimeBreakdown {
  run: string;
  /** The sessions' wall time, s (a resumed run adds its sessions). */
  wallS: number;
  /** Measured netperf items and their windows: items × --duration, s. */
  items: number;
  windowsS: number;
  /** netperf's processes past their windows, s: connecting, its server's results, TCP_CRR's 4 s pad. */
  netperfPastWindowS: number;
  /** Inside items but outside netperf, s: counters before and after, conditions, Service checks, writing raw files. */
  itemOverheadS: number;
  /** Warm-ups (from each one's start to the item after it), s. */
  warmupsS: number;
  warmups: number;
  /** Testbed bring-ups, the sum of their timed build steps, s. */
  testbedsS: number;
  testbeds: number;
  /** Profiles and launches (whole items), s. */
  otherItemsS: number;
  /** The wall time none of the above explains: tear-downs, planning, saving the manifest, gaps between items, s. */
  restS: number;
  /** (wall − windows) / windows, %: the collection overhead, everything included. */
  overheadPct: number;
  /** (item overhead + bring-ups + rest) / windows, %: what cnibench itself adds, without what the method runs on purpose. */
  ownPct: number;
}

const ms = (iso: string | undefined) => (iso ? Date.parse(iso) : NaN);

export async function runTimeOf(run: LoadedRun): Promise<RunTimeBreakdown | undefined> {
  const m = run.manifest;
  const wallMs = m.sessions.reduce((s, x) => s + (x.endedAt ? ms(x.endedAt) - ms(x.startedAt) : 0), 0);
  const measured = soundItems(run, 'netperf').filter((i) => i.startedAt && i.finishedAt);
  if (!measured.length || !(wallMs > 0)) return undefined;
  let netperfMs = 0;
  let inItemsMs = 0;
  for (const item of measured) {
    inItemsMs += ms(item.finishedAt) - ms(item.startedAt);
    const rel = item.files.find((f) => f.endsWith('.datapath.json'));
    if (rel) netperfMs += parseItemDatapath(await rawText(run, rel), `${run.runId}/${rel}`).elapsedMs;
  }
  const windowsMs = measured.length * m.plan.durationS * 1000;
  // A warm-up runs just before the item it warms: its time is up to the next item's start.
  const starts = m.items.flatMap((i) => (i.startedAt ? [ms(i.startedAt)] : [])).sort((a, b) => a - b);
  let warmupsMs = 0;
  for (const w of m.warmups ?? []) {
    const t = ms(w.startedAt);
    const next = starts.find((s) => s >= t);
    if (next !== undefined) warmupsMs += next - t;
  }
  const testbeds = await testbedsOfRun(run);
  const testbedsMs = testbeds.reduce((sum, tb) => sum + tb.steps.reduce((s, x) => s + x.ms, 0), 0);
  const others = m.items.filter((i) => i.kind !== 'netperf' && i.startedAt && i.finishedAt);
  const otherMs = others.reduce((s, i) => s + ms(i.finishedAt) - ms(i.startedAt), 0);
  const explained = inItemsMs + warmupsMs + testbedsMs + otherMs;
  return {
    run: run.runId,
    wallS: wallMs / 1000,
    items: measured.length,
    windowsS: windowsMs / 1000,
    netperfPastWindowS: (netperfMs - windowsMs) / 1000,
    itemOverheadS: (inItemsMs - netperfMs) / 1000,
    warmupsS: warmupsMs / 1000,
    warmups: (m.warmups ?? []).length,
    testbedsS: testbedsMs / 1000,
    testbeds: testbeds.length,
    otherItemsS: otherMs / 1000,
    restS: (wallMs - explained) / 1000,
    overheadPct: (100 * (wallMs - windowsMs)) / windowsMs,
    ownPct: (100 * (inItemsMs - netperfMs + testbedsMs + wallMs - explained)) / windowsMs,
  };
}

/** The breakdown as lines for `cnibench summary`. */
export function runTimeLines(b: RunTimeBreakdown): string[] {
  const pct = (s: number) => `${((100 * s) / b.wallS).toFixed(0)}%`;
  const min = (s: number) => (s >= 600 ? `${(s / 60).toFixed(0)} min` : s >= 60 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(1)} s`);
  return [
    `where the time went: ${min(b.wallS)} of wall time for ${b.items} measured items; netperf's measurement windows ${min(b.windowsS)} (${pct(b.windowsS)}), so the collection overhead is ${b.overheadPct.toFixed(0)}% of them`,
    `  netperf past its windows (connecting, results; TCP_CRR's server waits 4 s past the end) ${min(b.netperfPastWindowS)} (${pct(b.netperfPastWindowS)})`,
    `  in items outside netperf (counters, conditions, Service checks, raw files) ${min(b.itemOverheadS)} (${pct(b.itemOverheadS)})`,
    `  ${b.warmups} warm-ups ${min(b.warmupsS)} (${pct(b.warmupsS)}); ${b.testbeds} testbed bring-ups ${min(b.testbedsS)} (${pct(b.testbedsS)})${b.otherItemsS > 0 ? `; profiles and launches ${min(b.otherItemsS)} (${pct(b.otherItemsS)})` : ''}`,
    `  the rest (tear-downs, between items) ${min(b.restS)} (${pct(b.restS)})`,
    `  cnibench's own share (readings in items, bring-ups, the rest): ${b.ownPct.toFixed(1)}% of the windows; warm-ups, profiles, launches and netperf's own time are the method's`,
  ];
}
