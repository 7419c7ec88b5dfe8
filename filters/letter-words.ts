/**
 * Lower-cased letter runs ("words" for language identification) as 53-bit hash keys, without building
 * substrings; plus the share of letters written in Latin script. Shared by the English filter and by the
 * profile builder, so a profile's words and a document's words are hashed the same way.
 */
import { isLetterCodePoint } from './char-classes.js';

/** Lower-case fold of a BMP code unit, filled lazily (String.prototype.toLowerCase of one char). */
const LOWER = new Uint16Array(65536);
const LOWER_SET = new Uint8Array(65536);

function lower(c: number): number {
  if (c < 128) return c >= 65 && c <= 90 ? c + 32 : c;
  if (LOWER_SET[c]) return LOWER[c]!;
  const l = String.fromCharCode(c).toLowerCase();
  const v = l.length === 1 ? l.charCodeAt(0) : c;
  LOWER[c] = v;
  LOWER_SET[c] = 1;
  return v;
}

/** Latin script letters: Basic Latin, Latin-1, Extended-A/B, IPA, Latin Extended Additional/C/D/E, fullwidth. */
export function isLatinCodePoint(cp: number): boolean {
  return (
    cp < 0x2b0 ||
    (cp >= 0x1e00 && cp <= 0x1eff) ||
    (cp >= 0x2c60 && cp <= 0x2c7f) ||
    (cp >= 0xa720 && cp <= 0xa7ff) ||
    (cp >= 0xab30 && cp <= 0xab6f) ||
    (cp >= 0xff21 && cp <= 0xff5a)
  );
}

export interface LetterScan {
  /** Letters seen (code points). */
  letters: number;
  /** Of which Latin script. */
  latinLetters: number;
  /** Letter runs seen that consist of Latin letters only. */
  words: number;
}

const SEED_A = 0x811c9dc5 | 0;
const SEED_B = 0x2545f491 | 0;

/**
 * Calls `onWord(a, b)` with the two 32-bit hash lanes of each maximal run of Latin letters in
 * text[0, maxChars), lower-cased. Runs mixing scripts are skipped as words but their letters are counted.
 * One tight loop with an ASCII fast path: this is the English filter's whole cost.
 */
export function scanLetterWords(text: string, maxChars: number, onWord: (a: number, b: number) => void): LetterScan {
  const n = Math.min(text.length, maxChars);
  let letters = 0;
  let latin = 0;
  let words = 0;
  let inRun = false;
  let runLatin = true;
  let ha = SEED_A;
  let hb = SEED_B;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    let isLetter: boolean;
    let lat = true;
    if (c < 128) {
      const l = c | 32;
      isLetter = l >= 97 && l <= 122;
      c = l;
    } else {
      let cp = c;
      if ((c & 0xfc00) === 0xd800 && i + 1 < n) {
        const d = text.charCodeAt(i + 1);
        if ((d & 0xfc00) === 0xdc00) {
          cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
          i++;
        }
      }
      isLetter = isLetterCodePoint(cp);
      if (isLetter) {
        lat = isLatinCodePoint(cp);
        c = cp < 65536 ? lower(cp) : cp;
      }
    }
    if (isLetter) {
      letters++;
      if (lat) latin++;
      else runLatin = false;
      if (!inRun) {
        inRun = true;
        runLatin = lat;
        ha = SEED_A;
        hb = SEED_B;
      }
      ha = Math.imul(ha ^ c, 0x01000193);
      hb = Math.imul(hb + c, 0x5bd1e995) ^ (hb >>> 15);
    } else if (inRun) {
      inRun = false;
      if (runLatin) {
        words++;
        onWord(finishA(ha), finishB(hb));
      }
    }
  }
  if (inRun && runLatin) {
    words++;
    onWord(finishA(ha), finishB(hb));
  }
  return { letters, latinLetters: latin, words };
}

function finishA(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  return h ^ (h >>> 13);
}

function finishB(h: number): number {
  h ^= h >>> 15;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The hash lanes `scanLetterWords` gives a single word (used to load profiles); null if it is no Latin word. */
export function wordKey(word: string): [number, number] | null {
  let key: [number, number] | null = null;
  scanLetterWords(word, Infinity, (a, b) => {
    if (key === null) key = [a, b];
  });
  return key;
}

/** A small open-addressing map from a word's hash lanes to an int (e.g. a bitmask of languages). */
export class WordTable {
  private readonly keyA: Int32Array;
  private readonly keyB: Int32Array;
  private readonly val: Int32Array;
  private readonly used: Uint8Array;
  private readonly mask: number;

  constructor(capacity: number) {
    let cap = 64;
    while (cap < capacity * 4) cap *= 2;
    this.keyA = new Int32Array(cap);
    this.keyB = new Int32Array(cap);
    this.val = new Int32Array(cap);
    this.used = new Uint8Array(cap);
    this.mask = cap - 1;
  }

  /** ORs `bits` into the value of (a, b). */
  or(a: number, b: number, bits: number): void {
    let i = a & this.mask;
    while (this.used[i] && (this.keyA[i] !== a || this.keyB[i] !== b)) i = (i + 1) & this.mask;
    this.used[i] = 1;
    this.keyA[i] = a;
    this.keyB[i] = b;
    this.val[i]! |= bits;
  }

  /** The value of (a, b), 0 when absent. */
  get(a: number, b: number): number {
    let i = a & this.mask;
    while (this.used[i]) {
      if (this.keyA[i] === a && this.keyB[i] === b) return this.val[i]!;
      i = (i + 1) & this.mask;
    }
    return 0;
  }
}

/** Lower-cases a word the way `scanLetterWords` does (per UTF-16 unit, only 1:1 mappings). */
export function lowerWord(word: string): string {
  let out = '';
  for (let i = 0; i < word.length; i++) {
    const c = word.charCodeAt(i);
    out += String.fromCharCode((c & 0xf800) === 0xd800 ? c : lower(c));
  }
  return out;
}

/** Latin letter runs of a text as lower-case strings (for building profiles; slow, not for filtering). */
export function letterWordStrings(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/\p{L}+/gu)) {
    const w = m[0];
    let latin = true;
    for (const ch of w) if (!isLatinCodePoint(ch.codePointAt(0)!)) latin = false;
    if (latin) out.push(lowerWord(w));
  }
  return out;
}
