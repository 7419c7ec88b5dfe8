/**
 * One pass over a document's text that every Gopher rule shares: words, lines, character totals and
 * symbol counts, with 64-bit (two-lane) hashes of every word and line so n-grams, duplicate lines and
 * duplicate paragraphs are compared by number, never by building substrings.
 *
 * Definitions (the canonical readings of gopher-spec.md §2.3/§2.4; the filters offer the alternatives):
 * - character  = Unicode code point (Python's `len`), not a UTF-16 unit, so non-BMP text counts like the peers.
 * - word       = maximal run of non-whitespace characters (whitespace = Python's `str.isspace` set).
 * - line       = text between line terminators `\n`, `\r\n` or `\r` (terminator excluded, so CRLF and LF
 *                documents give the same lines); a terminator at the very end does not start an empty line.
 * - blank line = a line with only whitespace.
 * - ellipsis mark = a run of three or more `.` (counted once per run) or one `…` (U+2026).
 *
 * Equality of words, lines, paragraphs and n-grams is equality of two independent 32-bit hashes; the chance
 * that two different items collide inside one document of 100,000 words is below 1e-9.
 *
 * The arrays live in module-level scratch buffers that grow as needed and are reused: an analysis is
 * valid until the next call of `analyzeText` with a different text (the filters use it immediately).
 * Calling it again with the same string returns the cached analysis, so the quality and repetition
 * filters tokenise a document once between them.
 */
import { fmix32 } from '../pipeline/hash.js';
import { isLetterCodePoint, isWhitespaceCode } from './char-classes.js';

const WS = new Uint8Array(128);
for (const c of [9, 10, 11, 12, 13, 28, 29, 30, 31, 32]) WS[c] = 1;

export interface TextAnalysis {
  readonly text: string;
  /** Characters (code points) in the whole text: Python's len(text). */
  readonly codePoints: number;
  /** Characters that are not whitespace. */
  readonly nonWhitespace: number;

  readonly wordCount: number;
  /** UTF-16 offsets of word i: [wordStart[i], wordEnd[i]). */
  readonly wordStart: Int32Array;
  readonly wordEnd: Int32Array;
  /** Code points in word i. */
  readonly wordLength: Int32Array;
  readonly wordHashA: Int32Array;
  readonly wordHashB: Int32Array;
  /** Words containing at least one letter (\p{L}). */
  readonly wordsWithLetter: number;
  /** Sum of wordLength. */
  readonly wordChars: number;

  /** All lines, blank ones included. */
  readonly lineCount: number;
  readonly lineStart: Int32Array;
  /** End of line i, terminator excluded. */
  readonly lineEnd: Int32Array;
  readonly lineLength: Int32Array;
  readonly lineHashA: Int32Array;
  readonly lineHashB: Int32Array;
  /** Offset of the first non-whitespace character of line i, or -1 when the line is blank. */
  readonly lineFirst: Int32Array;
  /** Offset just after the last non-whitespace character of line i (== lineFirst when blank). */
  readonly lineLast: Int32Array;
  readonly nonBlankLines: number;

  /** Number of `#` characters. */
  readonly hashChars: number;
  /** Ellipsis marks: runs of >= 3 dots counted once, plus each `…`. */
  readonly ellipsisMarks: number;
}

class Growable {
  arr: Int32Array;
  constructor(n: number) {
    this.arr = new Int32Array(n);
  }
  ensure(n: number): Int32Array {
    if (this.arr.length < n) {
      const next = new Int32Array(Math.max(n, this.arr.length * 2));
      next.set(this.arr);
      this.arr = next;
    }
    return this.arr;
  }
}

const W = { start: new Growable(4096), end: new Growable(4096), len: new Growable(4096), ha: new Growable(4096), hb: new Growable(4096) };
const L = {
  start: new Growable(1024),
  end: new Growable(1024),
  len: new Growable(1024),
  ha: new Growable(1024),
  hb: new Growable(1024),
  first: new Growable(1024),
  last: new Growable(1024),
};

const SEED_A = 0x811c9dc5 | 0;
const SEED_B = 0x2545f491 | 0;

let cachedText: string | undefined;
let cached: TextAnalysis | undefined;

/** Analyse `text` (cached for the last text seen). See the module header for definitions. */
export function analyzeText(text: string): TextAnalysis {
  if (cached !== undefined && cachedText === text) return cached;
  cached = scan(text);
  cachedText = text;
  return cached;
}

function scan(text: string): TextAnalysis {
  // One straight loop with every counter in a local (no closures: captured mutable locals are slow in V8).
  const n = text.length;
  let codePoints = 0;
  let nonWs = 0;
  let hashChars = 0;
  let ellipsisMarks = 0;
  let dotRun = 0;

  let wc = 0;
  let wordsWithLetter = 0;
  let wordChars = 0;
  let inWord = false;
  let wStart = 0;
  let wLen = 0;
  let wHasLetter = false;
  let wa = SEED_A;
  let wb = SEED_B;
  let wS = W.start.arr, wE = W.end.arr, wL = W.len.arr, wA = W.ha.arr, wB = W.hb.arr;

  let lc = 0;
  let nonBlank = 0;
  let lStart = 0;
  let lLen = 0;
  let la = SEED_A;
  let lb = SEED_B;
  let lFirst = -1;
  let lLast = -1;
  let lS = L.start.arr, lE = L.end.arr, lL = L.len.arr, lA = L.ha.arr, lB = L.hb.arr, lF = L.first.arr, lT = L.last.arr;

  let prevHigh = false;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? text.charCodeAt(i) : 10;
    const isNl = c === 10 || c === 13;
    // Whitespace (incl. line ends) or end of text closes a word.
    const ws = isNl || (c < 128 ? WS[c] === 1 : isWhitespaceCode(c));
    if (ws && inWord) {
      if (wc === wS.length) {
        wS = W.start.ensure(wc + 1); wE = W.end.ensure(wc + 1); wL = W.len.ensure(wc + 1); wA = W.ha.ensure(wc + 1); wB = W.hb.ensure(wc + 1);
      }
      wS[wc] = wStart;
      wE[wc] = i;
      wL[wc] = wLen;
      wA[wc] = fmix32(wa ^ wLen);
      wB[wc] = fmix32(wb + Math.imul(wLen, 0x27d4eb2f));
      wc++;
      wordChars += wLen;
      if (wHasLetter) wordsWithLetter++;
      inWord = false;
    }
    if (isNl) {
      if (dotRun >= 3) ellipsisMarks++;
      dotRun = 0;
      prevHigh = false;
      // A final line without terminator; no empty line after a trailing terminator or in an empty text.
      if (i < n || lStart < n) {
        if (lc === lS.length) {
          lS = L.start.ensure(lc + 1); lE = L.end.ensure(lc + 1); lL = L.len.ensure(lc + 1); lA = L.ha.ensure(lc + 1);
          lB = L.hb.ensure(lc + 1); lF = L.first.ensure(lc + 1); lT = L.last.ensure(lc + 1);
        }
        lS[lc] = lStart;
        lE[lc] = i;
        lL[lc] = lLen;
        lA[lc] = fmix32(la ^ lLen);
        lB[lc] = fmix32(lb + Math.imul(lLen, 0x27d4eb2f));
        lF[lc] = lFirst;
        lT[lc] = lFirst < 0 ? lFirst : lLast;
        if (lFirst >= 0) nonBlank++;
        lc++;
      }
      if (i < n) {
        codePoints++;
        if (c === 13 && i + 1 < n && text.charCodeAt(i + 1) === 10) {
          i++;
          codePoints++;
        }
      }
      lStart = i + 1;
      lLen = 0;
      la = SEED_A;
      lb = SEED_B;
      lFirst = -1;
      continue;
    }
    // Code points: a low surrogate right after a high surrogate belongs to the previous code point.
    const low = prevHigh && (c & 0xfc00) === 0xdc00;
    prevHigh = (c & 0xfc00) === 0xd800;
    if (!low) {
      codePoints++;
      lLen++;
    }
    la = Math.imul(la ^ c, 0x01000193);
    lb = Math.imul(lb + c, 0x5bd1e995) ^ (lb >>> 15);
    if (c === 46) {
      dotRun++;
    } else {
      if (dotRun >= 3) ellipsisMarks++;
      dotRun = 0;
      if (c === 35) hashChars++;
      else if (c === 0x2026) ellipsisMarks++;
    }
    if (ws) continue;
    if (!low) nonWs++;
    if (lFirst < 0) lFirst = i;
    lLast = i + 1;
    if (!inWord) {
      inWord = true;
      wStart = i;
      wLen = 0;
      wHasLetter = false;
      wa = SEED_A;
      wb = SEED_B;
    }
    if (!low) wLen++;
    wa = Math.imul(wa ^ c, 0x01000193);
    wb = Math.imul(wb + c, 0x5bd1e995) ^ (wb >>> 15);
    if (!wHasLetter) {
      if (c < 128) {
        wHasLetter = (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
      } else if (prevHigh) {
        if (i + 1 < n) {
          const d = text.charCodeAt(i + 1);
          if ((d & 0xfc00) === 0xdc00) wHasLetter = isLetterCodePoint(((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000);
        }
      } else if (!low) {
        wHasLetter = isLetterCodePoint(c);
      }
    }
  }

  return {
    text,
    codePoints,
    nonWhitespace: nonWs,
    wordCount: wc,
    wordStart: wS,
    wordEnd: wE,
    wordLength: wL,
    wordHashA: wA,
    wordHashB: wB,
    wordsWithLetter,
    wordChars,
    lineCount: lc,
    lineStart: lS,
    lineEnd: lE,
    lineLength: lL,
    lineHashA: lA,
    lineHashB: lB,
    lineFirst: lF,
    lineLast: lT,
    nonBlankLines: nonBlank,
    hashChars,
    ellipsisMarks,
  };
}
