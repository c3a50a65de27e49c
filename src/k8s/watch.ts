// Watching one launch pod and its events from the client, every notification timestamped on arrival with this
// machine's clock — as clusterloader2's PodStartupLatency measurement does (perf-tests,
// clusterloader2/pkg/measurement/common/slos/pod_startup_latency.go: an informer on pods, `recvTime: time.Now()` for
// every notification). All of a launch's boundaries are then on one clock with millisecond resolution, instead of
// the API objects' whole-second timestamps written by different machines' clocks.
//
// Two `kubectl get --watch-only -o json --output-watch-events` processes (pods by name, events by involved object),
// started before the pod is created. kubectl lists first and then watches from the list's resourceVersion, so nothing
// is missed; that the watch itself is open is read from kubectl's own request log at -v=6 (the line of the request
// with `watch=true` and its "200 OK", which the API server sends when the watch starts).
import { execa, type ResultPromise } from 'execa';
import type { Kubectl } from './kubectl.ts';

export type WatchStream = 'pods' | 'events';

/** One watch notification as it arrived. `at` is milliseconds since the epoch on this machine's clock (fractional). */
export interface WatchArrival {
  at: number;
  stream: WatchStream;
  /** ADDED, MODIFIED, DELETED (BOOKMARK and ERROR are kept too). */
  type: string;
  object: unknown;
}

/** What a launch's watch recorded (launch-NNN.watch.json). */
export interface LaunchWatchRecord {
  /** "client": every `at` is this machine's clock at arrival. */
  clock: 'client';
  /** The kubectl argv of each watch. */
  argv: Record<WatchStream, string[]>;
  /** When each watch was seen open (undefined: it never was, and the launch falls back to object timestamps). */
  establishedAt: Partial<Record<WatchStream, number>>;
  /** When cnibench asked kubectl to create the pod. */
  applyAt?: number;
  arrivals: WatchArrival[];
  /** Why the record is incomplete, when it is. */
  problems: string[];
}

/** This machine's clock in fractional milliseconds since the epoch (monotonic within the process). */
function clientNow(): number {
  return performance.timeOrigin + performance.now();
}

/**
 * Splits a stream of concatenated JSON values (kubectl prints one indented document per watch notification) into
 * whole documents; `push` returns those completed by the chunk.
 */
export class JsonStreamSplitter {
  private buf = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private start = -1;
  private scanned = 0;

  push(chunk: string): string[] {
    this.buf += chunk;
    const out: string[] = [];
    for (let i = this.scanned; i < this.buf.length; i++) {
      const ch = this.buf[i]!;
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (ch === '\\') this.escaped = true;
        else if (ch === '"') this.inString = false;
        continue;
      }
      if (ch === '"') this.inString = true;
      else if (ch === '{' || ch === '[') {
        if (this.depth === 0) this.start = i;
        this.depth++;
      } else if (ch === '}' || ch === ']') {
        this.depth--;
        if (this.depth === 0 && this.start >= 0) {
          out.push(this.buf.slice(this.start, i + 1));
          this.buf = this.buf.slice(i + 1);
          i = -1;
          this.start = -1;
        }
      }
    }
    this.scanned = this.buf.length;
    if (this.depth === 0) { this.buf = ''; this.scanned = 0; }
    return out;
  }
}

/** kubectl's -v=6 log line of an open watch: the old "GET …&watch=true 200 OK in N milliseconds" or the structured "Response" line. */
const WATCH_OPEN = /watch=true\S*"?\s+(status=")?200 OK/;

/** The two watches of one launch. */
export class LaunchWatch {
  readonly record: LaunchWatchRecord;
  private readonly children: ResultPromise[] = [];
  private readonly waiters: (() => void)[] = [];

  private constructor(argv: Record<WatchStream, string[]>) {
    this.record = { clock: 'client', argv, establishedAt: {}, arrivals: [], problems: [] };
  }

  /** Starts both watches and waits (at most `establishMs`) until kubectl says both are open. */
  static async start(k: Kubectl, namespace: string, pod: string, o: { establishMs: number; signal?: AbortSignal }): Promise<LaunchWatch> {
    const common = ['--watch-only', '-o', 'json', '--output-watch-events', '-v=6'];
    const argv: Record<WatchStream, string[]> = {
      pods: k.argv(['get', 'pods', '-n', namespace, '--field-selector', `metadata.name=${pod}`, ...common]),
      events: k.argv(['get', 'events', '-n', namespace, '--field-selector', `involvedObject.name=${pod}`, ...common]),
    };
    const w = new LaunchWatch(argv);
    for (const stream of ['pods', 'events'] as const) w.spawn(stream, o.signal);
    // Waits for both to open — or to end first (forbidden, say: no use waiting out the time for it).
    const settled = (s: WatchStream) => w.record.establishedAt[s] !== undefined || w.ended.has(s);
    const open = await w.until(() => settled('pods') && settled('events'), o.establishMs);
    const missing = (['pods', 'events'] as const).filter((s) => w.record.establishedAt[s] === undefined && !w.ended.has(s));
    if (!open && missing.length) w.record.problems.push(`the ${missing.join(' and ')} watch was not seen open within ${o.establishMs} ms`);
    return w;
  }

  private spawn(stream: WatchStream, signal?: AbortSignal): void {
    const [file, ...args] = this.record.argv[stream] as [string, ...string[]];
    const child = execa(file, args, { reject: false, buffer: false, stdin: 'ignore', ...(signal ? { cancelSignal: signal } : {}) });
    this.children.push(child);
    const splitter = new JsonStreamSplitter();
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (chunk: string) => {
      const at = clientNow();
      for (const doc of splitter.push(chunk)) {
        try {
          const ev = JSON.parse(doc) as { type?: string; object?: unknown };
          this.record.arrivals.push({ at, stream, type: ev.type ?? 'UNKNOWN', object: ev.object ?? ev });
        } catch {
          this.record.problems.push(`${stream} watch printed something that is not JSON: ${doc.slice(0, 120)}`);
        }
      }
      this.wake();
    });
    let err = '';
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      err += chunk;
      if (this.record.establishedAt[stream] === undefined && err.split('\n').some((l) => WATCH_OPEN.test(l))) {
        this.record.establishedAt[stream] = clientNow();
        this.wake();
      }
      if (err.length > 65536) err = err.slice(-16384);
    });
    void child.then((r) => {
      this.ended.add(stream);
      // A watch that ends before we stop it (forbidden, the API server closed it) leaves the record incomplete.
      if (!this.stopped && r.exitCode !== 0) {
        const last = err.split('\n').map((l) => l.trim()).filter((l) => l && !/^I\d{4} /.test(l)).pop();
        this.record.problems.push(`the ${stream} watch ended with exit code ${r.exitCode}${last ? `: ${last}` : ''}`);
      }
      this.wake();
    });
  }

  private stopped = false;
  /** Watches whose kubectl has exited. */
  private readonly ended = new Set<WatchStream>();

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Waits until `done()` holds (re-checked on every arrival), at most `ms`; whether it held. */
  async until(done: () => boolean, ms: number): Promise<boolean> {
    const deadline = Date.now() + ms;
    while (!done()) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.waiters.push(() => { clearTimeout(t); resolve(); });
      });
    }
    return true;
  }

  /** Marks the moment the pod is asked for. */
  markApply(): void {
    this.record.applyAt = clientNow();
  }

  /** Ends both kubectl processes (started here) and returns what arrived. */
  async stop(): Promise<LaunchWatchRecord> {
    this.stopped = true;
    for (const c of this.children) c.kill('SIGTERM');
    await Promise.all(this.children.map((c) => c.catch(() => undefined)));
    return this.record;
  }
}
