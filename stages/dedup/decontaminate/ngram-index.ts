/**
 * An open-addressing hash table from 53-bit n-gram hashes to the test documents containing them
 * (16 bytes per slot plus small posting lists for n-grams shared by several test documents), and a
 * reusable set for de-duplicating one document's n-grams.
 */

const EMPTY = -1;

/** A set of 53-bit numbers (as doubles), cleared and reused per document. */
export class NumberSet {
  private keys: Float64Array = new Float64Array(1024).fill(EMPTY);
  private mask = 1023;
  size = 0;

  clear(expected: number): void {
    const cap = Math.max(1024, 1 << Math.ceil(Math.log2(expected * 2 + 1)));
    if (cap !== this.keys.length) this.keys = new Float64Array(cap);
    this.keys.fill(EMPTY);
    this.mask = cap - 1;
    this.size = 0;
  }

  /** Adds x; returns true if it was new. */
  add(x: number): boolean {
    let i = (x ^ (x / 4294967296)) & this.mask;
    for (;;) {
      const k = this.keys[i]!;
      if (k === x) return false;
      if (k === EMPTY) {
        this.keys[i] = x;
        this.size++;
        return true;
      }
      i = (i + 1) & this.mask;
    }
  }
}

export class NgramIndex {
  private keys: Float64Array;
  private vals: Int32Array; // doc index >= 0, or -(list + 1)
  private lists: number[][] = [];
  private mask: number;
  size = 0;

  constructor(expected = 1 << 16) {
    const cap = Math.max(1024, 1 << Math.ceil(Math.log2(expected * 2 + 1)));
    this.keys = new Float64Array(cap).fill(EMPTY);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
  }

  private slot(x: number): number {
    let i = (x ^ (x / 4294967296)) & this.mask;
    for (;;) {
      const k = this.keys[i]!;
      if (k === x || k === EMPTY) return i;
      i = (i + 1) & this.mask;
    }
  }

  /** Records that test document `doc` contains n-gram x (call once per distinct n-gram of a document). */
  add(x: number, doc: number): void {
    if ((this.size + 1) * 2 > this.keys.length) this.grow();
    const i = this.slot(x);
    if (this.keys[i] === EMPTY) {
      this.keys[i] = x;
      this.vals[i] = doc;
      this.size++;
      return;
    }
    const v = this.vals[i]!;
    if (v >= 0) {
      if (v === doc) return;
      this.lists.push([v, doc]);
      this.vals[i] = -this.lists.length;
    } else {
      const l = this.lists[-v - 1]!;
      if (l[l.length - 1] !== doc) l.push(doc);
    }
  }

  /** Calls fn for each test document containing x. */
  forEach(x: number, fn: (doc: number) => void): void {
    const i = this.slot(x);
    if (this.keys[i] === EMPTY) return;
    const v = this.vals[i]!;
    if (v >= 0) fn(v);
    else for (const d of this.lists[-v - 1]!) fn(d);
  }

  private grow(): void {
    const oldK = this.keys;
    const oldV = this.vals;
    const cap = oldK.length * 2;
    this.keys = new Float64Array(cap).fill(EMPTY);
    this.vals = new Int32Array(cap);
    this.mask = cap - 1;
    for (let i = 0; i < oldK.length; i++) {
      if (oldK[i] === EMPTY) continue;
      const j = this.slot(oldK[i]!);
      this.keys[j] = oldK[i]!;
      this.vals[j] = oldV[i]!;
    }
  }

  /** Approximate memory in bytes. */
  get bytes(): number {
    return this.keys.length * 12 + this.lists.reduce((a, l) => a + 16 + l.length * 8, 0);
  }
}
