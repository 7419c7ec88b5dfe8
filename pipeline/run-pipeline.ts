/**
 * runPipeline: source -> stages -> sink, with per-stage stats. Every stage gets its own StageStats; the
 * runner counts `in`/`bytes_in` on the way into a stage and `kept`/`bytes_out` on the way out, the stage
 * itself counts `dropped:<reason>` and `error:<code>`. Wall time per stage is the time spent inside it,
 * excluding the time spent waiting on its upstream, so the numbers add up to the run's wall time.
 */
import type { Document } from './document.js';
import { type Reporter, silentReporter, type Sink, type Source, type Stage, type StageContext } from './stage.js';
import { type RunStats, StageStats } from './stats.js';

export interface RunPipelineOptions {
  reporter: Reporter;
  signal?: AbortSignal;
  /** Name of the step, for progress events. */
  step: string;
  /** Total documents expected, when known (for ETA). */
  totalDocs?: number;
  /** Stats objects to add into (to accumulate over several inputs); created when absent. */
  stats?: Map<string, StageStats>;
}

export const defaultRunPipelineOptions: RunPipelineOptions = { reporter: silentReporter, step: 'pipeline' };

interface Timed {
  self: number;
}

function docBytes(d: unknown): number {
  const t = (d as Document)?.text;
  return typeof t === 'string' ? Buffer.byteLength(t) : 0;
}

/** Wraps an iterable so that time spent producing its items is recorded in `timer.self`. */
async function* timed<T>(it: AsyncIterable<T>, timer: Timed, upstream: Timed | null): AsyncGenerator<T> {
  const iter = it[Symbol.asyncIterator]();
  for (;;) {
    const t0 = performance.now();
    const up0 = upstream ? upstream.self : 0;
    const r = await iter.next();
    const spent = performance.now() - t0 - (upstream ? upstream.self - up0 : 0);
    timer.self += spent;
    if (r.done) return;
    yield r.value;
  }
}

async function* counted<T>(it: AsyncIterable<T>, onItem: (x: T) => void): AsyncGenerator<T> {
  for await (const x of it) {
    onItem(x);
    yield x;
  }
}

export function ensureStats(map: Map<string, StageStats>, name: string): StageStats {
  let s = map.get(name);
  if (!s) {
    s = new StageStats(name);
    map.set(name, s);
  }
  return s;
}

/** Runs the pipeline to completion and returns the stats of every stage (source, stages, sink). */
export async function runPipeline<T = Document>(
  source: Source<T>, stages: Stage<T, T>[], sink: Sink<T>, options: Partial<RunPipelineOptions> = {},
): Promise<RunStats> {
  const o = { ...defaultRunPipelineOptions, ...options };
  const statsMap = o.stats ?? new Map<string, StageStats>();
  const ctxFor = (name: string): StageContext => ({ stats: ensureStats(statsMap, name), reporter: o.reporter, signal: o.signal });

  const timers = new Map<string, Timed>();
  const sourceCtx = ctxFor(source.name);
  const sourceTimer: Timed = { self: 0 };
  timers.set(source.name, sourceTimer);
  let stream: AsyncIterable<T> = counted(timed(source.read(sourceCtx), sourceTimer, null), (d) => sourceCtx.stats.kept(docBytes(d)));
  let upstream = sourceTimer;

  for (const stage of stages) {
    const ctx = ctxFor(stage.name);
    const timer: Timed = { self: 0 };
    timers.set(stage.name, timer);
    const input = counted(stream, (d) => ctx.stats.in(docBytes(d)));
    stream = counted(timed(stage.run(input, ctx), timer, upstream), (d) => ctx.stats.kept(docBytes(d)));
    upstream = timer;
  }

  const sinkCtx = ctxFor(sink.name);
  let done = 0;
  let bytes = 0;
  let lastReport = 0;
  const progress = counted(stream, (d) => {
    done++;
    bytes += docBytes(d);
    sinkCtx.stats.in(docBytes(d));
    const now = performance.now();
    if (now - lastReport > 200) {
      lastReport = now;
      o.reporter.progress({ step: o.step, done, total: o.totalDocs, bytes, unit: 'docs' });
    }
    if (o.signal?.aborted) throw o.signal.reason ?? new Error('aborted');
  });
  const t0 = performance.now();
  await sink.write(progress, sinkCtx);
  const wall = performance.now() - t0;
  o.reporter.progress({ step: o.step, done, total: o.totalDocs, bytes, unit: 'docs' });

  const inner = [...timers.values()].reduce((a, t) => a + t.self, 0);
  for (const [name, t] of timers) ensureStats(statsMap, name).add('wall_ms', Math.round(t.self));
  ensureStats(statsMap, sink.name).add('wall_ms', Math.max(0, Math.round(wall - inner)));

  const out: RunStats = {};
  for (const [name, s] of statsMap) out[name] = s.toJSON().counters;
  return out;
}
