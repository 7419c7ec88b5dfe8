/** Uses the caller's worker pool, or makes one of `workers` threads (closed by `done`), or none for workers = 0. */
import { WorkerPool } from '../../../pipeline/worker-pool.js';

export interface PoolChoice {
  pool?: WorkerPool;
  workers?: number;
}

export function resolvePool(c: PoolChoice): { pool: WorkerPool | null; done: () => Promise<void> } {
  if (c.pool) return { pool: c.pool, done: async () => {} };
  if (c.workers === 0) return { pool: null, done: async () => {} };
  const pool = new WorkerPool(c.workers ? { size: c.workers } : {});
  return { pool, done: () => pool.close() };
}

/** Maps inputs through a worker function on the pool (input order kept), or in this thread without one. */
export async function* mapOnPool<I, O, R>(pool: WorkerPool | null, moduleUrl: string, fnName: string,
  local: (input: I, options: O) => R, options: O, inputs: AsyncIterable<I>): AsyncGenerator<R> {
  if (pool) {
    yield* pool.map<I, O, R>(moduleUrl, fnName, options, inputs);
    return;
  }
  for await (const input of inputs) yield local(input, options);
}
