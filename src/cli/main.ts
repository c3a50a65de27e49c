// The cnibench command line: parses arguments, runs a command, maps errors to exit codes (2 = bad input).
import { HELP } from './help.ts';
import { UsageError, errorMessage } from '../util/errors.ts';
import { runDoctor } from './doctor.ts';
import { runCollect } from './collect.ts';
import { runModels, runTestbed } from './testbed.ts';
import { runCpp } from './cpp.ts';

type Command = (args: string[]) => Promise<number>;

const COMMANDS: Record<string, Command> = {
  doctor: runDoctor,
  models: runModels,
  collect: runCollect,
  testbed: runTestbed,
  cpp: runCpp,
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

