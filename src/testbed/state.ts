// Testbed state files under /run/cnibench/testbeds: what `testbed down` and `cleanup` read to undo a testbed.
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../util/atomic.ts';
import { STATE_DIR } from './names.ts';
import type { Testbed } from './topology.ts';
import { parseTestbedState } from './stateSchema.ts';

const DIR = join(STATE_DIR, 'testbeds');

export async function saveState(tb: Testbed): Promise<void> {
  await mkdir(DIR, { recursive: true });
  await writeJsonAtomic(join(DIR, `${tb.prefix}.json`), tb);
}

/** The saved state of a testbed; undefined when there is none. A state file that is not what cnibench wrote is an error naming the field. */
export async function loadState(prefix: string): Promise<Testbed | undefined> {
  const path = join(DIR, `${prefix}.json`);
  const text = await readFile(path, 'utf8').catch(() => undefined);
  return text === undefined ? undefined : parseTestbedState(text, path);
}

export async function removeState(prefix: string): Promise<void> {
  await rm(join(DIR, `${prefix}.json`), { force: true });
}

export async function listStates(): Promise<Testbed[]> {
  let names: string[] = [];
  try { names = await readdir(DIR); } catch { return []; }
  const out: Testbed[] = [];
  for (const n of names.filter((x) => x.endsWith('.json'))) {
    const tb = await loadState(n.slice(0, -5));
    if (tb) out.push(tb);
  }
  return out;
}
