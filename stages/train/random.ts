/**
 * The plan's pseudo-random generator, specified exactly so a plan can be rebuilt bit for bit:
 * xoshiro128** 1.1 (Blackman & Vigna, https://prng.di.unimi.it/xoshiro128starstar.c), state seeded
 * from a list of 32-bit words through SplitMix32 (Steele, Lea & Flood's mixer, 32-bit variant), and
 * bounded integers by Lemire's multiply-shift with rejection ("Fast Random Integer Generation in an
 * Interval", 2019), so there is no modulo bias. Trainers never recompute it: they read the plan's files.
 */

/** One step of SplitMix32 over `state`; returns [nextState, output]. */
function splitMix32(state: number): [number, number] {
  const s = (state + 0x9e3779b9) >>> 0;
  let z = s;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
  return [s, (z ^ (z >>> 16)) >>> 0];
}

export class PlanRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** Seeds from words (e.g. [seed, subsetIndex, epoch, purpose]); any list gives a distinct stream. */
  constructor(words: readonly number[]) {
    let s = 0x6a09e667;
    for (const w of words) {
      // Fold each word (low and high 32 bits) into the SplitMix state.
      const lo = w >>> 0;
      const hi = Math.floor(w / 2 ** 32) >>> 0;
      [s] = splitMix32((s ^ lo) >>> 0);
      [s] = splitMix32((s ^ hi ^ 0x5bd1e995) >>> 0);
    }
    const out: number[] = [];
    for (let i = 0; i < 4; i++) {
      const r = splitMix32(s);
      s = r[0];
      out.push(r[1]);
    }
    if ((out[0] | out[1] | out[2] | out[3]) === 0) out[0] = 1; // the all-zero state is the one fixed point
    [this.a, this.b, this.c, this.d] = out as [number, number, number, number];
  }

  /** xoshiro128**: the next uniform 32-bit unsigned integer. */
  next(): number {
    const r = Math.imul(rotl(Math.imul(this.b, 5), 7), 9) >>> 0;
    const t = this.b << 9;
    this.c ^= this.a;
    this.d ^= this.b;
    this.b ^= this.c;
    this.a ^= this.d;
    this.c ^= t;
    this.d = rotl(this.d, 11);
    return r;
  }

  /** Uniform integer in [0, n) for 1 <= n <= 2^32 (Lemire: high word of x*n, reject when the low word < 2^32 mod n). */
  below(n: number): number {
    let x = this.next();
    let lo = Math.imul(x, n) >>> 0;
    if (lo < n) {
      const threshold = (0x100000000 - n) % n;
      while (lo < threshold) {
        x = this.next();
        lo = Math.imul(x, n) >>> 0;
      }
    }
    // x*n may exceed 2^53, so take the exact high word as (x*n - lo) / 2^32, rounded: the error of the
    // double product (< 2^12) is far below the 2^32 spacing of the multiples.
    return Math.round((x * n - lo) / 0x100000000);
  }
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}
