/**
 * Line-oriented encoding as `spm_encode --output_format=id` does it: each input line (split on \n, a \r
 * kept, bytes passed as they are, so invalid UTF-8 is handled exactly like the C++ encoder) becomes one
 * line of space-separated ids. Works on chunks of whole lines so the work can go to the worker pool;
 * this module is side-effect free and is the worker entry (`encodeLineChunk`).
 */
import { encodeBytes, loadModel, type TokenizerModel } from './encoder.js';

const models = new Map<string, Promise<TokenizerModel>>();

function modelFor(file: string): Promise<TokenizerModel> {
  let m = models.get(file);
  if (!m) {
    m = loadModel(file);
    models.set(file, m);
  }
  return m;
}

export interface EncodedChunk {
  /** ASCII: one line of space-separated ids per input line. */
  text: Uint8Array;
  lines: number;
  tokens: number;
}

/**
 * Output buffer reused across chunks in this thread (fresh memory costs ~5 s per GB on the VMs we run on);
 * each result is one exact-size copy of it.
 */
let outBuf = new Uint8Array(1 << 16);

/** Encodes a chunk of complete lines (each terminated by \n, the last one possibly not). */
export function encodeChunkWith(model: TokenizerModel, chunk: Uint8Array): EncodedChunk {
  if (outBuf.length < chunk.length * 2) outBuf = new Uint8Array(Math.max(64, chunk.length * 2));
  let out = outBuf;
  let o = 0;
  let lines = 0;
  let tokens = 0;
  let start = 0;
  const n = chunk.length;
  while (start < n) {
    let end = chunk.indexOf(10, start);
    if (end < 0) end = n;
    const ids = encodeBytes(model, chunk.subarray(start, end));
    if (o + ids.length * 11 + 1 > out.length) {
      const next = new Uint8Array((o + ids.length * 11 + 1) * 2);
      next.set(out.subarray(0, o));
      out = outBuf = next;
    }
    for (let i = 0; i < ids.length; i++) {
      if (i) out[o++] = 32;
      let v = ids[i]!;
      if (v === 0) { out[o++] = 48; continue; }
      const d0 = o;
      while (v > 0) { out[o++] = 48 + (v % 10); v = (v / 10) | 0; }
      for (let a = d0, b = o - 1; a < b; a++, b--) { const t = out[a]!; out[a] = out[b]!; out[b] = t; }
    }
    out[o++] = 10;
    tokens += ids.length;
    lines++;
    start = end + 1;
  }
  return { text: out.slice(0, o), lines, tokens };
}

export async function encodeLineChunk(chunk: Uint8Array, options: { modelFile: string }): Promise<EncodedChunk> {
  return encodeChunkWith(await modelFor(options.modelFile), chunk);
}

/** Splits a byte stream into chunks of about `size` bytes that end at a newline. */
export async function* lineChunks(stream: AsyncIterable<Uint8Array>, size = 1 << 20): AsyncGenerator<Uint8Array> {
  let parts: Uint8Array[] = [];
  let len = 0;
  for await (const buf of stream) {
    parts.push(buf);
    len += buf.length;
    if (len < size) continue;
    const all = Buffer.concat(parts, len);
    const cut = all.lastIndexOf(10);
    if (cut < 0) { parts = [all]; continue; }
    yield all.subarray(0, cut + 1);
    const rest = all.subarray(cut + 1);
    parts = rest.length ? [rest] : [];
    len = rest.length;
  }
  if (len) yield Buffer.concat(parts, len);
}
