/**
 * A worker_threads pool for CPU-bound work. A task names a side-effect-free module (by URL) and one of its
 * exported functions `(input, options) => result`; `map` keeps a bounded number of calls in flight and
 * yields results in input order, so output bytes never depend on the pool size.
 * Under a TypeScript runner (sources end in .ts) workers load the `tsx` loader so the same URLs work.
 */
import { Worker } from 'node:worker_threads';
import * as os from 'node:os';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MassivetextError } from './errors.js';

export interface WorkerPoolOptions {
  /** Number of worker threads; defaults to the machine's available parallelism. */
  size: number;
  /** Calls in flight per worker; 2 keeps a worker busy while its next input is cloned. */
  inflightPerWorker: number;
}

export const defaultWorkerPoolOptions = (): WorkerPoolOptions => ({
  size: Math.max(1, os.availableParallelism?.() ?? os.cpus().length),
  inflightPerWorker: 2,
});

interface Pending {
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

interface PoolWorker {
  worker: Worker;
  busy: number;
  pending: Map<number, Pending>;
}

const entryUrl = (() => {
  const js = new URL('./worker-entry.js', import.meta.url);
  if (existsSync(fileURLToPath(js))) return { url: js, ts: false };
  return { url: new URL('./worker-entry.ts', import.meta.url), ts: true };
})();

/** Resolves a module URL given as `./x.js` relative to a .ts source into the file that exists. */
export function resolveWorkerModule(moduleUrl: string): string {
  if (!moduleUrl.startsWith('file:')) return moduleUrl;
  const p = fileURLToPath(moduleUrl);
  if (existsSync(p)) return moduleUrl;
  if (p.endsWith('.js') && existsSync(p.slice(0, -3) + '.ts')) return moduleUrl.slice(0, -3) + '.ts';
  return moduleUrl;
}

export class WorkerPool {
  readonly size: number;
  private readonly inflight: number;
  private workers: PoolWorker[] = [];
  private nextId = 1;
  private closed = false;

  constructor(options: Partial<WorkerPoolOptions> = {}) {
    const o = { ...defaultWorkerPoolOptions(), ...options };
    if (!Number.isInteger(o.size) || o.size < 1) {
      throw new MassivetextError('bad_workers', `worker count must be a positive integer, got ${o.size}`, 'pass --workers N with N >= 1');
    }
    this.size = o.size;
    this.inflight = Math.max(1, o.inflightPerWorker);
  }

  private spawn(): PoolWorker {
    const worker = entryUrl.ts
      ? new Worker(`import('tsx/esm/api').then((m) => { m.register(); return import(${JSON.stringify(entryUrl.url.href)}); })`, { eval: true })
      : new Worker(entryUrl.url);
    worker.unref();
    const pw: PoolWorker = { worker, busy: 0, pending: new Map() };
    worker.on('message', (msg: { id: number; ok: boolean; value?: unknown; error?: SerializedError }) => {
      const p = pw.pending.get(msg.id);
      if (!p) return;
      pw.pending.delete(msg.id);
      pw.busy--;
      if (msg.ok) p.resolve(msg.value);
      else p.reject(deserializeError(msg.error!));
    });
    const failAll = (e: unknown) => {
      for (const p of pw.pending.values()) p.reject(e);
      pw.pending.clear();
      pw.busy = 0;
      this.workers = this.workers.filter((w) => w !== pw);
    };
    worker.on('error', failAll);
    worker.on('exit', (code) => {
      if (pw.pending.size) failAll(new Error(`worker exited with code ${code} while busy`));
    });
    return pw;
  }

  private pick(): PoolWorker {
    if (this.closed) throw new Error('worker pool is closed');
    if (this.workers.length < this.size) {
      const idle = this.workers.find((w) => w.busy === 0);
      if (idle) return idle;
      const w = this.spawn();
      this.workers.push(w);
      return w;
    }
    let best = this.workers[0]!;
    for (const w of this.workers) if (w.busy < best.busy) best = w;
    return best;
  }

  /** Runs one call on the least busy worker. */
  run<I, O, R>(moduleUrl: string, fn: string, options: O, input: I, transfer: ArrayBuffer[] = []): Promise<R> {
    const pw = this.pick();
    const id = this.nextId++;
    pw.busy++;
    if (pw.busy === 1) pw.worker.ref();
    return new Promise<R>((resolve, reject) => {
      pw.pending.set(id, {
        resolve: (v) => { if (pw.busy === 0) pw.worker.unref(); resolve(v as R); },
        reject: (e) => { if (pw.busy === 0) pw.worker.unref(); reject(e); },
      });
      pw.worker.postMessage({ id, module: resolveWorkerModule(moduleUrl), fn, options, input }, transfer);
    });
  }

  /** Maps inputs through fn on the pool, yielding results in input order with bounded work in flight. */
  async *map<I, O, R>(moduleUrl: string, fn: string, options: O, inputs: Iterable<I> | AsyncIterable<I>): AsyncGenerator<R> {
    const limit = this.size * this.inflight;
    const queue: Promise<R>[] = [];
    // Guard against unhandled rejections of queued promises while an earlier one is awaited.
    const track = (p: Promise<R>) => { p.catch(() => {}); return p; };
    for await (const input of inputs as AsyncIterable<I>) {
      queue.push(track(this.run<I, O, R>(moduleUrl, fn, options, input)));
      if (queue.length >= limit) yield await queue.shift()!;
    }
    while (queue.length) yield await queue.shift()!;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.worker.terminate()));
    this.workers = [];
  }
}

export interface SerializedError {
  name: string;
  message: string;
  stack?: string;
  code?: string;
  hint?: string;
  position?: Record<string, unknown>;
}

function deserializeError(e: SerializedError): Error {
  if (e.code !== undefined && e.hint !== undefined) {
    const err = new MassivetextError(e.code, e.message, e.hint, e.position ?? {});
    if (e.stack) err.stack = e.stack;
    return err;
  }
  const err = new Error(e.message);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}
