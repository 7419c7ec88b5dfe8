/**
 * BPE trainer (bpe::Trainer::Train, tokenizer.md §2) over the unique words weighted by count: repeatedly
 * merge the most frequent adjacent pair (ties: fewer code points, then the smaller string), skipping pairs
 * whose concatenation is not a valid piece or touches an unknown character. A merged string that was
 * already emitted through another merge order ("aa"+"a" vs "a"+"aa") is not emitted again and that pair is
 * retired, as SentencePiece does. Piece i gets score -i; the alphabet follows (count desc).
 * Pair counts are maintained exactly and incrementally (a heap with lazy entries), where SentencePiece
 * re-scans a cached "active" subset every 100 merges; both pick the exact most frequent pair.
 */
import { PieceValidity } from './piece-validity.js';
import { SYM_BASE, SYM_UNK, type TrainingCorpus } from './training-corpus.js';
import type { ResolvedTrainerOptions } from './trainer-options.js';
import type { TrainProgress } from './unigram-trainer.js';

export interface BpeResult {
  pieces: { syms: Int32Array; score: number }[];
}

export function trainBpe(c: TrainingCorpus, o: ResolvedTrainerOptions, metaCount: number, progress?: TrainProgress): BpeResult {
  const validity = new PieceValidity(c.alphabet, o);
  const nWords = c.counts.length;
  const nPos = c.syms.length;
  // Tokens: ids < SYM_BASE + |alphabet| are single symbols; merged tokens get new ids.
  const tokSyms: Int32Array[] = [];
  for (let s = 0; s < SYM_BASE + c.alphabet.length; s++) tokSyms.push(Int32Array.of(s));
  const tok = Int32Array.from(c.syms);
  const next = new Int32Array(nPos);
  const prev = new Int32Array(nPos);
  const wordOf = new Int32Array(nPos);
  for (let w = 0; w < nWords; w++) {
    const a = c.off[w]!, b = c.off[w + 1]!;
    for (let p = a; p < b; p++) { prev[p] = p > a ? p - 1 : -1; next[p] = p + 1 < b ? p + 1 : -1; wordOf[p] = w; }
  }
  const cpOf = (sym: number) => c.alphabet[sym - SYM_BASE]!;

  // Pair table.
  const pairIndex = new Map<number, number>();
  const pairL: number[] = [];
  const pairR: number[] = [];
  const pairFreq: number[] = [];
  const pairOcc: number[][] = [];
  const pairLen: number[] = [];
  const pairDead: boolean[] = [];
  const invalid = new Set<number>();
  const KEY = 1 << 24;
  const pairOf = (l: number, r: number, create: boolean): number => {
    const key = l * KEY + r;
    const idx = pairIndex.get(key);
    if (idx !== undefined) return idx;
    if (!create || l === SYM_UNK || r === SYM_UNK || invalid.has(key)) return -1;
    const ls = tokSyms[l]!, rs = tokSyms[r]!;
    const cat = new Int32Array(ls.length + rs.length);
    cat.set(ls); cat.set(rs, ls.length);
    if (!validity.isValid(cat, 0, cat.length)) { invalid.add(key); return -1; }
    const i = pairL.length;
    pairIndex.set(key, i);
    pairL.push(l); pairR.push(r); pairFreq.push(0); pairOcc.push([]); pairLen.push(cat.length); pairDead.push(false);
    return i;
  };
  // Heap of (pair, freq at push), ordered by freq desc, length asc, string asc.
  let heapPair = new Int32Array(1024);
  let heapFreq = new Float64Array(1024);
  let heapN = 0;
  const cmpStrings = (a: number, b: number): number => {
    const as = [...tokSyms[pairL[a]!]!, ...tokSyms[pairR[a]!]!];
    const bs = [...tokSyms[pairL[b]!]!, ...tokSyms[pairR[b]!]!];
    const n = Math.min(as.length, bs.length);
    for (let i = 0; i < n; i++) { const d = cpOf(as[i]!) - cpOf(bs[i]!); if (d) return d; }
    return as.length - bs.length;
  };
  const before = (i: number, j: number): boolean => {
    const fi = heapFreq[i]!, fj = heapFreq[j]!;
    if (fi !== fj) return fi > fj;
    const pi = heapPair[i]!, pj = heapPair[j]!;
    if (pairLen[pi] !== pairLen[pj]) return pairLen[pi]! < pairLen[pj]!;
    return cmpStrings(pi, pj) < 0;
  };
  const swap = (i: number, j: number) => {
    const p = heapPair[i]!; heapPair[i] = heapPair[j]!; heapPair[j] = p;
    const f = heapFreq[i]!; heapFreq[i] = heapFreq[j]!; heapFreq[j] = f;
  };
  const push = (pair: number) => {
    if (heapN === heapPair.length) {
      const np = new Int32Array(heapN * 2); np.set(heapPair); heapPair = np;
      const nf = new Float64Array(heapN * 2); nf.set(heapFreq); heapFreq = nf;
    }
    let i = heapN++;
    heapPair[i] = pair; heapFreq[i] = pairFreq[pair]!;
    while (i > 0) { const p = (i - 1) >> 1; if (!before(i, p)) break; swap(i, p); i = p; }
  };
  const pop = (): number => {
    const top = heapPair[0]!;
    const last = --heapN;
    swap(0, last);
    let i = 0;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < last && before(l, m)) m = l;
      if (r < last && before(r, m)) m = r;
      if (m === i) break;
      swap(i, m); i = m;
    }
    return top;
  };

  for (let p = 0; p < nPos; p++) {
    const n2 = next[p]!;
    if (n2 < 0) continue;
    const pi = pairOf(tok[p]!, tok[n2]!, true);
    if (pi < 0) continue;
    pairFreq[pi] += c.counts[wordOf[p]!]!;
    pairOcc[pi]!.push(p);
  }
  for (let i = 0; i < pairL.length; i++) push(i);

  const want = o.vocabSize - metaCount - c.alphabet.length;
  const emitted = new Set<string>();
  const out: { syms: Int32Array; score: number }[] = [];
  const changed = new Set<number>();
  const bump = (l: number, r: number, delta: number, pos: number) => {
    const pi = pairOf(l, r, delta > 0);
    if (pi < 0) return;
    pairFreq[pi] += delta;
    if (delta > 0) pairOcc[pi]!.push(pos);
    changed.add(pi);
  };
  while (out.length < want && heapN > 0) {
    const best = pop();
    if (pairDead[best] || heapFreq[heapN] !== pairFreq[best] || pairFreq[best]! <= 0) continue;
    const l = pairL[best]!, r = pairR[best]!;
    const syms = new Int32Array(tokSyms[l]!.length + tokSyms[r]!.length);
    syms.set(tokSyms[l]!); syms.set(tokSyms[r]!, tokSyms[l]!.length);
    const key = syms.join(',');
    pairDead[best] = true;
    pairIndex.delete(l * KEY + r);
    invalid.add(l * KEY + r);
    if (emitted.has(key)) continue;
    emitted.add(key);
    const t = tokSyms.length;
    tokSyms.push(syms);
    out.push({ syms, score: -out.length });
    const occ = pairOcc[best]!.sort((a, b) => a - b);
    pairOcc[best] = [];
    changed.clear();
    for (const pos of occ) {
      const rp = next[pos]!;
      if (tok[pos] !== l || rp < 0 || tok[rp] !== r) continue;
      const w = c.counts[wordOf[pos]!]!;
      const pp = prev[pos]!;
      const nx = next[rp]!;
      if (pp >= 0) bump(tok[pp]!, l, -w, pp);
      if (nx >= 0) bump(r, tok[nx]!, -w, rp);
      tok[pos] = t;
      tok[rp] = -1;
      next[pos] = nx;
      if (nx >= 0) prev[nx] = pos;
      if (pp >= 0) bump(tok[pp]!, t, w, pp);
      if (nx >= 0) bump(t, tok[nx]!, w, pos);
    }
    for (const pi of changed) if (!pairDead[pi] && pairFreq[pi]! > 0) push(pi);
    if (progress && out.length % 1000 === 0) progress({ phase: 'bpe', pieces: out.length });
  }
  // Alphabet characters (count desc = alphabet order), continuing the scores.
  for (let a = 0; a < c.alphabet.length; a++) out.push({ syms: Int32Array.of(SYM_BASE + a), score: -out.length });
  return { pieces: out };
}
