import { AttributionPool } from '/work/main/src/analysis/attributionPool.ts';
import { attributeProfile, readPerfScript } from '/work/main/src/tools/perf/index.ts';
import { mapInOrder } from '/work/main/src/util/concurrency.ts';
import { execFileSync } from 'node:child_process';
const files = execFileSync('find', ['data/runs', '-name', '*.gz']).toString().trim().split('\n');
const n = Number(process.argv[2]);
let t = performance.now();
if (n === 0) { for (const f of files) await attributeProfile(readPerfScript(f), { folded: true }); }
else { const pool = new AttributionPool(n, { file: '/work/main/src/analysis/attributeWorker.dev.mjs', execArgv: [] }); await mapInOrder(files, n, (f) => pool.run(f)); }
console.log('size', n, Math.round(performance.now() - t), 'ms');
process.exit(0);
