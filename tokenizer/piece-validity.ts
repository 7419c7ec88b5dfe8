/**
 * TrainerInterface::IsValidSentencePiece on symbol ids (tokenizer.md §1.4): length 1..maxSentencepieceLength;
 * no unknown/separator symbol; U+2581 only as the first symbol with whitespace splitting (not last of a
 * multi-symbol piece without it; mirrored in suffix mode) unless the piece is all U+2581 and
 * allowWhitespaceOnlyPieces; with splitDigits a digit only alone; with splitByUnicodeScript no two concrete
 * scripts (Inherited takes the previous script; digits are script-less when !splitByNumber).
 */
import { SYM_BASE } from './training-corpus.js';
import { scriptOf, SCRIPT_INHERITED } from './unicode-script.js';
import type { ResolvedTrainerOptions } from './trainer-options.js';

const ANY = -1;
const WS_CHAR = 0x2581;

function isDecimal(cp: number): boolean {
  return (cp >= 0x30 && cp <= 0x39) || (cp >= 0xff10 && cp <= 0xff19);
}

export class PieceValidity {
  /** Per symbol id: script id (or ANY for digits when !splitByNumber). */
  private readonly script: Int32Array;
  private readonly ws: Uint8Array;
  private readonly digit: Uint8Array;
  readonly maxLen: number;

  constructor(alphabet: Int32Array, private readonly o: ResolvedTrainerOptions) {
    const n = alphabet.length + SYM_BASE;
    this.script = new Int32Array(n);
    this.ws = new Uint8Array(n);
    this.digit = new Uint8Array(n);
    for (let i = 0; i < alphabet.length; i++) {
      const cp = alphabet[i]!;
      const s = SYM_BASE + i;
      this.ws[s] = cp === WS_CHAR ? 1 : 0;
      this.digit[s] = isDecimal(cp) ? 1 : 0;
      this.script[s] = !o.splitByNumber && isDecimal(cp) ? ANY : scriptOf(cp);
    }
    this.maxLen = o.maxSentencepieceLength;
  }

  /** Whether syms[start .. start+len) may be a piece. */
  isValid(syms: ArrayLike<number>, start: number, len: number): boolean {
    if (len <= 0 || len > this.maxLen) return false;
    const o = this.o;
    let allWs = true;
    for (let k = 0; k < len; k++) {
      const s = syms[start + k]!;
      if (s < SYM_BASE) return false;
      if (!this.ws[s]) allWs = false;
    }
    let prev = ANY;
    for (let k = 0; k < len; k++) {
      const s = syms[start + k]!;
      if (this.ws[s]) {
        if (!o.allowWhitespaceOnlyPieces || !allWs) {
          if (o.treatWhitespaceAsSuffix) {
            if ((o.splitByWhitespace && k < len - 1) || (!o.splitByWhitespace && k < len - 1 && k === 0)) return false;
          } else if ((o.splitByWhitespace && k > 0) || (!o.splitByWhitespace && k > 0 && k === len - 1)) return false;
        }
        continue;
      }
      let sc = this.script[s]!;
      if (sc === SCRIPT_INHERITED) sc = prev;
      if (o.splitDigits && this.digit[s] && len > 1) return false;
      if (o.splitByUnicodeScript && sc !== ANY && prev !== ANY && prev !== sc) return false;
      prev = sc;
    }
    return true;
  }
}
