/**
 * Worker-thread entry for the encode step: loads the model once per thread and encodes a batch of texts
 * into one packed id array (ids of document i are ids[ends[i-1]..ends[i])), so a batch crosses threads as
 * two typed arrays instead of one clone per document. Text goes through a reused UTF-8 buffer.
 */
import { encodeBytes, loadModel, type TokenizerModel } from '../../tokenizer/index.js';

const models = new Map<string, Promise<TokenizerModel>>();
const utf8 = new TextEncoder();
let textBuf = new Uint8Array(1 << 16);
let idBuf = new Uint32Array(1 << 16);

export interface EncodedBatch {
  ids: Uint32Array;
  /** Exclusive end of each document's ids in `ids`. */
  ends: Uint32Array;
}

export async function encodeBatch(texts: string[], options: { modelFile: string }): Promise<EncodedBatch> {
  let m = models.get(options.modelFile);
  if (!m) {
    m = loadModel(options.modelFile);
    models.set(options.modelFile, m);
  }
  const model = await m;
  const ends = new Uint32Array(texts.length);
  let o = 0;
  for (let i = 0; i < texts.length; i++) {
    const t = texts[i]!;
    if (textBuf.length < t.length * 3) textBuf = new Uint8Array(t.length * 3);
    const { written } = utf8.encodeInto(t, textBuf);
    const ids = encodeBytes(model, textBuf.subarray(0, written));
    if (o + ids.length > idBuf.length) {
      const next = new Uint32Array(Math.max(idBuf.length * 2, o + ids.length));
      next.set(idBuf.subarray(0, o));
      idBuf = next;
    }
    idBuf.set(ids, o);
    o += ids.length;
    ends[i] = o;
  }
  return { ids: idBuf.slice(0, o), ends };
}
