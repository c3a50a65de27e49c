// What one netperf run came to, judged the same way on both backends: a failure with its reason (no answer in time,
// netperf's own error, a non-zero exit, unreadable output), or the headline number of its output.
import { NetperfParseError, parseNetperfError, parseNetperfKeyval } from './parse.ts';
import type { NetperfTest } from './types.ts';

export interface NetperfRunResult {
  stdout: string;
  stderr: string;
  exitCode: number | undefined;
  timedOut: boolean;
}

export type NetperfOutcome =
  | { ok: true; headline: { value: number; units: string } }
  | { ok: false; reason: string };

/**
 * `noAnswer` says what a timeout means where the run happened; `exitWords` names the command whose exit code is
 * reported (netperf itself, or kubectl exec around it), with its last line of stderr when `withStderr` is set.
 */
export function netperfOutcome(res: NetperfRunResult, test: NetperfTest, words: { noAnswer: string; exitWords: string; withStderr?: boolean }): NetperfOutcome {
  if (res.timedOut) return { ok: false, reason: words.noAnswer };
  const error = parseNetperfError(res.stdout, res.stderr);
  if (error) return { ok: false, reason: error };
  if (res.exitCode !== 0) {
    const last = words.withStderr ? `: ${res.stderr.trim().split('\n').pop() ?? ''}` : '';
    return { ok: false, reason: `${words.exitWords} exited with ${res.exitCode}${last}` };
  }
  try {
    const rec = parseNetperfKeyval(res.stdout, test);
    return { ok: true, headline: { value: rec.throughput, units: rec.throughputUnits } };
  } catch (err) {
    if (err instanceof NetperfParseError) return { ok: false, reason: `bad netperf output: ${err.message.split('\n')[0]}` };
    throw err;
  }
}
