/**
 * Union-find over dense document indices, 4 bytes per document. The root of a set is always its smallest
 * index, so "keep the root" keeps the first document in (part, line) order: deterministic for any
 * task count or edge order.
 */
export class UnionFind {
  readonly parent: Uint32Array;

  constructor(size: number) {
    this.parent = new Uint32Array(size);
    for (let i = 0; i < size; i++) this.parent[i] = i;
  }

  find(x: number): number {
    const p = this.parent;
    while (p[x] !== x) {
      const g = p[p[x]!]!;
      p[x] = g; // path halving
      x = g;
    }
    return x;
  }

  /** Joins the sets of a and b; returns true if they were separate. */
  union(a: number, b: number): boolean {
    const ra = this.find(a);
    const rb = this.find(b);
    if (ra === rb) return false;
    if (ra < rb) this.parent[rb] = ra;
    else this.parent[ra] = rb;
    return true;
  }
}
