// Benchmark (not a test) of installing Services on the local testbed: how long rendering, checking and loading them
// take as their number grows, with kube-proxy's rules in iptables mode (legacy and nft flavours) and nftables mode —
// the sync cost kube-proxy pays — and with the eBPF socket load balancer (its programs loaded, then its maps filled),
// against the target "10,000 Services in under 10 s per testbed" (issue 14). Each size is a testbed brought up with
// `--services N` (what `collect --proxy` builds: flannel's two nodes for kube-proxy, Cilium's for ebpf), timed as a
// whole and by its steps, then torn down. Run as root:
//   npm run bench:services [-- --sizes 1,100,1000,10000 --modes iptables-legacy,iptables-nft,nftables,ebpf --rounds 3 --merge]
// (writes bench/results/services.json; --merge keeps the rows of modes and sizes not measured this time)
import { parseArgs } from 'node:util';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { findModel } from '../src/testbed/models/index.ts';
import { testbedDown, testbedUp } from '../src/testbed/lifecycle.ts';
import { renderServices, servicesOf } from '../src/testbed/build/services.ts';
import { socketLbMapWrites } from '../src/testbed/services/ebpfSocketLb.ts';
import { hostFacts, toolVersions } from '../src/collect/hostFacts.ts';

const { values } = parseArgs({ options: {
  sizes: { type: 'string', default: '1,100,1000,10000' },
  modes: { type: 'string', default: 'iptables-legacy,iptables-nft,nftables,ebpf' },
  rounds: { type: 'string', default: '3' },
  merge: { type: 'boolean' },
} });
if (process.getuid?.() !== 0) {
  console.error('the Services benchmark needs root (it builds network namespaces)');
  process.exit(2);
}
const sizes = values.sizes.split(',').map(Number);
const rounds = Number(values.rounds);
const MODES = {
  'iptables-legacy': { mode: 'iptables', iptables: 'legacy', model: 'flannel' },
  'iptables-nft': { mode: 'iptables', iptables: 'nft', model: 'flannel' },
  nftables: { mode: 'nftables', iptables: 'legacy', model: 'flannel' },
  // The eBPF load balancer comes with Cilium's model (src/collect/plan.ts: proxyNotApplicable).
  ebpf: { mode: 'ebpf', iptables: 'legacy', model: 'cilium' },
} as const;
type ModeName = keyof typeof MODES;
const modes = values.modes.split(',') as ModeName[];
for (const m of modes) if (!(m in MODES)) throw new Error(`unknown mode ${m}; choose from ${Object.keys(MODES).join(', ')}`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

interface Row { mode: ModeName; services: number; rules: number; renderMs: number; checkMs: number; applyMs: number; upMs: number; downMs: number }
const rows: Row[] = [];
for (const services of sizes) {
  for (const name of modes) {
    const { mode, iptables } = MODES[name];
    const model = findModel(MODES[name].model)!;
    const samples: Row[] = [];
    // Rounds alternate with the other modes of this size, so a slow moment hits them alike.
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      const tb = await testbedUp(model, { iptables, proxy: { mode, services }, netservers: false });
      const upMs = performance.now() - t0;
      // Rendering happens inside the bring-up; timed again here on the built testbed (pure, the same work): the
      // rules, or for the eBPF load balancer its map writes.
      const r0 = performance.now();
      const specs = servicesOf(tb, { mode, services }).services;
      const rules = mode === 'ebpf' ? socketLbMapWrites(specs, '/sys/fs/bpf/bench').lines.length : renderServices(model, tb, specs, mode).ruleCount;
      const renderMs = performance.now() - r0;
      const apply = Object.values(tb.services!.apply);
      const t1 = performance.now();
      await testbedDown(tb, model);
      samples.push({ mode: name, services, rules, renderMs, checkMs: Math.max(...apply.map((a) => a.checkMs)), applyMs: Math.max(...apply.map((a) => a.applyMs)), upMs, downMs: performance.now() - t1 });
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
console.log(`Host: ${out.host}; medians of ${rounds} bring-ups per size and mode (flannel's two nodes for kube-proxy, each loading the same rules; Cilium's for ebpf: programs loaded, then maps filled, once)\n`);
console.log('| mode | Services | rules (ebpf: map writes) | render ms | check ms (per node; ebpf: program load) | load ms (per node; ebpf: map fill) | testbed up ms | down ms |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.mode} | ${r.services} | ${r.rules} | ${r.renderMs.toFixed(0)} | ${r.checkMs.toFixed(0)} | ${r.applyMs.toFixed(0)} | ${r.upMs.toFixed(0)} | ${r.downMs.toFixed(0)} |`);
const big = rows.filter((r) => r.services >= 10_000);
if (big.length) console.log(`\n10,000 Services, whole testbed up: ${big.map((r) => `${r.mode} ${(r.upMs / 1000).toFixed(1)} s`).join(', ')} (target < 10 s per testbed: ${big.every((r) => r.upMs < 10_000) ? 'met' : 'NOT met'})`);
