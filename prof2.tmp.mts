import { readPerfScript, attributeProfile } from '/work/main/src/tools/perf/index.ts';
import { execFileSync } from 'node:child_process';
const files = execFileSync('find', ['data/runs', '-name', '*.gz']).toString().trim().split('\n').slice(0, 60);
const mode = process.argv[2];
let t = performance.now(); let n = 0;
for (const f of files) {
  if (mode === 'parse') { for await (const s of readPerfScript(f)) n++; }
  else await attributeProfile(readPerfScript(f), { folded: mode === 'folded' });
}
console.log(mode, files.length, Math.round(performance.now() - t), 'ms');
