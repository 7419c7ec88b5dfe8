/**
 * The sample plan: which tokens every training sample holds, in training order, for any number of
 * data-parallel ranks. Built once in TypeScript, written as `.npy` files a trainer memory-maps; the
 * trainer never needs a random generator. Design: ../shared/design/train-runner.md §2 and §5.2.
 *
 * Per subset (one packed sample stream each, "pack, then mix" as Megatron and torchtitan do):
 *  - Documents: epoch e visits every document once in a seeded order (PlanRandom [seed, subset, 1, e]).
 *    The epochs are concatenated into one virtual token stream.
 *  - Packing (closed form): sample j is the stream's tokens [j*T, j*T + T], T+1 tokens, stride T, across
 *    document boundaries (Megatron `build_sample_idx`, gpt_dataset.py). `<subset>.sample_idx.npy` row j
 *    is (position in `<subset>.doc_idx.npy`, offset in that document) of token j*T, Megatron's layout.
 *  - Shuffle: samples are cut into blocks of one epoch's worth (floor(tokens/T)) and each block is
 *    permuted with its own seed (PlanRandom [seed, subset, 2, block]). Blocks are always whole, so the
 *    plan for N samples is a prefix of the plan for more: `--steps` can grow and `--resume` still lands
 *    on the same samples.
 * Across subsets: Megatron's greedy `BlendedDataset` rule (blend.ts) over token-proportion weights.
 *
 * Outputs: `dataset_index.npy` (u1, subset of global sample k), `dataset_sample_index.npy` (u4, row of
 * that subset's sample_idx), per subset `doc_idx.npy` (u4) and `sample_idx.npy` (u4, rows of 2), and
 * `plan.json` last (its presence marks a complete plan). Memory stays at about one epoch of the largest
 * subset: the blend and the walk are streamed in chunks.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fingerprint, MassivetextError, writeFileAtomic } from '../../pipeline/index.js';
import { normalizeWeights } from './blend.js';
import { NpyWriter } from './npy.js';
import { PlanRandom } from './random.js';
import { chunkedPermutation, randomPermutation } from './shuffle.js';

export const PLAN_FORMAT = 'massivetext-train-plan';
export const PLAN_VERSION = 1;

export interface PlanShard {
  /** Path of the .bin, relative to `PlanInput.dataDir` (or absolute). */
  bin: string;
  /** Path of the Megatron .idx beside it. */
  idx: string;
  documents: number;
  tokens: number;
  /** sha256 of the .bin when a manifest lists it (goes into the plan id). */
  sha256?: string;
}

export interface PlanSubset {
  name: string;
  /** Mixture weight (token proportion); normalised over the subsets. */
  weight: number;
  shards: PlanShard[];
  /** Tokens per document (EOS included) over all shards in order: document d of the subset. */
  lengths: Int32Array | Uint32Array;
}

export interface PlanInput {
  dataDir: string;
  dtype: 'uint16' | 'uint32';
  vocabSize: number | null;
  eosId: number | null;
  subsets: PlanSubset[];
}

export interface PlanOptions {
  /** Tokens per training sample fed to the model (windows hold seqLen + 1). Gopher: 2048 (Rae et al. 2021, Table 1). */
  seqLen: number;
  /** Global samples to plan (steps x global batch). */
  samples: number;
  seed: number;
  /** Samples per blend chunk; bounds memory of the streamed blend. */
  chunkSamples: number;
  /**
   * Documents per unit of the per-epoch document shuffle (shuffle.ts `chunkedPermutation`): 1 is a
   * uniform permutation of documents (Megatron's doc_idx); 16 shuffles 16-document chunks and rotates
   * each, 4x faster at 300B tokens, for shards already shuffled at write time. Samples are always
   * shuffled one by one.
   */
  docChunk: number;
  /** fsync each file (off only for benchmarks on scratch space). */
  sync: boolean;
}

export const defaultPlanOptions: PlanOptions = { seqLen: 2048, samples: 0, seed: 1234, chunkSamples: 1 << 20, docChunk: 1, sync: true };

export interface PlanSubsetSummary {
  name: string;
  weight: number;
  documents: number;
  tokens: number;
  /** Samples the blend takes from this subset. */
  samples: number;
  /** Rows of sample_idx minus one (whole shuffle blocks). */
  samplesPlanned: number;
  samplesPerBlock: number;
  /** Tokens of the subset the plan's samples read, over its tokens (the epoch count). */
  epochs: number;
  docIdx: string;
  sampleIdx: string;
  shards: (PlanShard & { firstDocument: number })[];
}

export interface PlanSummary {
  format: typeof PLAN_FORMAT;
  version: typeof PLAN_VERSION;
  planId: string;
  seqLen: number;
  seed: number;
  samples: number;
  /** Documents per unit of the per-epoch document shuffle (1: uniform permutation). */
  docChunk: number;
  dtype: 'uint16' | 'uint32';
  vocabSize: number | null;
  eosId: number | null;
  dataDir: string;
  datasetIndex: string;
  datasetSampleIndex: string;
  subsets: PlanSubsetSummary[];
  /** Wall-clock milliseconds per phase of the build. */
  timings: Record<string, number>;
}

/** The identity of a plan: data, weights, seq len, seed. Not the sample count (plans are prefix-stable). */
export function planId(input: PlanInput, seqLen: number, seed: number, docChunk = 1): string {
  const w = normalizeWeights(input.subsets.map((s) => s.weight));
  return fingerprint({
    format: PLAN_FORMAT, version: PLAN_VERSION, seqLen, seed, dtype: input.dtype, ...(docChunk > 1 ? { docChunk } : {}),
    subsets: input.subsets.map((s, i) => ({
      name: s.name, weight: w[i],
      shards: s.shards.map((sh) => ({ bin: path.basename(sh.bin), documents: sh.documents, tokens: sh.tokens, sha256: sh.sha256 ?? null })),
    })),
  }).slice(0, 16);
}

function subsetTokens(s: PlanSubset): number {
  let t = 0;
  for (let i = 0; i < s.lengths.length; i++) t += s.lengths[i]!;
  return t;
}

/** Checks the input; throws MassivetextError with the subset named. */
function validate(input: PlanInput, o: PlanOptions): void {
  if (!Number.isInteger(o.seqLen) || o.seqLen < 1) throw new MassivetextError('bad_seq_len', `seq len must be a positive integer, got ${o.seqLen}`);
  if (!Number.isInteger(o.samples) || o.samples < 1) throw new MassivetextError('bad_plan_size', `the plan needs at least one sample, got ${o.samples}`);
  if (o.samples > 0xffffffff) throw new MassivetextError('bad_plan_size', `${o.samples} samples exceed the plan's uint32 indices`);
  if (input.subsets.length === 0) throw new MassivetextError('no_token_shards', `no token shards in ${input.dataDir}`, 'point --data at a directory written by `massivetext sample` (DIR/<subset>/part-NNNNN.bin + .idx)');
  for (const s of input.subsets) {
    if (!(s.weight >= 0)) throw new MassivetextError('bad_weight', `subset ${s.name} has weight ${s.weight}`);
    if (s.weight > 0 && s.lengths.length === 0) throw new MassivetextError('empty_subset', `subset ${s.name} has weight ${s.weight} but no documents`, 'drop it from --weights or rebuild its shards');
    if (s.lengths.length >= 0xffffffff) throw new MassivetextError('bad_plan_size', `subset ${s.name} has too many documents for uint32 ids`);
    if (s.weight > 0 && subsetTokens(s) === 0) throw new MassivetextError('empty_subset', `subset ${s.name} has weight ${s.weight} but no tokens`);
  }
}

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

/**
 * Writes doc_idx/sample_idx for `rows - 1` samples of one subset: boundary j (token j*T of the
 * virtual stream) as (doc position, offset). Streams epoch by epoch.
 */
function walkSubset(s: PlanSubset, subsetIndex: number, seed: number, seqLen: number, rows: number, docChunk: number, docFile: string, sampleFile: string, sync: boolean): { positions: number; tokensRead: number } {
  const docs = new NpyWriter(docFile, '<u4');
  const samples = new NpyWriter(sampleFile, '<u4', [2]);
  const out = new BoundaryWriter(samples);
  try {
    const n = s.lengths.length;
    let j = 0; // next boundary index
    let target = 0; // its stream position
    let posBase = 0; // doc positions before this epoch
    let c = 0; // stream position where the current document starts
    for (let epoch = 0; j < rows; epoch++) {
      const perm = chunkedPermutation(n, docChunk, new PlanRandom([seed, subsetIndex, 1, epoch]), s.lengths);
      const ids = perm.ids;
      const lens = perm.values;
      let i = 0;
      for (; i < n && j < rows; i++) {
        const len = lens[i]!;
        const end = c + len;
        while (target < end && j < rows) {
          out.push(posBase + i, target - c);
          j++;
          target = j * seqLen;
        }
        c = end;
      }
      // Keep the documents up to the last one a boundary touched.
      const used = j < rows ? n : i;
      docs.write(used === n ? ids : ids.subarray(0, used));
      posBase += used;
      if (posBase > 0xffffffff) throw new MassivetextError('bad_plan_size', `subset ${s.name}: more than 2^32 document positions`);
    }
    out.flush();
    docs.close(sync);
    samples.close(sync);
    return { positions: posBase, tokensRead: (rows - 1) * seqLen + 1 };
  } catch (e) {
    docs.abort();
    samples.abort();
    throw e;
  }
}

/** Builds the plan into `dir` and returns its summary (also written as `dir/plan.json`). */
export async function buildPlan(input: PlanInput, dir: string, options: Partial<PlanOptions> = {}): Promise<PlanSummary> {
  const o: PlanOptions = { ...defaultPlanOptions, ...options };
  validate(input, o);
  const timings: Record<string, number> = {};
  let t0 = performance.now();
  fs.mkdirSync(dir, { recursive: true });
  fs.rmSync(path.join(dir, 'plan.json'), { force: true });
  if (!Number.isInteger(o.docChunk) || o.docChunk < 1) throw new MassivetextError('bad_option', `docChunk must be a positive integer, got ${o.docChunk}`);
  const id = planId(input, o.seqLen, o.seed, o.docChunk);
  const weights = normalizeWeights(input.subsets.map((s) => s.weight));
  const nSub = input.subsets.length;
  const tokens = input.subsets.map(subsetTokens);
  // One shuffle block = one epoch's worth of samples (at least 1).
  const block = tokens.map((t) => Math.max(1, Math.floor(t / o.seqLen)));

  // Pass 1: greedy blend, streamed in chunks, with each subset's current block permutation.
  const di = new NpyWriter(path.join(dir, 'dataset_index.npy'), '|u1');
  const dsi = new NpyWriter(path.join(dir, 'dataset_sample_index.npy'), '<u4');
  const taken = new Float64Array(nSub);
  const perms: (Uint32Array | null)[] = new Array(nSub).fill(null);
  try {
    const chunk = Math.min(o.chunkSamples, o.samples);
    const sub = new Uint8Array(chunk);
    const pos = new Uint32Array(chunk);
    const blockStart = new Float64Array(nSub); // first subset-sample of the current block
    for (let k0 = 0; k0 < o.samples; k0 += chunk) {
      const m = Math.min(chunk, o.samples - k0);
      for (let x = 0; x < m; x++) {
        const k = k0 + x;
        const kk = k > 1 ? k : 1;
        let best = 0;
        let bestErr = weights[0]! * kk - taken[0]!;
        for (let i = 1; i < nSub; i++) {
          const err = weights[i]! * kk - taken[i]!;
          if (err > bestErr) {
            bestErr = err;
            best = i;
          }
        }
        const q = taken[best]!;
        taken[best] = q + 1;
        let within = q - blockStart[best]!;
        let perm = perms[best]!;
        if (perm === null || within >= perm.length) {
          const b = Math.floor(q / block[best]!);
          perm = randomPermutation(block[best]!, new PlanRandom([o.seed, best, 2, b])).ids;
          perms[best] = perm;
          blockStart[best] = b * block[best]!;
          within = q - blockStart[best]!;
        }
        sub[x] = best;
        pos[x] = blockStart[best]! + perm[within]!;
      }
      di.write(sub.subarray(0, m));
      dsi.write(pos.subarray(0, m));
    }
    di.close(o.sync);
    dsi.close(o.sync);
  } catch (e) {
    di.abort();
    dsi.abort();
    throw e;
  }
  perms.fill(null);
  timings.blend = performance.now() - t0;

  // Pass 2: per subset, the document order over epochs and the sample boundaries of whole blocks.
  const subsets: PlanSubsetSummary[] = [];
  for (let si = 0; si < nSub; si++) {
    t0 = performance.now();
    const s = input.subsets[si]!;
    const count = taken[si]!;
    const planned = count === 0 ? 0 : Math.ceil(count / block[si]!) * block[si]!;
    const safe = s.name.replace(/[^A-Za-z0-9_-]/g, '_');
    const docIdx = `${safe}.doc_idx.npy`;
    const sampleIdx = `${safe}.sample_idx.npy`;
    const walked = planned === 0
      ? (writeEmpty(path.join(dir, docIdx), path.join(dir, sampleIdx), o.sync), { positions: 0, tokensRead: 0 })
      : walkSubset(s, si, o.seed, o.seqLen, planned + 1, o.docChunk, path.join(dir, docIdx), path.join(dir, sampleIdx), o.sync);
    let first = 0;
    subsets.push({
      name: s.name, weight: weights[si]!, documents: s.lengths.length, tokens: tokens[si]!,
      samples: count, samplesPlanned: planned, samplesPerBlock: block[si]!,
      epochs: tokens[si]! > 0 ? walked.tokensRead / tokens[si]! : 0,
      docIdx, sampleIdx,
      shards: s.shards.map((sh) => {
        const r = { ...sh, firstDocument: first };
        first += sh.documents;
        return r;
      }),
    });
    timings[`walk:${s.name}`] = performance.now() - t0;
  }
  const summary: PlanSummary = {
    format: PLAN_FORMAT, version: PLAN_VERSION, planId: id, seqLen: o.seqLen, seed: o.seed, samples: o.samples, docChunk: o.docChunk,
    dtype: input.dtype, vocabSize: input.vocabSize, eosId: input.eosId, dataDir: path.resolve(input.dataDir),
    datasetIndex: 'dataset_index.npy', datasetSampleIndex: 'dataset_sample_index.npy', subsets, timings,
  };
  await writeFileAtomic(path.join(dir, 'plan.json'), JSON.stringify(summary, null, 2) + '\n');
  return summary;
}

function writeEmpty(docFile: string, sampleFile: string, sync: boolean): void {
  new NpyWriter(docFile, '<u4').close(sync);
  new NpyWriter(sampleFile, '<u4', [2]).close(sync);
}

/** Reads `dir/plan.json` if it is a complete plan, else null. */
export function readPlanSummary(dir: string): PlanSummary | null {
  try {
    const p = JSON.parse(fs.readFileSync(path.join(dir, 'plan.json'), 'utf8')) as PlanSummary;
    return p.format === PLAN_FORMAT && p.version === PLAN_VERSION ? p : null;
  } catch {
    return null;
  }
}
