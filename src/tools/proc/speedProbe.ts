// A machine-speed probe: a fixed amount of work timed right before and right after each measurement. The VM's host
// can slow the guest without any counter the guest reads moving (no steal, no drops): a neighbour on the sibling
// hyperthread of a vCPU, or a lower clock. Timing the same work every time shows it — an item whose probe ran 10%
// slower than the run's usual probe was measured on a slower machine, whatever its datapath did.
//
// The work is an integer hash loop that lives in registers (about 4.6 ms here), timed three times, keeping the
// fastest: an interrupt or a preemption lengthens one try, a slower core lengthens all three. On an idle machine here
// its CV is about 1% (60 readings 100 ms apart). A pointer walk through 16 MiB was tried as a probe of cache and
// memory contention too, and dropped: its readings spread by 7–27% on an idle machine, too much to show a 10% shift.
// It runs in cnibench's own process while no netperf runs.
import { performance } from 'node:perf_hooks';

const STEPS = 1 << 22;
const TRIES = 3;

function hash(steps: number): number {
  let h = 0x811c9dc5;
  for (let s = 0; s < steps; s++) h = Math.imul(h ^ s, 0x01000193) >>> 0;
  return h;
}

/** Keeps the results alive so the compiler cannot drop the work. */
let sink = 0;
let warm = false;

/** Milliseconds the fixed work took (fastest of three tries). The first call warms the compiler first (not timed). */
export function speedProbe(): number {
  if (!warm) {
    sink = (sink + hash(STEPS)) >>> 0;
    warm = true;
  }
  let best = Infinity;
  for (let t = 0; t < TRIES; t++) {
    const t0 = performance.now();
    sink = (sink + hash(STEPS)) >>> 0;
    best = Math.min(best, performance.now() - t0);
  }
  return best;
}

/** The hash of all work so far: proves to a test that the loop ran. */
export function probeSink(): number {
  return sink;
}
