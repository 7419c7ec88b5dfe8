/**
 * SentencePiece's normalizer (src/normalizer.cc, Normalizer::Normalize, read for this port), on UTF-8
 * bytes: longest-match rewriting with the model's precompiled charsmap, then the whitespace rules:
 *  1. with remove_extra_whitespaces, leading units that normalize to a single space are dropped;
 *  2. with add_dummy_prefix (prefix mode) one U+2581 is emitted first;
 *  3. each unit's leading spaces are dropped if the previous unit ended in a space (remove_extra_whitespaces),
 *     and every remaining U+0020 becomes U+2581 (escape_whitespaces);
 *  4. with remove_extra_whitespaces, trailing U+2581 are removed; suffix mode appends U+2581 instead of (2).
 * Only U+0020 counts as a space: TAB/LF become spaces only if the charsmap maps them (nmt_nfkc does).
 * User-defined symbols are matched first and copied verbatim. A malformed UTF-8 byte without a rule becomes
 * U+FFFD and consumes one byte.
 */
import { DoubleArray } from './double-array.js';

export interface NormalizerSpec {
  /** precompiled_charsmap blob; empty or null for identity. */
  charsmap: Uint8Array | null;
  addDummyPrefix: boolean;
  removeExtraWhitespaces: boolean;
  escapeWhitespaces: boolean;
  treatWhitespaceAsSuffix: boolean;
  /** USER_DEFINED pieces, matched before normalization and never rewritten. */
  userDefinedSymbols?: readonly string[];
}

const WS = [0xe2, 0x96, 0x81]; // U+2581
const REPLACEMENT = new Uint8Array([0xef, 0xbf, 0xbd]);
const utf8 = new TextEncoder();

export class Normalizer {
  private readonly trie: DoubleArray | null;
  private readonly pool: Uint8Array;
  readonly userTrie: DoubleArray | null;
  private out = new Uint8Array(4096);
  // Result of prefix(): bytes src[start..start+len) replace `consumed` input bytes.
  private pSrc: Uint8Array = REPLACEMENT;
  private pStart = 0;
  private pLen = 0;
  private pConsumed = 0;

  constructor(readonly spec: NormalizerSpec) {
    const cm = spec.charsmap;
    if (cm && cm.length > 0) {
      if (cm.length <= 4) throw new Error('precompiled_charsmap is broken (too short)');
      const trieSize = new DataView(cm.buffer, cm.byteOffset, cm.byteLength).getUint32(0, true);
      if (trieSize >= cm.length) throw new Error('precompiled_charsmap trie size exceeds the blob');
      this.trie = DoubleArray.fromBytes(cm.subarray(4, 4 + trieSize));
      this.pool = cm.slice(4 + trieSize);
    } else {
      this.trie = null;
      this.pool = new Uint8Array(0);
    }
    const uds = [...new Set(spec.userDefinedSymbols ?? [])].map((s) => utf8.encode(s)).filter((b) => b.length > 0);
    if (uds.length) {
      uds.sort(cmp);
      this.userTrie = DoubleArray.build(uds, uds.map((_, i) => i));
    } else this.userTrie = null;
  }

  /** Normalizes UTF-8 bytes; the returned view is valid until the next call on this normalizer. */
  normalizeView(input: Uint8Array): Uint8Array {
    const n = input.length;
    const spec = this.spec;
    const removeExtra = spec.removeExtraWhitespaces;
    const escape = spec.escapeWhitespaces;
    let o = 0;
    let i = 0;
    if (n === 0) return this.out.subarray(0, 0);
    this.ensure(n * 4 + 16);
    if (removeExtra) {
      while (i < n) {
        this.prefix(input, i, n);
        if (!(this.pLen === 1 && this.pSrc[this.pStart] === 0x20)) break;
        i += this.pConsumed;
      }
    }
    if (i >= n) return this.out.subarray(0, 0);
    let out = this.out;
    const addWs = () => {
      if (escape) { out[o++] = WS[0]!; out[o++] = WS[1]!; out[o++] = WS[2]!; }
      else out[o++] = 0x20;
    };
    if (!spec.treatWhitespaceAsSuffix && spec.addDummyPrefix) addWs();
    let isPrevSpace = removeExtra;
    while (i < n) {
      this.prefix(input, i, n);
      const src = this.pSrc;
      let s = this.pStart;
      let len = this.pLen;
      if (isPrevSpace) while (len > 0 && src[s] === 0x20) { s++; len--; }
      if (len > 0) {
        if (o + len * 3 + 8 > out.length) { this.ensure(o + len * 3 + 8 + (n - i) * 4); out = this.out; }
        for (let k = 0; k < len; k++) {
          const b = src[s + k]!;
          if (escape && b === 0x20) { out[o++] = WS[0]!; out[o++] = WS[1]!; out[o++] = WS[2]!; }
          else out[o++] = b;
        }
        isPrevSpace = src[s + len - 1] === 0x20;
      }
      i += this.pConsumed;
      if (!removeExtra) isPrevSpace = false;
    }
    if (removeExtra) {
      if (escape) while (o >= 3 && out[o - 3] === WS[0] && out[o - 2] === WS[1] && out[o - 1] === WS[2]) o -= 3;
      else while (o >= 1 && out[o - 1] === 0x20) o--;
    }
    if (spec.treatWhitespaceAsSuffix && spec.addDummyPrefix) {
      if (o + 3 > out.length) { this.ensure(o + 3); out = this.out; }
      addWs();
    }
    return out.subarray(0, o);
  }

  /** Normalizes and returns a fresh copy. */
  normalize(input: Uint8Array): Uint8Array {
    return this.normalizeView(input).slice();
  }

  normalizeString(text: string): string {
    return Buffer.from(this.normalizeView(utf8.encode(text))).toString('utf8');
  }

  private ensure(n: number): void {
    if (n <= this.out.length) return;
    let cap = this.out.length;
    while (cap < n) cap *= 2;
    const next = new Uint8Array(cap);
    next.set(this.out);
    this.out = next;
  }

  /** Normalizer::NormalizePrefix: the replacement for the longest rule (or one character) at input[i]. */
  private prefix(input: Uint8Array, i: number, n: number): void {
    if (this.userTrie) {
      const m = this.userTrie.longestPrefix(input, i, n);
      if (m) { this.pSrc = input; this.pStart = i; this.pLen = m[1]; this.pConsumed = m[1]; return; }
    }
    if (this.trie) {
      const m = this.trie.longestPrefix(input, i, n);
      if (m) {
        const pool = this.pool;
        let e = m[0];
        while (e < pool.length && pool[e] !== 0) e++;
        this.pSrc = pool; this.pStart = m[0]; this.pLen = e - m[0]; this.pConsumed = m[1];
        return;
      }
    }
    const len = validCharLength(input, i, n);
    if (len === 0) { this.pSrc = REPLACEMENT; this.pStart = 0; this.pLen = 3; this.pConsumed = 1; return; }
    this.pSrc = input; this.pStart = i; this.pLen = len; this.pConsumed = len;
  }
}

function cmp(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

/**
 * Length of the UTF-8 character at bytes[i] if it decodes as string_util::DecodeUTF8 accepts it
 * (shortest form, no surrogates, <= U+10FFFF; a literal U+FFFD is valid, as spm_encode treats it);
 * 0 if malformed.
 */
export function validCharLength(b: Uint8Array, i: number, n: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  if ((c & 0xe0) === 0xc0) {
    if (n - i >= 2 && (b[i + 1]! & 0xc0) === 0x80) {
      const cp = ((c & 0x1f) << 6) | (b[i + 1]! & 0x3f);
      if (cp >= 0x80) return 2;
    }
    return 0;
  }
  if ((c & 0xf0) === 0xe0) {
    if (n - i >= 3 && (b[i + 1]! & 0xc0) === 0x80 && (b[i + 2]! & 0xc0) === 0x80) {
      const cp = ((c & 0x0f) << 12) | ((b[i + 1]! & 0x3f) << 6) | (b[i + 2]! & 0x3f);
      if (cp >= 0x800 && (cp < 0xd800 || cp > 0xdfff)) return 3;
    }
    return 0;
  }
  if ((c & 0xf8) === 0xf0) {
    if (n - i >= 4 && (b[i + 1]! & 0xc0) === 0x80 && (b[i + 2]! & 0xc0) === 0x80 && (b[i + 3]! & 0xc0) === 0x80) {
      const cp = ((c & 0x07) << 18) | ((b[i + 1]! & 0x3f) << 12) | ((b[i + 2]! & 0x3f) << 6) | (b[i + 3]! & 0x3f);
      if (cp >= 0x10000 && cp <= 0x10ffff) return 4;
    }
    return 0;
  }
  return 0;
}

/** Byte length of the UTF-8 character starting with byte c (string_util::OneCharLen). */
export function oneCharLen(c: number): number {
  return c < 0x80 ? 1 : c < 0xc0 ? 1 : c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
}
