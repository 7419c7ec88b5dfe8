/**
 * A trie over symbol ids stored in flat typed arrays (an open-addressing hash of (node, symbol) -> child),
 * so it can live in SharedArrayBuffers and be read by every worker without copying. Rebuilt per EM round.
 */

export interface SymbolTrie {
  keyNode: Int32Array;
  keySym: Int32Array;
  child: Int32Array;
  /** Piece id ending at each node, or -1. */
  value: Int32Array;
  mask: number;
}

function alloc(n: number, shared: boolean): Int32Array {
  return shared ? new Int32Array(new SharedArrayBuffer(Math.max(4, n * 4))) : new Int32Array(n);
}

export function hashSlot(node: number, sym: number, mask: number): number {
  let h = Math.imul(node, 0x9e3779b1) ^ Math.imul(sym + 0x7f4a7c15, 0x85ebca6b);
  h ^= h >>> 15;
  return h & mask;
}

/** Child of node for symbol, or -1. */
export function trieChild(t: SymbolTrie, node: number, sym: number): number {
  const mask = t.mask;
  const kn = t.keyNode;
  let h = hashSlot(node, sym, mask);
  for (;;) {
    const k = kn[h]!;
    if (k === -1) return -1;
    if (k === node && t.keySym[h] === sym) return t.child[h]!;
    h = (h + 1) & mask;
  }
}

/** Builds the trie of pieces (piece i = syms[off[i] .. off[i+1])). */
export function buildSymbolTrie(syms: Int32Array, off: Int32Array, shared: boolean): SymbolTrie {
  const nPieces = off.length - 1;
  const maxNodes = syms.length + 1;
  let cap = 16;
  while (cap < maxNodes * 2) cap *= 2;
  const t: SymbolTrie = {
    keyNode: alloc(cap, shared).fill(-1),
    keySym: alloc(cap, shared),
    child: alloc(cap, shared),
    value: alloc(maxNodes, shared).fill(-1),
    mask: cap - 1,
  };
  let nodes = 1;
  for (let i = 0; i < nPieces; i++) {
    let node = 0;
    for (let j = off[i]!; j < off[i + 1]!; j++) {
      const sym = syms[j]!;
      let h = hashSlot(node, sym, t.mask);
      let next = -1;
      for (;;) {
        const k = t.keyNode[h]!;
        if (k === -1) {
          next = nodes++;
          t.keyNode[h] = node; t.keySym[h] = sym; t.child[h] = next;
          break;
        }
        if (k === node && t.keySym[h] === sym) { next = t.child[h]!; break; }
        h = (h + 1) & t.mask;
      }
      node = next;
    }
    t.value[node] = i;
  }
  return t;
}
