// Which placement and idle mode give repeatable numbers here (a benchmark, not a test): every (model, scenario, test)
// measured under each (idle, placement) pair, all of them interleaved in random order round after round, so drift
// falls on every pair alike. Prints per pair how many configurations stay within CV ≤ 5% and max/min ≤ 1.3, the
// median CV, and how often the vCPUs halted. This is how the defaults (--placement same, --idle default,
// --sender-nice 10) were chosen. A pair may name the sender's nice value as a third part (idle:placement:nice; 0 when
// left out). Run as root (about 25 minutes with the defaults):
//   node --import tsx bench/placement.bench.ts [--models baseline,flannel,cilium,calico-wp] [--rounds 5] [--duration 5]
//     [--pairs default:same,awake:same,awake:split,default:split] [--tests tcp_stream,tcp_rr,udp_rr]
import { parseArgs } from 'node:util';
import { mkdir, writeFile } from 'node:fs/promises';
import { findModel } from '../src/testbed/models/index.ts';
import { testbedDown, testbedUp } from '../src/testbed/lifecycle.ts';
import { NETSERVER_PORT, endpointsOf, type Testbed } from '../src/testbed/topology.ts';
import { parseNetperfKeyval } from '../src/tools/netperf/parse.ts';
import { NETPERF_TESTS, type NetperfTest } from '../src/tools/netperf/types.ts';
import { run } from '../src/util/exec.ts';
import { cpusFor, onlineCpus, placedNetperfArgs, type Placement } from '../src/collect/placement.ts';
import { awakeUnsupported, holdIdle, type IdleMode } from '../src/collect/idle.ts';
import { prng, shuffled } from '../src/collect/schedule.ts';
import { haltsBetween, readCpuidle, readIdleUsage } from '../src/tools/proc/cpuidle.ts';
import { cv, mean } from '../src/util/stats.ts';
import { STABLE } from '../src/analysis/stability.ts';

const { values } = parseArgs({ options: {
  models: { type: 'string', default: 'baseline,flannel,cilium,calico-wp' },
  rounds: { type: 'string', default: '5' },
  duration: { type: 'string', default: '5' },
  pairs: { type: 'string', default: 'default:same,awake:same,awake:split,default:split' },
  seed: { type: 'string', default: '1' },
  tests: { type: 'string', default: NETPERF_TESTS.join(',') },
  out: { type: 'string', default: 'bench/results/placement.json' },
} });
if (process.getuid?.() !== 0) { console.error('needs root (builds network namespaces)'); process.exit(2); }
const rounds = Number(values.rounds);
const durationS = Number(values.duration);
const cpus = await onlineCpus();
const cpuidle = await readCpuidle();
const pairs = values.pairs.split(',').map((p) => { const [idle, placement, nice] = p.split(':'); return { idle: idle as IdleMode, placement: placement as Placement, nice: Number(nice ?? 0), key: p }; });
const tests = values.tests.split(',') as NetperfTest[];
if (pairs.some((p) => p.idle === 'awake') && awakeUnsupported(cpuidle)) { console.error(`--idle awake is not possible here: ${awakeUnsupported(cpuidle)}`); process.exit(2); }

const testbeds: Testbed[] = [];
const results = new Map<string, { values: number[]; halts: number[] }>();
try {
  for (const id of values.models.split(',')) testbeds.push(await testbedUp(findModel(id) ?? (() => { throw new Error(`unknown model ${id}`); })()));
  const targets = testbeds.flatMap((tb) => tb.scenarios.flatMap((scenario) => tests.flatMap((test) => pairs.map((pair) => ({ tb, scenario, test, pair })))));
  const random = prng(Number(values.seed));
  for (let round = 1; round <= rounds; round++) {
    for (const t of shuffled(targets, random)) {
      const ep = endpointsOf(t.tb, t.scenario);
      const ends = cpusFor(t.pair.placement, cpus);
      const argv = placedNetperfArgs({ test: t.test, host: ep.serverIp, port: NETSERVER_PORT, durationS }, ends, t.pair.nice);
      const hold = holdIdle(t.pair.idle);
      const before = await readIdleUsage();
      const res = await run(argv, { ns: ep.clientNs, reject: false });
      const after = await readIdleUsage();
      hold.release();
      const key = `${t.tb.model}/${t.scenario}/${t.test} ${t.pair.key}`;
      const r = results.get(key) ?? { values: [], halts: [] };
      r.values.push(parseNetperfKeyval(res.stdout, t.test).throughput);
      r.halts.push(Object.values(haltsBetween(cpuidle, before, after)).reduce((a, b) => a + b, 0));
      results.set(key, r);
    }
    console.error(`round ${round} of ${rounds} done`);
  }
} finally {
  for (const tb of testbeds) await testbedDown(tb, findModel(tb.model));
}
const median = (xs: number[]) => { const s = [...xs].sort((a, b) => a - b); return s[Math.floor((s.length - 1) / 2)]!; };
const rows = pairs.map((pair) => {
  const mine = [...results].filter(([k]) => k.endsWith(` ${pair.key}`)).map(([, r]) => r);
  const cvs = mine.map((r) => 100 * cv(r.values));
  const stable = mine.filter((r) => 100 * cv(r.values) <= STABLE.cvPct && Math.max(...r.values) / Math.min(...r.values) <= STABLE.maxOverMin).length;
  return { pair: pair.key, configurations: mine.length, stable, medianCvPct: median(cvs), maxCvPct: Math.max(...cvs), haltsPerS: mean(mine.flatMap((r) => r.halts)) / durationS };
});
await mkdir('bench/results', { recursive: true });
await writeFile(values.out, JSON.stringify({ date: new Date().toISOString(), cpuidle: { driver: cpuidle.driver, governor: cpuidle.governor }, models: values.models, rounds, durationS, rows, perConfiguration: Object.fromEntries(results) }, null, 2) + '\n');
console.log(`${values.models}; every test, intra and inter; ${rounds} interleaved rounds × ${durationS} s; cpuidle ${cpuidle.driver}/${cpuidle.governor}\n`);
console.log(`| idle:placement${pairs.some((p) => p.nice) ? ':sender nice' : ''} | configurations | stable (CV ≤ ${STABLE.cvPct}%, max/min ≤ ${STABLE.maxOverMin}) | median CV | worst CV | vCPU halts per second |`);
console.log('|---|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.pair} | ${r.configurations} | ${r.stable} | ${r.medianCvPct.toFixed(1)}% | ${r.maxCvPct.toFixed(1)}% | ${r.haltsPerS.toFixed(0)} |`);
