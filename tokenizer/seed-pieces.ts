/**
 * Seed pieces for unigram EM (Trainer::MakeSeedSentencePieces, tokenizer.md §1.5), computed over the unique
 * words weighted by their counts instead of over the whole corpus (tokenizer.md §5.4 option 2):
 *  - the text is every unique (word, right context) pair once, each followed by a separator standing for
 *    its context in the corpus (another word follows / the line ends), which is what decides whether a
 *    word-final substring is a node of spm's suffix tree over the whole corpus;
 *  - a common prefix may include one shared separator but never continues past it (that would be a piece
 *    containing U+2581 inside, never valid); unknown symbols are compared like characters;
 *  - every LCP interval (an internal node: a substring with at least two right contexts) is a candidate
 *    whose frequency is the sum of the counts of the pairs its occurrences lie in, i.e. its number of
 *    occurrences in the corpus, as spm counts it;
 *  - candidates of length <= 1 or failing piece validity are dropped; score = frequency x length;
 *  - seeds = every alphabet character (score = its count) + the best seedSentencepieceSize substrings
 *    (master's bounded queue; ties broken by suffix-array order), scores turned into log probabilities.
 */
import { SYM_BASE, type TrainingCorpus } from './training-corpus.js';
import { suffixArray } from './suffix-array.js';
import type { PieceValidity } from './piece-validity.js';

export interface PieceSet {
  /** Piece symbols: piece i = syms[off[i] .. off[i+1]). */
  syms: Int32Array;
  off: Int32Array;
  scores: Float64Array;
}

export function makeSeedPieces(c: TrainingCorpus, validity: PieceValidity, seedSize: number): PieceSet {
  const e = c.entries;
  const nEntries = e.count.length;
  let total = 1;
  for (let k = 0; k < nEntries; k++) total += c.off[e.word[k]! + 1]! - c.off[e.word[k]!]! + 1;
  // Text: symbols shifted by +2 (so >= 3; 3 = unknown), then a separator standing for what follows the word
  // in the corpus: 2 = another word (U+2581), 1 = the line end; final sentinel 0.
  const t = new Int32Array(total);
  const countAt = new Float64Array(total);
  let p = 0;
  for (let k = 0; k < nEntries; k++) {
    const w = e.word[k]!;
    const cnt = e.count[k]!;
    for (let i = c.off[w]!; i < c.off[w + 1]!; i++) { t[p] = c.syms[i]! + 2; countAt[p++] = cnt; }
    t[p++] = e.last[k] ? 1 : 2;
  }
  t[p] = 0;
  const k = c.alphabet.length + SYM_BASE + 2;
  const sa = suffixArray(t, k);
  const n = t.length;
  // rank and LCP (Kasai). A common prefix may run through one shared separator (the same right context)
  // but never past it: what follows in the corpus is a different word, never part of a valid piece.
  const rank = new Int32Array(n);
  for (let i = 0; i < n; i++) rank[sa[i]!] = i;
  const lcp = new Int32Array(n + 1); // lcp[i] = LCP(sa[i-1], sa[i]); lcp[0] = lcp[n] = 0
  let h = 0;
  for (let i = 0; i < n; i++) {
    const r = rank[i]!;
    if (r === 0) { h = 0; continue; }
    const j = sa[r - 1]!;
    if (h > 0 && t[i + h - 1]! < 3) h = 0; // the previous common prefix ended with its separator
    while (i + h < n && j + h < n && t[i + h] === t[j + h] && t[i + h]! >= 3) h++;
    if (i + h < n && j + h < n && t[i + h] === t[j + h] && t[i + h]! > 0) h++; // the same separator
    lcp[r] = h;
    if (h > 0) h--;
  }
  // Prefix sums of occurrence counts in suffix-array order.
  const pref = new Float64Array(n + 1);
  for (let i = 0; i < n; i++) pref[i + 1] = pref[i]! + (t[sa[i]!]! >= 3 ? countAt[sa[i]!]! : 0);
  let candStart = new Int32Array(1 << 16);
  let candLen = new Uint16Array(1 << 16);
  let candScore = new Float64Array(1 << 16);
  let nCand = 0;
  const tmp = new Int32Array(validity.maxLen + 1);
  const consider = (start: number, len: number, freq: number) => {
    if (len <= 1 || freq <= 0 || len > validity.maxLen) return;
    for (let q = 0; q < len; q++) tmp[q] = t[start + q]! - 2; // separators become < SYM_UNK: invalid
    if (!validity.isValid(tmp, 0, len)) return;
    if (nCand === candStart.length) {
      const a = new Int32Array(nCand * 2); a.set(candStart); candStart = a;
      const b = new Uint16Array(nCand * 2); b.set(candLen); candLen = b;
      const c = new Float64Array(nCand * 2); c.set(candScore); candScore = c;
    }
    candStart[nCand] = start;
    candLen[nCand] = len;
    candScore[nCand++] = freq * len;
  };
  // Internal nodes of the suffix tree: bottom-up LCP interval traversal.
  const stackH: number[] = [0];
  const stackLb: number[] = [0];
  for (let i = 1; i <= n; i++) {
    const cur = i < n ? lcp[i]! : 0;
    let lb = i - 1;
    while (cur < stackH[stackH.length - 1]!) {
      const hh = stackH.pop()!;
      lb = stackLb.pop()!;
      consider(sa[lb]!, hh, pref[i]! - pref[lb]!);
    }
    if (cur > stackH[stackH.length - 1]!) { stackH.push(cur); stackLb.push(lb); }
  }
  // Best seedSize substrings by score desc, ties by position in the candidate list (suffix-array order).
  // Select the threshold score with a numeric typed-array sort, then order only the survivors.
  let threshold = -Infinity;
  if (nCand > seedSize) {
    const sorted = candScore.slice(0, nCand).sort();
    threshold = sorted[nCand - seedSize]!;
  }
  const above: number[] = [];
  const ties: number[] = [];
  for (let i = 0; i < nCand; i++) {
    if (candScore[i]! > threshold) above.push(i);
    else if (candScore[i] === threshold) ties.push(i);
  }
  const keep = above.concat(ties.slice(0, Math.max(0, seedSize - above.length)));
  keep.sort((a, b) => candScore[b]! - candScore[a]! || a - b);
  // Assemble: characters first (count desc, code point asc = alphabet order), then substrings.
  const nChars = c.alphabet.length;
  const nPieces = nChars + keep.length;
  let symTotal = nChars;
  for (const i of keep) symTotal += candLen[i]!;
  const syms = new Int32Array(symTotal);
  const off = new Int32Array(nPieces + 1);
  const scores = new Float64Array(nPieces);
  let q = 0;
  for (let i = 0; i < nChars; i++) { off[i] = q; syms[q++] = SYM_BASE + i; scores[i] = c.alphabetCounts[i]!; }
  keep.forEach((ci, j) => {
    off[nChars + j] = q;
    const st = candStart[ci]!;
    for (let d = 0; d < candLen[ci]!; d++) syms[q++] = t[st + d]! - 2;
    scores[nChars + j] = candScore[ci]!;
  });
  off[nPieces] = q;
  let sum = 0;
  for (let i = 0; i < nPieces; i++) sum += scores[i]!;
  const logSum = Math.log(sum);
  for (let i = 0; i < nPieces; i++) scores[i] = Math.log(scores[i]!) - logSum;
  return { syms, off, scores };
}
