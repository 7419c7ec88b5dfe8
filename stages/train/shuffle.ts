/**
 * Seeded uniform permutations of large index arrays, fast on typed arrays and light on fresh memory.
 *
 * Small arrays: Fisher–Yates (Durstenfeld) from the top. Large arrays (more than `directLimit`): the
 * Rao–Sandelius method — every element goes to one of 2^k buckets chosen uniformly at random, then each
 * bucket is Fisher–Yates-shuffled and the buckets are concatenated. This yields the same uniform
 * distribution over permutations as one Fisher–Yates pass (Rao 1961; Sandelius 1962; Bacher et al.,
 * "MergeShuffle", 2015), but both passes touch memory almost sequentially: a 171M-element shuffle with
 * random swaps is cache-miss bound, the bucketed one is not.
 *
 * The bucket choices are never stored: a copy of the generator counts them first, then the generator
 * itself draws the same choices again and scatters each id straight to its slot (one extra draw per
 * element is far cheaper than a fresh n-element array, ~5 s per GB on a VM that faults pages in).
 *
 * `documentOrder` streams one epoch's document order in blocks (ids with their lengths) through arrays
 * reused across epochs and subsets, so a walk over 173M documents allocates them once.
 */
import { PlanRandom } from './random.js';

export interface ShuffleOptions {
  /** Above this many elements, use the bucketed method; 2^16 x 8 bytes stays in a 512 KiB L2. */
  directLimit: number;
}
export const defaultShuffleOptions: ShuffleOptions = { directLimit: 1 << 16 };

export type Lengths = Int32Array | Uint32Array;

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
 * Bucket count of the Rao–Sandelius split: a power of two giving ~2^15 elements per bucket, at most 2^9
 * buckets. The scatter writes to one place per bucket at a time; 2^13 of them thrash the TLB (3x slower
 * measured on 71M elements), 512 stay in it, and a bucket of 2^18 ids still shuffles inside L2/L3.
 */
function bucketBits(n: number): number {
  let bits = 1;
  while (bits < 9 && n / 2 ** bits > 1 << 15) bits++;
  return bits;
}

/**
 * The first Rao–Sandelius pass: writes 0..n-1 into ids grouped by random bucket (ascending inside a
 * bucket) and returns the bucket bounds (`bounds[b]..bounds[b+1]`). Draws n numbers from rng.
 */
function scatterToBuckets(n: number, rng: PlanRandom, ids: Uint32Array, values?: Lengths, carry?: Uint32Array): Float64Array {
  const bits = bucketBits(n);
  const buckets = 1 << bits;
  const shift = 32 - bits;
  const bounds = new Float64Array(buckets + 1);
  const counter = rng.clone();
  for (let i = 0; i < n; i++) bounds[(counter.next() >>> shift) + 1]!++;
  for (let b = 0; b < buckets; b++) bounds[b + 1]! += bounds[b]!;
  const cursor = bounds.slice(0, buckets);
  if (values && carry) {
    // The values ride along: read in order here instead of gathered at random later (~2x cheaper).
    for (let i = 0; i < n; i++) {
      const p = cursor[rng.next() >>> shift]!++;
      ids[p] = i;
      carry[p] = values[i]!;
    }
  } else {
    for (let i = 0; i < n; i++) ids[cursor[rng.next() >>> shift]!++] = i;
  }
  return bounds;
}

/**
 * Returns a uniformly random permutation of 0..n-1 as ids, and `values` reordered the same way
 * (`outValues[i] = values[ids[i]]`) when values are given. `into` (length n) is filled and returned as
 * ids instead of a fresh array, so a caller that permutes again and again reuses its memory.
 */
export function randomPermutation(
  n: number, rng: PlanRandom, values?: ArrayLike<number>, options: ShuffleOptions = defaultShuffleOptions, into?: Uint32Array,
): { ids: Uint32Array; values: Uint32Array | null } {
  if (n > 0xffffffff) throw new RangeError(`cannot permute ${n} elements (max 2^32 - 1)`);
  const ids = into && into.length === n ? into : new Uint32Array(n);
  const out = values ? new Uint32Array(n) : null;
  if (n <= options.directLimit) {
    for (let i = 0; i < n; i++) ids[i] = i;
    if (out && values) for (let i = 0; i < n; i++) out[i] = values[i]!;
    fisherYates(rng, ids, out, 0, n);
    return { ids, values: out };
  }
  const bounds = scatterToBuckets(n, rng, ids, values as Lengths | undefined, out ?? undefined);
  for (let b = 0; b + 1 < bounds.length; b++) fisherYates(rng, ids, out, bounds[b]!, bounds[b + 1]!);
  return { ids, values: out };
}

/** Grow-only typed arrays reused across epochs and subsets of one thread. */
export class Scratch {
  private readonly arrays = new Map<string, Uint32Array>();
  /** A Uint32Array of at least n elements (contents undefined), reused while it is large enough. */
  u32(name: string, n: number): Uint32Array {
    const a = this.arrays.get(name);
    if (a && a.length >= n) return a;
    const fresh = new Uint32Array(Math.max(n, 1));
    this.arrays.set(name, fresh);
    return fresh;
  }
}

/** Documents per block `documentOrder` yields when it cuts them itself (chunked orders). */
const BLOCK_CHUNKS = 4096;

/**
 * One epoch's document order, streamed: yields [ids, lengths] blocks (views into `scratch`, valid until
 * the next block) whose concatenation is the order. `chunk` = 1 is a uniform permutation (the blocks
 * are the Rao–Sandelius buckets); `chunk` > 1 puts chunks of `chunk` consecutive ids in a uniformly
 * random order and rotates each by a random offset, O(n / chunk) random draws, for shards already
 * shuffled at write time (`massivetext sample` shuffles documents as it draws them). The same seed gives
 * the same order as materialising it would.
 */
export function* documentOrder(
  n: number, chunk: number, rng: PlanRandom, lengths: Lengths, scratch: Scratch, options: ShuffleOptions = defaultShuffleOptions,
): Generator<[Uint32Array, Uint32Array]> {
  if (chunk <= 1 && n <= options.directLimit) {
    const ids = scratch.u32('block-ids', n).subarray(0, n);
    const lens = scratch.u32('block-lens', n).subarray(0, n);
    for (let i = 0; i < n; i++) {
      ids[i] = i;
      lens[i] = lengths[i]!;
    }
    fisherYates(rng, ids, lens, 0, n);
    yield [ids, lens];
    return;
  }
  if (chunk <= 1) {
    const ids = scratch.u32('order-ids', n);
    const lens = scratch.u32('order-lens', n);
    const bounds = scatterToBuckets(n, rng, ids, lengths, lens);
    for (let b = 0; b + 1 < bounds.length; b++) {
      const from = bounds[b]!;
      const to = bounds[b + 1]!;
      fisherYates(rng, ids, lens, from, to);
      yield [ids.subarray(from, to), lens.subarray(from, to)];
    }
    return;
  }
  const chunks = Math.ceil(n / chunk);
  const order = randomPermutation(chunks, rng, undefined, options, scratch.u32('chunk-order', chunks).subarray(0, chunks)).ids;
  const ids = scratch.u32('block-ids', BLOCK_CHUNKS * chunk);
  const lens = scratch.u32('block-lens', BLOCK_CHUNKS * chunk);
  for (let c = 0; c < chunks; c += BLOCK_CHUNKS) {
    const size = emitChunks(order, c, Math.min(chunks, c + BLOCK_CHUNKS), chunk, n, rng, lengths, ids, lens);
    yield [ids.subarray(0, size), lens.subarray(0, size)];
  }
}

function emitChunks(order: Uint32Array, from: number, to: number, chunk: number, n: number, rng: PlanRandom, values: Lengths, ids: Uint32Array, out: Uint32Array): number {
  let o = 0;
  for (let c = from; c < to; c++) {
    const first = order[c]! * chunk;
    const size = Math.min(chunk, n - first);
    const rot = size > 1 ? rng.below(size) : 0;
    for (let d = first + rot, end = first + size; d < end; d++) {
      ids[o] = d;
      out[o++] = values[d]!;
    }
    for (let d = first, end = first + rot; d < end; d++) {
      ids[o] = d;
      out[o++] = values[d]!;
    }
  }
  return o;
}
