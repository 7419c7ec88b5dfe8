/**
 * Word n-gram shingles as 64-bit hashes (two 32-bit lanes), without building strings.
 *
 * Normalisation (gopher-spec.md §2.6 [REC]: "word 13-grams on lower-cased, punctuation-stripped,
 * whitespace-normalized text"): a word is a maximal run of letters, digits and combining marks (Unicode,
 * BMP table; astral characters count as word characters), lower-cased; everything else separates words.
 * A text with fewer than n words but at least one gives one shingle of all its words (as datatrove does),
 * so short documents still have a signature. A text without words has no shingles.
 */
import { fmix32 } from '../../../pipeline/hash.js';

export interface ShingleOptions {
  /** Words per shingle. 13: Gopher §A.1.1 / RETRO use 13-gram Jaccard similarity (gopher-spec.md §2.6). */
  n: number;
}
export const defaultShingleOptions: ShingleOptions = { n: 13 };

/** Shingle hashes of one text; arrays are views into reused scratch buffers, valid until the next call. */
export interface Shingles {
  h1: Int32Array;
  h2: Int32Array;
  count: number;
  words: number;
}

let wordTable: Uint8Array | null = null; // 1 = word character
let lowerTable: Uint16Array | null = null; // BMP code unit -> lower-case code unit

/** Builds the BMP classification and lower-casing tables once, on first use (not at import). */
function tables(): { word: Uint8Array; lower: Uint16Array } {
  if (!wordTable || !lowerTable) {
    const word = new Uint8Array(65536);
    const lower = new Uint16Array(65536);
    const isWord = /^[\p{L}\p{N}\p{M}]$/u;
    for (let c = 0; c < 65536; c++) {
      const ch = String.fromCharCode(c);
      if (c >= 0xd800 && c <= 0xdfff) word[c] = 1; // surrogate halves: astral letters, emoji
      else word[c] = isWord.test(ch) ? 1 : 0;
      const lc = ch.toLowerCase();
      lower[c] = lc.length === 1 ? lc.charCodeAt(0) : c;
    }
    wordTable = word;
    lowerTable = lower;
  }
  return { word: wordTable, lower: lowerTable };
}

let w1 = new Int32Array(1024);
let w2 = new Int32Array(1024);
let s1 = new Int32Array(1024);
let s2 = new Int32Array(1024);

/** Hashes each normalised word of the text into (w1, w2); returns the word count. */
export function wordHashes(text: string): { w1: Int32Array; w2: Int32Array; count: number } {
  const { word, lower } = tables();
  let count = 0;
  let a = 0;
  let b = 0;
  let len = 0;
  const n = text.length;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? text.charCodeAt(i) : 32;
    if (word[c] === 1) {
      const lc = lower[c]!;
      if (len === 0) {
        a = 0x9747b28c;
        b = 0x2f2b4a6d;
      }
      a = Math.imul(a ^ lc, 0x5bd1e995);
      a ^= a >>> 15;
      b = Math.imul(b ^ lc, 0x1b873593);
      b ^= b >>> 13;
      len++;
    } else if (len > 0) {
      if (count === w1.length) {
        const g1 = new Int32Array(count * 2); g1.set(w1); w1 = g1;
        const g2 = new Int32Array(count * 2); g2.set(w2); w2 = g2;
      }
      w1[count] = fmix32(a ^ len);
      w2[count] = fmix32(b + Math.imul(len, 0x27d4eb2d));
      count++;
      len = 0;
    }
  }
  return { w1, w2, count };
}

/** Hashes of the word n-grams of the text (overlapping, stride 1). */
export function shingles(text: string, options: ShingleOptions = defaultShingleOptions): Shingles {
  const n = options.n;
  const w = wordHashes(text);
  const words = w.count;
  const count = words === 0 ? 0 : Math.max(1, words - n + 1);
  const width = Math.min(n, words);
  if (s1.length < count) {
    s1 = new Int32Array(Math.max(count, s1.length * 2));
    s2 = new Int32Array(s1.length);
  }
  const W1 = w.w1;
  const W2 = w.w2;
  // Polynomial rolling hash of the window's word hashes (mod 2^32, odd multipliers), one per lane,
  // updated in O(1) per position, then finalised with fmix32. Word hashes are already well mixed.
  const P1 = 0x01000193;
  const P2 = 0x5bd1e995;
  let pw1 = 1; // P^(width-1)
  let pw2 = 1;
  for (let j = 1; j < width; j++) {
    pw1 = Math.imul(pw1, P1);
    pw2 = Math.imul(pw2, P2);
  }
  let a = 0;
  let b = 0;
  for (let j = 0; j < width; j++) {
    a = (Math.imul(a, P1) + W1[j]!) | 0;
    b = (Math.imul(b, P2) + W2[j]!) | 0;
  }
  for (let i = 0; i < count; i++) {
    if (i > 0) {
      a = (Math.imul((a - Math.imul(W1[i - 1]!, pw1)) | 0, P1) + W1[i + width - 1]!) | 0;
      b = (Math.imul((b - Math.imul(W2[i - 1]!, pw2)) | 0, P2) + W2[i + width - 1]!) | 0;
    }
    s1[i] = fmix32(a ^ width);
    s2[i] = fmix32(b + 0x68e31da4);
  }
  return { h1: s1, h2: s2, count, words };
}
