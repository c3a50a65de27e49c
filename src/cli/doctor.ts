// `cnibench doctor`.
import { HELP } from './help.ts';
import { parseOptions } from './options.ts';
import { collectBlockers, formatChecks, runChecks } from '../doctor/checks.ts';

export async function runDoctor(args: string[]): Promise<number> {
  const { values } = parseOptions('doctor', args, {});
  if (values.help) { process.stdout.write(HELP.doctor + '\n'); return 0; }
  const checks = await runChecks();
  process.stdout.write(formatChecks(checks) + '\n');
  const blockers = collectBlockers(checks);
  if (blockers.length) {
    process.stdout.write(`\ncollect cannot run: ${blockers.map((b) => b.name).join(', ')}.\n`);
    return 1;
  }
  process.stdout.write('\nready: cnibench collect --backend local can run here.\n');
  return 0;
}
