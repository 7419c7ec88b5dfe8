/**
 * Worker-pool entry for signatures: a side-effect-free module. One call signs a batch of texts and
 * returns the signatures, word counts and LSH band keys as flat typed arrays.
 */
import { bandKeys } from './bands.js';
import { shingles } from './shingles.js';
import { hashKeys } from './signature.js';
import { signatureOfSimd } from './signature-simd.js';

export interface SignBatchOptions {
  n: number;
  bands: number;
  rows: number;
  seed: number;
}

export interface SignBatchResult {
  /** count x (bands*rows) signature values. */
  sigs: Int32Array;
  /** Words per text (0 = no signature). */
  words: Uint32Array;
  /** count x bands x 2 band key words. */
  keys: Uint32Array;
}

let cachedKeys: { k: number; seed: number; keys: Int32Array } | null = null;

export function signBatch(texts: string[], o: SignBatchOptions): SignBatchResult {
  const k = o.bands * o.rows;
  if (!cachedKeys || cachedKeys.k !== k || cachedKeys.seed !== o.seed) cachedKeys = { k, seed: o.seed, keys: hashKeys(k, o.seed) };
  const keys = cachedKeys.keys;
  const sigs = new Int32Array(texts.length * k);
  const words = new Uint32Array(texts.length);
  const bk = new Uint32Array(texts.length * o.bands * 2);
  const one = new Int32Array(k);
  for (let t = 0; t < texts.length; t++) {
    const sh = shingles(texts[t]!, { n: o.n });
    signatureOfSimd(sh.h1, sh.h2, sh.count, keys, one);
    words[t] = sh.words;
    sigs.set(one, t * k);
    bandKeys(sigs, t * k, o.bands, o.rows, bk, t * o.bands * 2);
  }
  return { sigs, words, keys: bk };
}
