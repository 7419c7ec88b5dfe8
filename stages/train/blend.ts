/**
 * Mixture blending by weight, exactly as Megatron-LM's `BlendedDataset`
 * (NVIDIA/Megatron-LM megatron/core/datasets/helpers.cpp `build_blending_indices`): for output sample
 * k, pick the subset whose target `w_i * max(k, 1)` most exceeds the samples already taken from it
 * (ties to the lower index). No randomness; every prefix holds the weights' proportions to within one
 * sample per subset.
 */

/** Normalises weights to sum 1 (as Megatron's `normalize`); throws on negatives or an all-zero list. */
export function normalizeWeights(weights: readonly number[]): Float64Array {
  let sum = 0;
  for (const w of weights) {
    if (!(Number.isFinite(w) && w >= 0)) throw new RangeError(`weights must be finite and >= 0, got ${w}`);
    sum += w;
  }
  if (!(sum > 0)) throw new RangeError('at least one weight must be positive');
  return Float64Array.from(weights, (w) => w / sum);
}

/**
 * The subset output sample k comes from, given the samples already taken from each (the greedy rule above).
 * A subset of weight 0 is never picked: Megatron's loop would pick one on a tie at 0 (weights [0, 1] give
 * sample 1 to subset 0, since max(k, 1) makes k = 0 and 1 share a target), which a plan cannot serve.
 */
export function pickSubset(w: Float64Array, taken: Float64Array, k: number): number {
  const kk = k > 1 ? k : 1;
  let best = -1;
  let bestErr = -Infinity;
  for (let i = 0; i < w.length; i++) {
    const wi = w[i]!;
    if (wi === 0) continue;
    const err = wi * kk - taken[i]!;
    if (err > bestErr) {
      bestErr = err;
      best = i;
    }
  }
  return best;
}

export interface Blend {
  /** Subset of each global sample (Megatron `dataset_index`). */
  subset: Uint8Array;
  /** The position of each global sample within its subset's sample stream (Megatron `dataset_sample_index`). */
  position: Uint32Array;
  /** Samples taken from each subset. */
  counts: number[];
}

/** The greedy blend of `total` samples over normalised `weights` (at most 255 subsets). */
export function blend(weights: readonly number[], total: number): Blend {
  const w = normalizeWeights(weights);
  const n = w.length;
  if (n > 255) throw new RangeError('at most 255 subsets');
  const subset = new Uint8Array(total);
  const position = new Uint32Array(total);
  const taken = new Float64Array(n);
  for (let k = 0; k < total; k++) {
    const best = pickSubset(w, taken, k);
    subset[k] = best;
    position[k] = taken[best]!;
    taken[best]!++;
  }
  return { subset, position, counts: Array.from(taken) };
}

/** Samples the greedy blend of `total` samples takes from each subset (weights already normalised), without the sequence. */
export function blendCounts(w: Float64Array, total: number): Float64Array {
  const taken = new Float64Array(w.length);
  for (let k = 0; k < total; k++) taken[pickSubset(w, taken, k)]!++;
  return taken;
}
