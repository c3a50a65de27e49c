// Finds an executable on PATH without a shell.
import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

export async function which(cmd: string): Promise<string | undefined> {
  const dirs = (process.env.PATH ?? '').split(delimiter).concat(['/usr/sbin', '/sbin']);
  for (const dir of dirs) {
    const p = join(dir, cmd);
    try {
      await access(p, constants.X_OK);
      return p;
    } catch { /* next */ }
  }
  return undefined;
}
