// Progress with an ETA on stderr: one rewritten line on a terminal, one line per item otherwise (CI logs).
import type { ItemRecord } from './manifest.ts';

export interface ProgressSink {
  start(total: number, done: number): void;
  /** More items were planned (an adaptive run added a round). */
  extend(more: number): void;
  item(label: string, outcome: string): void;
  note(message: string): void;
  end(): void;
}

function fmtDuration(s: number): string {
  if (!Number.isFinite(s)) return '?';
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = Math.round(s % 60);
  return h ? `${h}h${String(m).padStart(2, '0')}m` : m ? `${m}m${String(sec).padStart(2, '0')}s` : `${sec}s`;
}

export class StderrProgress implements ProgressSink {
  private total = 0;
  private done = 0;
  private last = 0;
  /** Seconds between one finished item and the next (the first from the start). */
  private readonly intervals: number[] = [];
  private readonly tty: boolean;

  constructor(
    private readonly out: NodeJS.WriteStream = process.stderr,
    /** Seconds one item is expected to take before any has finished (the test duration). */
    private readonly expectedItemS = 10,
    private readonly now: () => number = Date.now,
  ) {
    this.tty = Boolean(out.isTTY);
  }

  start(total: number, done: number): void {
    this.total = total;
    this.done = done;
    this.last = this.now();
  }

  extend(more: number): void {
    this.total += more;
  }

  /**
   * The items left times the mean time an item took, leaving out the intervals over three times the median: a testbed
   * that took minutes to come up (10,000 Services in nftables mode) is paid once, not by every item after it.
   */
  eta(): number {
    if (!this.intervals.length) return (this.total - this.done) * this.expectedItemS;
    const sorted = [...this.intervals].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)]!;
    const usual = sorted.filter((x) => x <= 3 * median);
    return (this.total - this.done) * (usual.reduce((a, b) => a + b, 0) / usual.length);
  }

  item(label: string, outcome: string): void {
    this.done++;
    const t = this.now();
    this.intervals.push((t - this.last) / 1000);
    this.last = t;
    const pct = this.total ? Math.floor((this.done / this.total) * 100) : 100;
    const width = 20;
    const bar = '#'.repeat(Math.round((pct / 100) * width)).padEnd(width, '.');
    const line = `[${bar}] ${String(this.done).padStart(String(this.total).length)}/${this.total} ${pct}% ETA ${fmtDuration(this.eta())}  ${label}: ${outcome}`;
    if (this.tty) this.out.write(`\r\x1b[K${line}`);
    else this.out.write(line + '\n');
  }

  note(message: string): void {
    this.out.write(this.tty ? `\r\x1b[K${message}\n` : message + '\n');
  }

  end(): void {
    if (this.tty) this.out.write('\n');
  }
}

/** For tests and library callers that want silence. */
export const silentProgress: ProgressSink = { start() {}, extend() {}, item() {}, note() {}, end() {} };

/** How a finished item reads in the progress line: its headline number, or its status and reason. */
export function itemOutcomeText(item: ItemRecord): string {
  if (item.status !== 'ok') return `${item.status}: ${item.reason ?? ''}`;
  const v = item.headline?.value;
  const value = v === undefined ? '' : v >= 100 ? v.toFixed(0) : v.toPrecision(3);
  return `${value} ${item.headline?.units ?? ''}`.trim();
}
