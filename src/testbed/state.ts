// Testbed state files under /run/cnibench/testbeds: what `testbed down` and `cleanup` read to undo a testbed.
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeJsonAtomic } from '../util/atomic.ts';
import { STATE_DIR } from './names.ts';
import type { Testbed } from './topology.ts';

const DIR = join(STATE_DIR, 'testbeds');

export async function saveState(tb: Testbed): Promise<void> {
  await mkdir(DIR, { recursive: true });
  await writeJsonAtomic(join(DIR, `${tb.prefix}.json`), tb);
}

export async function loadState(prefix: string): Promise<Testbed | undefined> {
  try {
    return JSON.parse(await readFile(join(DIR, `${prefix}.json`), 'utf8')) as Testbed;
  } catch {
    return undefined;
  }
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
