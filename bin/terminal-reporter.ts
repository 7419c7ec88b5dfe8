/**
 * Draws progress on stderr: a live line on a TTY (step, done/total, docs/s, MB/s, ETA), JSON events with
 * --json, nothing when stderr is not a TTY unless asked (--progress), nothing with --quiet.
 * Warnings are shown once per code (with the count at the end); data never goes to stderr.
 */
import type { ErrorPosition, ProgressEvent, Reporter } from '../pipeline/index.js';
import { formatPosition } from '../pipeline/errors.js';

export interface TerminalReporterOptions {
  json: boolean;
  quiet: boolean;
  /** Force the live line even when stderr is not a TTY. */
  progress: boolean;
  stream: NodeJS.WriteStream;
}

interface StepState {
  start: number;
  last: ProgressEvent;
}

export class TerminalReporter implements Reporter {
  private readonly o: TerminalReporterOptions;
  private readonly steps = new Map<string, StepState>();
  private readonly warned = new Map<string, number>();
  private lineShown = false;
  private lastDraw = 0;

  constructor(options: Partial<TerminalReporterOptions> = {}) {
    this.o = { json: false, quiet: false, progress: false, stream: process.stderr, ...options };
  }

  private get live(): boolean {
    return !this.o.quiet && !this.o.json && (this.o.progress || Boolean(this.o.stream.isTTY));
  }

  progress(e: ProgressEvent): void {
    const now = performance.now();
    let st = this.steps.get(e.step);
    if (!st) {
      st = { start: now, last: e };
      this.steps.set(e.step, st);
    }
    st.last = e;
    const secs = Math.max(1e-3, (now - st.start) / 1000);
    const rate = e.done / secs;
    const mbs = (e.bytes ?? 0) / 1e6 / secs;
    const eta = e.total !== undefined && rate > 0 ? Math.max(0, (e.total - e.done) / rate) : undefined;
    if (this.o.json && !this.o.quiet) {
      this.o.stream.write(JSON.stringify({ event: 'progress', ...e, rate: round(rate), mb_per_s: round(mbs), eta_s: eta === undefined ? null : round(eta) }) + '\n');
      return;
    }
    if (!this.live || now - this.lastDraw < 100) return;
    this.lastDraw = now;
    const total = e.total !== undefined ? `/${e.total}` : '';
    const etaText = eta !== undefined ? ` ETA ${formatDuration(eta)}` : '';
    const text = `${e.step}: ${e.done}${total} ${e.unit ?? 'docs'}  ${rate.toFixed(0)}/s  ${mbs.toFixed(1)} MB/s${etaText}`;
    this.o.stream.write(`\r\x1b[2K${text.slice(0, (this.o.stream.columns ?? 120) - 1)}`);
    this.lineShown = true;
  }

  /** Ends a live line so the next output starts on a fresh line. */
  clearLine(): void {
    if (this.lineShown) {
      this.o.stream.write('\r\x1b[2K');
      this.lineShown = false;
    }
  }

  warn(code: string, message: string, position?: ErrorPosition): void {
    const n = (this.warned.get(code) ?? 0) + 1;
    this.warned.set(code, n);
    if (this.o.json) {
      this.o.stream.write(JSON.stringify({ event: 'warning', code, message, position: position ?? {} }) + '\n');
      return;
    }
    if (n > 1) return;
    this.clearLine();
    this.o.stream.write(`warning [${code}]: ${position ? formatPosition(position) : ''}${message} (further ${code} warnings are counted, not shown)\n`);
  }

  info(message: string): void {
    if (this.o.quiet) return;
    if (this.o.json) {
      this.o.stream.write(JSON.stringify({ event: 'info', message }) + '\n');
      return;
    }
    this.clearLine();
    this.o.stream.write(message + '\n');
  }

  /** Counts of warnings by code, for the closing summary. */
  warningCounts(): Record<string, number> {
    return Object.fromEntries(this.warned);
  }
}

function round(x: number): number {
  return Math.round(x * 100) / 100;
}

export function formatDuration(s: number): string {
  if (s < 60) return `${s.toFixed(0)}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
