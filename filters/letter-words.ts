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

/**
 * Calls `onWord(key)` for each maximal run of Latin letters in text[0, maxChars), lower-cased, as a
 * 53-bit key (see `wordKey`). Runs mixing scripts are skipped as words but their letters are counted.
 */
export function scanLetterWords(text: string, maxChars: number, onWord: (key: number) => void): LetterScan {
  const n = Math.min(text.length, maxChars);
  let letters = 0;
  let latin = 0;
  let words = 0;
  let inRun = false;
  let runLatin = true;
  let ha = 0;
  let hb = 0;
  for (let i = 0; i < n; i++) {
    let c = text.charCodeAt(i);
    let cp = c;
    let width = 1;
    if ((c & 0xfc00) === 0xd800 && i + 1 < n) {
      const d = text.charCodeAt(i + 1);
      if ((d & 0xfc00) === 0xdc00) {
        cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
        width = 2;
      }
    }
    const isLetter = cp < 128 ? (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122) : isLetterCodePoint(cp);
    if (isLetter) {
      letters++;
      const lat = isLatinCodePoint(cp);
      if (lat) latin++;
      if (!inRun) {
        inRun = true;
        runLatin = true;
        ha = 0x811c9dc5 | 0;
        hb = 0x2545f491 | 0;
      }
      if (!lat) runLatin = false;
      c = width === 1 ? lower(c) : cp;
      ha = Math.imul(ha ^ c, 0x01000193);
      hb = Math.imul(hb + c, 0x5bd1e995) ^ (hb >>> 15);
    } else if (inRun) {
      inRun = false;
      if (runLatin) {
        words++;
        onWord(finish(ha, hb));
      }
    }
    i += width - 1;
  }
  if (inRun && runLatin) {
    words++;
    onWord(finish(ha, hb));
  }
  return { letters, latinLetters: latin, words };
}

function finish(ha: number, hb: number): number {
  ha ^= ha >>> 16;
  ha = Math.imul(ha, 0x85ebca6b);
  ha ^= ha >>> 13;
  hb ^= hb >>> 15;
  hb = Math.imul(hb, 0xc2b2ae35);
  hb ^= hb >>> 16;
  // 32 bits of A and 21 bits of B: a safe integer, usable as a Map key without allocation.
  return (ha >>> 0) * 2097152 + (hb & 0x1fffff);
}

/** The key `scanLetterWords` produces for a single lower-case word (used to load profiles). */
export function wordKey(word: string): number {
  let key = -1;
  scanLetterWords(word, Infinity, (k) => {
    if (key === -1) key = k;
  });
  return key;
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
