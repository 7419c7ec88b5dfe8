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
 * `plan.json` last (its presence marks a complete plan).
 *
 * Memory and speed: the blend is streamed in chunks and holds one block permutation per subset (4 bytes
 * a sample of one epoch); a walk streams its document order block by block through one reused id array
 * (4 bytes a document of the largest subset; none with docChunk > 1). Large plans run on the machine's
 * cores (plan-jobs.ts): workers make the first-block permutations and walk subsets while this thread
 * writes the blend; the bytes are the same for any thread count.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as os from 'node:os';
import { fingerprint, MassivetextError, removeStaleTemps, WorkerPool, writeFileAtomic } from '../../pipeline/index.js';
import { blendCounts, normalizeWeights, pickSubset } from './blend.js';
import { NpyWriter } from './npy.js';
import { newPlanQueue, Q_PERMS_DONE, Q_FAILED, Q_ROWS_READY, runPlanJobs, waitFor, type PermJob, type PlanQueue, type WalkPlanJob } from './plan-jobs.js';
import { PlanRandom } from './random.js';
import { randomPermutation, Scratch } from './shuffle.js';
import { walkSubset, type WalkJob, type WalkResult } from './walk-subset.js';

/** The worker module of the threaded plan (plan-jobs.ts `planWorker`). */
const planWorkerUrl = new URL('./plan-jobs.js', import.meta.url).href;

export const PLAN_FORMAT = 'massivetext-train-plan';
/** 2: at most 512 shuffle buckets (the same seed gives other orders than version 1 for subsets over 2^24 documents or samples). */
export const PLAN_VERSION = 2;

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
   * Documents per unit of the per-epoch document shuffle (shuffle.ts `documentOrder`): 1 is a
   * uniform permutation of documents (Megatron's doc_idx); 16 shuffles 16-document chunks and rotates
   * each, 4x faster at 300B tokens, for shards already shuffled at write time. Samples are always
   * shuffled one by one.
   */
  docChunk: number;
  /** fsync each file (off only for benchmarks on scratch space). */
  sync: boolean;
  /** Threads for large plans (plan-jobs.ts); the bytes are the same for any count. Default: the machine's cores. */
  threads: number;
  /** Plans with fewer documents + samples run on this thread alone (a worker costs ~50 ms to start). */
  parallelMinWork: number;
}

export const defaultPlanOptions = (): PlanOptions => ({
  seqLen: 2048, samples: 0, seed: 1234, chunkSamples: 1 << 20, docChunk: 1, sync: true,
  threads: Math.max(1, os.availableParallelism?.() ?? os.cpus().length), parallelMinWork: 1 << 22,
});

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

/** The greedy blend (blend.ts) streamed to dataset_index/dataset_sample_index; returns the samples taken per subset. */
function writeBlend(dir: string, o: PlanOptions, weights: Float64Array, block: number[], firstPerms: (Uint32Array | null)[]): Float64Array {
  const nSub = weights.length;
  const di = new NpyWriter(path.join(dir, 'dataset_index.npy'), '|u1');
  const dsi = new NpyWriter(path.join(dir, 'dataset_sample_index.npy'), '<u4');
  const taken = new Float64Array(nSub);
  const perms = firstPerms.slice();
  try {
    const chunk = Math.min(o.chunkSamples, o.samples);
    const sub = new Uint8Array(chunk);
    const pos = new Uint32Array(chunk);
    const blockStart = new Float64Array(nSub); // first subset-sample of the current block
    for (let k0 = 0; k0 < o.samples; k0 += chunk) {
      const m = Math.min(chunk, o.samples - k0);
      for (let x = 0; x < m; x++) {
        const best = pickSubset(weights, taken, k0 + x);
        const q = taken[best]!;
        taken[best] = q + 1;
        let within = q - blockStart[best]!;
        let perm = perms[best]!;
        if (perm === null || within >= perm.length) {
          const b = Math.floor(q / block[best]!);
          perm = randomPermutation(block[best]!, new PlanRandom([o.seed, best, 2, b]), undefined, undefined, perm ?? undefined).ids;
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
  return taken;
}

/** Rows of a subset's sample_idx for `count` samples: whole shuffle blocks plus the closing boundary (0 for none). */
function rowsFor(count: number, block: number): number {
  return count === 0 ? 0 : Math.ceil(count / block) * block + 1;
}

/**
 * Rows of each subset's sample_idx (samples planned + 1, in whole blocks; 0 for none) for a blend of
 * `samples`. The greedy blend keeps every count within 1.9 of weight x samples (measured over 3,000
 * random mixtures of 2–13 subsets at every prefix); with a margin of one sample per subset on each
 * side, the count's block is known without running the blend, which saves a serial pass of 146M steps
 * at 300B tokens. Only when a block boundary falls inside that margin is the blend counted (blendCounts).
 */
function blendRows(w: Float64Array, samples: number, block: number[]): number[] {
  const margin = w.length + 1;
  const rows = (count: number, si: number) => rowsFor(count, block[si]!);
  const quick = Array.from(w, (wi, si) => {
    if (wi === 0) return 0; // never picked (blend.ts pickSubset)
    const lo = Math.max(0, Math.floor(wi * samples) - margin);
    const hi = Math.min(samples, Math.ceil(wi * samples) + margin);
    return lo > 0 && rows(lo, si) === rows(hi, si) ? rows(lo, si) : -1;
  });
  if (quick.every((r) => r >= 0)) return quick;
  const counts = blendCounts(w, samples);
  return Array.from(counts, (c, si) => rows(c, si));
}

/** The same lengths on a SharedArrayBuffer (a copy only when they are not already shared). */
function shared(a: Int32Array | Uint32Array): Int32Array | Uint32Array {
  if (a.buffer instanceof SharedArrayBuffer) return a;
  const c = a instanceof Int32Array ? new Int32Array(new SharedArrayBuffer(a.byteLength)) : new Uint32Array(new SharedArrayBuffer(a.byteLength));
  c.set(a);
  return c;
}

/** Threads for a plan of this size: one below `parallelMinWork` (documents + samples), else `o.threads`. */
function planThreads(input: PlanInput, o: PlanOptions): number {
  const work = o.samples + input.subsets.reduce((a, s) => a + s.lengths.length, 0);
  return work < o.parallelMinWork ? 1 : Math.max(1, Math.min(o.threads, 2 * input.subsets.length));
}

/** Builds the plan into `dir` and returns its summary (also written as `dir/plan.json`). */
export async function buildPlan(input: PlanInput, dir: string, options: Partial<PlanOptions> = {}): Promise<PlanSummary> {
  const o: PlanOptions = { ...defaultPlanOptions(), ...options };
  validate(input, o);
  const timings: Record<string, number> = {};
  const t0 = performance.now();
  fs.mkdirSync(dir, { recursive: true });
  fs.rmSync(path.join(dir, 'plan.json'), { force: true });
  if (!Number.isInteger(o.docChunk) || o.docChunk < 1) throw new MassivetextError('bad_option', `docChunk must be a positive integer, got ${o.docChunk}`);
  const id = planId(input, o.seqLen, o.seed, o.docChunk);
  const weights = normalizeWeights(input.subsets.map((s) => s.weight));
  const nSub = input.subsets.length;
  const tokens = input.subsets.map(subsetTokens);
  // One shuffle block = one epoch's worth of samples (at least 1).
  const block = tokens.map((t) => Math.max(1, Math.floor(t / o.seqLen)));
  const files = input.subsets.map((s) => {
    const safe = s.name.replace(/[^A-Za-z0-9_-]/g, '_');
    return { docIdx: `${safe}.doc_idx.npy`, sampleIdx: `${safe}.sample_idx.npy` };
  });
  const threads = planThreads(input, o);
  const lengths = input.subsets.map((s) => s.lengths);
  const walkJob = (si: number, rows: number): WalkJob => ({
    subsetIndex: si, name: input.subsets[si]!.name, lengths: lengths[si]!, seed: o.seed, seqLen: o.seqLen, rows, docChunk: o.docChunk,
    docFile: path.join(dir, files[si]!.docIdx), sampleFile: path.join(dir, files[si]!.sampleIdx), sync: o.sync,
  });
  const rowsOf = (count: number, si: number) => rowsFor(count, block[si]!);

  let taken: Float64Array<ArrayBufferLike> = new Float64Array(nSub);
  const walked: (WalkResult | undefined)[] = new Array(nSub);
  if (threads === 1) {
    // Pass 1: the greedy blend, each subset's current block permutation made when first needed.
    taken = writeBlend(dir, o, weights, block, new Array(nSub).fill(null));
    timings.blend = performance.now() - t0;
    // Pass 2: per subset, the document order over epochs and the sample boundaries of whole blocks.
    const scratch = new Scratch();
    for (let si = 0; si < nSub; si++) walked[si] = walkSubset(walkJob(si, rowsOf(taken[si]!, si)), scratch);
  } else {
    // The same passes on `threads` threads: every thread makes first-block permutations (rows come from
    // blendRows, rarely a count pass), then workers walk subsets while this thread writes the blend and
    // then joins them.
    // Workers read the lengths in place: shared memory (a copy only when the caller's are not shared).
    for (let si = 0; si < nSub; si++) lengths[si] = shared(lengths[si]!);
    const permJobs: PermJob[] = [];
    const firstPerms: (Uint32Array | null)[] = new Array(nSub).fill(null);
    for (let si = 0; si < nSub; si++) {
      if (!(weights[si]! > 0)) continue;
      const out = new Uint32Array(new SharedArrayBuffer(4 * block[si]!));
      firstPerms[si] = out;
      permJobs.push({ kind: 'perm', seed: [o.seed, si, 2, 0], out });
    }
    permJobs.sort((a, b) => b.out.length - a.out.length);
    const walkJobs: WalkPlanJob[] = input.subsets.map((_, si) => ({ kind: 'walk' as const, walk: walkJob(si, 0) }));
    const cost = (j: WalkPlanJob) => j.walk.lengths.length + 2 * weights[j.walk.subsetIndex]! * o.samples;
    walkJobs.sort((a, b) => cost(b) - cost(a));
    const queue = newPlanQueue([...permJobs, ...walkJobs], nSub);
    const pool = new WorkerPool({ size: threads - 1 });
    const workers = Array.from({ length: threads - 1 }, () => pool.run<PlanQueue, undefined, Record<number, WalkResult>>(planWorkerUrl, 'planWorker', undefined, queue));
    // A worker's failure is reported by its promise; keep it from going unhandled while this thread works.
    workers.forEach((w) => w.catch(() => undefined));
    try {
      const rows = blendRows(weights, o.samples, block);
      queue.rows.set(rows);
      Atomics.store(queue.state, Q_ROWS_READY, 1);
      Atomics.notify(queue.state, Q_ROWS_READY);
      const scratch = new Scratch();
      runPlanJobs(queue, scratch, permJobs.length);
      if (waitFor(queue, Q_PERMS_DONE, permJobs.length)) {
        taken = writeBlend(dir, o, weights, block, firstPerms);
        if (taken.some((c, si) => rowsOf(c, si) !== rows[si])) throw new Error('the blend took other sample counts than its rows were planned for (a bug)');
        timings.blend = performance.now() - t0;
        Object.assign(walked, runPlanJobs(queue, scratch));
      }
      for (const r of await Promise.all(workers)) for (const [si, w] of Object.entries(r)) walked[Number(si)] = w;
      if (walked.some((w) => w === undefined)) throw new Error('a plan job was lost (a bug)');
    } catch (e) {
      Atomics.store(queue.state, Q_FAILED, 1);
      await Promise.allSettled(workers);
      await pool.close();
      await removeStaleTemps(dir, { onlyPid: process.pid }).catch(() => 0);
      throw e;
    }
    await pool.close();
  }

  const subsets: PlanSubsetSummary[] = input.subsets.map((s, si) => {
    const count = taken[si]!;
    const w = walked[si]!;
    timings[`walk:${s.name}`] = w.ms;
    let first = 0;
    return {
      name: s.name, weight: weights[si]!, documents: s.lengths.length, tokens: tokens[si]!,
      samples: count, samplesPlanned: count === 0 ? 0 : rowsOf(count, si) - 1, samplesPerBlock: block[si]!,
      epochs: tokens[si]! > 0 ? w.tokensRead / tokens[si]! : 0,
      docIdx: files[si]!.docIdx, sampleIdx: files[si]!.sampleIdx,
      shards: s.shards.map((sh) => {
        const r = { ...sh, firstDocument: first };
        first += sh.documents;
        return r;
      }),
    };
  });
  timings.total = performance.now() - t0;
  if (threads > 1) timings.threads = threads;
  const summary: PlanSummary = {
    format: PLAN_FORMAT, version: PLAN_VERSION, planId: id, seqLen: o.seqLen, seed: o.seed, samples: o.samples, docChunk: o.docChunk,
    dtype: input.dtype, vocabSize: input.vocabSize, eosId: input.eosId, dataDir: path.resolve(input.dataDir),
    datasetIndex: 'dataset_index.npy', datasetSampleIndex: 'dataset_sample_index.npy', subsets, timings,
  };
  await writeFileAtomic(path.join(dir, 'plan.json'), JSON.stringify(summary, null, 2) + '\n');
  return summary;
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
