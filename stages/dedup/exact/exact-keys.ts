/**
 * Exact-duplicate keys: a 128-bit hash of the normalised text, and of the normalised URL.
 *
 * Text normalisation (gopher-spec.md §2.5 [REC]: "hash the extracted text after Unicode NFC and
 * whitespace-run collapsing"): NFC, every run of whitespace becomes one space, leading and trailing
 * whitespace is ignored. Case and punctuation are kept: only true copies are exact duplicates.
 * URL normalisation: scheme and host lower-cased, default port, fragment and a lone trailing slash
 * dropped; a URL that does not parse is used as given (trimmed).
 */
import { fmix32, LANE_SEEDS } from '../../../pipeline/hash.js';

function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a)
    || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** Writes the 128-bit key of the normalised text into out[at .. at+4). Returns the normalised length. */
export function textKey(text: string, out: Uint32Array, at = 0): number {
  const t = text.normalize('NFC');
  let a = LANE_SEEDS[0]!;
  let b = LANE_SEEDS[1]!;
  let c = LANE_SEEDS[2]!;
  let d = LANE_SEEDS[3]!;
  let len = 0;
  let pendingSpace = false;
  const feed = (x: number): void => {
    a = Math.imul(a ^ x, 0x5bd1e995); a ^= a >>> 15;
    b = Math.imul(b ^ x, 0x1b873593); b ^= b >>> 13;
    c = Math.imul(c + x, 0xcc9e2d51); c ^= c >>> 16;
    d = Math.imul(d ^ x, 0x85ebca6b); d = (d << 11) | (d >>> 21);
    len++;
  };
  for (let i = 0; i < t.length; i++) {
    const x = t.charCodeAt(i);
    if (isSpace(x)) {
      pendingSpace = len > 0;
      continue;
    }
    if (pendingSpace) {
      feed(32);
      pendingSpace = false;
    }
    feed(x);
  }
  out[at] = fmix32(a ^ len) >>> 0;
  out[at + 1] = fmix32(b ^ Math.imul(len, 0x27d4eb2d)) >>> 0;
  out[at + 2] = fmix32(c + len) >>> 0;
  out[at + 3] = fmix32(d ^ fmix32(len ^ 0x165667b1)) >>> 0;
  return len;
}

export function normaliseUrl(url: string): string {
  const u = url.trim();
  try {
    const p = new URL(u);
    p.hash = '';
    let s = p.href; // WHATWG URL lower-cases scheme and host and drops default ports
    if (p.pathname === '/' && !p.search && s.endsWith('/')) s = s.slice(0, -1);
    return s;
  } catch {
    return u;
  }
}

export function urlKey(url: string, out: Uint32Array, at = 0): void {
  textKey(normaliseUrl(url), out, at);
}
