/**
 * A trie over symbol ids as a double array (base/check) in flat Int32Arrays, so it can live in
 * SharedArrayBuffers and be read by every worker without copying: the child of node n for symbol s is
 * t = base[n] + s if check[t] === n. Rebuilt once per EM step (pieces change every M-step).
 */

export interface SymbolTrie {
  base: Int32Array;
  check: Int32Array;
  /** Piece id ending at each node, or -1. */
  value: Int32Array;
}

function alloc(n: number, shared: boolean): Int32Array {
  return shared ? new Int32Array(new SharedArrayBuffer(Math.max(4, n * 4))) : new Int32Array(n);
}

/** Child of node for symbol, or -1. */
export function trieChild(t: SymbolTrie, node: number, sym: number): number {
  const c = t.base[node]! + sym;
  return t.check[c] === node ? c : -1;
}

/**
 * Builds the trie of pieces (piece i = syms[off[i] .. off[i+1]), symbols >= 1). Pieces are inserted in a
 * temporary linked trie, then laid out breadth-first with first-fit bases.
 */
export function buildSymbolTrie(syms: Int32Array, off: Int32Array, shared: boolean): SymbolTrie {
  const nPieces = off.length - 1;
  // Temporary trie: first child / next sibling lists, children kept sorted by symbol.
  const cap = syms.length + 1;
  const firstChild = new Int32Array(cap).fill(-1);
  const nextSibling = new Int32Array(cap).fill(-1);
  const label = new Int32Array(cap);
  const val = new Int32Array(cap).fill(-1);
  let nodes = 1;
  let maxSym = 1;
  for (let i = 0; i < nPieces; i++) {
    let node = 0;
    for (let j = off[i]!; j < off[i + 1]!; j++) {
      const s = syms[j]!;
      if (s > maxSym) maxSym = s;
      let prev = -1;
      let c = firstChild[node]!;
      while (c >= 0 && label[c]! < s) { prev = c; c = nextSibling[c]!; }
      if (c < 0 || label[c] !== s) {
        const n = nodes++;
        label[n] = s;
        nextSibling[n] = c;
        if (prev < 0) firstChild[node] = n;
        else nextSibling[prev] = n;
        c = n;
      }
      node = c;
    }
    val[node] = i;
  }
  // Double-array layout.
  let size = Math.max(1024, nodes * 2 + maxSym + 2);
  let base = new Int32Array(size);
  let check = new Int32Array(size).fill(-1);
  let value = new Int32Array(size).fill(-1);
  const used = new Uint8Array(size + maxSym + 2); // bases taken
  check[0] = 0x7fffffff; // root slot is occupied
  const grow = (need: number) => {
    if (need <= size) return;
    let n = size;
    while (n < need) n *= 2;
    const b = new Int32Array(n); b.set(base); base = b;
    const c = new Int32Array(n).fill(-1); c.set(check); check = c;
    const v = new Int32Array(n).fill(-1); v.set(value); value = v;
    size = n;
  };
  let usedBases = used;
  const pos = new Int32Array(nodes); // temp node -> slot
  pos[0] = 0;
  value[0] = val[0]!;
  const queue = new Int32Array(nodes);
  let qh = 0;
  let qt = 0;
  queue[qt++] = 0;
  let firstFree = 1;
  let top = 1;
  const kids: number[] = [];
  while (qh < qt) {
    const n = queue[qh++]!;
    kids.length = 0;
    for (let c = firstChild[n]!; c >= 0; c = nextSibling[c]!) kids.push(c);
    if (kids.length === 0) continue;
    while (firstFree < size && check[firstFree] !== -1) firstFree++;
    const l0 = label[kids[0]!]!;
    let b = Math.max(1, firstFree - l0);
    for (;; b++) {
      if (b < usedBases.length && usedBases[b]) continue;
      grow(b + maxSym + 2);
      let ok = true;
      for (const k of kids) if (check[b + label[k]!] !== -1) { ok = false; break; }
      if (ok) break;
    }
    if (b >= usedBases.length) { const u = new Uint8Array((b + 1) * 2); u.set(usedBases); usedBases = u; }
    usedBases[b] = 1;
    const slot = pos[n]!;
    base[slot] = b;
    for (const k of kids) {
      const t = b + label[k]!;
      check[t] = slot;
      value[t] = val[k]!;
      pos[k] = t;
      if (t + 1 > top) top = t + 1;
      queue[qt++] = k;
    }
  }
  // Pad so base + any symbol stays in range for lookups.
  const len = top + maxSym + 2;
  grow(len);
  const out: SymbolTrie = { base: alloc(len, shared), check: alloc(len, shared), value: alloc(len, shared) };
  out.base.set(base.subarray(0, len));
  out.check.set(check.subarray(0, len));
  out.value.set(value.subarray(0, len));
  return out;
}
