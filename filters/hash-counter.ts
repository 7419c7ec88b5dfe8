/**
 * An open-addressing hash table from a 64-bit key (two int32 lanes) to an int32 value, in typed arrays.
 * Reset is O(1) (a generation stamp marks live slots), so one table is reused for every n-gram size of
 * every document without clearing or allocating. Used by the repetition filter; far faster than a
 * `Map<string, number>` of joined n-gram strings.
 */
export class HashCounter {
  private keyA = new Int32Array(0);
  private keyB = new Int32Array(0);
  /** The value of a slot; callers read and write it through `value`. */
  value = new Int32Array(0);
  private stamp = new Uint32Array(0);
  private gen = 0;
  private mask = 0;

  /** Empties the table, sized for up to `items` distinct keys. */
  reset(items: number): void {
    let cap = 1024;
    while (cap < items * 2) cap *= 2;
    if (cap > this.stamp.length) {
      this.keyA = new Int32Array(cap);
      this.keyB = new Int32Array(cap);
      this.value = new Int32Array(cap);
      this.stamp = new Uint32Array(cap);
      this.gen = 0;
    }
    this.mask = this.stamp.length - 1;
    this.gen++;
    if (this.gen === 0xffffffff) {
      this.stamp.fill(0);
      this.gen = 1;
    }
  }

  /**
   * The slot of key (a, b). A new key gets a fresh slot with value 0 and the result is `~slot`
   * (negative); an existing key returns its slot (>= 0).
   */
  slot(a: number, b: number): number {
    const mask = this.mask;
    const stamp = this.stamp;
    const gen = this.gen;
    let i = (a ^ Math.imul(b, 0x9e3779b1)) & mask;
    for (;;) {
      if (stamp[i] !== gen) {
        stamp[i] = gen;
        this.keyA[i] = a;
        this.keyB[i] = b;
        this.value[i] = 0;
        return ~i;
      }
      if (this.keyA[i] === a && this.keyB[i] === b) return i;
      i = (i + 1) & mask;
    }
  }
}
