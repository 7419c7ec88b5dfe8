/**
 * Character classes shared by every filter, as fast char-code tests (no regex per character).
 *
 * - Whitespace = Python's `str.isspace()` / `str.split()` set (the peers are Python): ASCII 9–13 and 28–32,
 *   U+0085, U+00A0, U+1680, U+2000–U+200A, U+2028, U+2029, U+202F, U+205F, U+3000. (JS `\s` differs only in
 *   adding U+FEFF and dropping 28–31 and U+0085.)
 * - Letter = Unicode general category L* (`\p{L}`), like Python's `str.isalpha()` except that Python also
 *   counts a few letter-like marks; computed once per BMP code point into a lazily filled table.
 */

const WS_ASCII = new Uint8Array(128);
for (const c of [9, 10, 11, 12, 13, 28, 29, 30, 31, 32]) WS_ASCII[c] = 1;

/** Python-style whitespace test on one UTF-16 code unit. */
export function isWhitespaceCode(c: number): boolean {
  if (c < 128) return WS_ASCII[c] === 1;
  return (
    c === 0x85 ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000
  );
}

/** 0 = not computed yet, 1 = letter, 2 = not a letter. Lazily filled; the answer never changes. */
const LETTER_BMP = new Uint8Array(65536);
const LETTER_RE = /\p{L}/u;

/** `\p{L}` test on a code point (BMP or astral). ASCII fast path. */
export function isLetterCodePoint(cp: number): boolean {
  if (cp < 128) return (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122);
  if (cp < 65536) {
    let v = LETTER_BMP[cp]!;
    if (v === 0) {
      v = LETTER_RE.test(String.fromCharCode(cp)) ? 1 : 2;
      LETTER_BMP[cp] = v;
    }
    return v === 1;
  }
  return LETTER_RE.test(String.fromCodePoint(cp));
}

/** Letter or digit (`\p{L}` or `\p{N}`): what "punctuation trimming" keeps at a word's edges. */
const ALNUM_BMP = new Uint8Array(65536);
const ALNUM_RE = /[\p{L}\p{N}]/u;

export function isAlnumCodePoint(cp: number): boolean {
  if (cp < 128) return (cp >= 48 && cp <= 57) || (cp >= 65 && cp <= 90) || (cp >= 97 && cp <= 122);
  if (cp < 65536) {
    let v = ALNUM_BMP[cp]!;
    if (v === 0) {
      v = ALNUM_RE.test(String.fromCharCode(cp)) ? 1 : 2;
      ALNUM_BMP[cp] = v;
    }
    return v === 1;
  }
  return ALNUM_RE.test(String.fromCodePoint(cp));
}

/** Is this UTF-16 code unit the second half of a surrogate pair (so not a code point of its own)? */
export function isLowSurrogate(c: number): boolean {
  return (c & 0xfc00) === 0xdc00;
}

/** Number of Unicode code points in text[start, end) (what Python's len() counts). */
export function codePointLength(text: string, start = 0, end = text.length): number {
  let n = end - start;
  for (let i = start + 1; i < end; i++) {
    const c = text.charCodeAt(i);
    if ((c & 0xfc00) === 0xdc00 && (text.charCodeAt(i - 1) & 0xfc00) === 0xd800) n--;
  }
  return n;
}
