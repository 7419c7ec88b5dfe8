/**
 * Sources, stages, sinks and filters. Stages are pull-based async iterables: backpressure is free and
 * memory stays flat. A stage reports what it did through its StageContext.
 */
import type { Document } from './document.js';
import type { ErrorPosition } from './errors.js';
import type { StageStats } from './stats.js';

/** Progress and warnings from library code; `bin/` decides how to show them. */
export interface Reporter {
  /** Progress of a long step: done units (docs) and bytes so far; total when known. */
  progress(event: ProgressEvent): void;
  /** A warning about bad data (already counted as error:<code>): shown once per code by the terminal. */
  warn(code: string, message: string, position?: ErrorPosition): void;
  /** Free-form information for the log (never data). */
  info(message: string): void;
}

export interface ProgressEvent {
  step: string;
  done: number;
  total?: number;
  bytes?: number;
  totalBytes?: number;
  unit?: string;
}

export const silentReporter: Reporter = { progress() {}, warn() {}, info() {} };

export interface StageContext {
  /** This stage's counters: in, kept, dropped:<reason>, error:<code>, bytes. */
  readonly stats: StageStats;
  readonly reporter: Reporter;
  readonly signal?: AbortSignal;
}

/** A source yields documents; it counts its own records and errors in ctx.stats. */
export interface Source<Out = Document> {
  readonly name: string;
  read(ctx: StageContext): AsyncIterable<Out>;
}

export interface Stage<In = Document, Out = In> {
  readonly name: string;
  run(input: AsyncIterable<In>, ctx: StageContext): AsyncIterable<Out>;
}

export interface Sink<In = Document> {
  readonly name: string;
  write(input: AsyncIterable<In>, ctx: StageContext): Promise<void>;
}

export type Verdict = { keep: true } | { keep: false; reason: string; detail?: string };

export const KEEP: Verdict = Object.freeze({ keep: true }) as Verdict;

export function drop(reason: string, detail?: string): Verdict {
  return detail === undefined ? { keep: false, reason } : { keep: false, reason, detail };
}

/** A pure rule: same document, same verdict; no IO, no state. Reasons are stable snake_case names. */
export interface Filter {
  readonly name: string;
  check(doc: Document): Verdict;
}
