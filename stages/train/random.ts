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

/** Outputs generated per refill: the state lives in locals for the whole batch (no boxed fields). */
const BATCH = 1024;

export class PlanRandom {
  /** xoshiro128** state a, b, c, d. */
  private readonly s = new Int32Array(4);
  /** Outputs not handed out yet: buf[pos..BATCH). */
  private readonly buf = new Uint32Array(BATCH);
  private pos = BATCH;

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
    if ((out[0]! | out[1]! | out[2]! | out[3]!) === 0) out[0] = 1; // the all-zero state is the one fixed point
    this.s.set(out.map((x) => x | 0));
  }

  /** An independent generator in the same state: it yields the same numbers this one will. */
  clone(): PlanRandom {
    const c = new PlanRandom([]);
    c.s.set(this.s);
    c.buf.set(this.buf);
    c.pos = this.pos;
    return c;
  }

  /** xoshiro128**: the next uniform 32-bit unsigned integer. */
  next(): number {
    if (this.pos === BATCH) this.refill();
    return this.buf[this.pos++]!;
  }

  /** Generates the next BATCH outputs with the state in locals. */
  private refill(): void {
    const st = this.s;
    const buf = this.buf;
    let a = st[0]!;
    let b = st[1]!;
    let c = st[2]!;
    let d = st[3]!;
    for (let i = 0; i < BATCH; i++) {
      const x = Math.imul(b, 5);
      buf[i] = Math.imul((x << 7) | (x >>> 25), 9);
      const t = b << 9;
      c ^= a;
      d ^= b;
      b ^= c;
      a ^= d;
      c ^= t;
      d = (d << 11) | (d >>> 21);
    }
    st[0] = a;
    st[1] = b;
    st[2] = c;
    st[3] = d;
    this.pos = 0;
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
