/**
 * Progress of long CLI work on stderr. On a terminal: one line updated in place (people read,
 * pages, percentage where the vendor announces a total, rate-limit waits, ETA), drawn with
 * `log-update`. Not a terminal: plain lines, one per page, retry or phase. `--quiet`: nothing.
 */
import { createLogUpdate } from 'log-update';
import type { ProgressEvent } from '../http/client.js';
import type { Io } from './io.js';

export interface Progress {
  /** Feed a connector's `http.onProgress` event. */
  event(e: ProgressEvent): void;
  /** A phase of work that is not a vendor read ("building the sample company"). */
  phase(text: string): void;
  /** Remove the live line (call before printing a final summary). */
  done(): void;
  /** Pages seen so far. */
  readonly pages: number;
}

export interface ProgressOptions {
  io: Io;
  /** Prefix of every line, e.g. the vendor id. */
  label: string;
  quiet?: boolean;
  /** Milliseconds clock (tests). */
  now?: () => number;
}

const EMPLOYEES = /employee|worker|user/i;

/** Choose the renderer: nothing (quiet), a live line (stderr is a terminal) or plain lines. */
export function createProgress(o: ProgressOptions): Progress {
  const stream = o.io.stderrStream;
  if (o.quiet) return new SilentProgress();
  // A terminal of size 0x0 (some CI pseudo-terminals) cannot show a live line: plain lines instead.
  if (stream?.isTTY && (stream.columns ?? 0) > 0 && (stream.rows ?? 0) > 0) return new LiveProgress(o, stream);
  return new LineProgress(o);
}

class SilentProgress implements Progress {
  pages = 0;
  event(e: ProgressEvent): void {
    if (e.type === 'page') this.pages++;
  }
  phase(): void {}
  done(): void {}
}

class LineProgress implements Progress {
  pages = 0;
  constructor(private readonly o: ProgressOptions) {}
  event(e: ProgressEvent): void {
    const { io, label } = this.o;
    if (e.type === 'page') {
      this.pages++;
      io.stderr(
        `${label}: ${e.resource} page ${e.page} (${e.items} records${e.total !== undefined ? ` of ${e.total}` : ''})\n`,
      );
    } else if (e.type === 'retry') {
      io.stderr(
        `${label}: ${isRateLimit(e.reason) ? 'rate limited, waiting' : 'retrying in'} ${seconds(e.delayMs)}: ${e.reason}\n`,
      );
    }
  }
  phase(text: string): void {
    this.o.io.stderr(`${this.o.label}: ${text}\n`);
  }
  done(): void {}
}

/** The in-place line. Redrawn at most every 100 ms so a fast local read is not slowed by the terminal. */
export class LiveProgress implements Progress {
  pages = 0;
  /** Pages in the current line (reset by done(), unlike the total `pages`). */
  private linePages = 0;
  private people = 0;
  private total: number | undefined;
  private readonly counts = new Map<string, number>();
  private waitUntil = 0;
  private waitReason = '';
  private phaseText = '';
  private lastDraw = 0;
  private readonly started: number;
  private readonly now: () => number;
  private readonly log: ReturnType<typeof createLogUpdate>;

  constructor(
    private readonly o: ProgressOptions,
    stream: NodeJS.WritableStream,
  ) {
    this.now = o.now ?? Date.now;
    this.started = this.now();
    this.log = createLogUpdate(stream, { showCursor: true });
  }

  event(e: ProgressEvent): void {
    if (e.type === 'page') {
      this.pages++;
      this.linePages++;
      this.counts.set(e.resource, (this.counts.get(e.resource) ?? 0) + e.items);
      if (EMPLOYEES.test(e.resource)) {
        this.people += e.items;
        if (e.total !== undefined) this.total = e.total;
      }
      this.waitUntil = 0;
    } else if (e.type === 'resource') {
      this.counts.set(e.resource, e.count);
    } else if (e.type === 'retry') {
      this.waitUntil = this.now() + e.delayMs;
      this.waitReason = isRateLimit(e.reason) ? 'rate limited' : 'retrying';
      this.draw(true);
      return;
    } else return;
    this.draw(false);
  }

  phase(text: string): void {
    this.phaseText = text;
    this.draw(true);
  }

  done(): void {
    this.log.clear();
    this.log.done();
    // A later phase (the demo's second sync) starts a fresh line.
    this.linePages = 0;
    this.people = 0;
    this.total = undefined;
    this.counts.clear();
    this.waitUntil = 0;
    this.phaseText = '';
  }

  /** The current line (exported for tests). */
  line(): string {
    const now = this.now();
    const parts: string[] = [];
    if (this.phaseText) parts.push(this.phaseText);
    if (this.people || this.linePages) {
      const pct = this.total ? Math.min(100, Math.floor((this.people / this.total) * 100)) : undefined;
      parts.push(
        `${fmt(this.people)}${this.total ? ` of ${fmt(this.total)}` : ''} people read${pct !== undefined ? ` (${pct}%)` : ''}`,
      );
      parts.push(`${this.linePages} page${this.linePages === 1 ? '' : 's'}`);
      const other = [...this.counts].filter(([r]) => !EMPLOYEES.test(r)).map(([r, n]) => `${fmt(n)} ${r}`);
      if (other.length) parts.push(other.join(', '));
      if (this.total && this.people > 0 && this.people < this.total) {
        const elapsed = now - this.started;
        parts.push(`ETA ${seconds((elapsed / this.people) * (this.total - this.people))}`);
      }
    }
    if (this.waitUntil > now) parts.push(`${this.waitReason}, waiting ${seconds(this.waitUntil - now)}`);
    return `${this.o.label}: ${parts.join(' · ')}`;
  }

  private draw(force: boolean): void {
    const now = this.now();
    if (!force && now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.log(this.line());
  }
}

function isRateLimit(reason: string): boolean {
  return /429|rate|throttl|too many/i.test(reason);
}

function seconds(ms: number): string {
  const s = Math.max(0, ms / 1000);
  if (s < 60) return `${s.toFixed(1)} s`;
  return `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

function fmt(n: number): string {
  return n.toLocaleString('en-US');
}
