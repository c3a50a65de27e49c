// Benchmark (not a test) of kube-proxy's rules on the local testbed: how long rendering, checking and loading the
// Services of one node take as their number grows, in iptables mode (legacy and nft flavours) and nftables mode —
// the sync cost kube-proxy pays and the target "10,000 Services in under 10 s per testbed" (issue 14). Each size is
// a flannel testbed brought up with `--services N` (both nodes; what `collect --proxy` builds), timed as a whole and
// by its steps, then torn down. Run as root:
//   npm run bench:services [-- --sizes 1,100,1000,10000 --modes iptables-legacy,iptables-nft,nftables --rounds 3 --merge]
// (writes bench/results/services.json; --merge keeps the rows of modes and sizes not measured this time)
import { parseArgs } from 'node:util';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { findModel } from '../src/testbed/models/index.ts';
import { testbedDown, testbedUp } from '../src/testbed/lifecycle.ts';
import { renderServices, servicesOf } from '../src/testbed/build/services.ts';
import { hostFacts, toolVersions } from '../src/collect/hostFacts.ts';

const { values } = parseArgs({ options: {
  sizes: { type: 'string', default: '1,100,1000,10000' },
  modes: { type: 'string', default: 'iptables-legacy,iptables-nft,nftables' },
  rounds: { type: 'string', default: '3' },
  merge: { type: 'boolean' },
} });
if (process.getuid?.() !== 0) {
  console.error('the Services benchmark needs root (it builds network namespaces)');
  process.exit(2);
}
const sizes = values.sizes.split(',').map(Number);
const rounds = Number(values.rounds);
const MODES = { 'iptables-legacy': { mode: 'iptables', iptables: 'legacy' }, 'iptables-nft': { mode: 'iptables', iptables: 'nft' }, nftables: { mode: 'nftables', iptables: 'legacy' } } as const;
type ModeName = keyof typeof MODES;
const modes = values.modes.split(',') as ModeName[];
for (const m of modes) if (!(m in MODES)) throw new Error(`unknown mode ${m}; choose from ${Object.keys(MODES).join(', ')}`);
const model = findModel('flannel')!;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Row { mode: ModeName; services: number; rules: number; renderMs: number; checkMs: number; applyMs: number; upMs: number; downMs: number }
const rows: Row[] = [];
for (const services of sizes) {
  for (const name of modes) {
    const { mode, iptables } = MODES[name];
    const samples: Row[] = [];
    // Rounds alternate with the other modes of this size, so a slow moment hits them alike.
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      const tb = await testbedUp(model, { iptables, proxy: { mode, services }, netservers: false });
      const upMs = performance.now() - t0;
      // Rendering happens inside the bring-up; timed again here on the built testbed (pure, the same work).
      const r0 = performance.now();
      const rs = renderServices(model, tb, servicesOf(tb, { mode, services }).services, mode);
      const renderMs = performance.now() - r0;
      const apply = Object.values(tb.services!.apply);
      const t1 = performance.now();
      await testbedDown(tb, model);
      samples.push({ mode: name, services, rules: rs.ruleCount, renderMs, checkMs: Math.max(...apply.map((a) => a.checkMs)), applyMs: Math.max(...apply.map((a) => a.applyMs)), upMs, downMs: performance.now() - t1 });
      process.stderr.write(`${name} ${services}: up ${Math.round(upMs)} ms (check ${samples.at(-1)!.checkMs} ms, load ${samples.at(-1)!.applyMs} ms per node), down ${Math.round(samples.at(-1)!.downMs)} ms\n`);
    }
    const pick = (k: keyof Row) => median(samples.map((s) => s[k] as number));
    rows.push({ mode: name, services, rules: samples[0]!.rules, renderMs: pick('renderMs'), checkMs: pick('checkMs'), applyMs: pick('applyMs'), upMs: pick('upMs'), downMs: pick('downMs') });
  }
}

const host = await hostFacts();
const tools = await toolVersions();
if (values.merge) {
  const old = JSON.parse(await readFile('bench/results/services.json', 'utf8').catch(() => '{"rows":[]}')) as { rows: (Row & { date?: string; rounds?: number })[]; date?: string; rounds?: number };
  const fresh = new Set(rows.map((r) => `${r.mode}/${r.services}`));
  const kept = old.rows.filter((r) => !fresh.has(`${r.mode}/${r.services}`)).map((r) => ({ ...r, date: r.date ?? old.date, rounds: r.rounds ?? old.rounds }));
  rows.unshift(...kept);
  const order = Object.keys(MODES);
  rows.sort((a, b) => a.services - b.services || order.indexOf(a.mode) - order.indexOf(b.mode));
}
const out = { date: new Date().toISOString(), host: `${host.cpuModel}, ${host.cores} cores, kernel ${host.kernel}`, tools, rounds, rows };
await mkdir('bench/results', { recursive: true });
await writeFile('bench/results/services.json', JSON.stringify(out, null, 2) + '\n');
console.log(`Host: ${out.host}; medians of ${rounds} bring-ups per size and mode (flannel, two nodes; each node loads the same rules)\n`);
console.log('| mode | Services | rules | render ms | check ms (per node) | load ms (per node) | testbed up ms | down ms |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.mode} | ${r.services} | ${r.rules} | ${r.renderMs.toFixed(0)} | ${r.checkMs.toFixed(0)} | ${r.applyMs.toFixed(0)} | ${r.upMs.toFixed(0)} | ${r.downMs.toFixed(0)} |`);
const big = rows.filter((r) => r.services >= 10_000);
if (big.length) console.log(`\n10,000 Services, whole testbed up: ${big.map((r) => `${r.mode} ${(r.upMs / 1000).toFixed(1)} s`).join(', ')} (target < 10 s per testbed: ${big.every((r) => r.upMs < 10_000) ? 'met' : 'NOT met'})`);
