// Benchmark (not a test) of how fast the command line starts: `cnibench --help` and `cnibench models` through the
// compiled CLI (bin/cnibench.mjs → dist/), the same commands through tsx from the TypeScript sources (how every command
// started before there was a build), and `node -e 0` as the floor. Commands alternate, one after another, so a slow
// moment of the machine hits all of them alike; the table gives medians and each command's ratio to `node -e 0`.
// Target (issue 13): `cnibench --help` within 4× of `node -e 0`.
// Run: npm run bench:startup [-- --runs 30]   (builds dist/ first if needed; writes bench/results/startup.json)
import { execFileSync } from 'node:child_process';
import { writeFile, mkdir } from 'node:fs/promises';
import { cpus, release } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const RESULTS = join(ROOT, 'bench', 'results', 'startup.json');
const { values } = parseArgs({ options: { runs: { type: 'string', default: '30' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 3) throw new Error('--runs must be a whole number of at least 3');

const TSX_MAIN = 'import("tsx/esm/api").then(async ({ register }) => { register(); const { main } = await import("./src/cli/main.ts"); process.exitCode = await main(process.argv.slice(1)); })';
const COMMANDS: { name: string; argv: string[] }[] = [
  { name: 'node -e 0', argv: ['-e', '0'] },
  { name: 'cnibench --help (compiled)', argv: ['bin/cnibench.mjs', '--help'] },
  { name: 'cnibench models (compiled)', argv: ['bin/cnibench.mjs', 'models'] },
  { name: 'cnibench --help (tsx, sources)', argv: ['--input-type=module', '-e', TSX_MAIN, '--', '--help'] },
  { name: 'cnibench models (tsx, sources)', argv: ['--input-type=module', '-e', TSX_MAIN, '--', 'models'] },
];

function once(argv: string[]): number {
  const t0 = performance.now();
  execFileSync(process.execPath, argv, { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  return performance.now() - t0;
}

// The first compiled call builds dist/ when a source is newer than it: not part of what is measured.
once(['bin/cnibench.mjs', '--help']);
const times = new Map<string, number[]>(COMMANDS.map((c) => [c.name, []]));
for (const c of COMMANDS) once(c.argv); // warm the file cache
for (let i = 0; i < runs; i++) for (const c of COMMANDS) times.get(c.name)!.push(once(c.argv));

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const floor = median(times.get('node -e 0')!);
const rows = COMMANDS.map((c) => {
  const xs = times.get(c.name)!;
  return { command: c.name, medianMs: Math.round(median(xs)), minMs: Math.round(Math.min(...xs)), maxMs: Math.round(Math.max(...xs)), ratio: Math.round((100 * median(xs)) / floor) / 100 };
});
console.log(`| command | median ms | min–max ms | × node -e 0 |\n|---|---:|---:|---:|`);
for (const r of rows) console.log(`| ${r.command} | ${r.medianMs} | ${r.minMs}–${r.maxMs} | ${r.ratio.toFixed(2)} |`);
const help = rows.find((r) => r.command === 'cnibench --help (compiled)')!;
console.log(`\ntarget: cnibench --help within 4× of node -e 0 → ${help.ratio.toFixed(2)}× (${help.ratio <= 4 ? 'met' : 'NOT met'})`);
await mkdir(join(ROOT, 'bench', 'results'), { recursive: true });
await writeFile(RESULTS, JSON.stringify({ date: new Date().toISOString(), node: process.version, kernel: release(), cpus: cpus().length, runs, rows }, null, 2) + '\n');
