/**
 * A byte-keyed double-array trie in darts-clone's unit format (third_party/darts_clone/darts.h, as
 * described in tokenizer.md §3.3), so SentencePiece's C++ reader can walk the arrays we build (the
 * `precompiled_charsmap` of a model) and our encoder can use the same structure for piece lookup.
 *
 * Unit (uint32): a leaf has bit 31 set and its value in bits 0..30; any other unit has its label in
 * bits 0..7, has_leaf in bit 8, and an offset `(unit >> 10) << ((unit & 0x200) >> 6)`. From node p the
 * child for byte c is at `p ^ offset(p) ^ c` and must carry label c; the value of a node with has_leaf is
 * in the unit at `p ^ offset(p)`. Unused units are written as 0x80000000 so no label ever matches them.
 * The builder is our own (depth-first, first fit); its layout differs from darts-clone's, the format not.
 */

const LEAF_BIT = 0x80000000;
const UNUSED_UNIT = LEAF_BIT;
const MAX_DIRECT_OFFSET = 1 << 21;
const MAX_OFFSET = 1 << 29;

export class DoubleArray {
  constructor(readonly units: Uint32Array) {}

  static fromBytes(bytes: Uint8Array): DoubleArray {
    if (bytes.byteLength % 4 !== 0) throw new Error('double array blob size is not a multiple of 4');
    const copy = new Uint8Array(bytes); // aligned copy
    return new DoubleArray(new Uint32Array(copy.buffer, 0, copy.byteLength / 4));
  }

  toBytes(): Uint8Array {
    const out = new Uint8Array(this.units.length * 4);
    const dv = new DataView(out.buffer);
    for (let i = 0; i < this.units.length; i++) dv.setUint32(i * 4, this.units[i]!, true);
    return out;
  }

  /** Value stored for key bytes[start..end), or -1. */
  exactMatch(bytes: Uint8Array, start: number, end: number): number {
    const u = this.units;
    let unit = u[0]!;
    let pos = offsetOf(unit);
    for (let i = start; i < end; i++) {
      const c = bytes[i]!;
      pos ^= c;
      unit = u[pos] ?? UNUSED_UNIT;
      if ((unit & 0x800000ff) !== c) return -1;
      pos ^= offsetOf(unit);
    }
    if (!(unit & 0x100)) return -1;
    return u[pos]! & 0x7fffffff;
  }

  /**
   * Calls found(value, endExclusive) for every key that is a prefix of bytes[start..end), shortest first.
   */
  commonPrefixSearch(bytes: Uint8Array, start: number, end: number, found: (value: number, end: number) => void): void {
    const u = this.units;
    let pos = offsetOf(u[0]!);
    for (let i = start; i < end; i++) {
      const c = bytes[i]!;
      pos ^= c;
      const unit = u[pos] ?? UNUSED_UNIT;
      if ((unit & 0x800000ff) !== c) return;
      pos ^= offsetOf(unit);
      if (unit & 0x100) found(u[pos]! & 0x7fffffff, i + 1);
    }
  }

  /** Longest key that is a prefix of bytes[start..end): returns [value, length] or null. */
  longestPrefix(bytes: Uint8Array, start: number, end: number): [number, number] | null {
    const u = this.units;
    let pos = offsetOf(u[0]!);
    let best = -1;
    let bestLen = 0;
    for (let i = start; i < end; i++) {
      const c = bytes[i]!;
      pos ^= c;
      const unit = u[pos] ?? UNUSED_UNIT;
      if ((unit & 0x800000ff) !== c) break;
      pos ^= offsetOf(unit);
      if (unit & 0x100) { best = u[pos]! & 0x7fffffff; bestLen = i + 1 - start; }
    }
    return best < 0 ? null : [best, bestLen];
  }

  /**
   * Builds from keys sorted byte-wise ascending and unique (non-empty, no 0 byte) with values in
   * [0, 2^31). Throws on unsorted or duplicate keys.
   */
  static build(keys: readonly Uint8Array[], values: ArrayLike<number>): DoubleArray {
    for (let i = 1; i < keys.length; i++) {
      if (compareBytes(keys[i - 1]!, keys[i]!) >= 0) throw new Error('double array keys must be sorted and unique');
    }
    const b = new Builder();
    if (keys.length === 0) return new DoubleArray(new Uint32Array([0]));
    if (keys[0]!.length === 0) throw new Error('double array keys must not be empty');
    b.place(0, b.trie(keys, values, 0, keys.length, 0));
    return new DoubleArray(b.finish());
  }
}

function offsetOf(unit: number): number {
  return (unit >>> 10) << ((unit & 0x200) >>> 6);
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

interface TrieNode {
  labels: number[];
  children: TrieNode[];
  /** Value of the key ending at this node, or -1. */
  leaf: number;
  /** Canonical id: nodes with equal ids have identical subtrees (shared in the array, as in a DAWG). */
  sig: number;
}

/** Shared by every node without children; never written to. */
const NO_LABELS: number[] = [];
const NO_CHILDREN: TrieNode[] = [];

function sameContent(a: TrieNode, b: TrieNode): boolean {
  if (a.leaf !== b.leaf || a.labels.length !== b.labels.length) return false;
  for (let k = 0; k < a.labels.length; k++) {
    if (a.labels[k] !== b.labels[k] || a.children[k]!.sig !== b.children[k]!.sig) return false;
  }
  return true;
}

class Builder {
  units = new Uint32Array(1024);
  used = new Uint8Array(1024);
  usedBase = new Uint8Array(1024);
  /**
   * 0 for an unused unit; for a used one, a unit after it from which to look for the next unused one
   * (path-compressed, units are never freed), so findBase skips runs of used units in near O(1).
   */
  skip = new Int32Array(1024);
  size = 1;
  firstFree = 1;
  /** Canonical nodes by a hash of (leaf, labels, child signatures); equal content gets the same sig. */
  private sigs = new Map<number, TrieNode[]>();
  private sigCount = 0;
  private placedBase = new Map<number, number>();

  constructor() {
    this.used[0] = 1; // the root
    this.skip[0] = 1;
  }

  /** The first unused unit at or after q. */
  private nextUnused(q: number): number {
    const skip = this.skip;
    let r = q;
    while (r < this.size && skip[r] !== 0) r = skip[r]!;
    while (q < r) { const t = skip[q]!; skip[q] = r; q = t; }
    return r;
  }

  /** Builds the explicit trie of keys[lo..hi) below depth, assigning subtree signatures bottom-up. */
  trie(keys: readonly Uint8Array[], values: ArrayLike<number>, lo: number, hi: number, depth: number): TrieNode {
    // Leaves (most nodes) share the empty arrays: fewer allocations, less GC on every model load.
    const node: TrieNode = { labels: NO_LABELS, children: NO_CHILDREN, leaf: -1, sig: 0 };
    let i = lo;
    if (keys[i]!.length === depth) node.leaf = values[i++]!;
    while (i < hi) {
      const c = keys[i]![depth]!;
      if (c === 0) throw new Error('double array keys must not contain a 0 byte');
      let j = i + 1;
      while (j < hi && keys[j]![depth] === c) j++;
      if (node.labels === NO_LABELS) { node.labels = []; node.children = []; }
      node.labels.push(c);
      node.children.push(this.trie(keys, values, i, j, depth + 1));
      i = j;
    }
    let h = Math.imul(node.leaf + 1, 0x9e3779b1);
    for (let k = 0; k < node.labels.length; k++) {
      h = Math.imul(h ^ node.labels[k]!, 0x85ebca6b);
      h = Math.imul(h ^ node.children[k]!.sig, 0xc2b2ae35);
    }
    h ^= h >>> 16;
    let bucket = this.sigs.get(h);
    if (bucket === undefined) { bucket = []; this.sigs.set(h, bucket); }
    let sig = 0;
    for (const o of bucket) if (sameContent(o, node)) { sig = o.sig; break; }
    if (sig === 0) { sig = ++this.sigCount; node.sig = sig; bucket.push(node); }
    node.sig = sig;
    return node;
  }

  private grow(n: number): void {
    if (n <= this.units.length) return;
    let cap = this.units.length;
    while (cap < n) cap *= 2;
    const u = new Uint32Array(cap); u.set(this.units); this.units = u;
    const s = new Uint8Array(cap); s.set(this.used); this.used = s;
    const b = new Uint8Array(cap); b.set(this.usedBase); this.usedBase = b;
    const k = new Int32Array(cap); k.set(this.skip); this.skip = k;
  }

  private validOffset(node: number, base: number): boolean {
    const off = node ^ base;
    return off < MAX_DIRECT_OFFSET || ((off & 0xff) === 0 && off < MAX_OFFSET);
  }

  /** First fit within the last few blocks (like darts-clone), so building stays linear. */
  private findBase(node: number, labels: number[]): number {
    while (this.firstFree < this.size && this.used[this.firstFree]) this.firstFree++;
    const first = labels[0]!;
    const from = Math.max(this.firstFree, this.size - 16 * 256, 1);
    for (let q = this.nextUnused(from); ; q = this.nextUnused(q + 1)) {
      const base = q ^ first;
      if (base === 0 || (base < this.size && this.usedBase[base])) continue;
      if (!this.validOffset(node, base)) continue;
      let ok = true;
      for (let i = 1; i < labels.length; i++) {
        const p = base ^ labels[i]!;
        if (p === 0 || (p < this.size && this.used[p])) { ok = false; break; }
      }
      if (ok) return base;
    }
  }

  place(pos: number, node: TrieNode): void {
    const shared = this.placedBase.get(node.sig);
    let base: number;
    const fresh = shared === undefined || !this.validOffset(pos, shared);
    if (!fresh) {
      base = shared!;
    } else {
      const labels = node.leaf >= 0 ? [0, ...node.labels] : node.labels;
      base = this.findBase(pos, labels);
      let maxPos = base;
      for (const c of labels) maxPos = Math.max(maxPos, base ^ c);
      this.grow(maxPos + 1);
      if (maxPos + 1 > this.size) this.size = maxPos + 1;
      this.usedBase[base] = 1;
      for (const c of labels) { this.used[base ^ c] = 1; this.skip[base ^ c] = (base ^ c) + 1; }
      if (shared === undefined) this.placedBase.set(node.sig, base);
    }
    const off = pos ^ base;
    const offBits = off < MAX_DIRECT_OFFSET ? off << 10 : ((off >>> 8) << 10) | 0x200;
    this.units[pos] = (this.units[pos]! & 0xff) | offBits | (node.leaf >= 0 ? 0x100 : 0);
    if (!fresh) return;
    if (node.leaf >= 0) this.units[base] = (LEAF_BIT | node.leaf) >>> 0;
    for (let k = 0; k < node.labels.length; k++) {
      const c = node.labels[k]!;
      this.units[base ^ c] = c;
      this.place(base ^ c, node.children[k]!);
    }
  }

  finish(): Uint32Array {
    const out = this.units.slice(0, this.size);
    for (let i = 1; i < this.size; i++) if (!this.used[i]) out[i] = UNUSED_UNIT;
    return out;
  }
}
