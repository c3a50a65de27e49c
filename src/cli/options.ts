// Shared option parsing for the CLI commands, and where the project's data lives.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { join } from 'node:path';
import { PROJECT_ROOT } from '../util/projectRoot.ts';
import { UsageError, errorMessage } from '../util/errors.ts';

export const DEFAULT_DATA_DIR = join(PROJECT_ROOT, 'data');

type Options = NonNullable<ParseArgsConfig['options']>;
const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/** parseArgs with our error style: an unknown or malformed option is a UsageError naming the command's help. */
export function parseOptions<const T extends Options>(command: string, args: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args, options: { ...options, ...HELP_OPTION }, allowPositionals, strict: true });
  } catch (err) {
    throw new UsageError(`${errorMessage(err).replace(/^TypeError \[[A-Z_]+\]: /, '')} (see cnibench ${command} --help)`);
  }
}
