/**
 * The sampler's own PRNG, so the document order never depends on a library or platform:
 *
 *   state  = the first 16 bytes of sha256("massivetext-sample/v1\0<seed>\0<stream>") as four
 *            little-endian uint32 (stream = "<subset>\0<epoch>"); an all-zero state becomes (1,0,0,0)
 *   next() = xoshiro128** (Blackman & Vigna 2018, https://prng.di.unimi.it/xoshiro128starstar.c)
 *   uniform(n) for 1 <= n <= 2^32: draw x = next(); reject x >= 2^32 - (2^32 mod n); return x mod n
 *            (unbiased rejection; the expected draws per call are < 2)
 *   shuffle(n) = Fisher-Yates over [0, n): for i = n-1 down to 1 swap a[i] with a[uniform(i+1)]
 *
 * Everything is 32-bit integer arithmetic, so the same seed gives the same permutation on every
 * machine, and the scheme can be re-implemented in a few lines of any language.
 */
import { createHash } from 'node:crypto';

export class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(s0: number, s1: number, s2: number, s3: number) {
    this.s0 = s0 >>> 0; this.s1 = s1 >>> 0; this.s2 = s2 >>> 0; this.s3 = s3 >>> 0;
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1;
  }

  /** Seeds from sha256("massivetext-sample/v1\0<seed>\0<stream>"). */
  static fromSeed(seed: number | bigint | string, stream: string): Xoshiro128 {
    const d = createHash('sha256').update(`massivetext-sample/v1\0${seed}\0${stream}`).digest();
    return new Xoshiro128(d.readUInt32LE(0), d.readUInt32LE(4), d.readUInt32LE(8), d.readUInt32LE(12));
  }

  /** Next uint32. */
  next(): number {
    const s1 = this.s1;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const t = s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    this.s0 >>>= 0; this.s1 >>>= 0; this.s2 >>>= 0; this.s3 >>>= 0;
    return result;
  }

  /** Uniform integer in [0, n), 1 <= n <= 2^32, by rejection (unbiased). */
  uniform(n: number): number {
    if (!(n >= 1 && n <= 4294967296) || !Number.isInteger(n)) throw new RangeError(`uniform(n) needs 1 <= n <= 2^32, got ${n}`);
    const limit = 4294967296 - (4294967296 % n);
    let x = this.next();
    while (x >= limit) x = this.next();
    return x % n;
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** A seeded permutation of 0..n-1 (Fisher-Yates with `rng.uniform`). */
export function seededPermutation(n: number, rng: Xoshiro128): Uint32Array {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  for (let i = n - 1; i > 0; i--) {
    const j = rng.uniform(i + 1);
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  }
  return a;
}
