import { attributeProfile, readPerfScript } from '/work/main/src/tools/perf/index.ts';
import { execFileSync } from 'node:child_process';
const files = execFileSync('find', ['data/runs', '-name', '*.gz']).toString().trim().split('\n').filter((_, i) => i % 2 === Number(process.argv[2]));
let t = performance.now();
for (const f of files) await attributeProfile(readPerfScript(f), { folded: true });
console.log('half', process.argv[2], Math.round(performance.now() - t), 'ms');
