// Runs external commands through execa with argument arrays, optionally inside a network namespace.
import { execa, type ResultPromise } from 'execa';

export interface RunOptions {
  /** Network namespace to run in (`ip netns exec <ns> …`); omit for the current one. */
  ns?: string;
  /** Text written to the command's stdin. */
  input?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Kill the command after this many milliseconds. */
  timeoutMs?: number;
  /** Do not throw on a non-zero exit; return the result instead. */
  reject?: boolean;
  /** Aborting it kills the command (Ctrl-C during a collection). */
  signal?: AbortSignal;
}

export interface RunResult {
  argv: string[];
  /** True when the command was killed through `signal`. */
  cancelled: boolean;
  exitCode: number;
  stdout: string;
  stderr: string;
  durationMs: number;
}

/** A command that failed: carries the argv and what it printed, so the message says what to look at. */
export class CommandError extends Error {
  constructor(
    readonly argv: string[],
    readonly exitCode: number | undefined,
    readonly stdout: string,
    readonly stderr: string,
    reason?: string,
  ) {
    const detail = (stderr.trim() || stdout.trim()).split('\n').slice(-3).join(' | ');
    super(`${argv.join(' ')} ${reason ?? `exited with ${exitCode}`}${detail ? `: ${detail}` : ''}`);
    this.name = 'CommandError';
  }
}

/** The argv actually executed for `argv` in namespace `ns`. */
export function inNs(ns: string | undefined, argv: string[]): string[] {
  return ns ? ['ip', 'netns', 'exec', ns, ...argv] : argv;
}

export async function run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  const full = inNs(opts.ns, argv);
  const started = performance.now();
  const [file, ...args] = full as [string, ...string[]];
  const result = await execa(file, args, {
    input: opts.input,
    env: opts.env,
    timeout: opts.timeoutMs,
    cancelSignal: opts.signal,
    reject: false,
    stripFinalNewline: false,
  });
  const out: RunResult = {
    cancelled: result.isCanceled === true,
    argv: full,
    exitCode: result.exitCode ?? -1,
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
    durationMs: performance.now() - started,
  };
  if (opts.reject !== false && (result.failed || out.exitCode !== 0)) {
    const reason = result.timedOut ? `timed out after ${opts.timeoutMs} ms` : result.isTerminated ? `was killed (${result.signal})` : undefined;
    throw new CommandError(full, result.exitCode, out.stdout, out.stderr, reason);
  }
  return out;
}

/** Starts a long-running command (a server) and returns its handle; the caller stops it by PID. */
export function spawnDaemon(argv: string[], opts: { ns?: string; env?: Record<string, string> } = {}): ResultPromise {
  const [file, ...args] = inNs(opts.ns, argv) as [string, ...string[]];
  return execa(file, args, { env: opts.env, reject: false, stdin: 'ignore', buffer: true });
}
