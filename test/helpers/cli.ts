// Runs the real cnibench CLI in a child process, as a user would.
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { resolve, dirname } from 'node:path';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const BIN = resolve(ROOT, 'bin', 'cnibench.mjs');

export interface CliResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export async function cli(args: string[], opts: { asUser?: string; timeoutMs?: number; env?: Record<string, string> } = {}): Promise<CliResult> {
  const argv = opts.asUser
    ? ['setpriv', `--reuid=${opts.asUser}`, `--regid=${opts.asUser}`, '--clear-groups', process.execPath, BIN, ...args]
    : [process.execPath, BIN, ...args];
  const r = await execa(argv[0]!, argv.slice(1), { reject: false, cwd: ROOT, timeout: opts.timeoutMs ?? 120_000, env: opts.env });
  return { exitCode: r.exitCode ?? -1, stdout: String(r.stdout), stderr: String(r.stderr) };
}

export const isRoot = process.getuid?.() === 0;

/** Root tests: skipped with a reason on a developer's machine, but a failure in CI (a missing prerequisite is never silent there). */
export function rootOnly(): { skip: string | false } {
  if (isRoot) return { skip: false };
  if (process.env.CI === 'true') throw new Error('this test needs root and CI runs as root: run the suite as root');
  return { skip: 'needs root' };
}
