/**
 * Phase 1 of 4 — signatures. Per input part (task i of N takes parts i, i+N, ...): the MinHash signature
 * of every document (`signatures/part-NNNNN.sig`), its id (`ids/`), and its LSH band keys as sorted runs
 * (`runs/part-NNNNN.rNNN.keys`, one section per band), then the part's record (`parts/part-NNNNN.json`).
 * Lines are parsed and signed on the worker pool in batches (the reading thread only decompresses); results come back in input order, so the files
 * are byte-identical for any worker count. Memory: the batches in flight plus 12 bytes per document per
 * band for the current run (at most `maxRunDocs` documents; bigger parts spill several sorted runs).
 */
import { AtomicWriter } from '../../../pipeline/atomic-file.js';
import { RecordError } from '../../../pipeline/errors.js';
import type { Reporter } from '../../../pipeline/stage.js';
import type { Counters } from '../../../pipeline/stats.js';
import { computeParts, type ComputePartsOptions } from '../common/compute-parts.js';
import { lineBatches, type LineBatch } from '../common/line-batches.js';
import { IdWriter } from '../common/ids.js';
import { KeyRunBuilder } from '../common/key-runs.js';
import { mapOnPool, resolvePool, type PoolChoice } from '../common/resolve-pool.js';
import { layout } from '../common/work-layout.js';
import { defaultMinhashOptions, type MinhashOptions } from './minhash-options.js';
import { signatureHeader } from './signature-file.js';
import { signLines, type SignBatchOptions, type SignLinesResult } from './signature-worker.js';

export interface ComputeSignaturesOptions extends PoolChoice, ComputePartsOptions {
  options?: Partial<MinhashOptions>;
  onError?: (e: RecordError) => void;
  reporter?: Reporter;
}

const workerUrl = new URL('./signature-worker.js', import.meta.url).href;

export async function computeSignatures(o: ComputeSignaturesOptions): Promise<Counters> {
  const mo: MinhashOptions = { ...defaultMinhashOptions, ...o.options };
  const k = mo.bands * mo.rows;
  const signOptions: SignBatchOptions = { n: mo.n, bands: mo.bands, rows: mo.rows, seed: mo.seed };
  const config = JSON.stringify({ n: mo.n, bands: mo.bands, rows: mo.rows, seed: mo.seed });
  const { pool, done } = resolvePool(o);
  try {
    return await computeParts(o, 'near_dedup_signatures', config, async (p, file, stats) => {
      const sigOut = await AtomicWriter.open(layout.signatures(o.workDir, p));
      const ids = await IdWriter.open(layout.ids(o.workDir, p));
      let builder = new KeyRunBuilder(2, mo.bands);
      let runs = 0;
      let docs = 0;
      try {
        await sigOut.write(signatureHeader(k));
        const batches = lineBatches(file, mo.batchDocs, 4 << 20, (err) => {
          stats.error(err.code);
          o.onError?.(err);
        });
        for await (const r of mapOnPool<LineBatch, SignBatchOptions, SignLinesResult>(pool, workerUrl, 'signLines', signLines, signOptions, batches)) {
          for (const e of r.errors) {
            const err = new RecordError(e.code, e.message, { file, line: e.line }, e.hint);
            stats.error(err.code);
            o.onError?.(err);
          }
          await sigOut.write(new Uint8Array(r.sigs.buffer, r.sigs.byteOffset, r.sigs.byteLength));
          for (let t = 0; t < r.ids.length; t++) {
            await ids.add(r.ids[t]!);
            stats.in(r.bytes[t]!);
            stats.add('words', r.words[t]!);
            const ordinal = docs + t;
            if (r.words[t] === 0) {
              stats.add('no_words');
            } else {
              for (let band = 0; band < mo.bands; band++) builder.add(band, r.keys, (t * mo.bands + band) * 2, ordinal);
              builder.docs++;
              if (builder.docs >= mo.maxRunDocs) {
                await builder.write(layout.run(o.workDir, p, runs++));
                builder = new KeyRunBuilder(2, mo.bands);
              }
            }
          }
          docs += r.ids.length;
          o.reporter?.progress({ step: 'near_dedup_signatures', done: docs, unit: 'docs' });
        }
        if (builder.docs > 0 || runs === 0) await builder.write(layout.run(o.workDir, p, runs++));
        await ids.commit();
        await sigOut.commit();
      } catch (e) {
        await sigOut.abort();
        await ids.abort();
        throw e;
      }
      return { docs, runs };
    });
  } finally {
    await done();
  }
}
