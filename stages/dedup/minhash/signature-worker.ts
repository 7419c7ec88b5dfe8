/**
 * Worker-pool entry for signatures: a side-effect-free module. One call signs a batch of texts and
 * returns the signatures, word counts and LSH band keys as flat typed arrays.
 */
import { parseDocumentLine } from '../../../pipeline/document-parts.js';
import { RecordError } from '../../../pipeline/errors.js';
import type { LineBatch } from '../common/line-batches.js';
import { bandKeys } from './bands.js';
import { shingles } from './shingles.js';
import { hashKeys } from './signature.js';
import { signatureOfSimd } from './signature-simd.js';

export interface SignBatchOptions {
  n: number;
  bands: number;
  rows: number;
  seed: number;
}

export interface SignBatchResult {
  /** count x (bands*rows) signature values. */
  sigs: Int32Array;
  /** Words per text (0 = no signature). */
  words: Uint32Array;
  /** count x bands x 2 band key words. */
  keys: Uint32Array;
}

let cachedKeys: { k: number; seed: number; keys: Int32Array } | null = null;

export function signBatch(texts: string[], o: SignBatchOptions): SignBatchResult {
  const k = o.bands * o.rows;
  if (!cachedKeys || cachedKeys.k !== k || cachedKeys.seed !== o.seed) cachedKeys = { k, seed: o.seed, keys: hashKeys(k, o.seed) };
  const keys = cachedKeys.keys;
  const sigs = new Int32Array(texts.length * k);
  const words = new Uint32Array(texts.length);
  const bk = new Uint32Array(texts.length * o.bands * 2);
  const one = new Int32Array(k);
  for (let t = 0; t < texts.length; t++) {
    const sh = shingles(texts[t]!, { n: o.n });
    signatureOfSimd(sh.h1, sh.h2, sh.count, keys, one);
    words[t] = sh.words;
    sigs.set(one, t * k);
    bandKeys(sigs, t * k, o.bands, o.rows, bk, t * o.bands * 2);
  }
  return { sigs, words, keys: bk };
}

/** A malformed line of a batch, reported back to the reading thread. */
export interface LineError {
  line: number;
  code: string;
  message: string;
  hint: string;
}

export interface SignLinesResult extends SignBatchResult {
  /** Ids of the documents (valid lines), in order. */
  ids: string[];
  /** UTF-8 bytes of each document's text. */
  bytes: Uint32Array;
  errors: LineError[];
}

/** Parses a batch of JSON lines (as readDocuments would) and signs the documents. */
export function signLines(batch: LineBatch, o: SignBatchOptions): SignLinesResult {
  const texts: string[] = [];
  const ids: string[] = [];
  const errors: LineError[] = [];
  for (let i = 0; i < batch.lines.length; i++) {
    try {
      const d = parseDocumentLine(batch.lines[i]!, { file: batch.file, line: batch.lineNos[i]! });
      texts.push(d.text);
      ids.push(d.id);
    } catch (e) {
      if (!(e instanceof RecordError)) throw e;
      errors.push({ line: batch.lineNos[i]!, code: e.code, message: e.message, hint: e.hint });
    }
  }
  const bytes = new Uint32Array(texts.length);
  for (let i = 0; i < texts.length; i++) bytes[i] = Buffer.byteLength(texts[i]!);
  return { ...signBatch(texts, o), ids, bytes, errors };
}
