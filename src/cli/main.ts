// The cnibench command line: parses arguments, runs a command, maps errors to exit codes (2 = bad input).
import { HELP } from './help.ts';
import { UsageError, errorMessage } from '../util/errors.ts';

type Command = (args: string[]) => Promise<number>;

// Loaded on demand: `collect` should not pay for Arquero or the perf parser, nor fail because of them.
const COMMANDS: Record<string, Command> = {
  doctor: async (a) => (await import('./doctor.ts')).runDoctor(a),
  models: async (a) => (await import('./testbed.ts')).runModels(a),
  collect: async (a) => (await import('./collect.ts')).runCollect(a),
  testbed: async (a) => (await import('./testbed.ts')).runTestbed(a),
  cpp: async (a) => (await import('./cpp.ts')).runCpp(a),
  summary: async (a) => (await import('./summary.ts')).runSummary(a),
  report: async (a) => (await import('./report.ts')).runReport(a),
  cleanup: async (a) => (await import('./cleanup.ts')).runCleanup(a),
};

export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (!cmd || cmd === '-h' || cmd === '--help' || cmd === 'help') {
      const topic = cmd === 'help' && rest[0] && HELP[rest[0]] ? rest[0] : 'main';
      process.stdout.write(HELP[topic] + '\n');
      return 0;
    }
    const command = COMMANDS[cmd];
    if (!command) throw new UsageError(`unknown command "${cmd}"; run "cnibench --help" for the list.`);
    return await command(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`cnibench: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`cnibench: ${errorMessage(err)}\n`);
    return 1;
  }
}

