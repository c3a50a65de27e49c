// Runs external commands through execa with argument arrays, optionally inside a network namespace.
import { closeSync, openSync } from 'node:fs';
import { execa } from 'execa';

export interface RunOptions {
  /** Network namespace to run in (`ip netns exec <ns> …`); omit for the current one. */
  ns?: string;
  /** A cgroup v2 directory the command joins before it enters `ns` (its PID stays the command's: each step execs). */
  cgroup?: string;
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
  /** True when the command was killed for running past `timeoutMs`. */
  timedOut: boolean;
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

/**
 * A fixed script that moves its own process into the cgroup named by $0, then execs the rest: the arguments pass
 * through "$@", never through the shell's parser. It must run before `ip netns exec`, which mounts a fresh /sys where
 * the cgroup mounts are hidden.
 */
const JOIN_CGROUP = 'echo $$ > "$0/cgroup.procs" && exec "$@"';

/** `argv` run inside the cgroup v2 directory `dir` (unchanged when there is none). */
export function inCgroup(dir: string | undefined, argv: string[]): string[] {
  return dir ? ['sh', '-c', JOIN_CGROUP, dir, ...argv] : argv;
}

export async function run(argv: string[], opts: RunOptions = {}): Promise<RunResult> {
  return start(argv, opts).result;
}

/** A command that was started: its PID at once (to watch it while it runs), its result when it ends. */
export interface Started {
  pid: number | undefined;
  result: Promise<RunResult>;
}

/** As `run`, but returns at once with the PID (`ip netns exec` execs the command, so it is the command's PID). */
export function start(argv: string[], opts: RunOptions = {}): Started {
  const full = inCgroup(opts.cgroup, inNs(opts.ns, argv));
  const started = performance.now();
  const [file, ...args] = full as [string, ...string[]];
  const child = execa(file, args, {
    input: opts.input,
    env: opts.env,
    timeout: opts.timeoutMs,
    cancelSignal: opts.signal,
    reject: false,
    stripFinalNewline: false,
  });
  const result = child.then((result) => {
    const out: RunResult = {
      cancelled: result.isCanceled === true,
      timedOut: result.timedOut === true,
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
  });
  return { pid: child.pid, result };
}

/** A long-running process of ours (netserver, a relay), detached so it outlives the command that started it. */
export interface Daemon {
  pid: number;
  /** Exit code once it has exited, else null. */
  exitCode(): number | null;
  /** The last lines it wrote to stderr (its log file). */
  lastWords(): Promise<string>;
}

/**
 * Starts a server detached from this process (a `testbed up` leaves it running; a collection stops it by PID),
 * with stdout/stderr going to `logFile` so its complaints are not lost.
 */
export function spawnDaemon(argv: string[], opts: { ns?: string; logFile: string }): Daemon {
  const [file, ...args] = inNs(opts.ns, argv) as [string, ...string[]];
  // A plain file descriptor (not execa's {file} target, which holds a stream open in this process) lets this
  // process exit while the daemon runs on.
  const fd = openSync(opts.logFile, 'a');
  // execa's types take file descriptors only as number literals; a runtime fd is passed through to spawn as is.
  const logFd = fd as 1;
  const child = execa(file, args, { reject: false, detached: true, cleanup: false, stdio: ['ignore', logFd, logFd] });
  closeSync(fd);
  child.catch(() => undefined);
  child.unref();
  if (child.pid === undefined) throw new Error(`could not start ${argv.join(' ')}`);
  return {
    pid: child.pid,
    exitCode: () => child.exitCode,
    lastWords: async () => {
      const { readFile } = await import('node:fs/promises');
      const text = await readFile(opts.logFile, 'utf8').catch(() => '');
      return text.trim().split('\n').slice(-2).join(' | ');
    },
  };
}
