import { attributeOnAnyCore } from '/work/main/src/analysis/attributionPool.ts';
import { mapInOrder } from '/work/main/src/util/concurrency.ts';
import { execFileSync } from 'node:child_process';
const files = execFileSync('find', ['data/runs', '-name', '*.gz']).toString().trim().split('\n');
let t = performance.now();
const r = await mapInOrder(files, 2, (f) => attributeOnAnyCore(f));
console.log('pool', files.length, Math.round(performance.now() - t), 'ms');
t = performance.now(); const s = r.map((a) => JSON.stringify(a)); console.log('stringify', Math.round(performance.now() - t), s.reduce((a, b) => a + b.length, 0));
process.exit(0);
