// Reads `perf stat -x,` output (CSV counters) and insists on exactly the events that were asked for.
import { PerfParseError, type PerfStatValue } from './types.ts';

export interface ParsePerfStatOptions {
  /** Events that were requested (`-e`), spelled as perf prints them; each must appear once, and nothing else. */
  expect: string[];
  /** Name for error messages. */
  file?: string;
}

const NOT_SUPPORTED = '<not supported>';
const NOT_COUNTED = '<not counted>';
const NUMBER_RE = /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/;

function numberOrUndefined(s: string | undefined): number | undefined {
  return s !== undefined && NUMBER_RE.test(s) ? Number(s) : undefined;
}

/**
 * Parses the CSV that `perf stat -a -x, -e a,b,c` writes (to -o FILE or stderr):
 *   `2005.64,msec,cpu-clock,2005641773,100.00,2.000,CPUs utilized`
 *   `<not supported>,,cycles,0,100.00,,`   (the event does not exist here, e.g. hardware cycles in a VM)
 * Fields: value, unit, event, [variance% with -r], run time (ns), % of run time counted, metric value, metric unit.
 * Blank lines and `#` comments (`# started on …`) are skipped. A `<not supported>` count is null, never 0.
 */
export function parsePerfStatCsv(text: string, opts: ParsePerfStatOptions): Record<string, PerfStatValue> {
  const file = opts.file ?? '<perf stat output>';
  const out: Record<string, PerfStatValue> = {};
  const expected = new Set(opts.expect);
  const lines = text.split('\n');
  for (let n = 0; n < lines.length; n++) {
    const line = lines[n]!.replace(/\r$/, '');
    if (line.trim() === '' || line.startsWith('#')) continue;
    const f = line.split(',');
    if (f.length < 3) throw new PerfParseError(file, `not a perf stat -x, line: ${JSON.stringify(line.slice(0, 160))}`, n + 1);
    const [raw = '', unit = '', event = ''] = f;
    if (!expected.has(event)) {
      throw new PerfParseError(file, `unexpected event ${JSON.stringify(event)} (asked for ${opts.expect.join(', ')}): the output is not from this perf stat command`, n + 1);
    }
    if (Object.hasOwn(out, event)) throw new PerfParseError(file, `event ${event} appears twice`, n + 1);
    // With -r (repeats) perf inserts the variance ("0.12%") after the event name.
    const rest = f[3]?.endsWith('%') ? f.slice(4) : f.slice(3);
    const value = raw === NOT_SUPPORTED || raw === NOT_COUNTED ? null : numberOrUndefined(raw);
    if (value === undefined) throw new PerfParseError(file, `event ${event}: value ${JSON.stringify(raw)} is not a number`, n + 1);
    const v: PerfStatValue = { value, unit, supported: raw !== NOT_SUPPORTED, counted: value !== null };
    const runTimeNs = numberOrUndefined(rest[0]);
    const pct = numberOrUndefined(rest[1]);
    if (runTimeNs !== undefined) v.runTimeNs = runTimeNs;
    if (pct !== undefined) v.pct = pct;
    out[event] = v;
  }
  const missing = opts.expect.filter((e) => !Object.hasOwn(out, e));
  if (missing.length > 0) throw new PerfParseError(file, `perf stat printed no line for ${missing.join(', ')}: did the command ask for ${missing.length > 1 ? 'them' : 'it'}?`);
  return out;
}
