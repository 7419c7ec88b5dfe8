/**
 * MinHash signatures. Hash function i maps a shingle (64-bit hash h1:h2) to fmix32(h1 ^ key_i) ^ h2:
 * a keyed MurmurHash3 finaliser, independent keys per function; the signature keeps each function's
 * minimum (as signed 32-bit ints: any fixed total order works). The fraction of equal positions in two
 * signatures estimates the Jaccard similarity of their shingle sets.
 * A text without words gets the EMPTY signature (all 0x7fffffff), which never enters an LSH bucket.
 */
import { fmix32 } from '../../../pipeline/hash.js';
import { shingles } from './shingles.js';

export const EMPTY_VALUE = 0x7fffffff;

/** Keys of the hash functions, derived from the seed by a SplitMix-like sequence. */
export function hashKeys(count: number, seed: number): Int32Array {
  const keys = new Int32Array(count);
  let x = seed | 0;
  for (let i = 0; i < count; i++) {
    x = (x + 0x9e3779b9) | 0;
    keys[i] = fmix32(x ^ fmix32(i + 0x632be5ab));
  }
  return keys;
}

/** Writes the signature of the shingle hashes into out (length = keys.length). */
export function signatureOf(h1: Int32Array, h2: Int32Array, count: number, keys: Int32Array, out: Int32Array): void {
  const k = keys.length;
  out.fill(EMPTY_VALUE, 0, k);
  for (let s = 0; s < count; s++) {
    const a = h1[s]!;
    const b = h2[s]!;
    for (let i = 0; i < k; i++) {
      let v = a ^ keys[i]!;
      v ^= v >>> 16;
      v = Math.imul(v, 0x85ebca6b);
      v ^= v >>> 13;
      v = Math.imul(v, 0xc2b2ae35);
      v ^= (v >>> 16) ^ b;
      if (v < out[i]!) out[i] = v;
    }
  }
}

/** Signature of a text: shingles with n words, keys.length hash functions. Returns the word count. */
export function textSignature(text: string, n: number, keys: Int32Array, out: Int32Array): number {
  const sh = shingles(text, { n });
  signatureOf(sh.h1, sh.h2, sh.count, keys, out);
  return sh.words;
}

/** True when the signature is the EMPTY one (no words). */
export function isEmptySignature(sig: Int32Array, at = 0, k = sig.length): boolean {
  for (let i = 0; i < k; i++) if (sig[at + i] !== EMPTY_VALUE) return false;
  return true;
}

/** Fraction of equal positions: the MinHash estimate of Jaccard similarity. */
export function signatureSimilarity(a: Int32Array, b: Int32Array, aAt = 0, bAt = 0, k = a.length - aAt): number {
  let eq = 0;
  for (let i = 0; i < k; i++) if (a[aAt + i] === b[bAt + i]) eq++;
  return eq / k;
}
