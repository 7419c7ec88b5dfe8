/**
 * LSH band keys: band b of a signature (rows b*r .. b*r+r-1) hashed to a 64-bit key (two 32-bit lanes).
 * Two documents share a bucket in band b when their keys are equal; a 64-bit key collision between
 * different bands' rows is possible but harmless, since every candidate is confirmed by signature similarity.
 */
import { fmix32 } from '../../../pipeline/hash.js';

/** Writes bands x 2 unsigned words for the signature at sig[at ..] into out[outAt ..]. */
export function bandKeys(sig: Int32Array, at: number, bands: number, rows: number, out: Uint32Array, outAt: number): void {
  for (let b = 0; b < bands; b++) {
    let h1 = 0x1b873593 ^ b;
    let h2 = 0x7f4a7c15 ^ Math.imul(b, 0x9e3779b1);
    const o = at + b * rows;
    for (let i = 0; i < rows; i++) {
      const v = sig[o + i]!;
      h1 = Math.imul(h1 ^ v, 0xcc9e2d51);
      h1 = (h1 << 15) | (h1 >>> 17);
      h2 = Math.imul(h2 + v, 0x85ebca6b);
      h2 = (h2 << 13) | (h2 >>> 19);
    }
    out[outAt + 2 * b] = fmix32(h1 ^ rows) >>> 0;
    out[outAt + 2 * b + 1] = fmix32(h2 ^ 0x5c4bcea9) >>> 0;
  }
}
