// Notices about the input — damaged files, failed or skipped items, unfinished runs — shown in the report and, one
// line each, on stderr, so nothing is silently left out.
import type { LoadedRun } from '../analysis/loadRun.ts';
import type { ItemRecord } from '../collect/manifest.ts';
import { MSG } from './messages.ts';
import { NETPERF_TESTS } from '../tools/netperf/types.ts';

export interface Notice {
  /** warning: data was lost or is doubtful; info: expected gaps (a skipped combination). */
  level: 'warning' | 'info';
  text: string;
}

/** Where notices go besides the report (stderr in the CLI; captured in tests). */
export type NoticeSink = (line: string) => void;

export const stderrSink: NoticeSink = (line) => process.stderr.write(`${line}\n`);

export function noticeLine(n: Notice): string {
  return `${n.level}: ${n.text}`;
}

/** The netperf tests in catalogue order, then the other kinds of item. */
const TEST_ORDER: readonly string[] = [...NETPERF_TESTS, 'profile', 'launch'];

/** Tests in catalogue order, whatever order a shuffled run met them in. */
export function sortTests(tests: Iterable<string>): string[] {
  const rank = (t: string) => (TEST_ORDER.indexOf(t) < 0 ? TEST_ORDER.length : TEST_ORDER.indexOf(t));
  return [...tests].sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
}

/** What an item measures: "tcp_rr", "profile" for a profiled pair of runs, "launch" for a pod launch. */
function testOf(item: ItemRecord): string {
  return item.kind === 'netperf' ? item.test : item.kind;
}

interface ItemGroup {
  status: 'failed' | 'skipped';
  model: string;
  scenario: string;
  reason: string;
  tests: Set<string>;
  n: number;
}

/** One notice per run status problem, damaged file, and model × scenario whose items failed or were skipped for one reason. */
export function runNotices(run: LoadedRun): Notice[] {
  const out: Notice[] = [];
  const m = run.manifest;
  if (m.status !== 'complete') {
    const pending = m.items.filter((i) => i.status === 'pending').length;
    out.push({ level: 'warning', text: MSG.unfinished(run.runId, m.status, pending) });
  }
  for (const [file, why] of [...run.badFiles].sort(([a], [b]) => a.localeCompare(b))) out.push({ level: 'warning', text: MSG.badFile(run.runId, file, why) });
  const groups = new Map<string, ItemGroup>();
  for (const item of m.items) {
    if (item.status !== 'failed' && item.status !== 'skipped') continue;
    const reason = item.reason ?? 'no reason recorded';
    const key = [item.status, item.model, item.scenario, reason].join('\u0000');
    const g = groups.get(key) ?? { status: item.status, model: item.model, scenario: item.scenario, reason, tests: new Set<string>(), n: 0 };
    g.tests.add(testOf(item));
    g.n++;
    groups.set(key, g);
  }
  for (const g of groups.values()) {
    // Pod launches belong to a model, not to a scenario.
    const where = [...g.tests].every((t) => t === 'launch') ? g.model : `${g.model} ${g.scenario}-host`;
    const what = `${where} (${sortTests(g.tests).join(', ')})`;
    out.push(g.status === 'failed'
      ? { level: 'warning', text: MSG.failed(run.runId, what, g.n, g.reason) }
      : { level: 'info', text: MSG.skipped(run.runId, what, g.n, g.reason) });
  }
  return out;
}
