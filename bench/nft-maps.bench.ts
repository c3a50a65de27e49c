// Benchmark (a diagnosis, not a test) of why kube-proxy's nftables rules for many Services load slowly here. kube-proxy
// gives every Service with endpoints one anonymous verdict map (`numgen random mod N vmap { … }`); in one transaction
// the kernel binds each rule's anonymous set by walking the pending transactions, so the check (`nft -c -f`) grows
// with the square of the Services. This renders kube-proxy's rules for each size and, beside them, the same rules with
// each Service's map replaced by a `goto` to its first endpoint's chain — NOT kube-proxy's rules (it would send every
// connection to one endpoint), only the control that isolates the maps — and times `nft -c -f` of both in a scratch
// namespace, with the time nft spent in the kernel (system) and in user space. Run as root:
//   npm run bench:nft-maps [-- --sizes 1000,2000,5000,10000]
// (writes bench/results/nft-maps.json)
import { parseArgs } from 'node:util';
import { mkdir, writeFile } from 'node:fs/promises';
import { run } from '../src/util/exec.ts';
import { newPrefix, nsName } from '../src/testbed/names.ts';
import { kubeProxyNftablesRuleset } from '../src/testbed/services/kubeProxyNftables.ts';
import { serviceCatalog } from '../src/testbed/services/catalog.ts';
import { toolVersions, hostFacts } from '../src/collect/hostFacts.ts';

const { values } = parseArgs({ options: { sizes: { type: 'string', default: '1000,2000,5000,10000' } } });
if (process.getuid?.() !== 0) {
  console.error('the nft maps benchmark needs root (it checks rules inside a network namespace of its own)');
  process.exit(2);
}
const sizes = values.sizes.split(',').map(Number);
if (sizes.some((n) => !Number.isInteger(n) || n < 1)) {
  console.error(`--sizes takes whole numbers of Services from 1 (got "${values.sizes}")`);
  process.exit(2);
}

/** The control: every `numgen … vmap { 0 : goto X , … }` rule becomes `goto X` (one endpoint; no anonymous map). */
function withoutServiceMaps(text: string): string {
  return text.replace(/numgen random mod \d+ vmap \{ 0 : goto (\S+)[^}]*\}/g, 'goto $1');
}

/** `nft -c -f` of a file in `ns`: wall time, and nft's user and system CPU from its shell's child times (clock ticks). */
async function check(ns: string, text: string): Promise<{ wallMs: number; userMs: number; sysMs: number }> {
  const t0 = performance.now();
  // The shell waits for nft, then its own /proc stat holds nft's CPU time in cutime and cstime (fields 16 and 17).
  const r = await run(['sh', '-c', 'nft -c -f - && cat /proc/$$/stat'], { ns, input: text, timeoutMs: 600_000 });
  const wallMs = performance.now() - t0;
  const stat = r.stdout.trim().split('\n').at(-1)!;
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { wallMs, userMs: Number(fields[13]) * TICK_MS, sysMs: Number(fields[14]) * TICK_MS };
}

/** Milliseconds per clock tick, the unit of /proc/<pid>/stat's CPU times. */
const TICK_MS = 1000 / Number((await run(['getconf', 'CLK_TCK'])).stdout.trim());

const pods = Array.from({ length: 6 }, (_, i) => ({ ip: `10.244.${i % 2}.${10 + i}`, node: i % 2 ? 'node-b' : 'node-a' }));
const ns = nsName(newPrefix(), 'nftbench');
await run(['ip', 'netns', 'add', ns]);
interface Row { services: number; maps: number; rules: number; kubeProxy: Awaited<ReturnType<typeof check>>; withoutMaps: Awaited<ReturnType<typeof check>> }
const rows: Row[] = [];
try {
  for (const services of sizes) {
    const catalog = serviceCatalog({ count: services, seed: 1, pods, node: 'node-a' });
    const rs = kubeProxyNftablesRuleset(catalog, { clusterCIDR: '10.244.0.0/16' });
    const control = withoutServiceMaps(rs.text);
    const maps = (rs.text.match(/ vmap \{/g) ?? []).length;
    // The control first, so a machine that slows down over the run hurts kube-proxy's rules, not the comparison's side.
    const withoutMaps = await check(ns, control);
    const kubeProxy = await check(ns, rs.text);
    rows.push({ services, maps, rules: rs.ruleCount, kubeProxy, withoutMaps });
    process.stderr.write(`${services} Services: kube-proxy's rules ${Math.round(kubeProxy.wallMs)} ms (system ${Math.round(kubeProxy.sysMs)} ms), without the ${maps} maps ${Math.round(withoutMaps.wallMs)} ms\n`);
  }
} finally {
  await run(['ip', 'netns', 'del', ns], { reject: false });
}

const host = await hostFacts();
const tools = await toolVersions();
await mkdir('bench/results', { recursive: true });
await writeFile('bench/results/nft-maps.json', JSON.stringify({ date: new Date().toISOString(), host: `${host.cpuModel}, ${host.cores} cores, kernel ${host.kernel}`, tools, rows }, null, 2) + '\n');
console.log(`Host: ${host.cpuModel}, ${host.cores} cores, kernel ${host.kernel}; nft -c -f, one run per size (the control first)\n`);
console.log('| Services | anonymous maps | rules | kube-proxy\'s rules: wall ms | of which system ms | without the maps (control): wall ms | ratio |');
console.log('|---:|---:|---:|---:|---:|---:|---:|');
for (const r of rows) console.log(`| ${r.services} | ${r.maps} | ${r.rules} | ${r.kubeProxy.wallMs.toFixed(0)} | ${r.kubeProxy.sysMs.toFixed(0)} | ${r.withoutMaps.wallMs.toFixed(0)} | ${(r.kubeProxy.wallMs / r.withoutMaps.wallMs).toFixed(1)}× |`);
