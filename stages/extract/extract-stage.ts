/**
 * The extraction stage: documents whose `meta.format` is "html" (from the WARC source or the crawler) get
 * their main text extracted; other documents pass through untouched. CPU-bound, so with a worker pool the
 * batches run in worker threads (results keep input order, so output bytes do not depend on the pool size).
 * Counts `dropped:empty_extraction`; the runner counts in/kept and bytes.
 */
import { batchStage } from '../../pipeline/batch-stage.js';
import type { Stage } from '../../pipeline/stage.js';
import type { WorkerPool } from '../../pipeline/worker-pool.js';
import { defaultExtractOptions, type ExtractOptions } from './extract-main-text.js';
import { extractDocuments } from './extract-worker.js';

export interface ExtractStageOptions {
  /** The run's worker pool; without one, extraction runs on the calling thread. */
  pool?: WorkerPool;
  /** Documents per batch (HTML pages are large: 64 pages is a few MB). */
  batchDocs: number;
  /** Bytes of HTML per batch (whichever limit comes first). */
  batchBytes: number;
  extract: Partial<ExtractOptions>;
}

export const defaultExtractStageOptions: ExtractStageOptions = {
  batchDocs: 64,
  batchBytes: 4 << 20,
  extract: defaultExtractOptions,
};

/** URL of the worker module, for callers that build their own batch stage. Function: `extractDocuments`. */
export const extractWorkerModule = new URL('./extract-worker.js', import.meta.url).href;

export function extractStage(options: Partial<ExtractStageOptions> = {}): Stage {
  const o = { ...defaultExtractStageOptions, ...options };
  const target = o.pool ? { pool: o.pool, moduleUrl: extractWorkerModule, fn: 'extractDocuments' } : { local: extractDocuments };
  return batchStage<Partial<ExtractOptions>>('extract', target, o.extract, { batchDocs: o.batchDocs, batchBytes: o.batchBytes });
}
