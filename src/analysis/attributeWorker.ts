// A worker thread of the attribution pool (attributionPool.ts): parses one gzipped perf script at a time and sends
// back its attribution (folded stacks included). Parsing is the CPU-bound part of a report; one worker per core.
import { parentPort } from 'node:worker_threads';
import { attributeProfile, readPerfScript } from '../tools/perf/index.ts';

export interface AttributeJob {
  id: number;
  path: string;
}

parentPort!.on('message', async ({ id, path }: AttributeJob) => {
  try {
    const attribution = await attributeProfile(readPerfScript(path, { name: path }), { folded: true });
    parentPort!.postMessage({ id, attribution });
  } catch (err) {
    parentPort!.postMessage({ id, error: err instanceof Error ? `${err.message}` : String(err) });
  }
});
