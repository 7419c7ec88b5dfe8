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

/** How far behind the highest used slot a free base is searched for. */
const SEARCH_WINDOW = 1024;

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
  // 1. Temporary trie: an open-addressing hash of (parent, symbol) -> node; parent/label per node.
  const cap = syms.length + 1;
  let hcap = 16;
  while (hcap < cap * 2) hcap *= 2;
  const mask = hcap - 1;
  const hNode = new Int32Array(hcap).fill(-1);
  const hSym = new Int32Array(hcap);
  const hChild = new Int32Array(hcap);
  const parent = new Int32Array(cap);
  const label = new Int32Array(cap);
  const val = new Int32Array(cap).fill(-1);
  let nodes = 1;
  let maxSym = 1;
  for (let i = 0; i < nPieces; i++) {
    let node = 0;
    for (let j = off[i]!; j < off[i + 1]!; j++) {
      const sym = syms[j]!;
      if (sym > maxSym) maxSym = sym;
      let h = (Math.imul(node, 0x9e3779b1) ^ Math.imul(sym + 0x7f4a7c15, 0x85ebca6b)) >>> 0;
      h = (h ^ (h >>> 15)) & mask;
      for (;;) {
        const k = hNode[h]!;
        if (k === -1) {
          const n = nodes++;
          hNode[h] = node; hSym[h] = sym; hChild[h] = n;
          parent[n] = node; label[n] = sym;
          node = n;
          break;
        }
        if (k === node && hSym[h] === sym) { node = hChild[h]!; break; }
        h = (h + 1) & mask;
      }
    }
    val[node] = i;
  }
  // 2. Children grouped by parent (counting sort; node ids are assigned parents-first).
  const childStart = new Int32Array(nodes + 1);
  for (let n = 1; n < nodes; n++) childStart[parent[n]! + 1]!++;
  for (let n = 0; n < nodes; n++) childStart[n + 1]! += childStart[n]!;
  const fill = childStart.slice(0, nodes);
  const children = new Int32Array(Math.max(1, nodes - 1));
  for (let n = 1; n < nodes; n++) children[fill[parent[n]!]!++] = n;
  // 3. Double-array layout, breadth-first. Free slots form a doubly linked list so the first-fit search
  //    visits only free slots (as darts-clone does), starting a window behind the frontier.
  let size = Math.max(1024, nodes + maxSym + 2);
  let base = new Int32Array(size);
  let check = new Int32Array(size).fill(-1);
  let value = new Int32Array(size).fill(-1);
  let usedBases = new Uint8Array(size);
  let nextFree = new Int32Array(size);
  let prevFree = new Int32Array(size);
  for (let i = 0; i < size; i++) { nextFree[i] = i + 1 < size ? i + 1 : -1; prevFree[i] = i - 1; }
  let head = 1; // slot 0 is the root
  let tail = size - 1;
  prevFree[1] = -1;
  check[0] = 0x7fffffff;
  const grow = (need: number) => {
    if (need <= size) return;
    let n = size;
    while (n < need) n *= 2;
    const b = new Int32Array(n); b.set(base); base = b;
    const c = new Int32Array(n).fill(-1); c.set(check); check = c;
    const v = new Int32Array(n).fill(-1); v.set(value); value = v;
    const u = new Uint8Array(n); u.set(usedBases); usedBases = u;
    const nf = new Int32Array(n); nf.set(nextFree); nextFree = nf;
    const pf = new Int32Array(n); pf.set(prevFree); prevFree = pf;
    for (let i = size; i < n; i++) { nextFree[i] = i + 1 < n ? i + 1 : -1; prevFree[i] = i - 1; }
    if (tail >= 0) { nextFree[tail] = size; prevFree[size] = tail; } else { head = size; prevFree[size] = -1; }
    tail = n - 1;
    size = n;
  };
  let scan = head; // first free slot not behind the window
  const take = (p: number) => {
    const a = prevFree[p]!, z = nextFree[p]!;
    if (a >= 0) nextFree[a] = z; else head = z;
    if (z >= 0) prevFree[z] = a; else tail = a;
    if (scan === p) scan = z;
  };
  const pos = new Int32Array(nodes);
  value[0] = val[0]!;
  const queue = new Int32Array(nodes);
  let qh = 0;
  let qt = 0;
  queue[qt++] = 0;
  let top = 1;
  while (qh < qt) {
    const n = queue[qh++]!;
    const c0 = childStart[n]!, c1 = childStart[n + 1]!;
    if (c0 === c1) continue;
    let minLabel = maxSym;
    for (let k = c0; k < c1; k++) minLabel = Math.min(minLabel, label[children[k]!]!);
    while (scan >= 0 && scan < top - SEARCH_WINDOW) scan = nextFree[scan]!;
    if (scan < 0) { grow(size * 2); scan = head; while (scan >= 0 && scan < top - SEARCH_WINDOW) scan = nextFree[scan]!; }
    let b = -1;
    for (let p = scan; ; ) {
      if (p < 0) {
        const from = size;
        grow(size * 2);
        p = from;
      }
      const cand = p - minLabel;
      if (cand >= 1) {
        grow(cand + maxSym + 2);
        if (!usedBases[cand]) {
          let ok = true;
          for (let k = c0; k < c1; k++) if (check[cand + label[children[k]!]!] !== -1) { ok = false; break; }
          if (ok) { b = cand; break; }
        }
      }
      p = nextFree[p]!;
    }
    usedBases[b] = 1;
    const slot = pos[n]!;
    base[slot] = b;
    for (let k = c0; k < c1; k++) {
      const ch = children[k]!;
      const t = b + label[ch]!;
      check[t] = slot;
      take(t);
      value[t] = val[ch]!;
      pos[ch] = t;
      if (t + 1 > top) top = t + 1;
      queue[qt++] = ch;
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
