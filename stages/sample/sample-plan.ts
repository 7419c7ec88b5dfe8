/**
 * The pure part of sampling: how many tokens each subset gets, how many whole epochs and which
 * documents of the partial epoch, and the order documents are written in.
 *
 * - Subset budgets: target x weight, rounded by largest remainder so they sum to the target exactly.
 * - A subset with N tokens and budget t gets floor(t / N) whole epochs, each a fresh seeded permutation
 *   of its documents, then a seeded partial epoch: the shortest prefix of one more permutation whose
 *   tokens come closest to the remainder (ties go to the shorter prefix). So the subset's tokens differ
 *   from its budget by at most half a document, and the partial epoch is a uniform random subset.
 *   (Megatron GPTDataset also keeps the last partial epoch in its own permutation; train-runner.md §2.2.)
 */
import { type Subset, SUBSETS } from '../../pipeline/index.js';
import type { SampleWeights } from './sample-weights.js';
import { seededPermutation, Xoshiro128 } from './seeded-shuffle.js';

/** Splits `target` tokens by weight (weights sum to 1) with largest remainders; ties in SUBSETS order. */
export function allocateTokens(target: number, weights: SampleWeights): Partial<Record<Subset, number>> {
  const subsets = SUBSETS.filter((s) => (weights[s] ?? 0) > 0);
  const sum = subsets.reduce((a, s) => a + weights[s]!, 0);
  const exact = subsets.map((s) => (target * weights[s]!) / sum);
  const base = exact.map((x) => Math.floor(x));
  let left = target - base.reduce((a, b) => a + b, 0);
  const order = subsets.map((_, i) => i).sort((a, b) => (exact[b] - base[b]) - (exact[a] - base[a]) || a - b);
  for (const i of order) {
    if (left <= 0) break;
    base[i]++;
    left--;
  }
  const out: Partial<Record<Subset, number>> = {};
  subsets.forEach((s, i) => (out[s] = base[i]));
  return out;
}

/** The permutation of a subset's documents for one epoch: stream "<subset>\0<epoch>" of the seed. */
export function epochPermutation(documents: number, seed: number, subset: Subset, epoch: number): Uint32Array {
  return seededPermutation(documents, Xoshiro128.fromSeed(seed, `${subset}\0${epoch}`));
}

export interface SubsetDraw {
  subset: Subset;
  sourceTokens: number;
  sourceDocuments: number;
  targetTokens: number;
  fullEpochs: number;
  /** Documents taken from the partial epoch's permutation (a prefix). */
  partialDocuments: number;
  partialTokens: number;
  tokens: number;
  documents: number;
  /** tokens / sourceTokens. */
  epochs: number;
}

/** Plans one subset; `lengths` are its documents' token counts (EOS included). */
export function planSubsetDraw(subset: Subset, lengths: Int32Array, targetTokens: number, seed: number): SubsetDraw {
  let sourceTokens = 0;
  for (let i = 0; i < lengths.length; i++) sourceTokens += lengths[i];
  const D = lengths.length;
  const base = { subset, sourceTokens, sourceDocuments: D, targetTokens };
  if (sourceTokens === 0 || targetTokens <= 0) {
    return { ...base, fullEpochs: 0, partialDocuments: 0, partialTokens: 0, tokens: 0, documents: 0, epochs: 0 };
  }
  const fullEpochs = Math.floor(targetTokens / sourceTokens);
  const rem = targetTokens - fullEpochs * sourceTokens;
  let k = 0;
  let cum = 0;
  if (rem > 0) {
    const perm = epochPermutation(D, seed, subset, fullEpochs);
    while (k < D && cum < rem) cum += lengths[perm[k++]];
    if (cum > rem && k > 0) {
      const under = cum - lengths[perm[k - 1]];
      if (rem - under <= cum - rem) { cum = under; k--; }
    }
  }
  const tokens = fullEpochs * sourceTokens + cum;
  return { ...base, fullEpochs, partialDocuments: k, partialTokens: cum, tokens, documents: fullEpochs * D + k, epochs: tokens / sourceTokens };
}

/** The subset's output order as per-epoch chunks of document indices (whole epochs, then the partial prefix). */
export function* documentOrder(draw: SubsetDraw, seed: number): Generator<Uint32Array> {
  for (let e = 0; e < draw.fullEpochs; e++) yield epochPermutation(draw.sourceDocuments, seed, draw.subset, e);
  if (draw.partialDocuments > 0) {
    yield epochPermutation(draw.sourceDocuments, seed, draw.subset, draw.fullEpochs).subarray(0, draw.partialDocuments);
  }
}

/**
 * Cuts the order into output shards of at least `shardTokens` tokens (the last may be smaller);
 * documents are never split. Yields each shard's document indices.
 */
export function* shardDocuments(order: Iterable<Uint32Array>, lengths: Int32Array, shardTokens: number): Generator<Uint32Array> {
  let buf = new Uint32Array(1024);
  let n = 0;
  let tokens = 0;
  for (const chunk of order) {
    for (let i = 0; i < chunk.length; i++) {
      const d = chunk[i];
      if (n === buf.length) {
        const g = new Uint32Array(buf.length * 2);
        g.set(buf);
        buf = g;
      }
      buf[n++] = d;
      tokens += lengths[d];
      if (tokens >= shardTokens) {
        yield buf.slice(0, n);
        n = 0;
        tokens = 0;
      }
    }
  }
  if (n > 0) yield buf.slice(0, n);
}
