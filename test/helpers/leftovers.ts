// After a root test that brings testbeds up: whatever it left behind is removed, so one failing test (which has
// already failed on the leak itself) does not fail every later test that checks for a clean machine.
import { cleanup } from '../../src/testbed/cleanup.ts';

export async function sweepLeftovers(): Promise<void> {
  if (process.getuid?.() !== 0) return;
  const removed = await cleanup().catch((err: unknown) => { console.error(`# sweeping leftovers failed: ${String(err)}`); return undefined; });
  if (removed?.prefixes.length) console.error(`# swept testbed(s) left by this test: ${removed.prefixes.join(", ")}`);
}
