/**
 * A Stage that runs a pure batch function on the worker pool: documents are grouped into batches, each
 * batch is sent to a worker, and the returned verdicts are applied in input order (so output bytes do not
 * depend on the pool size). The function is `(docs: Document[], options) => { verdicts: Verdict[], docs?: Document[] }`;
 * when `docs` comes back, it replaces the input documents (e.g. extraction rewrites text).
 */
import type { Document } from './document.js';
import type { Stage, StageContext, Verdict } from './stage.js';
import type { WorkerPool } from './worker-pool.js';

export interface BatchResult {
  verdicts: Verdict[];
  docs?: (Document | null)[];
  /** Extra counters to add to the stage's stats (e.g. per-rule timings). */
  counters?: Record<string, number>;
}

export interface BatchStageOptions {
  /** Documents per batch. */
  batchDocs: number;
  /** Bytes of text per batch (whichever limit comes first). */
  batchBytes: number;
  /** Called for each dropped document with its verdict (e.g. to write rejected/). */
  onDrop?: (doc: Document, verdict: Verdict & { keep: false }) => void | Promise<void>;
}

export const defaultBatchStageOptions: BatchStageOptions = { batchDocs: 512, batchBytes: 4 << 20 };

async function* batches(input: AsyncIterable<Document>, o: BatchStageOptions): AsyncGenerator<Document[]> {
  let batch: Document[] = [];
  let bytes = 0;
  for await (const d of input) {
    batch.push(d);
    bytes += d.text.length;
    if (batch.length >= o.batchDocs || bytes >= o.batchBytes) {
      yield batch;
      batch = [];
      bytes = 0;
    }
  }
  if (batch.length) yield batch;
}

/** In-process variant of the same contract, for a pool-less run and for tests. */
export type BatchFn<O> = (docs: Document[], options: O) => BatchResult | Promise<BatchResult>;

export function batchStage<O>(name: string, target: { pool: WorkerPool; moduleUrl: string; fn: string } | { local: BatchFn<O> },
  fnOptions: O, options: Partial<BatchStageOptions> = {}): Stage {
  const o = { ...defaultBatchStageOptions, ...options };
  return {
    name,
    async *run(input: AsyncIterable<Document>, ctx: StageContext) {
      const results: AsyncIterable<{ docs: Document[]; result: BatchResult }> = (async function* () {
        if ('local' in target) {
          for await (const docs of batches(input, o)) yield { docs, result: await target.local(docs, fnOptions) };
          return;
        }
        const withDocs: Document[][] = [];
        const inputs = (async function* () {
          for await (const b of batches(input, o)) {
            withDocs.push(b);
            yield b;
          }
        })();
        for await (const result of target.pool.map<Document[], O, BatchResult>(target.moduleUrl, target.fn, fnOptions, inputs)) {
          yield { docs: withDocs.shift()!, result };
        }
      })();
      for await (const { docs, result } of results) {
        if (result.counters) for (const [k, v] of Object.entries(result.counters)) ctx.stats.add(k, v);
        for (let i = 0; i < docs.length; i++) {
          const v = result.verdicts[i]!;
          const doc = result.docs?.[i] ?? docs[i]!;
          if (v.keep) yield doc;
          else {
            ctx.stats.dropped(v.reason);
            if (o.onDrop) await o.onDrop(docs[i]!, v);
          }
        }
      }
    },
  };
}
