/**
 * One subset's walk over its document order: doc_idx (document ids in training order, epoch after
 * epoch) and sample_idx (where each seq-len window starts), Megatron's layout, streamed to .npy files.
 * Plain-data jobs, so a worker thread can run them (plan-jobs.ts).
 */
import { MassivetextError } from '../../pipeline/errors.js';
import { NpyWriter } from './npy.js';
import { PlanRandom } from './random.js';
import { documentOrder, Scratch } from './shuffle.js';

class BoundaryWriter {
  private buf = new Uint32Array(2 * 65536);
  private fill = 0;
  constructor(private readonly w: NpyWriter) {}
  push(pos: number, offset: number): void {
    this.buf[this.fill++] = pos;
    this.buf[this.fill++] = offset;
    if (this.fill === this.buf.length) this.flush();
  }
  flush(): void {
    if (this.fill) this.w.write(this.buf.subarray(0, this.fill));
    this.fill = 0;
  }
}

/** One subset's walk: what to write and where. Plain data, so a worker thread can run it. */
export interface WalkJob {
  subsetIndex: number;
  name: string;
  lengths: Int32Array | Uint32Array;
  seed: number;
  seqLen: number;
  /** Boundaries to write: samples planned + 1 (0 when the subset contributes no sample: empty files). */
  rows: number;
  docChunk: number;
  docFile: string;
  sampleFile: string;
  sync: boolean;
}

export interface WalkResult {
  positions: number;
  tokensRead: number;
  /** Wall-clock milliseconds of the walk. */
  ms: number;
}

/**
 * Writes doc_idx/sample_idx for `rows - 1` samples of one subset: boundary j (token j*T of the
 * virtual stream) as (doc position, offset). Streams epoch by epoch, block by block of the document
 * order, through `scratch` (reused across the subsets a thread walks).
 */
export function walkSubset(job: WalkJob, scratch: Scratch = new Scratch()): WalkResult {
  const { lengths, seqLen, rows } = job;
  const t0 = performance.now();
  if (rows === 0) {
    new NpyWriter(job.docFile, '<u4').close(job.sync);
    new NpyWriter(job.sampleFile, '<u4', [2]).close(job.sync);
    return { positions: 0, tokensRead: 0, ms: performance.now() - t0 };
  }
  const docs = new NpyWriter(job.docFile, '<u4');
  const samples = new NpyWriter(job.sampleFile, '<u4', [2]);
  const out = new BoundaryWriter(samples);
  try {
    const n = lengths.length;
    let j = 0; // next boundary index
    let target = 0; // its stream position
    let posBase = 0; // doc positions before the current block
    let c = 0; // stream position where the current document starts
    for (let epoch = 0; j < rows; epoch++) {
      for (const [ids, lens] of documentOrder(n, job.docChunk, new PlanRandom([job.seed, job.subsetIndex, 1, epoch]), lengths, scratch)) {
        const m = ids.length;
        let i = 0;
        for (; i < m && j < rows; i++) {
          const end = c + lens[i]!;
          while (target < end && j < rows) {
            out.push(posBase + i, target - c);
            j++;
            target = j * seqLen;
          }
          c = end;
        }
        // Keep the documents up to the last one a boundary touched.
        docs.write(i === m ? ids : ids.subarray(0, i));
        posBase += i;
        if (posBase > 0xffffffff) throw new MassivetextError('bad_plan_size', `subset ${job.name}: more than 2^32 document positions`);
        if (j >= rows) break;
      }
    }
    out.flush();
    docs.close(job.sync);
    samples.close(job.sync);
    return { positions: posBase, tokensRead: (rows - 1) * seqLen + 1, ms: performance.now() - t0 };
  } catch (e) {
    docs.abort();
    samples.abort();
    throw e;
  }
}
