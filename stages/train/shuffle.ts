/**
 * Seeded uniform permutations of large index arrays, fast on typed arrays.
 *
 * Small arrays: Fisher–Yates (Durstenfeld) from the top. Large arrays (more than `directLimit`): the
 * Rao–Sandelius method — every element goes to one of 2^k buckets chosen uniformly at random, then each
 * bucket is Fisher–Yates-shuffled and the buckets are concatenated. This yields the same uniform
 * distribution over permutations as one Fisher–Yates pass (Rao 1961; Sandelius 1962; Bacher et al.,
 * "MergeShuffle", 2015), but both passes touch memory almost sequentially: a 171M-element shuffle with
 * random swaps is cache-miss bound, the bucketed one is not.
 *
 * A companion array (`carry`) is permuted along with the ids, so later passes read both in order
 * instead of gathering `lengths[ids[i]]` at random.
 */
import { PlanRandom } from './random.js';

export interface ShuffleOptions {
  /** Above this many elements, use the bucketed method; 2^16 x 8 bytes stays in a 512 KiB L2. */
  directLimit: number;
}
export const defaultShuffleOptions: ShuffleOptions = { directLimit: 1 << 16 };

/** In-place Fisher–Yates over ids[start, end) (and carry, if given). */
function fisherYates(rng: PlanRandom, ids: Uint32Array, carry: Uint32Array | null, start: number, end: number): void {
  for (let i = end - 1; i > start; i--) {
    const j = start + rng.below(i - start + 1);
    const t = ids[i]!;
    ids[i] = ids[j]!;
    ids[j] = t;
    if (carry) {
      const c = carry[i]!;
      carry[i] = carry[j]!;
      carry[j] = c;
    }
  }
}

/**
 * Returns a uniformly random permutation of 0..n-1 as ids, and `values` reordered the same way
 * (`outValues[i] = values[ids[i]]`) when values are given.
 */
export function randomPermutation(
  n: number, rng: PlanRandom, values?: ArrayLike<number>, options: ShuffleOptions = defaultShuffleOptions,
): { ids: Uint32Array; values: Uint32Array | null } {
  if (n > 0xffffffff) throw new RangeError(`cannot permute ${n} elements (max 2^32 - 1)`);
  const ids = new Uint32Array(n);
  const out = values ? new Uint32Array(n) : null;
  if (n <= options.directLimit) {
    for (let i = 0; i < n; i++) ids[i] = i;
    if (out && values) for (let i = 0; i < n; i++) out[i] = values[i]!;
    fisherYates(rng, ids, out, 0, n);
    return { ids, values: out };
  }
  // Bucket count: a power of two giving ~2^15 elements per bucket, at most 2^16 buckets.
  let bits = 1;
  while (bits < 16 && n / 2 ** bits > 1 << 15) bits++;
  const buckets = 1 << bits;
  const shift = 32 - bits;
  const choice = bits <= 8 ? new Uint8Array(n) : new Uint16Array(n);
  const count = new Float64Array(buckets + 1);
  for (let i = 0; i < n; i++) {
    const b = rng.next() >>> shift;
    choice[i] = b;
    count[b + 1]!++;
  }
  for (let b = 0; b < buckets; b++) count[b + 1]! += count[b]!;
  const cursor = Float64Array.from(count.subarray(0, buckets));
  if (out && values) {
    for (let i = 0; i < n; i++) {
      const p = cursor[choice[i]!]!++;
      ids[p] = i;
      out[p] = values[i]!;
    }
  } else {
    for (let i = 0; i < n; i++) ids[cursor[choice[i]!]!++] = i;
  }
  for (let b = 0; b < buckets; b++) fisherYates(rng, ids, out, count[b]!, count[b + 1]!);
  return { ids, values: out };
}

/**
 * A seeded document order that costs O(n / chunk) random draws: the chunks of `chunk` consecutive ids
 * are put in a uniformly random order, and each chunk is rotated by a random offset. `chunk` = 1 is
 * a uniform permutation (randomPermutation). Used for per-epoch document orders over hundreds of
 * millions of documents whose shards are already shuffled at write time (`massivetext sample` shuffles
 * documents when it draws them), so neighbours inside a chunk are random documents already.
 */
export function chunkedPermutation(n: number, chunk: number, rng: PlanRandom, values: ArrayLike<number>): { ids: Uint32Array; values: Uint32Array } {
  if (chunk <= 1) {
    const p = randomPermutation(n, rng, values);
    return { ids: p.ids, values: p.values! };
  }
  const chunks = Math.ceil(n / chunk);
  const order = randomPermutation(chunks, rng).ids;
  const ids = new Uint32Array(n);
  const out = new Uint32Array(n);
  // Work in slices through a small function: V8 optimises it after a few calls instead of relying on
  // on-stack replacement of one very long loop (measured 2.5x slower on the first calls).
  let o = 0;
  for (let c = 0; c < chunks; c += 4096) o = emitChunks(order, c, Math.min(chunks, c + 4096), chunk, n, rng, values, ids, out, o);
  return { ids, values: out };
}

function emitChunks(order: Uint32Array, from: number, to: number, chunk: number, n: number, rng: PlanRandom, values: ArrayLike<number>, ids: Uint32Array, out: Uint32Array, o: number): number {
  for (let c = from; c < to; c++) {
    const first = order[c]! * chunk;
    const size = Math.min(chunk, n - first);
    const rot = size > 1 ? rng.below(size) : 0;
    for (let i = 0; i < size; i++) {
      let k = rot + i;
      if (k >= size) k -= size;
      const d = first + k;
      ids[o] = d;
      out[o++] = values[d]!;
    }
  }
  return o;
}
