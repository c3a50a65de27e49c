// Perf scripts parsed on every core: a small pool of worker threads (attributeWorker.ts), one per CPU the process may
// use, started on first use and idle-unreferenced so they never keep the process alive. Results are the same as
// parsing in this thread (the worker runs the same code); only the wall time changes. With one CPU, or when the
// worker cannot start (no worker file next to a hand-made bundle), parsing stays in this thread.
import { availableParallelism } from 'node:os';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { attributeProfile, readPerfScript, type ProfileAttribution } from '../tools/perf/index.ts';
import { projectPath } from '../util/projectRoot.ts';

interface Pending {
  path: string;
  resolve: (a: ProfileAttribution) => void;
  reject: (err: Error) => void;
}

/** The worker's file: the compiled one beside the compiled CLI, else a starter that loads the TypeScript source through tsx. */
function workerEntry(): { file: string; execArgv: string[] } | undefined {
  const compiled = fileURLToPath(import.meta.url).endsWith('.js');
  if (compiled) {
    const file = projectPath('dist', 'attributeWorker.js');
    return existsSync(file) ? { file, execArgv: [] } : undefined;
  }
  return { file: projectPath('src', 'analysis', 'attributeWorker.dev.mjs'), execArgv: [] };
}

/** Exported for its tests; use attributeOnAnyCore. */
export class AttributionPool {
  readonly #idle: Worker[] = [];
  readonly #queue: Pending[] = [];
  readonly #busy = new Map<Worker, { id: number; job: Pending }>();
  readonly #answered = new WeakSet<Worker>();
  #next = 0;
  /** Set when a worker fails before answering once (it cannot start here): the rest is parsed in this thread. */
  #broken = false;

  constructor(readonly size: number, readonly entry: { file: string; execArgv: string[] }) {}

  run(path: string): Promise<ProfileAttribution> {
    return new Promise((resolve, reject) => {
      this.#queue.push({ path, resolve, reject });
      this.#dispatch();
    });
  }

  #dispatch(): void {
    while (this.#queue.length) {
      if (this.#broken && !this.#idle.length) {
        const job = this.#queue.shift()!;
        inThisThread(job.path).then(job.resolve, job.reject);
        continue;
      }
      const worker = this.#idle.pop() ?? (this.#busy.size < this.size ? this.#spawn() : undefined);
      if (!worker) return;
      const job = this.#queue.shift()!;
      const id = ++this.#next;
      this.#busy.set(worker, { id, job });
      worker.ref();
      worker.postMessage({ id, path: job.path });
    }
  }

  #spawn(): Worker {
    const worker = new Worker(this.entry.file, { execArgv: this.entry.execArgv });
    worker.on('message', (msg: { id: number; attribution?: ProfileAttribution; error?: string }) => {
      const current = this.#busy.get(worker);
      if (!current || current.id !== msg.id) return;
      this.#busy.delete(worker);
      this.#answered.add(worker);
      worker.unref();
      this.#idle.push(worker);
      if (msg.error !== undefined) current.job.reject(new Error(msg.error));
      else current.job.resolve(msg.attribution!);
      this.#dispatch();
    });
    // A worker that dies (an error, or an exit while busy) takes its job with it: the job is parsed here instead, and
    // the pool goes on without that worker — or without any, if one could not even start.
    const retire = () => {
      const current = this.#busy.get(worker);
      this.#busy.delete(worker);
      const i = this.#idle.indexOf(worker);
      if (i >= 0) this.#idle.splice(i, 1);
      if (!this.#answered.has(worker)) this.#broken = true;
      if (current) inThisThread(current.job.path).then(current.job.resolve, current.job.reject);
      this.#dispatch();
    };
    worker.on('error', retire);
    worker.on('exit', () => { if (this.#busy.has(worker)) retire(); });
    return worker;
  }
}

function inThisThread(path: string): Promise<ProfileAttribution> {
  return attributeProfile(readPerfScript(path, { name: path }), { folded: true });
}

let pool: AttributionPool | undefined | null;

/** How many profiles are worth parsing at once: one per CPU this process may use. */
export function attributionParallelism(): number {
  return Math.max(1, availableParallelism());
}

/** Attributes the perf script at `path` on a worker thread when there is more than one CPU, else here. */
export function attributeOnAnyCore(path: string): Promise<ProfileAttribution> {
  if (pool === undefined) {
    const entry = attributionParallelism() > 1 ? workerEntry() : undefined;
    pool = entry ? new AttributionPool(attributionParallelism(), entry) : null;
  }
  return pool ? pool.run(path) : inThisThread(path);
}
