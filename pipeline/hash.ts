/**
 * Fast non-cryptographic hashing on 32-bit lanes (JavaScript has no cheap 64-bit integers).
 * A "64-bit hash" here is two independently seeded 32-bit lanes; a 128-bit key is four.
 * The finaliser is MurmurHash3's fmix32 (public domain, Austin Appleby), which gives full avalanche.
 * Shared by the text analysis of the filters (word and line hashes) and by dedup (exact keys, shingles,
 * MinHash): a change here changes which documents count as duplicates.
 */

/** MurmurHash3 fmix32: a bijective 32-bit mixer with full avalanche. Returns a signed 32-bit int. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}

/** Seeds of the lanes: arbitrary odd constants (digits of pi and e in hex). */
export const LANE_SEEDS: readonly number[] = [0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344, 0xb7e15162, 0x8aed2a6a];

/** Hashes a string's UTF-16 code units into `lanes` independent 32-bit values written to out[at..]. */
export function hashStringLanes(s: string, lanes: number, out: Int32Array | Uint32Array, at = 0): void {
  for (let l = 0; l < lanes; l++) {
    let h = LANE_SEEDS[l]! ^ s.length;
    const m = 0x5bd1e995 + 2 * l;
    for (let i = 0; i < s.length; i++) {
      h = Math.imul(h ^ s.charCodeAt(i), m);
      h ^= h >>> 15;
    }
    out[at + l] = fmix32(h ^ Math.imul(s.length, 0x27d4eb2d)) >>> 0;
  }
}

/** 128-bit key of a string as four unsigned 32-bit words. */
export function hashString128(s: string): Uint32Array {
  const out = new Uint32Array(4);
  hashStringLanes(s, 4, out);
  return out;
}

/** A 53-bit number from two 32-bit lanes (exact in a double): for Map keys and open-addressing tables. */
export function to53(hi: number, lo: number): number {
  return (hi & 0x1fffff) * 0x100000000 + (lo >>> 0);
}
